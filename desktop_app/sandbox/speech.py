"""The sandbox's text-to-speech: GetTTSInMP3 and GetTTSInULAW answer with real audio.

What the real service renders is its own affair (fact sheet 4.14: "MP3 bytes" and "u-law audio";
formats, voices, limits and the answer to a refused key are UNVERIFIED). The sandbox's choices, each
a named constant here and a row in docs/protocol.md:

- Speech comes from `espeak-ng` when it is installed (`ENGINE = "espeak-ng"`, a Debian package);
  otherwise from `tone_pattern`: one short beep per word and a pause per sentence, plainly not
  speech, so that nobody takes it for the voice a call will have (chosen).
- GetTTSInULAW answers a RIFF/WAVE file of G.711 u-law (format tag 7), 8000 Hz, mono, 8 bits, with
  the `fact` chunk non-PCM WAVE files carry (chosen: the telephone format, and a file every
  standard player reads).
- GetTTSInMP3 answers an MP3 made by `lame` (a Debian package) at the BitRate asked (32, 64 or
  128 kbit/s; anything else is a client fault). Without `lame` there is no MP3 encoder: the request
  gets a server fault naming the missing encoder (`MP3_UNAVAILABLE`), as an ASMX service answers a
  request it cannot serve; GetTTSInULAW still works (chosen).
- TTSrate 0-20 (10 normal) is the speaking speed: 175 words a minute at 10, from half to one and a
  half times that; TTSvolume 0-100 (100 default) scales the loudness (values above are clamped).
- A key the sandbox does not accept for speech gets an answer without audio: the result element is
  left out, as ASMX writes a null byte array (`Sandbox.refuse_speech(key)`, the reserved
  `SPEECH_REFUSED_KEYS`, and malformed or suspended keys). An empty text gets the same (chosen).
- An unknown VoiceID is a client fault "Invalid VoiceID" (the response-code table's words, code 5).
"""

from __future__ import annotations

import io
import logging
import math
import shutil
import struct
import subprocess
import wave
from array import array
from functools import lru_cache

from .tables import VOICES

log = logging.getLogger(__name__)

ENGINE = "espeak-ng"  # speech when installed (chosen); otherwise TONE_PATTERN
MP3_ENCODER = "lame"
MP3_BIT_RATES = (32, 64, 128)  # fact sheet 4.14
MP3_UNAVAILABLE = "Server was unable to process request. ---> No MP3 encoder is available (GetTTSInULAW works)."
INVALID_BIT_RATE = "Server was unable to process request. ---> BitRate must be 32, 64 or 128."
INVALID_VOICE = "Server was unable to process request. ---> Invalid VoiceID"
# A key that books calls but is refused for speech: an account whose speech needs a separate key
# (fact sheet 4.14, "may need a separate license key"). Chosen, like the suspended key.
SPEECH_REFUSED_KEYS = frozenset({"88888888-8888-8888-8888-888888888888"})
RENDER_RATE = 22050  # samples a second of the speech before encoding (espeak-ng's own rate)
ULAW_RATE = 8000
MAX_TEXT = 4000  # characters rendered; the rest is not spoken
ENGINE_TIMEOUT_SECONDS = 20
NORMAL_WORDS_PER_MINUTE = 175
# espeak-ng voices by the service's voice language (fact sheet 7.1), and the gender as a variant.
ENGINE_VOICES = {
    "US English": "en-us",
    "UK English": "en-gb",
    "Canadian French": "fr",
    "German": "de",
    "Italian": "it",
    "Americas Spanish": "es-419",
    "Mexican Spanish": "es-419",
}
TONE_HZ = 660.0
TONE_WORD_SECONDS = 0.12
TONE_GAP_SECONDS = 0.08
TONE_SENTENCE_PAUSE_SECONDS = 0.35
TONE_MAX_SECONDS = 30.0


def engine_available() -> bool:
    return shutil.which(ENGINE) is not None


def mp3_available() -> bool:
    return shutil.which(MP3_ENCODER) is not None


def words_per_minute(rate: int) -> int:
    """TTSrate 0-20 (10 normal) as espeak-ng's speed."""
    rate = max(0, min(20, rate))
    return round(NORMAL_WORDS_PER_MINUTE * (0.5 + rate / 20))


def render(text: str, voice_id: int, rate: int, volume: int) -> array:
    """16-bit mono samples at RENDER_RATE: speech from the engine, else the tone pattern."""
    text = text[:MAX_TEXT]
    if not engine_available():
        say_once(f"sandbox: {ENGINE} is not installed: GetTTSIn… answer with a tone pattern, not speech")
    samples = _speak(text, voice_id, rate) if engine_available() else None
    if samples is None:
        samples = tone_pattern(text, rate)
    return _scaled(samples, max(0, min(100, volume)) / 100)


@lru_cache(maxsize=4)
def say_once(message: str) -> None:
    log.warning("%s", message)


def _engine_voice(voice_id: int) -> str:
    voice = next((v for v in VOICES if v.voice_id == voice_id), VOICES[0])
    variant = "+f3" if voice.gender == "Female" else "+m3"
    return ENGINE_VOICES.get(voice.language, "en-us") + variant


def _speak(text: str, voice_id: int, rate: int) -> array | None:
    """espeak-ng's speech of `text` (read from standard input: never on a command line others can
    see), or None if it failed."""
    command = [ENGINE, "--stdin", "--stdout", "-v", _engine_voice(voice_id), "-s", str(words_per_minute(rate))]
    try:
        done = subprocess.run(
            command,
            input=text.encode("utf-8", "replace"),
            capture_output=True,
            timeout=ENGINE_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        log.warning("sandbox: %s failed (%s); answering with the tone pattern", ENGINE, type(error).__name__)
        return None
    if done.returncode != 0:
        log.warning("sandbox: %s exited with %s; answering with the tone pattern", ENGINE, done.returncode)
        return None
    return _wav_samples(done.stdout)


def _wav_samples(data: bytes) -> array | None:
    """The 16-bit samples of espeak-ng's WAV output, at RENDER_RATE (its header's length may be a
    placeholder when it writes to a pipe, so the data chunk runs to the end)."""
    at = data.find(b"data", 12)
    if data[:4] != b"RIFF" or at < 0:
        return None
    rate = struct.unpack_from("<I", data, 24)[0]
    samples = array("h")
    payload = data[at + 8 :]
    samples.frombytes(payload[: len(payload) // 2 * 2])
    return resample(samples, rate, RENDER_RATE) if rate != RENDER_RATE else samples


def tone_pattern(text: str, rate: int = 10) -> array:
    """One short beep per word and a longer pause after each sentence: plainly not speech."""
    speed = 0.5 + max(0, min(20, rate)) / 20
    beep = _tone(TONE_WORD_SECONDS / speed)
    gap = array("h", bytes(2 * int(RENDER_RATE * TONE_GAP_SECONDS / speed)))
    pause = array("h", bytes(2 * int(RENDER_RATE * TONE_SENTENCE_PAUSE_SECONDS / speed)))
    out = array("h")
    limit = int(RENDER_RATE * TONE_MAX_SECONDS)
    for word in text.split():
        out.extend(beep)
        out.extend(pause if word[-1:] in ".!?" else gap)
        if len(out) >= limit:
            break
    return out[:limit] or _tone(TONE_WORD_SECONDS)


@lru_cache(maxsize=8)
def _tone(seconds: float) -> array:
    count = int(RENDER_RATE * seconds)
    fade = max(1, int(RENDER_RATE * 0.01))  # 10 ms in and out: no clicks
    return array(
        "h",
        (
            int(12000 * math.sin(2 * math.pi * TONE_HZ * i / RENDER_RATE) * min(1.0, i / fade, (count - i) / fade))
            for i in range(count)
        ),
    )


def _scaled(samples: array, factor: float) -> array:
    if factor >= 1.0:
        return samples
    return array("h", (int(s * factor) for s in samples))


def resample(samples: array, rate: int, target: int) -> array:
    """Linear interpolation from `rate` to `target` samples a second (speech for a phone line)."""
    if not samples or rate == target:
        return array("h", samples)
    count = max(1, len(samples) * target // rate)
    step = rate / target
    last = len(samples) - 1
    out = array("h", bytes(2 * count))
    for i in range(count):
        position = i * step
        j = int(position)
        k = min(j + 1, last)
        fraction = position - j
        out[i] = int(samples[min(j, last)] * (1 - fraction) + samples[k] * fraction)
    return out


# -- encoders ---------------------------------------------------------------------------------------

ULAW_BIAS = 0x21  # on 14-bit magnitudes, as the G.711 reference code (and CPython's audioop) has it
ULAW_CLIP = 8159
ULAW_SEGMENT_ENDS = (0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF)


def _ulaw_byte(sample: int) -> int:
    """G.711 u-law of one 16-bit sample (the reference algorithm: 14 bits, bias 33, 8 segments)."""
    value = sample >> 2
    mask = 0xFF
    if value < 0:
        value, mask = -value, 0x7F
    value = min(value, ULAW_CLIP) + ULAW_BIAS
    segment = next((i for i, end in enumerate(ULAW_SEGMENT_ENDS) if value <= end), 8)
    if segment >= 8:
        return 0x7F ^ mask
    return ((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask


@lru_cache(maxsize=1)
def _ulaw_table() -> bytes:
    return bytes(_ulaw_byte(s) for s in range(-32768, 32768))


def ulaw_wav(samples: array, rate: int = RENDER_RATE) -> bytes:
    """A WAVE file of G.711 u-law at 8000 Hz, mono (format tag 7, with its fact chunk)."""
    narrow = resample(samples, rate, ULAW_RATE)
    table = _ulaw_table()
    data = bytes(table[s + 32768] for s in narrow)
    fmt = struct.pack("<HHIIHHH", 7, 1, ULAW_RATE, ULAW_RATE, 1, 8, 0)  # tag, channels, rate, bytes/s, align, bits, cb
    fact = struct.pack("<I", len(data))
    body = b"WAVE" + _chunk(b"fmt ", fmt) + _chunk(b"fact", fact) + _chunk(b"data", data)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _chunk(name: bytes, payload: bytes) -> bytes:
    return name + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) % 2 else b"")


def pcm_wav(samples: array, rate: int = RENDER_RATE) -> bytes:
    """A plain 16-bit PCM WAVE file (what `lame` reads)."""
    out = io.BytesIO()
    with wave.open(out, "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(2)
        target.setframerate(rate)
        target.writeframes(samples.tobytes())
    return out.getvalue()


def mp3(samples: array, bit_rate: int, rate: int = RENDER_RATE) -> bytes | None:
    """An MP3 by `lame` at `bit_rate` kbit/s (constant), or None when it cannot be made."""
    command = [MP3_ENCODER, "--quiet", "-m", "m", "--cbr", "-b", str(bit_rate), "-", "-"]
    try:
        done = subprocess.run(
            command, input=pcm_wav(samples, rate), capture_output=True, timeout=ENGINE_TIMEOUT_SECONDS, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        log.warning("sandbox: %s failed (%s)", MP3_ENCODER, type(error).__name__)
        return None
    return done.stdout if done.returncode == 0 and done.stdout else None
