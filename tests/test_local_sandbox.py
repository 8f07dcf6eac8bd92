"""The built-in sandbox in its own process (local_sandbox.py): it starts, answers the real wire
format, stops, and never outlives the app, even one that is killed."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
import requests

from desktop_app.local_sandbox import SandboxProcess, sandbox_command
from desktop_app.sandbox.accounts import normalise_key
from desktop_app.sandbox.control import key_digest
from desktop_app.service import PhoneNotifyClient
from desktop_app.service.reference_data import LEGACY_NAMESPACE, NAMESPACE
from tests.conftest import KEY_A

pytestmark = pytest.mark.timeout(60)


def _gone(pid: int, within: float = 10.0) -> bool:
    """The process has exited (a zombie waiting for a parent that does not reap counts as gone)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize(("namespace", "uri"), [("esendex", NAMESPACE), ("cdyne", LEGACY_NAMESPACE)])
def test_the_child_answers_in_its_namespace_and_stops(tmp_path, namespace, uri):
    log = tmp_path / "sandbox.log"
    sandbox = SandboxProcess.start(namespace, log)
    try:
        assert sandbox.process.pid != os.getpid() and sandbox.target_namespace == uri
        assert sandbox.url.startswith("http://127.0.0.1:")
        client = PhoneNotifyClient(sandbox.url, timeout=5, namespace=uri)
        assert client.get_version()
        wsdl = requests.get(sandbox.url + "?WSDL", timeout=5).text
        assert f'targetNamespace="{uri}"' in wsdl
    finally:
        sandbox.stop()
    assert sandbox.process.returncode is not None  # stopped, not left behind
    with pytest.raises(requests.ConnectionError):
        requests.get(sandbox.url + "?WSDL", timeout=2)


def test_a_child_that_cannot_start_is_a_plain_error(monkeypatch):
    from desktop_app import local_sandbox

    monkeypatch.setattr(local_sandbox, "sandbox_command", lambda: [sys.executable, "-c", "print('no')"])
    with pytest.raises(local_sandbox.SandboxStartError, match="did not start"):
        SandboxProcess.start()


def test_the_control_routes_are_off_unless_asked_for():
    plain = SandboxProcess.start()
    try:
        base = plain.url.split("/NotifyWS/")[0]
        assert requests.get(f"{base}/_sandbox/counters", timeout=5).status_code == 404
    finally:
        plain.stop()


def test_the_control_routes_move_the_clock_and_count_keys_only_as_digests():
    controlled = SandboxProcess.start(extra=("--control", "--manual-clock"))
    try:
        base = controlled.url.split("/NotifyWS/")[0]
        session = requests.Session()
        now = datetime.fromisoformat(session.post(f"{base}/_sandbox/clock?advance=0", timeout=5).text)
        later = datetime.fromisoformat(session.post(f"{base}/_sandbox/clock?advance=3600", timeout=5).text)
        assert later - now == timedelta(hours=1)
        assert session.post(f"{base}/_sandbox/clock?advance=nan", timeout=5).status_code == 400
        before = session.get(f"{base}/_sandbox/counters", timeout=5).json()
        statuses = f"{controlled.url}/GetMultipleQueueIdStatus"
        assert session.get(statuses, params={"QueueIDs": "1", "LicenseKey": KEY_A}, timeout=5).status_code == 200
        after = session.get(f"{base}/_sandbox/counters", timeout=5).json()
        assert after["requests_served"] == before["requests_served"] + 1  # control calls are not counted
        assert after["status_requests"] == {key_digest(normalise_key(KEY_A)): 1}
        assert KEY_A not in json.dumps(after) and KEY_A.replace("-", "") not in json.dumps(after)
    finally:
        controlled.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="SIGKILL, and /proc to see the child")
def test_the_child_ends_when_the_app_is_killed(tmp_path):
    """An app killed outright (no clean-up runs) still takes its sandbox with it: the child stops
    when its standard input, a pipe from the app, closes."""
    parent = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from desktop_app.local_sandbox import SandboxProcess\n"
            "s = SandboxProcess.start()\n"
            "print(s.process.pid, flush=True)\n"
            "import time\n"
            "time.sleep(60)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    child = 0
    try:
        child = int(parent.stdout.readline())
        assert not _gone(child, within=0.3)  # it is running
        parent.send_signal(signal.SIGKILL)
        parent.wait(10)
        assert _gone(child), "the sandbox outlived the app"
    finally:
        parent.kill()
        parent.stdout.close()
        if child:
            with contextlib.suppress(ProcessLookupError):  # left behind only if the test failed
                os.kill(child, signal.SIGKILL)


def test_the_frozen_program_runs_the_sandbox_with_its_own_flag(monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert sandbox_command() == [sys.executable, "--serve-sandbox"]
    monkeypatch.delattr(sys, "frozen")
    assert sandbox_command() == [sys.executable, "-m", "desktop_app.sandbox"]


def test_serve_sandbox_starts_the_simulator_from_the_programs_entry_point():
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "--serve-sandbox", "--port", "0", "--exit-with-stdin"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:")
        process.stdin.close()  # the app went away
        assert process.wait(10) == 0
    finally:
        process.kill()
        process.stdout.close()
