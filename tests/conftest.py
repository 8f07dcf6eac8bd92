"""Shared fixtures. Each test gets a fresh profile (data, config, log dirs) and, where it needs one,
its own sandbox on 127.0.0.1 with a manual or system clock."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop_app.sandbox import ManualClock, Sandbox
from desktop_app.service import PhoneNotifyClient

KEY_A = "3f2b8c1e-5d4a-4b6f-9e7d-2a1c0b9f8e7d"
KEY_B = "7c6d5e4f-3a2b-4c1d-8e9f-0a1b2c3d4e5f"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sandbox(clock: ManualClock) -> Iterator[Sandbox]:
    with Sandbox(clock=clock) as server:
        yield server


@pytest.fixture
def live_sandbox() -> Iterator[Sandbox]:
    """A sandbox on the real clock (for tests that schedule "tomorrow")."""
    with Sandbox() as server:
        yield server


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[PhoneNotifyClient]:
    service = PhoneNotifyClient(sandbox.url, timeout=5)
    yield service
    service.close()


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated profile: platformdirs and QSettings point into tmp_path."""
    root = tmp_path / "profile"
    for var, sub in (
        ("XDG_DATA_HOME", "data"),
        ("XDG_CONFIG_HOME", "config"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CACHE_HOME", "cache"),
    ):
        (root / sub).mkdir(parents=True)
        monkeypatch.setenv(var, str(root / sub))
    return root
