"""The simulated operations, on top of `PhoneNotifyState`. Arguments arrive decoded by the
WSDL's types; results are plain dicts/lists shaped like the WSDL's types."""

from __future__ import annotations

from array import array
from datetime import datetime, timedelta
from decimal import Decimal

from . import speech
from .accounts import DEMO_KEY, account_id, key_is_usable, normalise_key
from .rules import DEMO_NOT_ALLOWED_OPERATIONS, PLACEHOLDER_TIME, Call, view
from .state import UNKNOWN_QUEUE_ID_CODE, PhoneNotifyState
from .tables import RESPONSE_CODES, SERVICE_VERSION, VOICE_IDS, VOICES
from .wire import RequestError

MINUTE_RATE = Decimal("0.0600")  # per minute once a call has been dialled; 0 before (S3 fixture)
# The S3 fixture's placeholders for a call not yet run, written without a zone.
ZONELESS_PLACEHOLDERS = (datetime(1, 1, 1, 1, 0), datetime(1, 1, 1, 2, 0))
# Status requests, counted per key in `Sandbox.status_requests`.
STATUS_OPERATIONS = frozenset(
    {
        "GetQueueIDStatus",
        "GetQueueIDStatusWithAdvancedInfo",
        "GetMultipleQueueIdStatus",
        "GetQueueIDStatusesByPhoneNumber",
    }
)


class PhoneNotifyService:
    """One method per WSDL operation, named exactly as the operation."""

    def __init__(self, state: PhoneNotifyState, zoneless_times: bool = False) -> None:
        self.state = state
        self.placeholders = ZONELESS_PLACEHOLDERS if zoneless_times else (PLACEHOLDER_TIME, PLACEHOLDER_TIME)
        self.speech_refused: set[str] = set()  # account ids refused for speech (Sandbox.refuse_speech)

    def _notify_return(
        self, call: Call | None, now: datetime, code: int | None = None, queue_id: int = 0, advanced: bool = False
    ) -> dict:
        first, last = self.placeholders
        if call is None:
            code = UNKNOWN_QUEUE_ID_CODE if code is None else code
            return {
                "ResponseCode": code,
                "ResponseText": RESPONSE_CODES[code],
                "CallAnswered": False,
                "QueueID": queue_id,
                "TryCount": 0,
                "Demo": False,
                "Duration": 0,
                "StartTime": first,
                "EndTime": last,
                "MinuteRate": 0,
                "CallComplete": code != 0,
            }
        state = view(call, now)
        result = {
            "ResponseCode": state.code,
            "ResponseText": RESPONSE_CODES[state.code],
            "CallAnswered": state.answered,
            "QueueID": call.queue_id,
            "TryCount": state.tries,
            "Demo": call.demo,
            "DigitsPressed": state.digits,
            "MachineDetection": state.machine,
            "Duration": state.duration,
            "StartTime": state.start if state.start.year > 1 else first,
            "EndTime": state.end if state.end.year > 1 else last,
            "MinuteRate": MINUTE_RATE if state.tries else 0,
            "Country": "US" if state.tries else None,
            "CallComplete": state.complete,
        }
        if advanced:
            result["TextToSay"] = call.text_to_say
            result["VariableArray"] = [
                {"VariableName": "phonenumber", "VariableValue": call.phone_number},
                {"VariableName": "queueid", "VariableValue": str(call.queue_id)},
                {"VariableName": "callerid", "VariableValue": call.caller_id},
                {"VariableName": "calleridname", "VariableValue": call.caller_id_name},
                {"VariableName": "extension", "VariableValue": call.extension},
                {"VariableName": "referenceid", "VariableValue": call.reference_id},
            ]
        return result

    def _schedule(self, anr: dict) -> dict:
        when = anr.get("UTCScheduledDateTime")
        outcome = self.state.schedule(
            key=anr.get("LicenseKey"),
            phone_number=anr.get("PhoneNumberToDial"),
            text_to_say=anr.get("TextToSay"),
            voice_id=anr.get("VoiceID", 0),
            caller_id=anr.get("CallerIDNumber"),
            caller_id_name=anr.get("CallerIDName"),
            try_count=anr.get("TryCount", 0),
            next_try_seconds=anr.get("NextTryInSeconds", 0),
            scheduled=when[0] if when else None,
            scheduled_is_utc=bool(when and when[1]),
            max_call_length=anr.get("MaxCallLength", 0),
            reference_id=anr.get("ReferenceID"),
        )
        return self._notify_return(outcome.call, self.state.clock.now(), code=outcome.code)

    def NotifyPhoneAdvanced(self, anr: dict | None = None) -> dict:
        return self._schedule(anr or {})

    def NotifyMultiplePhoneAdvanced(self, MultipleANR: list | None = None) -> list:
        with self.state.batch():  # one write of the state file for the whole request
            return [self._schedule(anr) for anr in MultipleANR or []]

    def NotifyMultiplePhoneBasicWithCPMandReferenceID(
        self,
        PhoneNumbersToDial: str | None = None,
        TextToSay: str | None = None,
        CallerID: str | None = None,
        CallerIDname: str | None = None,
        VoiceID: str | None = None,
        CallsPerMinute: int = 0,
        ReferenceID: str | None = None,
        LicenseKey: str | None = None,
    ) -> list:
        numbers = [n for n in (PhoneNumbersToDial or "").split(";") if n.strip()]
        now = self.state.clock.now()
        demo = normalise_key(LicenseKey) == DEMO_KEY
        if demo and "NotifyMultiplePhoneBasicWithCPMandReferenceID" in DEMO_NOT_ALLOWED_OPERATIONS:
            return [self._notify_return(None, now, code=self.state.reject(LicenseKey, 11).code) for _ in numbers]
        try:
            voice = int((VoiceID or "0").strip())
        except ValueError:
            voice = -1
        spacing = 60.0 / CallsPerMinute if CallsPerMinute and CallsPerMinute > 0 else 0.02
        request = {
            "LicenseKey": LicenseKey,
            "TextToSay": TextToSay,
            "VoiceID": voice,
            "CallerIDNumber": CallerID,
            "CallerIDName": CallerIDname,
            "TryCount": 1,
            "ReferenceID": ReferenceID,
        }
        with self.state.batch():  # one write of the state file for the whole request
            return [
                self._schedule(
                    {
                        **request,
                        "PhoneNumberToDial": number,
                        "UTCScheduledDateTime": (now + timedelta(seconds=index * spacing), True),
                    }
                )
                for index, number in enumerate(numbers)
            ]

    def CancelNotify(self, QueueID: int = 0, LicenseKey: str | None = None) -> bool:
        return self.state.cancel_queue_id(LicenseKey, QueueID)

    def CancelNotifyByReferenceID(self, ReferenceID: str | None = None, LicenseKey: str | None = None) -> int:
        return self.state.cancel_by_reference_id(LicenseKey, ReferenceID)

    def GetQueueIDStatus(self, QueueID: int = 0) -> dict:
        return self._notify_return(self.state.find(QueueID), self.state.clock.now(), queue_id=QueueID)

    def GetQueueIDStatusWithAdvancedInfo(self, QueueID: int = 0, LicenseKey: str | None = None) -> dict:
        call = self.state.find(QueueID, normalise_key(LicenseKey)) if key_is_usable(normalise_key(LicenseKey)) else None
        return self._notify_return(call, self.state.clock.now(), queue_id=QueueID, advanced=True)

    def GetMultipleQueueIdStatus(self, QueueIDs: str | None = None, LicenseKey: str | None = None) -> list:
        key = normalise_key(LicenseKey)
        if not key_is_usable(key):
            return []
        now, results = self.state.clock.now(), []
        for part in (QueueIDs or "").split(";"):
            if not part.strip():
                continue
            try:
                qid = int(part.strip())
            except ValueError:
                raise RequestError(f"Input string was not in a correct format for QueueIDs ('{part[:20]}').") from None
            results.append(self._notify_return(self.state.find(qid, key), now, queue_id=qid))
        return results

    def GetQueueIDStatusesByPhoneNumber(self, PhoneNumber: str | None = None, LicenseKey: str | None = None) -> list:
        now = self.state.clock.now()
        return [self._notify_return(c, now) for c in self.state.calls_to_number(LicenseKey, PhoneNumber)]

    # -- text to speech (speech.py: the choices) ---------------------------------------------------

    def _speech_allowed(self, license_key: str | None) -> bool:
        key = normalise_key(license_key)
        return (
            key_is_usable(key) and key not in speech.SPEECH_REFUSED_KEYS and account_id(key) not in self.speech_refused
        )

    def _speech(self, text: str | None, voice_id: int, rate: int, volume: int, key: str | None) -> array | None:
        """The samples to encode, or None for an answer without audio (a refused key, no text)."""
        if voice_id not in VOICE_IDS:
            raise RequestError(speech.INVALID_VOICE)
        if not self._speech_allowed(key) or not (text or "").strip():
            return None
        return speech.render(text or "", voice_id, rate, volume)

    def GetTTSInMP3(
        self,
        TextToSay: str | None = None,
        VoiceID: int = 0,
        BitRate: int = 0,
        TTSrate: int = 0,
        TTSvolume: int = 0,
        LicenseKey: str | None = None,
    ) -> bytes | None:
        if BitRate not in speech.MP3_BIT_RATES:
            raise RequestError(speech.INVALID_BIT_RATE)
        samples = self._speech(TextToSay, VoiceID, TTSrate, TTSvolume, LicenseKey)
        if samples is None:
            return None
        if not speech.mp3_available():
            speech.say_once(f"sandbox: {speech.MP3_ENCODER} is not installed: GetTTSInMP3 answers a fault")
        audio = speech.mp3(samples, BitRate) if speech.mp3_available() else None
        if audio is None:
            raise RequestError(speech.MP3_UNAVAILABLE, client_fault=False)
        return audio

    def GetTTSInULAW(
        self,
        TextToSay: str | None = None,
        VoiceID: int = 0,
        TTSrate: int = 0,
        TTSvolume: int = 0,
        LicenseKey: str | None = None,
    ) -> bytes | None:
        samples = self._speech(TextToSay, VoiceID, TTSrate, TTSvolume, LicenseKey)
        return None if samples is None else speech.ulaw_wav(samples)

    def getVoices(self) -> list:
        return [
            {
                "VoiceID": v.voice_id,
                "VoiceName": v.name,
                "VoiceGender": v.gender,
                "VoiceAge": v.age,
                "VoiceLanguage": v.language,
                "VoiceSummary": v.summary,
            }
            for v in VOICES
        ]

    def GetResponseCodes(self) -> list:
        return [{"ResponseCode": code, "ResponseText": text} for code, text in RESPONSE_CODES.items()]

    def GetVersion(self) -> str:
        return SERVICE_VERSION
