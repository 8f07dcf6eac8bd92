"""Issue 25: hear the message before the phone rings. The sandbox's GetTTSInULAW / GetTTSInMP3
answer real audio (speech from espeak-ng, else a tone pattern) that standard decoders read; the
Schedule page's Listen plays it (the audio device faked at the boundary only), stops, refuses an
empty text, explains a key refused for speech and takes a separate speech key, fetches the same
text once per session, and never writes the text to disk."""

from __future__ import annotations

import base64
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pytest
import requests
from lxml import etree

from desktop_app.sandbox import speech as sandbox_speech
from desktop_app.sandbox.contract import load_contract
from desktop_app.service import SoapFault
from desktop_app.service.speech import audio_kind, speech_request
from tests.conftest import KEY_A

TEXT = "Hello, this is a test call. Your appointment is tomorrow at ten."
CALLS_ONLY_KEY = "88888888-8888-8888-8888-888888888888"


def decode_ulaw_wav(data: bytes) -> tuple[int, list[int]]:
    """(sample rate, 16-bit samples) of a u-law WAVE file, read chunk by chunk and decoded by the
    standard library's G.711 decoder (audioop)."""
    assert data[:4] == b"RIFF" and data[8:12] == b"WAVE"
    assert struct.unpack_from("<I", data, 4)[0] == len(data) - 8
    chunks, at = {}, 12
    while at + 8 <= len(data):
        name, size = data[at : at + 4], struct.unpack_from("<I", data, at + 4)[0]
        chunks[name] = data[at + 8 : at + 8 + size]
        at += 8 + size + (size % 2)
    tag, channels, rate, per_second, align, bits = struct.unpack_from("<HHIIHH", chunks[b"fmt "])
    assert (tag, channels, per_second, align, bits) == (7, 1, rate, 1, 8)  # WAVE_FORMAT_MULAW, mono
    assert struct.unpack("<I", chunks[b"fact"])[0] == len(chunks[b"data"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # audioop: deprecated, still the stdlib's decoder
        import audioop

        pcm = audioop.ulaw2lin(chunks[b"data"], 2)
    return rate, list(struct.unpack(f"<{len(pcm) // 2}h", pcm))


def loud(samples: list[int]) -> int:
    return max(abs(s) for s in samples)


# -- the contract -----------------------------------------------------------------------------------


def test_the_wsdl_has_both_operations_with_the_fact_sheets_names():
    operations = load_contract().operations
    mp3, ulaw = operations["GetTTSInMP3"], operations["GetTTSInULAW"]
    assert [(p.name, p.type, p.min_occurs) for p in mp3.parameters] == [
        ("TextToSay", "string", 0),
        ("VoiceID", "int", 1),
        ("BitRate", "int", 1),
        ("TTSrate", "unsignedByte", 1),
        ("TTSvolume", "unsignedByte", 1),
        ("LicenseKey", "string", 0),
    ]
    assert [p.name for p in ulaw.parameters] == ["TextToSay", "VoiceID", "TTSrate", "TTSvolume", "LicenseKey"]
    assert (mp3.result.name, mp3.result.type) == ("GetTTSInMP3Result", "base64Binary")
    assert (ulaw.result.name, ulaw.result.type) == ("GetTTSInULAWResult", "base64Binary")
    assert mp3.http_get_post and ulaw.http_get_post and ulaw.body_root == "base64Binary"


# -- the sandbox speaks -------------------------------------------------------------------------------


def test_ulaw_is_a_wave_file_a_standard_decoder_reads(client, sandbox):
    audio = client.text_to_speech(KEY_A, speech_request(TEXT, 0, 10, 100))
    rate, samples = decode_ulaw_wav(audio)
    assert rate == 8000 and 2.0 < len(samples) / rate < 15.0 and loud(samples) > 2000
    assert audio_kind(audio) == "wav" and sandbox.operations["GetTTSInULAW"] == 1
    sox = shutil.which("sox")
    if sox:  # an independent decoder, where the machine has one
        done = subprocess.run(
            [sox, "-t", "wav", "-", "-t", "raw", "-e", "signed", "-b", "16", "-"],
            input=audio,
            capture_output=True,
            check=True,
        )
        assert len(done.stdout) == 2 * len(samples)


@pytest.mark.skipif(not sandbox_speech.engine_available(), reason="espeak-ng is not installed (./dev installs it)")
def test_with_espeak_ng_the_audio_is_speech_that_follows_rate_and_volume(client):
    normal = decode_ulaw_wav(client.text_to_speech(KEY_A, speech_request(TEXT, 0, 10, 100)))[1]
    fast = decode_ulaw_wav(client.text_to_speech(KEY_A, speech_request(TEXT, 0, 20, 100)))[1]
    quiet = decode_ulaw_wav(client.text_to_speech(KEY_A, speech_request(TEXT, 0, 10, 30)))[1]
    assert len(fast) < 0.8 * len(normal)  # TTSrate 20 speaks faster
    assert loud(quiet) < 0.5 * loud(normal)  # TTSvolume 30 is quieter
    assert len(set(normal)) > 100  # speech, not a beep: many different sample values


def test_without_espeak_ng_a_tone_pattern_that_is_plainly_not_speech(client, monkeypatch):
    monkeypatch.setattr(sandbox_speech, "engine_available", lambda: False)
    rate, samples = decode_ulaw_wav(client.text_to_speech(KEY_A, speech_request("one two three. four", 0, 10, 100)))
    beeps, quiet_run, in_beep = 0, 0, False
    for sample in samples:  # count the beeps: one per word
        if abs(sample) > 1000 and not in_beep:
            beeps, in_beep, quiet_run = beeps + 1, True, 0
        elif abs(sample) <= 1000:
            quiet_run += 1
            if quiet_run > rate // 100:  # 10 ms of quiet ends a beep
                in_beep = False
    assert beeps == 4


def mp3_frames(audio: bytes) -> list[tuple[int, int]]:
    """(bit rate kbit/s, sample rate) of each MPEG audio frame header found in order."""
    kbits = {(1, i): v for i, v in enumerate([0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160])}
    kbits |= {(3, i): v for i, v in enumerate([0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320])}
    rates = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
    at = 10 + int.from_bytes(audio[6:10], "big") if audio[:3] == b"ID3" else 0
    frames = []
    while at + 4 <= len(audio) and audio[at] == 0xFF and audio[at + 1] & 0xE0 == 0xE0:
        version, layer = (audio[at + 1] >> 3) & 3, (audio[at + 1] >> 1) & 3
        index, rate_index, padding = audio[at + 2] >> 4, (audio[at + 2] >> 2) & 3, (audio[at + 2] >> 1) & 1
        assert layer == 1  # Layer III
        bit_rate, sample_rate = kbits[(3 if version == 3 else 1, index)], rates[version][rate_index]
        frames.append((bit_rate, sample_rate))
        at += (144 if version == 3 else 72) * bit_rate * 1000 // sample_rate + padding
    return frames


@pytest.mark.skipif(not sandbox_speech.mp3_available(), reason="lame is not installed (./dev installs it)")
@pytest.mark.parametrize("bit_rate", [32, 64, 128])
def test_mp3_is_made_at_the_bit_rate_asked_and_decodes(client, sandbox, bit_rate, tmp_path, monkeypatch):
    import desktop_app.service.client as client_module

    monkeypatch.setattr(client_module, "MP3_BIT_RATE", bit_rate)
    audio = client.text_to_speech(KEY_A, speech_request(TEXT, 0, 10, 100, "mp3"))
    frames = mp3_frames(audio)
    assert len(frames) > 20 and {f[0] for f in frames} == {bit_rate} and audio_kind(audio) == "mp3"
    decoded = tmp_path / "decoded.wav"
    (tmp_path / "speech.mp3").write_bytes(audio)
    subprocess.run(["lame", "--quiet", "--decode", str(tmp_path / "speech.mp3"), str(decoded)], check=True)
    import wave

    with wave.open(str(decoded)) as read:
        assert 2.0 < read.getnframes() / read.getframerate() < 15.0


def test_without_an_mp3_encoder_the_mp3_route_answers_a_server_fault(client, monkeypatch):
    monkeypatch.setattr(sandbox_speech, "mp3_available", lambda: False)
    with pytest.raises(SoapFault) as raised:
        client.text_to_speech(KEY_A, speech_request(TEXT, 0, 10, 100, "mp3"))
    assert "No MP3 encoder is available (GetTTSInULAW works)" in str(raised.value)
    assert client.text_to_speech(KEY_A, speech_request(TEXT, 0, 10, 100))[:4] == b"RIFF"


def test_a_key_refused_for_speech_gets_an_answer_without_audio(client, sandbox):
    assert client.text_to_speech(CALLS_ONLY_KEY, speech_request(TEXT, 0, 10, 100)) == b""
    assert client.text_to_speech(KEY_A, speech_request(TEXT, 0, 10, 100))[:4] == b"RIFF"
    sandbox.refuse_speech(KEY_A)
    assert client.text_to_speech(KEY_A, speech_request(TEXT, 0, 10, 100)) == b""
    answer = requests.get(
        f"{sandbox.url}/GetTTSInULAW",
        params={"TextToSay": TEXT, "VoiceID": 0, "TTSrate": 10, "TTSvolume": 100, "LicenseKey": KEY_A},
        timeout=10,
    )
    root = etree.fromstring(answer.content)
    assert etree.QName(root).localname == "base64Binary"
    assert root.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true"


def test_get_answers_the_audio_as_base64(sandbox):
    answer = requests.get(
        f"{sandbox.url}/GetTTSInULAW",
        params={"TextToSay": "Hi there", "VoiceID": 3, "TTSrate": 10, "TTSvolume": 100, "LicenseKey": KEY_A},
        timeout=10,
    )
    root = etree.fromstring(answer.content)
    assert answer.status_code == 200 and etree.QName(root).localname == "base64Binary"
    assert decode_ulaw_wav(base64.b64decode(root.text))[0] == 8000
    bad = requests.get(
        f"{sandbox.url}/GetTTSInMP3",
        params={"TextToSay": "Hi", "VoiceID": 0, "BitRate": 48, "TTSrate": 10, "TTSvolume": 100, "LicenseKey": KEY_A},
        timeout=10,
    )
    assert bad.status_code == 500 and "BitRate must be 32, 64 or 128." in bad.text


# -- Listen on the Schedule page ----------------------------------------------------------------------

from PySide6.QtCore import Qt  # noqa: E402

from desktop_app.storage.secrets import SERVICE_NAME, SPEECH_SERVICE_NAME  # noqa: E402
from desktop_app.ui.pages.listen import LISTEN_NOTE, AudioPlayer  # noqa: E402
from desktop_app.ui.pages.schedule import SchedulePage  # noqa: E402
from tests.conftest import KEY_B  # noqa: E402

PRIVATE = "Mrs Jane Roe, your biopsy results are ready. Call 555 0142."


class FakeSpeaker(AudioPlayer):
    """The sound device, faked: it keeps what it was given and ends when told to."""

    name = "the test's speaker"

    def __init__(self) -> None:
        super().__init__()
        self.clips: list[bytes] = []
        self.stops = 0

    def play(self, audio: bytes, kind: str) -> None:
        self.clips.append(audio)
        self.kind = kind

    def stop(self) -> None:
        self.stops += 1

    def end(self) -> None:
        self.finished.emit()


@pytest.fixture
def page(qtbot, controller):
    schedule = SchedulePage(controller)
    qtbot.addWidget(schedule)
    schedule.resize(860, 680)
    schedule.show()
    qtbot.waitExposed(schedule)
    schedule.speaker = FakeSpeaker()
    schedule.listen.set_player(schedule.speaker)
    return schedule


def listen(qtbot, page) -> bytes:
    with qtbot.waitSignal(page.listen.played, timeout=15_000) as played:
        qtbot.mouseClick(page.listen.listen_button, Qt.MouseButton.LeftButton)
    return played.args[0]


def test_listen_fetches_the_speech_and_plays_valid_audio(qtbot, page, app_sandbox):
    page.text.setPlainText(TEXT)
    assert page.listen.status.text() == LISTEN_NOTE  # said before anything is pressed
    audio = listen(qtbot, page)
    rate, samples = decode_ulaw_wav(audio)  # the real decoder reads what the device was given
    assert rate == 8000 and len(samples) > 8000 and loud(samples) > 2000
    assert page.speaker.clips == [audio] and page.speaker.kind == "wav"
    assert app_sandbox.operations["GetTTSInULAW"] == 1 and app_sandbox.operations["NotifyPhoneAdvanced"] == 0
    assert "Playing in Diane" in page.listen.status.text() and LISTEN_NOTE in page.listen.status.text()
    assert page.listen.stop_button.isEnabled() and not page.listen.listen_button.isEnabled()
    page.speaker.end()
    assert page.listen.status.text().startswith("Played. Listening places no call.")
    assert page.listen.listen_button.isEnabled() and not page.listen.stop_button.isEnabled()


def test_the_same_text_and_voice_are_not_fetched_twice_in_a_session(qtbot, page, app_sandbox):
    page.text.setPlainText(TEXT)
    first = listen(qtbot, page)
    page.speaker.end()
    assert listen(qtbot, page) == first  # from memory
    page.speaker.end()
    assert app_sandbox.operations["GetTTSInULAW"] == 1
    page.voice.setCurrentIndex(page.voice.findData(3))  # another voice: fetched
    listen(qtbot, page)
    page.speaker.end()
    page.form.rate.setValue(15)  # another speech rate (More options): fetched
    listen(qtbot, page)
    assert app_sandbox.operations["GetTTSInULAW"] == 3


def test_stop_ends_the_playing_and_drops_a_fetch_in_flight(qtbot, page, app_sandbox):
    page.text.setPlainText(TEXT)
    listen(qtbot, page)
    qtbot.mouseClick(page.listen.stop_button, Qt.MouseButton.LeftButton)
    assert page.speaker.stops == 1 and page.listen.status.text() == f"Stopped. {LISTEN_NOTE}"
    assert page.listen.listen_button.isEnabled() and not page.listen.stop_button.isEnabled()
    app_sandbox.faults.latency_seconds = 0.6
    page.text.setPlainText("Another text, slow to come.")
    qtbot.mouseClick(page.listen.listen_button, Qt.MouseButton.LeftButton)
    assert page.listen.fetching and page.listen.stop_button.isEnabled()
    qtbot.mouseClick(page.listen.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: app_sandbox.operations["GetTTSInULAW"] == 2 and app_sandbox.in_flight == 0)
    qtbot.waitUntil(lambda: page.controller.executor.pending == 0)  # its answer has reached the page
    assert len(page.speaker.clips) == 1  # the stopped fetch's answer was not played


def test_an_empty_text_is_refused_without_a_request(qtbot, page, app_sandbox):
    page.text.setPlainText("   \n ")
    qtbot.mouseClick(page.listen.listen_button, Qt.MouseButton.LeftButton)
    assert page.listen.status.text() == "Type the text to listen to first."
    assert app_sandbox.operations["GetTTSInULAW"] == 0 and page.speaker.clips == []


def test_a_key_refused_for_speech_is_explained_and_a_speech_key_can_be_added(qtbot, page, app_sandbox, memory_keyring):
    app_sandbox.refuse_speech(KEY_A)
    page.text.setPlainText(TEXT)
    with qtbot.waitSignal(page.listen.refused, timeout=15_000) as refused:
        qtbot.mouseClick(page.listen.listen_button, Qt.MouseButton.LeftButton)
    message = refused.args[0]
    assert message.startswith("The service did not accept the license key of “Main office” for speech")
    assert "need a separate license key for listening" in message and "No call was placed" in message
    assert page.listen.status.text() == message and page.listen.speech_key_button.isVisible()
    assert page.speaker.clips == []
    qtbot.mouseClick(page.listen.speech_key_button, Qt.MouseButton.LeftButton)
    dialog = page.listen.key_dialog
    qtbot.waitUntil(dialog.isVisible)
    dialog.key.setText(KEY_B)
    dialog.accept()
    qtbot.waitUntil(lambda: "is saved in the keyring" in page.listen.status.text(), timeout=10_000)
    entries = memory_keyring.entries
    assert entries[SPEECH_SERVICE_NAME, "Main office"] == KEY_B and entries[SERVICE_NAME, "Main office"] == KEY_A
    audio = listen(qtbot, page)  # with the speech key now
    assert decode_ulaw_wav(audio)[0] == 8000


def test_listening_writes_no_text_to_disk(qtbot, page, controller, app_sandbox):
    page.text.setPlainText(PRIVATE)
    audio = listen(qtbot, page)
    page.speaker.end()
    listen(qtbot, page)
    controller.save_settings()
    profile = controller.context.profile
    roots = {profile.config_dir, profile.data_dir, profile.log_dir, profile.cache_dir}
    files = [path for root in roots if root.exists() for path in root.rglob("*") if path.is_file()]
    assert files  # settings, history, logs: there is something to scan
    for path in files:
        content = path.read_bytes()
        assert PRIVATE.encode() not in content and b"biopsy" not in content, path
        assert audio[44:1044] not in content, path


# -- the real players, without a sound device -------------------------------------------------------


def test_a_command_line_player_gets_the_audio_on_its_standard_input_and_stop_ends_it(qtbot, monkeypatch, tmp_path):
    from desktop_app.ui.pages import listen as listen_module

    heard = tmp_path / "heard.bin"
    # The stand-in players are this Python with a small script (no shell, so on Windows too).
    copy = "import pathlib, sys; pathlib.Path(sys.argv[1]).write_bytes(sys.stdin.buffer.read())"
    monkeypatch.setitem(listen_module.PIPE_PLAYERS, "wav", ((sys.executable, "-c", copy, str(heard)),))
    player = listen_module.ProcessAudioPlayer()
    with qtbot.waitSignal(player.finished, timeout=5000):
        player.play(b"RIFF-audio-bytes", "wav")
    assert heard.read_bytes() == b"RIFF-audio-bytes"
    slow = "import sys, time; sys.stdin.buffer.read(); time.sleep(30)"
    monkeypatch.setitem(listen_module.PIPE_PLAYERS, "wav", ((sys.executable, "-c", slow),))
    player.play(b"RIFF", "wav")
    assert player.running
    with qtbot.assertNotEmitted(player.finished, wait=100):
        player.stop()
    assert not player.running


def test_the_system_player_gets_a_private_temporary_file_that_is_deleted(qtbot, monkeypatch, tmp_path):
    import stat

    from desktop_app.ui.pages import listen as listen_module

    opened: list[str] = []

    def open_file(path: Path) -> bool:  # the system's player, faked at the boundary
        opened.append(str(path))
        return True

    player = listen_module.SystemAudioPlayer(open_file=open_file)
    player.play(b"RIFF-audio", "wav")
    path = Path(opened[0])
    assert path.read_bytes() == b"RIFF-audio" and path.parent == Path(tempfile.gettempdir())
    if os.name == "posix":  # Windows' st_mode carries no such bits (its temporary folder is the user's own)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    player.play(b"RIFF-again", "wav")  # the next clip: the first file is gone
    assert not path.exists() and Path(opened[1]).exists()
    player.stop()
    assert not Path(opened[1]).exists()
