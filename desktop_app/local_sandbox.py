"""The built-in sandbox as a child process: the app's training mode and the self-test.

In its own process the simulator shares no interpreter lock with the window, so building answers
never delays a repaint, and its start-up (its imports) runs on another core (the app
starts it after the first paint; the self-test beside its window). The child stops when its
standard input closes, so it ends with the app even if the app is killed. A frozen build runs
itself with `--serve-sandbox`; from source it is `python -m desktop_app.sandbox`.

Training mode passes a state file in the profile's data folder (TRAINING_STATE_FILE): the
sandbox keeps its calls there, so they survive a restart of the app, and answers a reset from
"Reset the training data" (`reset_training_data()`, through its loopback control route).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

START_TIMEOUT_SECONDS = 20  # a cold start of a frozen build on a slow disk; normally well under 1 s
STOP_TIMEOUT_SECONDS = 3
LISTENING = "listening on "
SANDBOX_NICENESS = 10
CHILD_WITHOUT = frozenset({"VOICE_BROADCAST_SELFTEST_KEY"})
TRAINING_STATE_FILE = "training-sandbox.json"  # in the profile's data folder
RESET_TIMEOUT_SECONDS = 10
RESET_HEADER = ("X-Sandbox-Control", "reset")  # the sandbox's control.RESET_HEADER (it shares no code)


class SandboxStartError(RuntimeError):
    pass


class SandboxResetError(RuntimeError):
    pass


def sandbox_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, "--serve-sandbox"]
    return [sys.executable, "-m", "desktop_app.sandbox"]


class SandboxProcess:
    """A running sandbox child: `url`, `target_namespace`, `now()` and `stop()`, like the in-process
    `Sandbox` the tests use."""

    def __init__(self, process: subprocess.Popen[bytes], url: str, namespace_uri: str) -> None:
        self.process = process
        self.url = url
        self.target_namespace = namespace_uri

    @classmethod
    def start(
        cls,
        namespace: str = "esendex",
        log_file: Path | None = None,
        extra: tuple[str, ...] = (),
        state_file: Path | None = None,
    ) -> SandboxProcess:
        """Start the child and wait (on the caller's thread, never the GUI's) for its address.
        With `state_file` the child keeps its calls there and answers `reset_training_data()`."""
        from .logging_setup import LOG_MAX_BYTES  # the app's own log's limit: past it the old log is kept as .1
        from .service.reference_data import LEGACY_NAMESPACE, NAMESPACE

        command = [*sandbox_command(), "--port", "0", "--namespace", namespace, "--exit-with-stdin", *extra]
        if state_file is not None:
            command += ["--state-file", str(state_file), "--allow-reset"]
        if log_file is not None and log_file.exists() and log_file.stat().st_size > LOG_MAX_BYTES:
            log_file.replace(log_file.with_name(log_file.name + ".1"))
        log_stream = open(log_file, "ab") if log_file else None  # noqa: SIM115 (closed below)
        # The child needs none of the app's secrets, not even a self-test key from the environment.
        environment = {name: value for name, value in os.environ.items() if name not in CHILD_WITHOUT}
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log_stream if log_stream is not None else subprocess.DEVNULL,
                env=environment,
                # No console flash on Windows; below the window's priority everywhere: on two cores
                # the simulator's work must not keep the window's thread waiting for a core.
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0)
                | getattr(subprocess, "BELOW_NORMAL_PRIORITY_CLASS", 0),
            )
            with contextlib.suppress(AttributeError, OSError):  # POSIX: nice +10
                os.setpriority(os.PRIO_PROCESS, process.pid, SANDBOX_NICENESS)
        finally:
            if log_stream is not None:
                log_stream.close()
        url = _first_line(process)
        if not url.startswith(LISTENING):
            _end(process)
            raise SandboxStartError("The built-in sandbox did not start.")
        return cls(process, url[len(LISTENING) :], LEGACY_NAMESPACE if namespace == "cdyne" else NAMESPACE)

    def now(self) -> datetime:
        return datetime.now(UTC)

    def reset_training_data(self) -> int:
        """Ask the child to forget every call of every account (its loopback control route, never
        a proxy); answers how many calls it deleted. Raises SandboxResetError in plain words."""
        import urllib.error  # here, not at start-up: only the reset needs them
        import urllib.request

        address = self.url.split("/NotifyWS/")[0] + "/_sandbox/reset"
        request = urllib.request.Request(address, data=b"", method="POST", headers=dict([RESET_HEADER]))
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback: no proxy
        try:
            with opener.open(request, timeout=RESET_TIMEOUT_SECONDS) as answer:
                return int(json.loads(answer.read())["calls_deleted"])
        except urllib.error.HTTPError as error:
            error.close()
            raise SandboxResetError(f"The training sandbox refused the reset (HTTP {error.code}).") from None
        except (OSError, ValueError, KeyError, TypeError):
            raise SandboxResetError("The training sandbox did not answer the reset.") from None

    def stop(self) -> None:
        _end(self.process)


def _first_line(process: subprocess.Popen[bytes]) -> str:
    """The child's first line, or "" if it says nothing in time (a reader thread: pipes cannot be
    polled with a timeout on Windows)."""
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        line = process.stdout.readline() if process.stdout is not None else b""  # (it is a pipe)
        lines.put(line.decode("utf-8", "replace").strip())

    threading.Thread(target=read, name="sandbox-start", daemon=True).start()
    try:
        return lines.get(timeout=START_TIMEOUT_SECONDS)
    except queue.Empty:
        return ""


def _end(process: subprocess.Popen[bytes]) -> None:
    """Stop at once: what the sandbox keeps is on disk after every change, written atomically."""
    with contextlib.suppress(OSError):
        if process.stdin is not None:  # (both are pipes)
            process.stdin.close()
    with contextlib.suppress(OSError):
        process.terminate()
    try:
        process.wait(STOP_TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(STOP_TIMEOUT_SECONDS)
    with contextlib.suppress(OSError):
        if process.stdout is not None:
            process.stdout.close()
