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
from typing import Any

from .service import (
    CallRequest,
    CallStatus,
    CancelCount,
    PhoneNotifyClient,
    QueueCancelResult,
    ScheduledCall,
    Voice,
)
from .service.client import format_utc
from .storage.history import History, HistoryError
from .storage.secrets import KeyStore

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

    def schedule(self, account: str, call: CallRequest) -> ScheduledCall:
        client = self.client
        inputs = {k: v for k, v in asdict(call).items() if k != "scheduled_utc"}
        inputs["scheduled_utc"] = format_utc(call.scheduled_utc)
        fields = {"account": account, "action": "schedule", "inputs": inputs, "reference_id": call.reference_id}
        try:
            result = client.schedule_call(self.keys.get(account), call)
        except Exception as error:
            self._failed(error, **fields)
            raise
        self._record(
            outcome="ok" if result.queued else "error",
            queue_id=result.queue_id or None,
            message=f"{result.response_text} (code {result.response_code})",
            **fields,
        )
        return result

    def cancel_by_reference_id(self, account: str, reference_id: str) -> CancelCount:
        client = self.client
        fields = {
            "account": account,
            "action": "cancel_reference",
            "inputs": {"reference_id": reference_id},
            "reference_id": reference_id,
        }
        try:
            result = client.cancel_by_reference_id(self.keys.get(account), reference_id)
        except Exception as error:
            self._failed(error, **fields)
            raise
        self._record(outcome="ok", count=result.cancelled, message=result.credit_notice, **fields)
        return result

    def cancel_call(self, account: str, queue_id: int) -> QueueCancelResult:
        client = self.client
        fields = {"account": account, "action": "cancel_queue", "inputs": {"queue_id": queue_id}, "queue_id": queue_id}
        try:
            result = client.cancel_call(self.keys.get(account), queue_id)
        except Exception as error:
            self._failed(error, **fields)
            raise
        self._record(outcome="ok", count=int(result.cancelled), message=result.credit_notice, **fields)
        return result

    def call_status(self, queue_id: int) -> CallStatus:
        return self.client.get_call_status(queue_id)

    def voices(self) -> list[Voice]:
        return self.client.get_voices()


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
