"""The app's actions, without Qt: read the account's key, call the service, record the history.

Every method here runs on a worker thread. The key is read from the key store inside the job and
lives only in a local variable for the length of the call. Each action is recorded in the history
journal whatever happens, so closing the window mid-request loses nothing. A history failure never
fails the action: it is kept in `history_problem` for the window to show.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from .service import CallRequest, CallStatus, CancelCount, QueueCancelResult, ScheduledCall, Voice, format_utc
from .storage.history import History, HistoryError
from .storage.secrets import KeyStore

if TYPE_CHECKING:
    from .service import PhoneNotifyClient

log = logging.getLogger(__name__)


class Desk:
    def __init__(self, client_factory: Callable[[], PhoneNotifyClient], keys: KeyStore, history: History) -> None:
        self._client_factory = client_factory
        self._client: PhoneNotifyClient | None = None
        self._client_lock = threading.Lock()
        self.keys = keys
        self.history = history
        self.history_problem = ""  # the last history failure, in plain words ("" when healthy)

    @property
    def client(self) -> PhoneNotifyClient:
        """Created on first use, on a worker thread: parsing the WSDL stays off the first paint."""
        with self._client_lock:
            if self._client is None:
                self._client = self._client_factory()
            return self._client

    def reconfigure(self, client_factory: Callable[[], PhoneNotifyClient]) -> None:
        """New settings: the next request builds a new client (requests in flight keep theirs)."""
        with self._client_lock:
            self._client_factory, self._client = client_factory, None

    def _record(self, **fields: Any) -> None:
        try:
            self.history.record(**fields)
            self.history_problem = ""
        except HistoryError as exc:
            self.history_problem = str(exc)
            log.error("history not written: %s", exc)

    def _failed(self, error: Exception, **fields: Any) -> None:
        outcome = "unknown" if getattr(error, "outcome_unknown", False) else "error"
        self._record(outcome=outcome, message=str(error), **fields)

    # -- actions ----------------------------------------------------------------------------------
    # `key`: the bulk runner reads the account's key once and passes it in; otherwise it is read
    # from the key store here, on the worker thread.

    def _recorded(self, fields: dict[str, Any], send: Callable[[], Any], describe: Callable[[Any], dict]) -> Any:
        """Run `send()`, then write one history record whatever happened."""
        try:
            result = send()
        except Exception as error:
            self._failed(error, **fields)
            raise
        self._record(**fields, **describe(result))
        return result

    def schedule(self, account: str, call: CallRequest) -> ScheduledCall:
        client = self.client
        inputs = {k: v for k, v in asdict(call).items() if k != "scheduled_utc"}
        inputs["scheduled_utc"] = format_utc(call.scheduled_utc)
        return self._recorded(
            {"account": account, "action": "schedule", "inputs": inputs, "reference_id": call.reference_id},
            lambda: client.schedule_call(self.keys.get(account), call),
            lambda result: {
                "outcome": "ok" if result.queued else "error",
                "queue_id": result.queue_id or None,
                "message": f"{result.response_text} (code {result.response_code})",
            },
        )

    def cancel_by_reference_id(self, account: str, reference_id: str, key: str | None = None) -> CancelCount:
        client = self.client
        return self._recorded(
            {
                "account": account,
                "action": "cancel_reference",
                "inputs": {"reference_id": reference_id},
                "reference_id": reference_id,
            },
            lambda: client.cancel_by_reference_id(key or self.keys.get(account), reference_id),
            lambda result: {"outcome": "ok", "count": result.cancelled, "message": result.credit_notice},
        )

    def cancel_call(self, account: str, queue_id: int, key: str | None = None) -> QueueCancelResult:
        client = self.client
        return self._recorded(
            {"account": account, "action": "cancel_queue", "inputs": {"queue_id": queue_id}, "queue_id": queue_id},
            lambda: client.cancel_call(key or self.keys.get(account), queue_id),
            lambda result: {"outcome": "ok", "count": int(result.cancelled), "message": result.credit_notice},
        )

    def confirm_schedule(self, account: str, call: CallRequest) -> CallStatus | None:
        """After a schedule whose outcome is unknown: look the number up, and record what was found.

        A call to that number whose QueueID the history does not know yet is the lost answer's call.
        Returns its status, or None when no such call exists (so it was not booked).
        """
        statuses = self.client.get_calls_to_number(self.keys.get(account), call.phone_number)
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

    def confirm_cancel(self, account: str, reference_id: str, queue_id: int) -> int:
        """After a cancel whose answer was lost: look the call up and settle it. A call already
        Cancelled (22) was cancelled by the lost request, which is recorded now; a call still
        waiting is cancelled again (safe: nothing is counted twice). Returns the calls cancelled."""
        status = self.client.get_call_status(queue_id)
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

    # -- look-ups (not recorded: they change nothing) -------------------------------------------------

    def calls_to_number(self, account: str, phone_number: str) -> list[CallStatus]:
        return self.client.get_calls_to_number(self.keys.get(account), phone_number)

    def calls_by_queue_id(self, account: str | None, queue_ids: list[int]) -> list[CallStatus]:
        """One QueueID: the advanced status when an account is chosen, else the plain one.
        Several: GetMultipleQueueIdStatus (which needs a key)."""
        client = self.client
        if len(queue_ids) == 1:
            if account is None:
                return [client.get_call_status(queue_ids[0])]
            return [client.get_call_status_advanced(self.keys.get(account), queue_ids[0])]
        return client.get_call_statuses(self.keys.get(account or ""), queue_ids)

    def voices(self) -> list[Voice]:
        return self.client.get_voices()

    def response_codes(self) -> dict[int, str]:
        return {code.code: code.text for code in self.client.get_response_codes()}


def describe_error(error: BaseException) -> tuple[str, str]:
    """(title, message) for any error a job can raise. Expected errors (service, keyring, history)
    carry a `title` and a plain message; anything else is a bug, described without its text."""
    title = getattr(error, "title", None)
    if isinstance(title, str):
        return title, str(error)
    return (
        "Something went wrong",
        "An unexpected problem occurred. Details are in the log file (Help → Open log folder).",
    )
