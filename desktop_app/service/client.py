"""A small, typed client for the PhoneNotify SOAP service, built on zeep.

- The WSDL comes from the bundled resources, is parsed once per namespace per process and shared.
- Every thread gets its own requests Session (kept for the client's life, so connections are
  reused) and its own zeep proxies; `close()` closes every session the client made.
- Every operation has a timeout. XML parsing is hardened (no DTD, no entities, no external loads).
- The namespace is the bundled one unless told otherwise (see discovery.py). If the server does
  not recognise the SOAPAction, the call is retried once in the other known namespace.
- Errors come out as `ServiceError` subclasses with plain-language messages (see failures.py).
- Constructing a client changes nothing process-wide (logging included).
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import requests
import zeep
import zeep.exceptions

from . import convert
from . import validation as check
from .calls import new_call_request  # noqa: F401 - re-exported
from .errors import CannotReachServer, InvalidInput, ServiceError, TimedOut, UnexpectedResponse
from .failures import is_soapaction_fault, mapped_errors
from .models import CallRequest, CallStatus, CancelCount, QueueCancelResult, ResponseCode, ScheduledCall, Voice
from .network import Network, NetworkSettings
from .reference_data import DEFAULT_ENDPOINT, DEFAULT_TIMEOUT_SECONDS, KNOWN_NAMESPACES, NAMESPACE
from .speech import MP3_BIT_RATE, SpeechRequest
from .transport import MAX_RESPONSE_BYTES, GuardedTransport
from .wsdl import HARDENED_SETTINGS, load_wsdl, soap11_binding

__all__ = ["HARDENED_SETTINGS", "MAX_RESPONSE_BYTES", "GuardedTransport", "PhoneNotifyClient", "load_wsdl"]

log = logging.getLogger(__name__)


class PhoneNotifyClient:
    """One endpoint, one timeout. Safe to share between threads."""

    def __init__(
        self,
        endpoint: str = DEFAULT_ENDPOINT,
        *,
        namespace: str = NAMESPACE,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        ca_bundle: str | None = None,
        use_system_proxy: bool = True,
        wsdl: Path | None = None,
        network: Network | None = None,
    ) -> None:
        """`network`: how to connect (proxy, certificates, sign-in), as the app builds it from its
        settings; without it, `ca_bundle` and `use_system_proxy` alone decide."""
        self.endpoint = check.endpoint(endpoint)
        if timeout <= 0:
            raise InvalidInput("timeout", "The timeout must be more than 0 seconds.")
        if namespace not in KNOWN_NAMESPACES:
            raise InvalidInput("namespace", "That is not a PhoneNotify namespace: " + ", ".join(KNOWN_NAMESPACES))
        self.timeout = float(timeout)
        self.network = network or Network(NetworkSettings.simple(ca_bundle, use_system_proxy))
        self.ca_bundle = self.network.settings.ca_file or None
        self.use_system_proxy = self.network.settings.proxy.use_system_proxy
        self._wsdl = wsdl
        self._namespace = namespace
        load_wsdl(wsdl, namespace)  # parse up front, so a broken bundle fails here, not mid-call
        self._local = threading.local()
        # Every session this client made, with the thread that uses it, so close() can reach them
        # all from any thread. `_generation` tells threads that their session was closed.
        self._sessions: list[tuple[requests.Session, weakref.ref[threading.Thread]]] = []
        self._sessions_lock = threading.Lock()
        self._generation = 0

    @property
    def namespace(self) -> str:
        """The namespace this client speaks now (it changes after a successful fallback)."""
        return self._namespace

    # -- sessions -----------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        """This thread's session, made on first use and kept until close()."""
        local = self._local
        if getattr(local, "generation", None) != self._generation or local.session is None:
            session = self.network.new_session(self.endpoint)
            with self._sessions_lock:
                self._close_sessions_of_finished_threads()
                self._sessions.append((session, weakref.ref(threading.current_thread())))
                local.generation = self._generation
            local.session, local.proxies = session, {}
        return local.session

    def _close_sessions_of_finished_threads(self) -> None:
        """A pool thread that ended leaves its session behind; close it rather than keep it."""
        keep = []
        for session, owner in self._sessions:
            thread = owner()
            if thread is None or not thread.is_alive():
                session.close()
            else:
                keep.append((session, owner))
        self._sessions = keep

    @property
    def open_sessions(self) -> int:
        with self._sessions_lock:
            return len(self._sessions)

    def close(self) -> None:
        """Close every session this client made, in every thread. The client stays usable: a
        later call opens a new session."""
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
            self._generation += 1
        for session, _owner in sessions:
            session.close()
        self._local.session = None

    def __enter__(self) -> PhoneNotifyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _service(self, namespace: str | None = None) -> Any:
        """This thread's service proxy for a namespace (sharing the thread's session)."""
        namespace = namespace or self._namespace
        session = self._session()
        proxy = self._local.proxies.get(namespace)
        if proxy is None:
            transport = GuardedTransport(session=session, timeout=self.timeout, operation_timeout=self.timeout)
            transport.connect_timeout = self.network.connect_timeout(self.timeout)
            client = zeep.Client(wsdl=load_wsdl(self._wsdl, namespace), transport=transport, settings=HARDENED_SETTINGS)
            proxy = self._local.proxies[namespace] = client.create_service(soap11_binding(namespace), self.endpoint)
        return proxy

    # -- calls --------------------------------------------------------------------------------

    def _call(self, operation: str, *args: Any, kind: str = "read") -> Any:
        """Run one operation. `kind` ("schedule", "cancel" or "read") decides what a lost answer
        means. A SOAPAction the server does not recognise is retried once in the other namespace:
        ASMX refuses it before running anything, so nothing can happen twice."""
        try:
            return self._call_once(operation, args, kind)
        except ServiceError as error:
            if isinstance(error, (CannotReachServer, TimedOut)):
                error.detail = connection_detail(error.detail, self.network.route_summary(self.endpoint))
            self.network.report(error)
            raise

    def _call_once(self, operation: str, args: tuple[Any, ...], kind: str) -> Any:
        namespace = self._namespace
        with mapped_errors(kind):
            try:
                return getattr(self._service(namespace), operation)(*args)
            except zeep.exceptions.Fault as fault:
                if not is_soapaction_fault(fault):
                    raise
            other = next(ns for ns in KNOWN_NAMESPACES if ns != namespace)
            result = getattr(self._service(other), operation)(*args)
            if self._namespace != other:
                log.info("PhoneNotify: the server speaks %s; using it from now on", other)
            self._namespace = other
            return result

    # -- scheduling ---------------------------------------------------------------------------

    def schedule_call(self, license_key: str, call: CallRequest) -> ScheduledCall:
        """NotifyPhoneAdvanced. A lost answer raises an error with `outcome_unknown=True`: look
        the call up before trying again, never retry blindly. `result.booked` tells whether the
        service took the call; `result.problem` says what to do when the account cannot book."""
        key = check.license_key(license_key)
        result = self._call("NotifyPhoneAdvanced", convert.advanced_request(key, call), kind="schedule")
        return convert.scheduled(result, call)

    def schedule_calls(self, license_key: str, calls: list[CallRequest]) -> list[ScheduledCall]:
        """NotifyMultiplePhoneAdvanced; one answer per call, in order."""
        key = check.license_key(license_key)
        if not calls:
            return []
        requests_ = {"AdvancedNotifyRequest": [convert.advanced_request(key, c) for c in calls]}
        result = self._call("NotifyMultiplePhoneAdvanced", requests_, kind="schedule")
        answers = convert.items(result, "NotifyReturn")
        if len(answers) != len(calls):
            raise UnexpectedResponse(
                f"The server answered for {len(answers)} of {len(calls)} calls. "
                "Check the calls' status before trying again.",
                outcome_unknown=True,
            )
        return [convert.scheduled(item, call) for item, call in zip(answers, calls, strict=True)]

    # -- cancelling ---------------------------------------------------------------------------

    def cancel_by_reference_id(self, license_key: str, reference_id: str) -> CancelCount:
        """CancelNotifyByReferenceID: cancels every call with this reference ID that has not
        started. Safe to repeat: a second cancel returns 0."""
        key = check.license_key(license_key)
        ref = check.reference_id(reference_id)
        result = self._call("CancelNotifyByReferenceID", ref, key, kind="cancel")
        if not isinstance(result, int) or isinstance(result, bool) or result < 0:
            raise UnexpectedResponse("The server's answer did not contain a number of cancelled calls.")
        return CancelCount(reference_id=ref, cancelled=result)

    def cancel_call(self, license_key: str, queue_id: int | str) -> QueueCancelResult:
        """CancelNotify: cancel one call that has not started yet."""
        key = check.license_key(license_key)
        qid = check.queue_id(queue_id)
        result = self._call("CancelNotify", qid, key, kind="cancel")
        if not isinstance(result, bool):
            raise UnexpectedResponse("The server's answer did not say whether the call was cancelled.")
        return QueueCancelResult(queue_id=qid, cancelled=result)

    # -- statuses -----------------------------------------------------------------------------

    @staticmethod
    def _one_status(result: Any) -> CallStatus:
        if result is None:
            raise UnexpectedResponse("The server sent no status for that call.")
        return convert.status(result)

    def get_call_status(self, queue_id: int | str) -> CallStatus:
        """GetQueueIDStatus (needs no license key)."""
        return self._one_status(self._call("GetQueueIDStatus", check.queue_id(queue_id)))

    def get_call_status_advanced(self, license_key: str, queue_id: int | str) -> CallStatus:
        """GetQueueIDStatusWithAdvancedInfo: also returns the script and the call's variables."""
        key = check.license_key(license_key)
        return self._one_status(self._call("GetQueueIDStatusWithAdvancedInfo", check.queue_id(queue_id), key))

    def get_call_statuses(self, license_key: str, queue_ids: Iterable[int | str]) -> list[CallStatus]:
        """GetMultipleQueueIdStatus (QueueIDs are sent separated by semicolons)."""
        key = check.license_key(license_key)
        ids = [check.queue_id(q) for q in queue_ids]
        if not ids:
            return []
        result = self._call("GetMultipleQueueIdStatus", ";".join(str(i) for i in ids), key)
        return [convert.status(item) for item in convert.items(result, "NotifyReturn")]

    def get_calls_to_number(self, license_key: str, phone_number: str) -> list[CallStatus]:
        """GetQueueIDStatusesByPhoneNumber: the last 10 calls to a number."""
        key = check.license_key(license_key)
        number = check.phone_number(phone_number)
        result = self._call("GetQueueIDStatusesByPhoneNumber", number, key)
        return [convert.status(item) for item in convert.items(result, "NotifyReturn")]

    # -- reference data -----------------------------------------------------------------------

    def get_voices(self) -> list[Voice]:
        result = self._call("getVoices")
        return [
            Voice(
                voice_id=int(v.VoiceID),
                name=v.VoiceName or "",
                gender=v.VoiceGender or "",
                age=int(v.VoiceAge or 0),
                language=v.VoiceLanguage or "",
                summary=v.VoiceSummary or "",
            )
            for v in convert.items(result, "Voice")
        ]

    def get_response_codes(self) -> list[ResponseCode]:
        result = self._call("GetResponseCodes")
        return [ResponseCode(int(r.ResponseCode), r.ResponseText or "") for r in convert.items(result, "Response")]

    def get_version(self) -> str:
        return str(self._call("GetVersion") or "")

    # -- text to speech (service/speech.py) ------------------------------------------------------

    def text_to_speech(self, license_key: str, request: SpeechRequest) -> bytes:
        """GetTTSInULAW (or GetTTSInMP3): the audio of `request`, b"" when the service answered
        without any (it refuses the key for speech: speech.SpeechRefused is the caller's to raise).
        Listening places no call, so a lost answer is only "try again"."""
        key = check.license_key(license_key)
        if request.audio_format == "mp3":
            args: tuple[Any, ...] = (request.text, request.voice_id, MP3_BIT_RATE, request.rate, request.volume, key)
        else:
            args = (request.text, request.voice_id, request.rate, request.volume, key)
        result = self._call(request.operation, *args)
        if result is not None and not isinstance(result, bytes):
            raise UnexpectedResponse("The server's answer did not contain audio.")
        return result or b""


def connection_detail(detail: str, route: str) -> str:
    """An error's details for IT, with the route the request took (never a secret)."""
    addition = f"route: {route}"
    return f"{detail}\n{addition}" if detail and addition not in detail else (detail or addition)
