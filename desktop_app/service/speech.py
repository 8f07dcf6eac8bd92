"""Listening to a text before it is booked: GetTTSInULAW / GetTTSInMP3 (fact sheet 4.14). No Qt.

Listening places no call and costs no call: the service renders the text in the chosen voice and
answers with the audio. The fact sheet says these operations "may need a separate license key"
and one client used a different key for speech than for calls; what the service answers when it
refuses a key for speech is UNVERIFIED. Choices (named constants, marked "chosen"):

- `SPEECH_OPERATION` "GetTTSInULAW": u-law audio in a WAVE file plays everywhere (Qt Multimedia,
  aplay, paplay, every system player) and needs no MP3 decoder (chosen). GetTTSInMP3 is offered
  too (`PhoneNotifyClient.text_to_speech(..., audio_format="mp3")`) at `MP3_BIT_RATE`.
- An answer without audio (the result left out, or empty), or a SOAP fault that names the license
  key, means the service refused the key for speech: `SpeechRefused`, whose message says so in plain
  words and offers a separate speech key for the account (chosen).
- The same text, voice, rate and volume are fetched once per session: `SpeechCache` keeps the
  audio in memory only (a text can be personal: never on disk), at most `CACHE_ENTRIES` clips and
  `CACHE_BYTES` bytes, the oldest going first (chosen).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from . import validation as check
from .errors import InvalidInput, ServiceError

SPEECH_OPERATION = "GetTTSInULAW"  # chosen (see above)
MP3_BIT_RATE = 32  # kbit/s, one of the service's 32, 64 and 128 (chosen: speech needs no more)
CACHE_ENTRIES = 20
CACHE_BYTES = 16 * 1024 * 1024
EMPTY_TEXT = "Type the text to listen to first."
# Words in a SOAP fault that say the license key was refused (the fault texts are UNVERIFIED).
KEY_WORDS = ("license", "licence", "key")


class SpeechRefused(ServiceError):
    """The service gave no speech for the account's key (it may want a separate speech key)."""

    title = "No speech for this license key"

    def __init__(self, account: str, with_speech_key: bool = False, detail: str = "") -> None:
        if with_speech_key:
            message = (
                f"The service did not accept the speech key saved for “{account}”, so nothing was played. "
                "Check the speech key (Change speech key…) or remove it to try the account's own key. "
                "No call was placed."
            )
        else:
            message = (
                f"The service did not accept the license key of “{account}” for speech, so nothing was played. "
                "Some accounts need a separate license key for listening: if Esendex gave you one, add it with "
                "Add a speech key…. No call was placed, and scheduling calls is not affected."
            )
        super().__init__(message, detail=detail)
        self.account = account
        self.with_speech_key = with_speech_key


@dataclass(frozen=True)
class SpeechRequest:
    """A text to hear: checked before anything is sent."""

    text: str
    voice_id: int
    rate: int  # TTSrate 0-20, 10 normal
    volume: int  # TTSvolume 0-100, 100 default
    audio_format: str = "ulaw"  # "ulaw" (GetTTSInULAW) or "mp3" (GetTTSInMP3)

    @property
    def operation(self) -> str:
        return "GetTTSInMP3" if self.audio_format == "mp3" else "GetTTSInULAW"


def speech_request(text: str, voice_id: int, rate: int, volume: int, audio_format: str = "ulaw") -> SpeechRequest:
    """A checked SpeechRequest; raises InvalidInput (an empty text, one too long, a rate or volume
    out of range)."""
    if not (text or "").strip():
        raise InvalidInput("text_to_say", EMPTY_TEXT)
    body = check.text_to_say(text)
    low, high = check.TTS_RATE_RANGE
    if not low <= rate <= high:
        raise InvalidInput("tts_rate", f"The speech rate must be from {low} to {high}.")
    low, high = check.TTS_VOLUME_RANGE
    if not low <= volume <= high:
        raise InvalidInput("tts_volume", f"The volume must be from {low} to {high}.")
    if audio_format not in ("ulaw", "mp3"):
        raise InvalidInput("audio_format", "The audio format must be u-law or MP3.")
    return SpeechRequest(body, int(voice_id), int(rate), int(volume), audio_format)


def audio_kind(audio: bytes) -> str:
    """ "wav", "mp3" or "" (not audio this app knows), from the bytes themselves."""
    if audio[:4] == b"RIFF" and audio[8:12] == b"WAVE":
        return "wav"
    if audio[:3] == b"ID3" or (len(audio) > 1 and audio[0] == 0xFF and audio[1] & 0xE0 == 0xE0):
        return "mp3"
    return ""


def is_key_fault(error: BaseException) -> bool:
    """A SOAP fault whose words name the license key (the service's refusal, as far as it says)."""
    from .errors import SoapFault

    text = f"{error} {getattr(error, 'detail', '')}".lower()
    return isinstance(error, SoapFault) and any(word in text for word in KEY_WORDS)


class SpeechCache:
    """Audio already fetched this session, by account and request: memory only, never disk."""

    def __init__(self, entries: int = CACHE_ENTRIES, max_bytes: int = CACHE_BYTES) -> None:
        self._clips: OrderedDict[tuple[str, SpeechRequest], bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._entries, self._max_bytes = entries, max_bytes

    def get(self, account: str, request: SpeechRequest) -> bytes | None:
        with self._lock:
            audio = self._clips.get((account, request))
            if audio is not None:
                self._clips.move_to_end((account, request))
            return audio

    def put(self, account: str, request: SpeechRequest, audio: bytes) -> None:
        with self._lock:
            self._clips[(account, request)] = audio
            self._clips.move_to_end((account, request))
            while len(self._clips) > self._entries or sum(map(len, self._clips.values())) > self._max_bytes:
                self._clips.popitem(last=False)

    def forget(self, account: str | None = None) -> None:
        """Drop every clip (of one account: its key changed)."""
        with self._lock:
            for cached in [k for k in self._clips if account is None or k[0] == account]:
                del self._clips[cached]

    def __len__(self) -> int:
        with self._lock:
            return len(self._clips)
