"""Who owns each QueueID ("All accounts"): one keyed status look-up per account, the first account
that knows a QueueID owns it, and a QueueID is "not found in any account" only when every account
answered (issue #13). Against the sandbox over real HTTP, where each key sees only its own calls."""

from __future__ import annotations

from datetime import timedelta

from desktop_app.bulk_owners import OWNER_CHUNK, find_owners
from desktop_app.service import CannotReachServer, new_call_request
from tests.conftest import KEY_A, KEY_B


def book(client, sandbox, key: str) -> int:
    now = sandbox.state.clock.now()
    call = new_call_request(
        phone_number="757-555-0123", text_to_say="Hi", reference_id="own", scheduled=now + timedelta(hours=1), now=now
    )
    return client.schedule_call(key, call).queue_id


def test_each_queue_id_belongs_to_the_account_that_knows_it(client, sandbox):
    keys = {"A": KEY_A, "B": KEY_B}
    asked: list[tuple[str, int]] = []

    def statuses(account: str, queue_ids: list[int]):
        asked.append((account, len(queue_ids)))
        return client.get_call_statuses(keys[account], queue_ids)

    a, b = book(client, sandbox, KEY_A), book(client, sandbox, KEY_B)
    owners = find_owners(statuses, ["A", "B"], [str(b), str(a), "999999"])
    assert owners.owner == {str(a): "A", str(b): "B"}
    assert owners.not_found == ("999999",) and owners.unchecked == {}
    assert asked == [("A", 3), ("B", 2)]  # B is asked only about what A did not own
    assert sandbox.state.calls[a].cancelled_utc is None  # looking cancels nothing


def test_an_account_that_cannot_be_asked_never_makes_a_queue_id_not_found(client, sandbox):
    b = book(client, sandbox, KEY_B)

    def statuses(account: str, queue_ids: list[int]):
        if account == "B":
            raise CannotReachServer("The server could not be reached.")
        return client.get_call_statuses(KEY_A, queue_ids)

    owners = find_owners(statuses, ["A", "B"], [str(b), "999999"])
    assert owners.owner == {} and owners.not_found == ()
    assert set(owners.unchecked) == {str(b), "999999"}
    assert "account “B” could not be checked" in owners.unchecked[str(b)]


def test_long_lists_are_asked_in_chunks(client, sandbox):
    sizes: list[int] = []

    def statuses(account: str, queue_ids: list[int]):
        sizes.append(len(queue_ids))
        return client.get_call_statuses(KEY_A, queue_ids)

    values = [str(1_000_000 + i) for i in range(OWNER_CHUNK + 5)]
    owners = find_owners(statuses, ["A"], values)
    assert sizes == [OWNER_CHUNK, 5] and len(owners.not_found) == len(values)
