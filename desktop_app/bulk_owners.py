"""Bulk cancel by QueueID in "All accounts" (no Qt): find which account owns each QueueID.

Each license key sees and cancels only its own calls, and a QueueID the key does not own answers
ResponseCode 9 (the sandbox's documented behaviour, sandbox/state.py). So ownership is asked, not
guessed: one GetMultipleQueueIdStatus per account (OWNER_CHUNK QueueIDs at a time, accounts in
order), and the first account whose answer is not code 9 owns the QueueID. Nothing is cancelled
and nothing is recorded while looking. A QueueID every account answered 9 for is "not found in any
account"; if an account could not be asked (no key, no connection), the QueueIDs still unowned
are failed rows with that reason (they might be that account's), never "not found".

Why not try CancelNotify with each account in turn: its answer is only true/false, and false means
either "not this account's" or "not waiting any more", so it cannot tell who owns a call; and every
try would be a recorded cancel. A call that ended with code 9 itself looks "not found", which costs
nothing: it has ended, so there is nothing to cancel.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

NOT_FOUND_CODE = 9
OWNER_CHUNK = 200
NOT_FOUND_MESSAGE = "Not found in any account: no account has a call with this QueueID."


@dataclass(frozen=True)
class Owners:
    owner: dict[str, str]  # QueueID (as sent) -> the account that owns it
    not_found: tuple[str, ...]  # every account answered "unknown QueueID"
    unchecked: dict[str, str]  # QueueID -> why its owner could not be found (plain words)


def find_owners(
    statuses: Callable[[str, list[int]], Sequence[object]], accounts: Sequence[str], values: Sequence[str]
) -> Owners:
    """`statuses(account, queue_ids)` is the desk's keyed status look-up (it reads the key)."""
    left, problems = list(values), []
    owner: dict[str, str] = {}  # QueueID (as sent) -> the account that owns it
    for account in accounts:
        if not left:
            break
        for start in range(0, len(left), OWNER_CHUNK):
            chunk = left[start : start + OWNER_CHUNK]
            try:
                found = statuses(account, [int(value) for value in chunk])
            except Exception as error:  # this account could not be asked: say so, go on with the next
                problems.append(f"account “{account}” could not be checked ({error})")
                break
            for status in found:
                value = str(getattr(status, "queue_id", ""))
                if value in chunk and getattr(status, "response_code", NOT_FOUND_CODE) != NOT_FOUND_CODE:
                    owner.setdefault(value, account)
        left = [value for value in left if value not in owner]
    if problems:
        reason = "Owner not found: " + "; ".join(problems) + "."
        return Owners(owner, (), dict.fromkeys(left, reason))
    return Owners(owner, tuple(left), {})
