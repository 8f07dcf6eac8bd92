"""A non-editable install, run from another directory, finds the WSDL and every other resource."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = out.glob("voice_broadcast_desk-*.whl")
    return built


def test_wheel_ships_the_resources(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "desktop_app/resources/PhoneNotify.wsdl" in names
    assert "desktop_app/resources/icons/voice-broadcast-desk.svg" in names
    assert "desktop_app/sandbox/__main__.py" in names
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "voice-broadcast-desk = desktop_app.__main__:main" in entry_points


def test_installed_package_works_from_another_directory(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import desktop_app, sys;"
        "from desktop_app.resources import wsdl_path, resource_path;"
        "from desktop_app.service import PhoneNotifyClient;"
        "from desktop_app.sandbox import serve;"
        f"assert desktop_app.__file__.startswith({str(site)!r}), desktop_app.__file__;"
        "s = serve(); c = PhoneNotifyClient(s.url);"
        "print(wsdl_path().parent.name, resource_path('icons/voice-broadcast-desk.svg').exists(),"
        " c.cancel_by_reference_id('00000000-0000-0000-0000-000000000000', 'x').cancelled); s.stop()"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin", "PYTHONNOUSERSITE": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["resources", "True", "0"]
