"""The real Linux accessibility stack around the app, for tests/test_atspi*.py.

`Stack` starts, in the test's D-Bus session (tests/with_keyring.sh runs inside `dbus-run-session`;
without one it starts a private session bus of its own):

- a virtual X screen (Xvfb): Qt's AT-SPI bridge needs a real platform (xcb); the offscreen one
  has none, so nothing of an offscreen app is on the accessibility bus;
- the AT-SPI bus (at-spi-bus-launcher, which starts the registry);
- the reader (tests/atspi/reader.py under Debian's /usr/bin/python3 with pyatspi), which reads the
  app as a screen reader does and records its events;
- the app (tests/atspi/desk_app.py) with QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 on that screen.

It drives the app like a keyboard user: real key presses through the X server (xdotool, XTest).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SYSTEM_PYTHON = "/usr/bin/python3"
BUS_LAUNCHER = "/usr/libexec/at-spi-bus-launcher"
APP_NAME = "VoiceBroadcastDesk"  # the application's name on the bus (app.setApplicationName(APP_ID))

# Qt messages the stack itself causes, not the app: Qt's bridge has no GetApplicationBusAddress,
# which the registry asks every application for; and a client (the reader, as Orca would) asked
# about an object in the moment after it was deleted (a dialog that closed).
HARMLESS_QT = ('does not implement "GetApplicationBusAddress"', "Could not find accessible on path")


def _system_pyatspi() -> bool:
    if not os.path.exists(SYSTEM_PYTHON):
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True).returncode == 0


def missing_tools() -> list[str]:
    """What the stack needs that this machine lacks (the `dev` script installs them)."""
    needs = {
        "Xvfb (xvfb)": shutil.which("Xvfb"),
        "xdotool": shutil.which("xdotool"),
        f"{BUS_LAUNCHER} (at-spi2-core)": os.path.exists(BUS_LAUNCHER) or None,
        "pyatspi for /usr/bin/python3 (python3-pyatspi)": _system_pyatspi() or None,
    }
    return [name for name, found in needs.items() if not found]


class Stack:
    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.processes: list[subprocess.Popen] = []
        self.env = dict(os.environ)
        self.reader: subprocess.Popen | None = None
        self.apps: list[App] = []
        self.files: list[IO[str]] = []
        self.screen_fd = -1

    def log(self, path: Path) -> IO[str]:
        """A file a process writes its output to (closed when the stack stops)."""
        file = open(path, "w")  # noqa: SIM115 - open as long as the process
        self.files.append(file)
        return file

    # -- starting and stopping ---------------------------------------------------------------------

    def _start(self, args: list[str], **kwargs: Any) -> subprocess.Popen:
        process = subprocess.Popen(args, env=self.env, start_new_session=True, **kwargs)
        self.processes.append(process)
        return process

    def start(self) -> Stack:
        if not self.env.get("DBUS_SESSION_BUS_ADDRESS"):
            bus = self._start(
                ["dbus-daemon", "--session", "--nofork", "--print-address=1"], stdout=subprocess.PIPE, text=True
            )
            assert bus.stdout is not None
            self.env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
        self._start_screen()
        self.env.pop("WAYLAND_DISPLAY", None)
        self.env.update(
            {
                "QT_QPA_PLATFORM": "xcb",
                "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
                "XDG_RUNTIME_DIR": str(self._dir("runtime")),
                "XDG_CONFIG_HOME": str(self._dir("config")),
                "XDG_DATA_HOME": str(self._dir("data")),
                "XDG_STATE_HOME": str(self._dir("state")),
                "XDG_CACHE_HOME": str(self._dir("cache")),
            }
        )
        os.chmod(self.workdir / "runtime", 0o700)
        self._start([BUS_LAUNCHER, "--launch-immediately"], stderr=subprocess.DEVNULL)
        self.reader = self._start(
            [SYSTEM_PYTHON, str(HERE / "reader.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log(self.workdir / "reader.err"),
            text=True,
        )
        assert self._answer(30) == "ready"
        return self

    def _dir(self, name: str) -> Path:
        path = self.workdir / name
        path.mkdir(exist_ok=True)
        return path

    def _start_screen(self) -> None:
        """Xvfb on a display no one uses (other test runs may have theirs); its number once it is ready."""
        first = 300 + os.getpid() % 400
        for number in range(first, first + 50):
            if os.path.exists(f"/tmp/.X{number}-lock") or os.path.exists(f"/tmp/.X11-unix/X{number}"):
                continue
            read, write = os.pipe()
            screen = self._start(
                [
                    "Xvfb",
                    f":{number}",
                    "-displayfd",
                    str(write),
                    "-screen",
                    "0",
                    "1280x1024x24",
                    "-nolisten",
                    "tcp",
                ],
                pass_fds=(write,),
                stderr=self.log(self.workdir / "xvfb.err"),
            )
            os.close(write)
            ready, _, _ = select.select([read], [], [], 30)
            said = os.read(read, 64).decode().strip() if ready else ""
            if said == str(number) and screen.poll() is None:
                self.env["DISPLAY"] = f":{number}"
                self.screen_fd = read  # open while Xvfb runs: it fails when it cannot write to it
                return
            os.close(read)
            self.processes.remove(screen)
            if screen.poll() is None:
                screen.kill()
            screen.wait(10)
        raise AssertionError("no free X display for Xvfb")

    def stop(self) -> None:
        """Close the apps like a user (Ctrl+Q), then stop the rest."""
        for app in self.apps:
            app.close()
        if self.reader is not None and self.reader.poll() is None:
            with contextlib.suppress(AssertionError, OSError, ValueError):
                self.ask("quit")
        self._end_processes()

    def _end_processes(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)  # the group this process leads (its children)
                    process.wait(10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)
        for process in self.processes:
            for pipe in (process.stdin, process.stdout):
                if pipe is not None:
                    pipe.close()
        for file in self.files:
            file.close()
        if self.screen_fd >= 0:
            os.close(self.screen_fd)

    def launch(self, name: str, script: str, *args: str) -> App:
        """Start a Qt program (a script in tests/atspi/, under this Python, Python warnings as errors)
        that calls itself `name` on the bus, and give its window the keyboard focus."""
        app = App(self, name, self._dir(name))
        app.process = self._start(
            [sys.executable, "-W", "error", str(HERE / script), *args],
            stdout=self.log(app.log_dir / "out"),
            stderr=self.log(app.log_dir / "err"),
            cwd=ROOT,
        )
        self.apps.append(app)
        deadline = time.monotonic() + 60
        while True:
            try:
                self.ask("app", name=name, timeout=2)
                break
            except AssertionError as error:
                if app.process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"{error}\n{name} wrote: {app.errors()[-3000:]}") from None
        app.activate()
        return app

    # -- the reader ----------------------------------------------------------------------------------

    def _answer(self, timeout: float) -> Any:
        assert self.reader is not None and self.reader.stdout is not None
        ready, _, _ = select.select([self.reader.stdout], [], [], timeout)
        assert ready, f"the AT-SPI reader did not answer within {timeout} s: {self._reader_errors()}"
        line = self.reader.stdout.readline()
        assert line, f"the AT-SPI reader stopped: {self._reader_errors()}"
        answer = json.loads(line)
        assert answer["ok"], answer["error"]
        return answer["value"]

    def _reader_errors(self) -> str:
        return (self.workdir / "reader.err").read_text()[-2000:]

    def ask(self, op: str, timeout: float = 45, **request: Any) -> Any:
        assert self.reader is not None and self.reader.stdin is not None
        self.reader.stdin.write(json.dumps({"op": op, **request}) + "\n")
        self.reader.stdin.flush()
        return self._answer(timeout)

    @staticmethod
    def wait_for(condition: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(0.2)

    def xdotool(self, *args: str) -> str:
        run = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=30)
        assert run.returncode == 0, f"xdotool {' '.join(args)}: {run.stderr}"
        return run.stdout


class App:
    """One program on the bus, read through the stack's reader and driven by its keyboard."""

    def __init__(self, stack: Stack, name: str, log_dir: Path) -> None:
        self.stack, self.name, self.log_dir = stack, name, log_dir
        self.process: subprocess.Popen | None = None

    def errors(self) -> str:
        path = self.log_dir / "err"
        return path.read_text() if path.exists() else ""

    def qt_warnings(self) -> list[str]:
        """What the program wrote to stderr (Qt warnings, tracebacks), but what the stack itself causes."""
        lines = self.errors().splitlines()
        return [line for line in lines if line.strip() and not any(text in line for text in HARMLESS_QT)]

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(AssertionError, subprocess.SubprocessError, OSError):
                self.activate()
                self.key("ctrl+q")
                self.process.wait(15)

    # -- reading --------------------------------------------------------------------------------------

    def tree(self, everything: bool = False) -> list[dict]:
        return self.stack.ask("tree", app=self.name, all=everything)

    def find(self, **match: Any) -> list[dict]:
        return [node for node in self.tree() if all(node.get(k) == v for k, v in match.items())]

    def focused(self) -> dict | None:
        return self.stack.ask("focused", app=self.name)

    def mark(self) -> int:
        return self.stack.ask("count")

    def events(self, since: int = 0) -> list[dict]:
        return [e for e in self.stack.ask("events", since=since) if e.get("app") == self.name]

    def wait_for(self, condition: Callable[[], Any], timeout: float, what: str) -> Any:
        try:
            return self.stack.wait_for(condition, timeout, what)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.name} wrote: {self.errors()[-3000:]}") from None

    # -- driving, as a keyboard user -----------------------------------------------------------------

    def activate(self, title: str = "") -> None:
        """Give the keyboard focus to its window titled `title` (else its first), as a window
        manager does for a window that opens or is clicked (there is none on this screen)."""
        assert self.process is not None
        pid = str(self.process.pid)
        if not title:  # its first window on the bus (a tray icon has an X window of its own)
            tops = self.wait_for(lambda: [n for n in self.tree() if "." not in n["path"]], 30, f"{self.name}'s window")
            title = tops[0]["name"]

        def window() -> str:
            found = self.stack.xdotool("search", "--onlyvisible", "--pid", pid, "--name", ".").split()
            titled = [w for w in found if self.stack.xdotool("getwindowname", w).strip() == title]
            return titled[0] if titled else ""

        self.stack.xdotool("windowfocus", "--sync", self.wait_for(window, 20, f"the window {title!r}"))
        self.wait_for(lambda: self.focused() is not None, 20, f"the focus in {self.name}'s window {title!r}")

    def key(self, *keys: str) -> None:
        """Press keys in turn ("Tab", "ctrl+1", "alt+a", "Return") on the focused window."""
        self.stack.xdotool("key", "--delay", "60", *keys)

    def type(self, text: str) -> None:
        self.stack.xdotool("type", "--delay", "20", text)

    def focus_after(self, *keys: str) -> dict:
        """Press keys, then wait (a second at most) for the focus to move; what has it then."""
        since = self.mark()
        self.key(*keys)
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            if any(e.get("path") for e in self.events(since)):
                time.sleep(0.05)  # a focus move may come as two events (the window, then the control)
                break
            time.sleep(0.05)
        return self.wait_for(self.focused, 10, f"the focus after {keys}")

    def tab_to(self, name: str, limit: int = 12) -> dict:
        """Press Tab until the control called `name` has the focus (as a keyboard user finds it)."""
        now = self.focused()
        for _ in range(limit):
            if now is not None and now["name"] == name:
                return now
            now = self.focus_after("Tab")
        raise AssertionError(f"Tab never reached {name!r} in {self.name} (last: {now and now['name']!r})")
