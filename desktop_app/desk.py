"""The app's actions, without Qt: read the account's key, call the service, record the history.

Every method here runs on a worker thread. The key is read from the key store inside the job and
lives only in a local variable for the length of the call (a bulk run reads it once, inside its
worker closure). Each action is recorded in the history journal whatever happens, so closing the
window mid-request loses nothing; an action still waiting for its answer when the app must exit is
recorded as "outcome unknown" (`abandon_in_flight`). A history failure never fails the action: it
is kept in `history_problem` for the window to show.

The client is leased per request: new settings retire the old client, which closes its HTTP
sessions once the last request using it has finished.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from .storage.history import History, HistoryError, reference_key
from .storage.secrets import KeyStore

if TYPE_CHECKING:
    from .service import (
        CallRequest,
        CallStatus,
        CancelCount,
        PhoneNotifyClient,
        QueueCancelResult,
        ScheduledCall,
        Voice,
    )
    from .service.speech import SpeechCache, SpeechRequest
    from .storage.history import ReferenceBookings

log = logging.getLogger(__name__)


ABANDONED_MESSAGE = "The app was closed before the service answered: check whether this went through."


@dataclass(frozen=True)
class ReferenceKnowledge:
    """What this desk's history knows about a reference ID on one account, before a cancel by
    reference ID is sent (`Desk.reference_knowledge`). Nothing here says what the service holds:
    other desks and programs book calls too."""

    account: str
    reference_id: str  # as asked
    exact_count: int  # calls this desk booked on the account with exactly this reference ID
    last_booked: datetime | None  # when the last of those was booked (UTC); None when exact_count is 0
    # Other spellings this desk booked on the account that differ only in capitals or spaces
    # ("CASE-TEST" for "case-test"): (reference_id, count, last_booked), most recently booked first.
    near: tuple[ReferenceBookings, ...] = ()
    problem: str = ""  # the history could not be read (then nothing is known): why, in plain words

    @property
    def known(self) -> bool:
        """This desk booked calls with exactly this reference ID on the account."""
        return self.exact_count > 0


@dataclass(frozen=True)
class ListKnowledge:
    """What this desk's history says about a bulk list of reference IDs (see Desk.list_knowledge)."""

    account: str
    total: int
    known: int  # how many of them this desk booked calls under, exactly as written
    near: tuple[tuple[str, str], ...] = ()  # (as written, the spelling this desk booked)
    problem: str = ""


@dataclass(frozen=True)
class BookedCall:
    """A call this desk booked, as its history has it (`Desk.booked_call`)."""

    queue_id: int
    account: str
    phone_number: str  # as booked: 10 digits, maybe "x" and an extension
    scheduled_utc: datetime | None  # None when the history does not have it (a looked-up booking)
    reference_id: str  # "" when it has none
    booked_utc: datetime


class Desk:
    def __init__(self, client_factory: Callable[[], PhoneNotifyClient], keys: KeyStore, history: History) -> None:
        self._client_factory = client_factory
        self._client: PhoneNotifyClient | None = None
        self._leases: dict[int, int] = {}  # id(client) -> requests using it
        self._retired: dict[int, PhoneNotifyClient] = {}  # replaced clients still in use
        self._client_lock = threading.Lock()
        self._in_flight: dict[int, dict[str, Any]] = {}  # user actions waiting for their answer
        self._tokens = itertools.count(1)
        self._closing = False
        self.keys = keys
        self.history = history
        self.history_problem = ""  # the last history failure, in plain words ("" when healthy)

    # -- the client ----------------------------------------------------------------------------------

    @property
    def client(self) -> PhoneNotifyClient:
        """Created on first use, on a worker thread: parsing the WSDL stays off the first paint."""
        with self._client_lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client

    @contextmanager
    def _lease(self) -> Iterator[PhoneNotifyClient]:
        client = self.client
        with self._client_lock:
            self._leases[id(client)] = self._leases.get(id(client), 0) + 1
        try:
            yield client
        finally:
            with self._client_lock:
                self._leases[id(client)] -= 1
                done = self._leases[id(client)] == 0 and id(client) in self._retired
                if self._leases[id(client)] == 0:
                    del self._leases[id(client)]
                    self._retired.pop(id(client), None)
            if done:
                client.close()

    def reconfigure(self, client_factory: Callable[[], PhoneNotifyClient] | None = None) -> None:
        """New settings (or the end of a bulk run): the next request builds a new client. The old
        one closes its sessions now if idle, else when its last request ends."""
        with self._client_lock:
            old, self._client = self._client, None
            if client_factory is not None:
                self._client_factory = client_factory
            idle = old if old is not None and id(old) not in self._leases else None
            if old is not None and idle is None:
                self._retired[id(old)] = old
        if idle is not None:
            idle.close()

    def close(self) -> None:
        self.reconfigure()

    @property
    def namespace_in_use(self) -> str:
        """The namespace of the current client, or "" before the first request built one."""
        client = self._client
        return client.namespace if client is not None else ""

    # -- history -------------------------------------------------------------------------------------

    def _record(self, **fields: Any) -> None:
        try:
            self.history.record(**fields)
            self.history_problem = ""
        except HistoryError as exc:
            self.history_problem = str(exc)
            log.error("history not written: %s", exc)

    def abandon_in_flight(self) -> int:
        """The app must exit now: record every action still waiting for its answer as "outcome
        unknown" (their answers, if they come, are no longer recorded). Returns how many."""
        with self._client_lock:
            self._closing = True
            pending, self._in_flight = list(self._in_flight.values()), {}
        for fields in pending:
            self._record(outcome="unknown", message=ABANDONED_MESSAGE, **fields)
        return len(pending)

    def _settle(self, token: int) -> bool:
        """True if the action `token` is still ours to record (not abandoned at exit)."""
        with self._client_lock:
            return self._in_flight.pop(token, None) is not None

    def _failed(self, error: Exception, **fields: Any) -> None:
        outcome = "unknown" if getattr(error, "outcome_unknown", False) else "error"  # keyring errors have none
        self._record(outcome=outcome, message=str(error), **fields)

    # -- actions ----------------------------------------------------------------------------------
    # `key`: a bulk run's worker closure reads the account's key once and passes it in; otherwise
    # it is read from the key store here, on the worker thread.

    def _recorded(
        self,
        fields: dict[str, Any],
        send: Callable[[PhoneNotifyClient], Any],
        describe: Callable[[Any], dict],
    ) -> Any:
        """Run `send(client)`, then write one history record whatever happened."""
        return self._recorded_rows([fields], send, lambda result: [describe(result)])

    def _recorded_rows(
        self,
        rows: Sequence[dict[str, Any]],
        send: Callable[[PhoneNotifyClient], Any],
        describe: Callable[[Any], Sequence[dict]],
    ) -> Any:
        """Run `send(client)` for several history rows at once (a test broadcast), then write each
        row whatever happened: `describe(result)` gives one set of fields per row."""
        with self._client_lock:
            tokens = [next(self._tokens) for _ in rows]
            if not self._closing:
                self._in_flight.update(zip(tokens, rows, strict=True))
        try:
            with self._lease() as client:
                result = send(client)
        except Exception as error:
            for token, fields in zip(tokens, rows, strict=True):
                if self._settle(token):
                    self._failed(error, **fields)
            raise
        for token, fields, described in zip(tokens, rows, describe(result), strict=True):
            if self._settle(token):
                self._record(**fields, **described)
        return result

    def schedule(self, account: str, call: CallRequest) -> ScheduledCall:
        return self._recorded(
            _schedule_fields(account, call),
            lambda client: client.schedule_call(self.keys.get(account), call),
            _booking_fields,
        )

    def cancel_by_reference_id(
        self, account: str, reference_id: str, key: str | None = None, bulk_run: str = ""
    ) -> CancelCount:
        return self._recorded(
            {
                "account": account,
                "action": "cancel_reference",
                "inputs": {"reference_id": reference_id, **_bulk_input(bulk_run)},
                "reference_id": reference_id,
            },
            lambda client: client.cancel_by_reference_id(key or self.keys.get(account), reference_id),
            lambda result: {"outcome": "ok", "count": result.cancelled, "message": result.credit_notice},
        )

    def cancel_call(self, account: str, queue_id: int, key: str | None = None, bulk_run: str = "") -> QueueCancelResult:
        return self._recorded(
            {
                "account": account,
                "action": "cancel_queue",
                "inputs": {"queue_id": queue_id, **_bulk_input(bulk_run)},
                "queue_id": queue_id,
            },
            lambda client: client.cancel_call(key or self.keys.get(account), queue_id),
            lambda result: {"outcome": "ok", "count": int(result.cancelled), "message": result.credit_notice},
        )

    def confirm_schedule(self, account: str, call: CallRequest) -> CallStatus | None:
        """After a schedule whose outcome is unknown: look the number up, and record what was found.

        A call to that number whose QueueID the history does not know yet is the lost answer's call.
        Returns its status, or None when no such call exists (so it was not booked).
        """
        statuses = self.calls_to_number(account, call.phone_number)
        known = self.history.booked_queue_ids()
        found = max((s for s in statuses if s.queue_id not in known), key=lambda s: s.queue_id, default=None)
        inputs = {"phone_number": call.phone_number, "reference_id": call.reference_id, "confirmation": True}
        fields = {"account": account, "action": "schedule", "inputs": inputs, "reference_id": call.reference_id}
        if found is None:
            self._record(outcome="error", message="Looked up: the call was not booked.", **fields)
        else:
            message = f"Looked up: the call was booked (QueueID {found.queue_id}, {found.plain_text})."
            self._record(outcome="ok", queue_id=found.queue_id, message=message, **fields)
        return found

    def schedule_many(self, account: str, calls: Sequence[CallRequest]) -> tuple[ScheduledCall, ...]:
        """A test broadcast: several numbers in one NotifyMultiplePhoneAdvanced, one history row per
        number. A lost answer is "outcome unknown" for every number of the batch."""
        return self._recorded_rows(
            [_schedule_fields(account, call) for call in calls],
            lambda client: tuple(client.schedule_calls(self.keys.get(account), list(calls))),
            lambda results: [_booking_fields(result) for result in results],
        )

    def confirm_schedule_many(self, account: str, calls: Sequence[CallRequest]) -> tuple[CallStatus | None, ...]:
        """After a test broadcast whose answer was lost: look each number up and record the truth
        per number (`confirm_schedule` for each)."""
        return tuple(self.confirm_schedule(account, call) for call in calls)

    def confirm_cancel(self, account: str, reference_id: str, queue_id: int) -> int:
        """After a cancel whose answer was lost: look the call up and settle it. A call already
        Cancelled (22) was cancelled by the lost request, which is recorded now; a call still
        waiting is cancelled again (safe: nothing is counted twice). Returns the calls cancelled."""
        with self._lease() as client:
            status = client.get_call_status(queue_id)
        fields = {
            "account": account,
            "action": "cancel_reference",
            "reference_id": reference_id,
            "inputs": {"reference_id": reference_id, "queue_id": queue_id, "confirmation": True},
        }
        if status.response_code == 22:
            self._record(outcome="ok", count=1, message="Looked up: the earlier cancel went through.", **fields)
            return 1
        if status.cancellable:
            return self.cancel_by_reference_id(account, reference_id).cancelled
        self._record(outcome="ok", count=0, message=f"Looked up: not cancelled ({status.plain_text}).", **fields)
        return 0

    def bulk_worker(
        self, account: str, kind: Literal["reference", "queue"], owners: Mapping[str, str] | None = None
    ) -> Callable[[str], int]:
        """The work of one bulk run: `work(value) -> calls cancelled`, run on the workers. Each key
        is read once, by the first request that needs it, and lives only in this closure until the
        run ends. With `owners` (QueueID -> account: "All accounts"), each QueueID is cancelled with
        its owner's key. Every row's history inputs carry {"bulk_run": <this run's id>}."""
        import uuid  # on first use: the first paint does not need it (docs/performance.md)

        lock, keys, run_id = threading.Lock(), {}, uuid.uuid4().hex[:8]

        def work(value: str) -> int:
            name = owners[value] if owners is not None else account
            with lock:
                if name not in keys:
                    keys[name] = self.keys.get(name)
                key = keys[name]
            if kind == "reference":
                return self.cancel_by_reference_id(name, value, key=key, bulk_run=run_id).cancelled
            return int(self.cancel_call(name, int(value), key=key, bulk_run=run_id).cancelled)

        return work

    # -- what this desk booked (its history only: no request, nothing recorded) ---------------------

    def reference_knowledge(self, account: str, reference_id: str) -> ReferenceKnowledge:
        """Whether this desk booked calls on `account` with `reference_id`, how many and when the
        last, and the spellings that differ only in capitals or spaces. Never raises for the
        history: an unreadable one is a `problem` (nothing known)."""
        try:
            found = self.history.bookings_with_reference(account, reference_id)
        except HistoryError as exc:
            return ReferenceKnowledge(account, reference_id, 0, None, problem=str(exc))
        exact = next((b for b in found if b.reference_id == reference_id), None)
        return ReferenceKnowledge(
            account,
            reference_id,
            exact.count if exact is not None else 0,
            exact.last_booked if exact is not None else None,
            tuple(b for b in found if b is not exact),
        )

    def list_knowledge(self, account: str, reference_ids: Sequence[str]) -> ListKnowledge:
        """For a bulk list: how many of `reference_ids` this desk booked calls under on `account`,
        and which it did not, but booked in other capitals or spaces. Reads the history only;
        never raises for it (an unreadable one is a `problem`)."""
        try:
            booked = self.history.booked_references(account)
        except HistoryError as exc:
            return ListKnowledge(account, len(reference_ids), 0, problem=str(exc))
        exact = {b.reference_id for b in booked}
        by_key: dict[str, str] = {}
        for b in sorted(booked, key=lambda b: b.last_booked):  # the latest spelling wins
            by_key[reference_key(b.reference_id)] = b.reference_id
        known = sum(1 for value in reference_ids if value in exact)
        near = tuple(
            (value, by_key[reference_key(value)])
            for value in reference_ids
            if value not in exact and reference_key(value) in by_key
        )
        return ListKnowledge(account, len(reference_ids), known, near)

    def booked_call(self, queue_id: int) -> BookedCall | None:
        """The call this desk booked with this QueueID, or None when it booked none. Raises
        HistoryError when the history cannot be read."""
        record = self.history.booking(queue_id)
        if record is None:
            return None
        text = str(record.inputs.get("scheduled_utc") or "")
        try:
            scheduled = datetime_from_utc(text) if text else None
        except ValueError:
            scheduled = None
        return BookedCall(
            queue_id,
            record.account,
            str(record.inputs.get("phone_number") or ""),
            scheduled,
            record.reference_id,
            record.when_utc,
        )

    # -- look-ups (not recorded: they change nothing) -------------------------------------------------

    def calls_to_number(self, account: str, phone_number: str) -> list[CallStatus]:
        with self._lease() as client:
            return client.get_calls_to_number(self.keys.get(account), phone_number)

    def calls_by_queue_id(self, account: str | None, queue_ids: list[int]) -> list[CallStatus]:
        """One QueueID: the advanced status when an account is chosen, else the plain one.
        Several: GetMultipleQueueIdStatus (which needs a key)."""
        with self._lease() as client:
            if len(queue_ids) == 1:
                if account is None:
                    return [client.get_call_status(queue_ids[0])]
                return [client.get_call_status_advanced(self.keys.get(account), queue_ids[0])]
            return client.get_call_statuses(self.keys.get(account or ""), queue_ids)

    def watch_statuses(self, account: str, queue_ids: list[int]) -> list[CallStatus]:
        """The watch list's round for one account: always one GetMultipleQueueIdStatus, whatever
        the count. Raises KeyStoreError (before any request) when the key is gone or locked."""
        key = self.keys.get(account)
        with self._lease() as client:
            return client.get_call_statuses(key, queue_ids)

    def voices(self) -> list[Voice]:
        with self._lease() as client:
            return client.get_voices()

    def response_codes(self) -> dict[int, str]:
        with self._lease() as client:
            return {code.code: code.text for code in client.get_response_codes()}

    # -- listening (service/speech.py): no call, nothing recorded ----------------------------------------
    # An account may have a separate speech key (fact sheet 4.14), kept in the keyring like every key,
    # under the account's name in a service of its own (storage/secrets.py SPEECH_SERVICE_NAME).

    def _speech_key(self, account: str) -> tuple[str, bool]:
        """(the key to listen with, whether it is the account's speech key)."""
        from .storage.secrets import SPEECH_SERVICE_NAME, KeyStoreError

        try:
            return self.keys.get(account, SPEECH_SERVICE_NAME), True
        except KeyStoreError:
            return self.keys.get(account), False

    def has_speech_key(self, account: str) -> bool:
        from .storage.secrets import SPEECH_SERVICE_NAME, KeyStoreError

        try:
            self.keys.get(account, SPEECH_SERVICE_NAME)
        except KeyStoreError:
            return False
        return True

    def set_speech_key(self, account: str, key: str, session_only: bool = False) -> None:
        from .storage.secrets import SPEECH_SERVICE_NAME

        if session_only:
            self.keys.keep_for_session(account, key, SPEECH_SERVICE_NAME)
        else:
            self.keys.set(account, key, SPEECH_SERVICE_NAME)

    def remove_speech_key(self, account: str) -> None:
        from .storage.secrets import SPEECH_SERVICE_NAME

        self.keys.delete(account, SPEECH_SERVICE_NAME)

    def listen(self, account: str, request: SpeechRequest, cache: SpeechCache) -> bytes:
        """The audio of `request` (GetTTSInULAW/GetTTSInMP3), from `cache` when this session fetched
        it already. Raises SpeechRefused when the service gives no speech for the key."""
        from .service.errors import SoapFault, UnexpectedResponse
        from .service.speech import SpeechRefused, audio_kind, is_key_fault

        audio = cache.get(account, request)
        if audio is not None:
            return audio
        key, speech_key = self._speech_key(account)
        try:
            with self._lease() as client:
                audio = client.text_to_speech(key, request)
        except SoapFault as fault:
            if is_key_fault(fault):
                raise SpeechRefused(account, speech_key, detail=fault.detail) from None
            raise
        if not audio:
            raise SpeechRefused(account, speech_key)
        if not audio_kind(audio):
            raise UnexpectedResponse("The service's answer was not audio this app can play.")
        cache.put(account, request, audio)
        return audio


def _schedule_fields(account: str, call: CallRequest) -> dict[str, Any]:
    """The history fields of one schedule request (as `Desk.schedule` writes them)."""
    from .service.models import format_utc  # loaded already: `call` is one of its types

    inputs = {k: v for k, v in asdict(call).items() if k != "scheduled_utc"}
    inputs["scheduled_utc"] = format_utc(call.scheduled_utc)
    return {"account": account, "action": "schedule", "inputs": inputs, "reference_id": call.reference_id}


def _booking_fields(result: ScheduledCall) -> dict[str, Any]:
    return {
        "outcome": "ok" if result.booked else "error",
        "queue_id": result.queue_id or None,
        # Plain words for people; the service's code and text stay in the log and the tooltip.
        "message": result.problem or result.plain_text,
    }


def datetime_from_utc(text: str) -> datetime:
    """A time as the history's inputs keep it ("2025-03-05T14:05:00.000Z")."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _bulk_input(bulk_run: str) -> dict[str, str]:
    """The history input that marks a row as part of a bulk run (none outside one)."""
    return {"bulk_run": bulk_run} if bulk_run else {}


class ErrorText(str):
    """An error's plain message that also carries its details for IT (`detail`: the proxy's status
    line, the certificate's issuer and subject, the route; never a secret). A page that passes the
    message on to a ResultPanel gets the "Details for IT" disclosure without knowing about it;
    appending text keeps the details."""

    detail: str

    def __new__(cls, text: str, detail: str = "") -> ErrorText:
        made = super().__new__(cls, text)
        made.detail = detail
        return made

    def __add__(self, other: str) -> ErrorText:
        return ErrorText(str(self) + other, self.detail)


def error_details(error: BaseException) -> str:
    """The technical details of an error for IT, redacted ("" when it has none)."""
    from .service.redaction import redact

    detail = str(getattr(error, "detail", "") or "").strip()
    return redact(f"{type(error).__name__}: {detail}") if detail else ""


def describe_error(error: BaseException) -> tuple[str, str]:
    """(title, message) for any error a job can raise. Expected errors (service, keyring, history)
    carry a `title` and a plain message; anything else is a bug, described without its text. The
    message is an ErrorText carrying the details for IT, which are also logged (redacted)."""
    title = getattr(error, "title", None)
    if isinstance(title, str):
        detail = error_details(error)
        if detail:
            log.info("%s: details for IT: %s", title, detail)
        return title, ErrorText(str(error), detail)
    return (
        "Something went wrong",
        ErrorText(
            "An unexpected problem occurred. Details are in the log file (Help → Open log folder).",
            f"{type(error).__name__} (the traceback is in the log file)",
        ),
    )
