"""Listen: hear the text in the chosen voice, at the speech rate and volume of More options, before
anything is booked. Listening places no call.

The audio comes from the service (GetTTSInULAW, service/speech.py) on a worker, through the
controller; the same text, voice, rate and volume are fetched once per session (memory only). It is
played by an `AudioPlayer`, the boundary with the sound device:

- `QtAudioPlayer`: Qt Multimedia, from memory, when the installed PySide6 has it (PySide6-Addons);
- `ProcessAudioPlayer`: a command-line player this computer has (paplay, aplay; ffplay or mpg123
  for MP3), the audio written to its standard input: nothing on disk, and Stop ends it;
- `SystemAudioPlayer`: the system's default player, through a temporary file (readable by the user
  only) that is deleted on Stop, on the next Listen, after `TEMPORARY_FILE_SECONDS`, and at exit.

When the service refuses the account's key for speech, the control says so in plain words and
offers "Add a speech key…": a separate key for listening, kept in the keyring like every key.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import sys
import tempfile
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from PySide6.QtCore import QObject, QProcess, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from ...desk import describe_error
from ...service import InvalidInput
from ...service.speech import SpeechCache, SpeechRefused, audio_kind, speech_request
from ..widgets import plain_label
from ..widgets.text_tones import TextTone, set_text_tone

if TYPE_CHECKING:
    from ..controller import AppController

log = logging.getLogger(__name__)

LISTEN_NOTE = "Listening places no call."
FETCHING = "Getting the speech from the service… Listening places no call."
TEMPORARY_FILE_SECONDS = 120  # the system player has had the file long enough by then (chosen)


class Heard(NamedTuple):
    """What the form holds for Listen: the text, the voice (id and name), rate and volume."""

    text: str
    voice_id: int
    voice_name: str
    rate: int
    volume: int


# -- the sound device (the boundary the tests fake) ------------------------------------------------


class AudioPlayer(QObject):
    """Plays audio bytes ("wav" or "mp3"); `finished` when it ends by itself, `failed(message)`."""

    finished = Signal()
    failed = Signal(str)
    name = "a player"
    stoppable = True

    def play(self, audio: bytes, kind: str) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


def qt_multimedia_available() -> bool:
    try:
        from PySide6 import QtMultimedia  # noqa: F401  # in PySide6-Addons, not PySide6-Essentials
    except ImportError:
        return False
    return True


class QtAudioPlayer(AudioPlayer):
    """Qt Multimedia, playing from memory."""

    name = "Qt Multimedia"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from PySide6.QtCore import QBuffer
        from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer

        self._player = QMediaPlayer(self)
        self._output = QAudioOutput(self)
        self._player.setAudioOutput(self._output)
        self._buffer = QBuffer(self)
        self._player.mediaStatusChanged.connect(self._status)
        self._player.errorOccurred.connect(lambda *_: self.failed.emit(self._player.errorString()))

    def play(self, audio: bytes, kind: str) -> None:
        from PySide6.QtCore import QByteArray, QIODevice

        self._player.stop()
        self._buffer.close()
        self._buffer.setData(QByteArray(audio))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._player.setSourceDevice(self._buffer, QUrl(f"speech.{kind}"))
        self._player.play()

    def _status(self, status: Any) -> None:
        from PySide6.QtMultimedia import QMediaPlayer

        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            self.finished.emit()

    def stop(self) -> None:
        self._player.stop()
        self._buffer.close()


# Command-line players that read the audio from standard input, by kind.
PIPE_PLAYERS: dict[str, tuple[tuple[str, ...], ...]] = {
    "wav": (("paplay",), ("aplay", "-q")),
    "mp3": (("ffplay", "-nodisp", "-autoexit", "-loglevel", "quiet", "-"), ("mpg123", "-q", "-")),
}


def pipe_player(kind: str) -> tuple[str, ...] | None:
    return next((command for command in PIPE_PLAYERS.get(kind, ()) if shutil.which(command[0])), None)


class ProcessAudioPlayer(AudioPlayer):
    """A command-line player, fed on its standard input (nothing on disk). One QProcess, made once
    and reused; Stop kills the process it started."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = "the computer's sound player"
        self._process = QProcess(self)
        self._process.finished.connect(self._ended)
        self._process.errorOccurred.connect(self._error)
        self._wanted = False  # the run going on is still wanted (not stopped)

    def play(self, audio: bytes, kind: str) -> None:
        self.stop()
        command = pipe_player(kind)
        if command is None:
            self.failed.emit("No sound player for this audio was found on this computer.")
            return
        self.name = command[0]
        self._wanted = True
        self._process.start(command[0], list(command[1:]))
        self._process.write(audio)
        self._process.closeWriteChannel()

    @property
    def running(self) -> bool:
        return self._process.state() != QProcess.ProcessState.NotRunning

    def _ended(self, code: int, _status: QProcess.ExitStatus) -> None:
        if not self._wanted:
            return  # stopped: its end is not news
        self._wanted = False
        if code == 0:
            self.finished.emit()
        else:
            self.failed.emit(f"The sound player ({self.name}) could not play the speech.")

    def _error(self, error: QProcess.ProcessError) -> None:
        if self._wanted and error == QProcess.ProcessError.FailedToStart:
            self._wanted = False
            self.failed.emit(f"The sound player ({self.name}) could not be started.")

    def stop(self) -> None:
        self._wanted = False
        if self.running:
            self._process.kill()  # the process this player started, by its handle
            self._process.waitForFinished(1000)


_temporary_files: set[Path] = set()


def _remove_temporary_files() -> None:
    for path in list(_temporary_files):
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        _temporary_files.discard(path)


atexit.register(_remove_temporary_files)


def _open_with_the_system(path: Path) -> bool:
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


class SystemAudioPlayer(AudioPlayer):
    """The system's default player, through a temporary file (user-only, in the system's temporary
    folder, never the profile) that is deleted on Stop, on the next clip, after a while, and at exit.
    The player is another program: Stop deletes the file but cannot silence it."""

    name = "your default player"
    stoppable = False

    def __init__(self, parent: QObject | None = None, open_file: Callable[[Path], bool] | None = None) -> None:
        """`open_file(path)`: hands the file to the system's player; True if one took it."""
        super().__init__(parent)
        self._file: Path | None = None
        self._open_file = open_file or _open_with_the_system

    def play(self, audio: bytes, kind: str) -> None:
        self.stop()
        handle, name = tempfile.mkstemp(prefix="vbd-listen-", suffix=f".{kind}")  # mode 0600
        path = Path(name)
        _temporary_files.add(path)
        with os.fdopen(handle, "wb") as out:
            out.write(audio)
        self._file = path
        QTimer.singleShot(TEMPORARY_FILE_SECONDS * 1000, self, lambda: self._remove(path))
        if not self._open_file(path):
            self._remove(path)
            self.failed.emit("This computer has no default player for sound files.")
            return
        self.finished.emit()  # handed over: the other program plays it

    def _remove(self, path: Path) -> None:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        _temporary_files.discard(path)
        if self._file == path:
            self._file = None

    def stop(self) -> None:
        if self._file is not None:
            self._remove(self._file)


def default_player(parent: QObject | None = None) -> AudioPlayer:
    """Qt Multimedia when installed; else a command-line player that reads standard input (Linux);
    else the system's default player."""
    if qt_multimedia_available():
        return QtAudioPlayer(parent)
    if sys.platform.startswith("linux") and pipe_player("wav") is not None:
        return ProcessAudioPlayer(parent)
    return SystemAudioPlayer(parent)


# -- the session's clips ------------------------------------------------------------------------------

_caches: weakref.WeakKeyDictionary[QObject, SpeechCache] = weakref.WeakKeyDictionary()


def session_cache(controller: QObject) -> SpeechCache:
    """The clips fetched in this session (this controller's life), in memory only."""
    cache = _caches.get(controller)
    if cache is None:
        cache = _caches[controller] = SpeechCache()
    return cache


# -- the control --------------------------------------------------------------------------------------


class ListenControl(QWidget):
    """ "Listen" and "Stop" (beside the text); `status_line` (under it) says what is happening and
    offers "Add a speech key…" when the service refuses the account's key for speech."""

    played = Signal(bytes)  # the audio handed to the player
    refused = Signal(str)  # the plain message when the key is refused for speech

    def __init__(
        self,
        controller: AppController,
        heard: Callable[[], Heard],
        player: AudioPlayer | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self.heard = heard
        self.cache = session_cache(controller)
        self.player = player or default_player(self)
        self._token = 0  # the fetch whose answer is still wanted
        self.fetching = False
        self.playing = False
        self.account = ""
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        self.listen_button = QPushButton("Listen")
        self.listen_button.setToolTip("Hear the text in the chosen voice. Listening places no call.")
        self.listen_button.setAccessibleName("Listen to the text (places no call)")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setAccessibleName("Stop listening")
        self.stop_button.setEnabled(False)
        for button in (self.listen_button, self.stop_button):
            button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            column.addWidget(button)
        column.addStretch(1)
        self.status_line = self._build_status_line()
        self.listen_button.clicked.connect(self.listen)
        self.stop_button.clicked.connect(self.stop)
        self._connect_player(self.player)

    def _build_status_line(self) -> QWidget:
        line = QWidget()
        row = QHBoxLayout(line)
        row.setContentsMargins(0, 0, 0, 0)
        self.status = plain_label(LISTEN_NOTE, word_wrap=True)
        self.status.setStyleSheet("color: palette(placeholder-text);")
        self.status.setAccessibleName("Listening")
        self.speech_key_button = QPushButton("Add a speech key…")
        self.speech_key_button.setToolTip("A separate license key for listening, kept in the keyring")
        self.speech_key_button.hide()
        self.speech_key_button.clicked.connect(self.add_speech_key)
        row.addWidget(self.status, 1)
        row.addWidget(self.speech_key_button)
        return line

    def set_player(self, player: AudioPlayer) -> None:
        """Another sound device (the tests' fake)."""
        self.player.stop()
        self.player = player
        self._connect_player(player)

    def _connect_player(self, player: AudioPlayer) -> None:
        player.finished.connect(self._finished)
        player.failed.connect(self._player_failed)

    def _say(self, text: str, problem: bool = False) -> None:
        self.status.setText(text)
        set_text_tone(self.status, TextTone.ERROR if problem else None)
        self.status.setStyleSheet("" if problem else "color: palette(placeholder-text);")

    def _set_busy(self, busy: bool) -> None:
        self.listen_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)

    # -- listening ------------------------------------------------------------------------------------

    def listen(self) -> None:
        if self.fetching or self.playing:
            return
        heard = self.heard()
        try:
            request = speech_request(heard.text, heard.voice_id, heard.rate, heard.volume)
        except InvalidInput as problem:
            self._say(problem.message, problem=True)
            return
        account = self.controller.accounts.require()
        if account is None:
            return
        self.account = account
        self.speech_key_button.hide()
        cached = self.cache.get(account, request)
        if cached is not None:  # heard already this session: not fetched again
            self._play(cached, heard)
            return
        self._token += 1
        token, desk, cache = self._token, self.controller.desk, self.cache
        self.fetching = True
        self._set_busy(True)
        self._say(FETCHING)
        self.controller.run(
            lambda: desk.listen(account, request, cache),
            lambda audio: self._fetched(token, audio, heard),
            lambda error: self._fetch_failed(token, error),
            owner=self,
        )

    def _fetched(self, token: int, audio: bytes, heard: Heard) -> None:
        if token != self._token:
            return  # stopped while it was fetched
        self.fetching = False
        self._play(audio, heard)

    def _play(self, audio: bytes, heard: Heard) -> None:
        self.playing = True
        self._set_busy(self.player.stoppable)
        voice = heard.voice_name.split(" - ")[0] or "the chosen voice"
        self._say(f"Playing in {voice} through {self.player.name}. {LISTEN_NOTE}")
        self.played.emit(audio)
        self.player.play(audio, audio_kind(audio) or "wav")

    def _fetch_failed(self, token: int, error: BaseException) -> None:
        if token != self._token:
            return
        self.fetching = False
        self._set_busy(False)
        if isinstance(error, SpeechRefused):
            self.speech_key_button.setText("Change the speech key…" if error.with_speech_key else "Add a speech key…")
            self.speech_key_button.show()
            self._say(str(error), problem=True)
            self.refused.emit(str(error))
            return
        _title, message = describe_error(error)
        self._say(f"{message} {LISTEN_NOTE}", problem=True)

    def _finished(self) -> None:
        if not self.playing:
            return
        self.playing = False
        self._set_busy(False)
        self._say(f"Played. {LISTEN_NOTE} Press Listen to hear it again.")

    def _player_failed(self, message: str) -> None:
        self.playing = False
        self._set_busy(False)
        self._say(message, problem=True)

    def stop(self) -> None:
        """Stop the fetch (its answer is dropped) or the playing."""
        self._token += 1
        self.fetching = False
        if self.playing:
            self.playing = False
            self.player.stop()
        self._set_busy(False)
        self._say(f"Stopped. {LISTEN_NOTE}")

    # -- a separate speech key ----------------------------------------------------------------------------

    def add_speech_key(self) -> None:
        from ...storage.secrets import StoreInfo
        from ..dialogs.key_entry import KeyEntryDialog

        account = self.account or self.controller.accounts.current or ""
        if not account:
            return
        store = self.controller.store or StoreInfo("the system keyring", True)
        dialog = KeyEntryDialog(self.window(), f"Speech key for “{account}”", store, name=account)
        dialog.setAccessibleName("Add a speech key")
        dialog.accepted.connect(lambda: self._save_speech_key(account, dialog.values()[1], not store.secure))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.key_dialog = dialog

    def _save_speech_key(self, account: str, key: str, session_only: bool) -> None:
        desk, cache = self.controller.desk, self.cache

        def save() -> None:
            desk.set_speech_key(account, key, session_only)
            cache.forget(account)

        self.controller.run(save, lambda _none: self._speech_key_saved(account), self._speech_key_failed, owner=self)

    def _speech_key_saved(self, account: str) -> None:
        self.speech_key_button.hide()
        self._say(f"The speech key for “{account}” is saved in the keyring. Press Listen to try again.")

    def _speech_key_failed(self, error: BaseException) -> None:
        _title, message = describe_error(error)
        self._say(message, problem=True)
