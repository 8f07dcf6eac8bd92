"""A small, typed client for the PhoneNotify SOAP service, built on zeep.

- The WSDL comes from the bundled resources, is parsed once per process and is shared.
- Every thread gets its own zeep Client, Transport and requests Session.
- Every operation has a timeout. XML parsing is hardened (no DTD, no entities, no external loads).
- Errors come out as `ServiceError` subclasses with plain-language messages (see errors.py).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
import zeep
import zeep.exceptions
from lxml import etree
from lxml.etree import XMLSyntaxError

from ..resources import wsdl_path
from . import validation as check
from .calls import new_call_request  # noqa: F401 - re-exported
from .errors import (
    CannotReachServer,
    InvalidInput,
    ServerError,
    ServiceError,
    SoapFault,
    TimedOut,
    UnexpectedResponse,
)
from .models import (
    CallRequest,
    CallStatus,
    CancelCount,
    QueueCancelResult,
    ResponseCode,
    ScheduledCall,
    Voice,
    format_utc,
)
from .redaction import install_log_redaction, redact
from .reference_data import DEFAULT_ENDPOINT, DEFAULT_TIMEOUT_SECONDS, NAMESPACE

# zeep's defaults allow DTDs; a hostile or broken server must not be able to expand entities
# or make us fetch anything.
HARDENED_SETTINGS = zeep.Settings(
    strict=False,  # tolerate extra elements a newer service may add
    forbid_dtd=True,
    forbid_entities=True,
    forbid_external=True,
    xml_huge_tree=False,
)
SOAP11_BINDING = f"{{{NAMESPACE}}}PhoneNotifySoap"
# The largest answer we read. Real answers are a few KB (10 status records at most); anything
# bigger is a broken proxy or a hostile server, and reading it all would waste memory.
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
_XML_MEDIA_TYPES = ("text/xml", "application/soap+xml", "application/xml")


_WELL_FORMED_ONLY = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


class _ResponseTooLarge(Exception):
    pass


class _NotSoapError(Exception):
    """An HTTP error status whose body is not a SOAP fault (an HTML page from a proxy, say)."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class GuardedTransport(zeep.Transport):
    """zeep's transport, reading at most MAX_RESPONSE_BYTES, recognising HTTP errors that are
    not SOAP faults, and never logging the envelope (it carries the license key)."""

    def post(self, address: str, message: bytes | str, headers: dict[str, str]) -> requests.Response:
        response = self.session.post(
            address, data=message, headers=headers, timeout=self.operation_timeout, stream=True
        )
        body = bytearray()
        for chunk in response.iter_content(64 * 1024):
            body += chunk
            if len(body) > MAX_RESPONSE_BYTES:
                response.close()
                raise _ResponseTooLarge()
        response._content = bytes(body)
        if body:
            # zeep parses with recover=True when not strict, which would quietly accept a truncated
            # answer as a shorter one. Refuse anything that is not well-formed first.
            etree.fromstring(response._content, _WELL_FORMED_ONLY)
        media_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if response.status_code >= 400 and (media_type not in _XML_MEDIA_TYPES or b"Fault" not in body):
            raise _NotSoapError(response.status_code)
        return response


_documents: dict[Path, zeep.wsdl.Document] = {}
_documents_lock = threading.Lock()


def load_wsdl(path: Path | None = None) -> zeep.wsdl.Document:
    """Parse the bundled WSDL once per process; later calls return the same Document."""
    path = (path or wsdl_path()).resolve()
    with _documents_lock:
        document = _documents.get(path)
        if document is None:
            loader = zeep.Transport(timeout=5)
            document = zeep.wsdl.Document(str(path), loader, settings=HARDENED_SETTINGS)
            loader.session.close()
            _documents[path] = document
        return document


def _as_utc(value: Any) -> datetime | None:
    """Service times: a placeholder (year 1) means "not yet"; a time without a zone is UTC."""
    if not isinstance(value, datetime) or value.year <= 1:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _items(array: Any, item_name: str) -> list[Any]:
    if array is None:
        return []
    items = getattr(array, item_name, None) if not isinstance(array, list) else array
    return [item for item in (items or []) if item is not None]


def _status(item: Any) -> CallStatus:
    variables = {(v.VariableName or ""): (v.VariableValue or "") for v in _items(item.VariableArray, "Variable")}
    rate = item.MinuteRate
    return CallStatus(
        queue_id=int(item.QueueID or 0),
        response_code=int(item.ResponseCode),
        response_text=item.ResponseText or "",
        call_complete=bool(item.CallComplete),
        answered=bool(item.CallAnswered),
        try_count=int(item.TryCount or 0),
        demo=bool(item.Demo),
        duration_seconds=int(item.Duration or 0),
        start_utc=_as_utc(item.StartTime),
        end_utc=_as_utc(item.EndTime),
        minute_rate=float(rate) if isinstance(rate, (Decimal, int, float)) else 0.0,
        machine_detection=item.MachineDetection or "",
        digits_pressed=item.DigitsPressed or "",
        country=item.Country or "",
        text_to_say=item.TextToSay or "",
        variables=variables,
    )


class PhoneNotifyClient:
    """One endpoint, one timeout. Safe to share between threads."""

    def __init__(
        self,
        endpoint: str = DEFAULT_ENDPOINT,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        ca_bundle: str | None = None,
        wsdl: Path | None = None,
    ) -> None:
        install_log_redaction()
        self.endpoint = check.endpoint(endpoint)
        if timeout <= 0:
            raise InvalidInput("timeout", "The timeout must be more than 0 seconds.")
        self.timeout = float(timeout)
        self.ca_bundle = ca_bundle or None
        self._document = load_wsdl(wsdl)
        self._local = threading.local()

    # -- plumbing -----------------------------------------------------------------------------

    def _service(self) -> Any:
        """This thread's service proxy (its own Transport and Session)."""
        proxy = getattr(self._local, "proxy", None)
        if proxy is None:
            session = requests.Session()
            # The system proxy settings (HTTP(S)_PROXY, NO_PROXY) and CA bundle variables are read
            # once here: requests would otherwise re-scan the whole environment on every call.
            session.trust_env = False
            session.proxies = requests.utils.get_environ_proxies(self.endpoint)
            session.verify = self.ca_bundle or os.environ.get("REQUESTS_CA_BUNDLE") or True
            transport = GuardedTransport(session=session, timeout=self.timeout, operation_timeout=self.timeout)
            client = zeep.Client(wsdl=self._document, transport=transport, settings=HARDENED_SETTINGS)
            proxy = client.create_service(SOAP11_BINDING, self.endpoint)
            self._local.proxy, self._local.session = proxy, session
        return proxy

    def close(self) -> None:
        """Close this thread's connection pool (other threads keep theirs)."""
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.proxy = self._local.session = None

    def _call(self, operation: str, *args: Any, kind: str = "read") -> Any:
        with self._errors(kind):
            return getattr(self._service(), operation)(*args)

    @contextmanager
    def _errors(self, kind: str) -> Iterator[None]:
        """Map transport and protocol failures to plain errors. `kind` is "schedule", "cancel" or
        "read": it decides what a lost answer means for the user."""
        schedules = kind == "schedule"

        def lost(what: str) -> str:
            if schedules:
                return (
                    f"{what} Outcome unknown: the call may or may not have been booked. "
                    "Check the call's status before trying again."
                )
            if kind == "cancel":
                return (
                    f"{what} The cancel may or may not have gone through. It is safe to try again: "
                    "calls that are already cancelled are not counted twice."
                )
            return f"{what} Please try again in a moment."

        try:
            yield
        except ServiceError:
            raise
        except requests.exceptions.SSLError as exc:
            raise CannotReachServer(
                "The server's security certificate could not be verified, so nothing was sent. "
                "If your company uses its own certificates, set the CA bundle in Settings.",
                detail=redact(str(exc)),
            ) from None
        except requests.exceptions.ConnectTimeout as exc:
            raise TimedOut(
                "The server could not be reached in time, so nothing was sent. "
                "Check your internet connection and try again.",
                detail=redact(str(exc)),
            ) from None
        except requests.exceptions.Timeout as exc:
            raise TimedOut(
                lost("The server did not answer in time."), outcome_unknown=schedules, detail=redact(str(exc))
            ) from None
        except requests.exceptions.ConnectionError as exc:
            text = str(exc)
            if "NameResolutionError" in text or "Name or service not known" in text or "getaddrinfo" in text:
                error = CannotReachServer(
                    "The server's name could not be found, so nothing was sent. "
                    "Check the address in Settings and your internet connection.",
                    detail=redact(text),
                )
            elif "Connection refused" in text or "NewConnectionError" in text:
                error = CannotReachServer(
                    "The server refused the connection, so nothing was sent. It may be down; try again later.",
                    detail=redact(text),
                )
            else:
                error = CannotReachServer(lost("The connection broke before the answer arrived."), detail=redact(text))
                error.outcome_unknown = schedules
            raise error from None
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            error = CannotReachServer(lost("The connection broke before the answer arrived."), detail=redact(str(exc)))
            error.outcome_unknown = schedules
            raise error from None
        except requests.exceptions.RequestException as exc:
            raise CannotReachServer(lost("The request could not be completed."), detail=redact(str(exc))) from None
        except _NotSoapError as exc:
            error = ServerError(
                lost(f"The service is having problems right now (HTTP {exc.status}); this is usually temporary."),
                status_code=exc.status,
            )
            error.outcome_unknown = schedules  # a proxy may fail after the server booked the call
            raise error from None
        except _ResponseTooLarge:
            raise self._unreadable(
                "The server's answer was far larger than expected and was ignored.", "", lost
            ) from None
        except zeep.exceptions.Fault as exc:
            reason = redact(str(exc.message or "no reason given"))[:300].rstrip(".")
            raise SoapFault(
                f"The service refused the request: {reason}. Check the details and try again; "
                "if it keeps happening, note the time and contact Esendex support.",
                detail=reason,
            ) from None
        except (zeep.exceptions.DTDForbidden, zeep.exceptions.EntitiesForbidden) as exc:
            raise self._unreadable(
                "The server's answer contained unsafe XML and was ignored.", type(exc).__name__, lost
            ) from None
        except (zeep.exceptions.Error, XMLSyntaxError, ValueError, TypeError, AttributeError) as exc:
            raise self._unreadable(
                "The server's answer could not be understood.", redact(f"{type(exc).__name__}: {exc}")[:500], lost
            ) from None

    @staticmethod
    def _unreadable(what: str, detail: str, lost: Callable[[str], str]) -> UnexpectedResponse:
        """The request reached the server but its answer is unusable: a schedule's outcome is
        unknown, and a cancel may or may not have happened."""
        error = UnexpectedResponse(lost(what), detail=detail)
        error.outcome_unknown = "Outcome unknown" in error.message
        return error

    # -- scheduling ---------------------------------------------------------------------------

    @staticmethod
    def _advanced_request(license_key: str, call: CallRequest) -> dict[str, Any]:
        # Every value-type field is sent explicitly (the schema makes them mandatory, and a
        # missing one would silently become 0 on the server).
        return {
            "PhoneNumberToDial": call.phone_number,
            "TransferNumber": call.transfer_number or None,
            "VoiceID": call.voice_id,
            "CallerIDNumber": call.caller_id_number or None,
            "CallerIDName": call.caller_id_name or None,
            "TextToSay": call.text_to_say,
            "LicenseKey": license_key,
            "TryCount": call.try_count,
            "NextTryInSeconds": call.next_try_seconds,
            "UTCScheduledDateTime": format_utc(call.scheduled_utc),
            "TTSrate": call.tts_rate,
            "TTSvolume": call.tts_volume,
            "MaxCallLength": call.max_call_length,
            "StatusChangePostUrl": call.status_change_post_url or None,
            "ReferenceID": call.reference_id or None,
        }

    @staticmethod
    def _scheduled(result: Any, call: CallRequest) -> ScheduledCall:
        if result is None or (int(result.ResponseCode) == 0 and not result.QueueID):
            # "Queued" without a QueueID is no answer at all: the call may or may not be booked.
            error = UnexpectedResponse(
                "The server's answer did not say which call was booked. Outcome unknown: the call may or may "
                "not have been booked. Check the call's status before trying again."
            )
            error.outcome_unknown = True
            raise error
        return ScheduledCall(
            queue_id=int(result.QueueID or 0),
            response_code=int(result.ResponseCode),
            response_text=result.ResponseText or "",
            reference_id=call.reference_id,
            scheduled_utc=call.scheduled_utc,
        )

    def schedule_call(self, license_key: str, call: CallRequest) -> ScheduledCall:
        """NotifyPhoneAdvanced. A timeout raises `TimedOut(outcome_unknown=True)`: look the call up
        before trying again, never retry blindly."""
        key = check.license_key(license_key)
        result = self._call("NotifyPhoneAdvanced", self._advanced_request(key, call), kind="schedule")
        return self._scheduled(result, call)

    def schedule_calls(self, license_key: str, calls: list[CallRequest]) -> list[ScheduledCall]:
        """NotifyMultiplePhoneAdvanced; one answer per call, in order."""
        key = check.license_key(license_key)
        if not calls:
            return []
        requests_ = {"AdvancedNotifyRequest": [self._advanced_request(key, c) for c in calls]}
        result = self._call("NotifyMultiplePhoneAdvanced", requests_, kind="schedule")
        items = _items(result, "NotifyReturn")
        if len(items) != len(calls):
            raise UnexpectedResponse(
                f"The server answered for {len(items)} of {len(calls)} calls. "
                "Check the calls' status before trying again."
            )
        return [self._scheduled(item, call) for item, call in zip(items, calls, strict=True)]

    # -- cancelling ---------------------------------------------------------------------------

    def cancel_by_reference_id(self, license_key: str, reference_id: str) -> CancelCount:
        """CancelNotifyByReferenceID: cancels every call with this reference ID that has not
        started. Safe to repeat: a second cancel returns 0."""
        key = check.license_key(license_key)
        ref = check.reference_id(reference_id)
        result = self._call("CancelNotifyByReferenceID", ref, key, kind="cancel")
        if not isinstance(result, int) or result < 0:
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

    def _one_status(self, result: Any) -> CallStatus:
        if result is None:
            raise UnexpectedResponse("The server sent no status for that call.")
        return _status(result)

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
        return [_status(item) for item in _items(result, "NotifyReturn")]

    def get_calls_to_number(self, license_key: str, phone_number: str) -> list[CallStatus]:
        """GetQueueIDStatusesByPhoneNumber: the last 10 calls to a number."""
        key = check.license_key(license_key)
        number = check.phone_number(phone_number)
        result = self._call("GetQueueIDStatusesByPhoneNumber", number, key)
        return [_status(item) for item in _items(result, "NotifyReturn")]

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
            for v in _items(result, "Voice")
        ]

    def get_response_codes(self) -> list[ResponseCode]:
        result = self._call("GetResponseCodes")
        return [ResponseCode(int(r.ResponseCode), r.ResponseText or "") for r in _items(result, "Response")]

    def get_version(self) -> str:
        return str(self._call("GetVersion") or "")
