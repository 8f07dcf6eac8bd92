"""The Inno Setup script, checked on Linux (its compiler runs only on Windows, in CI): syntax,
references, and that every file it names exists in a Linux-built tree."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging" / "windows"))
import check_iss  # noqa: E402

ISS = ROOT / "packaging" / "windows" / "VoiceBroadcastDesk.iss"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the script in a tree laid out like a Linux build: dist/VoiceBroadcastDesk/."""
    (tmp_path / "packaging" / "windows").mkdir(parents=True)
    shutil.copy(ISS, tmp_path / "packaging" / "windows" / ISS.name)
    bundle = tmp_path / "dist" / "VoiceBroadcastDesk"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "VoiceBroadcastDesk").write_text("")  # the Linux name of VoiceBroadcastDesk.exe
    (tmp_path / "resources" / "icons").mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "icons" / "voice-broadcast-desk.ico", tmp_path / "resources" / "icons")
    return tmp_path / "packaging" / "windows" / ISS.name


def test_the_script_is_well_formed_and_its_files_are_in_a_linux_tree(tree):
    assert check_iss.check(tree) == []


def test_against_the_real_linux_build():
    """After `./dev installers` (CI runs it before the tests; build.sh runs the checker too)."""
    if not (ROOT / "dist" / "VoiceBroadcastDesk" / "VoiceBroadcastDesk").exists():
        pytest.skip("no Linux build in dist/ (run ./dev installers)")
    assert check_iss.check(ISS) == []


def edit(path: Path, old: str, new: str) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "problem"),
    [
        ("#endif", "", "#if without #endif"),
        ("Flags: unchecked", "Flags: uncheked", "no flag uncheked"),
        ("Tasks: desktopicon", "Tasks: startmenu", "task startmenu is not defined"),
        ("Check: HasSiteSettings", "Check: HasSiteSetings", "HasSiteSetings is not in [Code]"),
        ('DestDir: "{app}";', 'DestDir "{app}";', "not a 'Param: value"),
        ("[Icons]", "[Icon]", "unknown section [Icon]"),
        ("WizardStyle=modern", "WizardStyle=modern\nWizzardStyle=modern", "unknown [Setup] directive"),
        ("{cm:CreateDesktopIcon}", "{cm:CreateDesktopIkon}", "CreateDesktopIkon is not defined"),
        ("    exit;\n", "    begin exit;\n", "[Code] has"),
        ('Filename: "{app}\\VoiceBroadcastDesk.exe"', 'Filename: "{app}\\VoiceBroadcast.exe"', "is not in the bundle"),
        ("voice-broadcast-desk.ico", "missing.ico", "missing.ico not found"),
    ],
)
def test_mistakes_are_caught(tree, old, new, problem):
    edit(tree, old, new)
    problems = check_iss.check(tree)
    assert any(problem in p for p in problems), problems


def test_a_missing_bundle_is_caught(tree):
    shutil.rmtree(tree.parents[2] / "dist")
    assert any("not found" in p for p in check_iss.check(tree))


def test_silent_install_switches_and_site_settings_are_documented():
    text = ISS.read_text(encoding="utf-8")
    for switch in ("/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/ALLUSERS", "/SETTINGS=", "/LOG="):
        assert switch in text
    assert "{param:SETTINGS|}" in text and "uninsneveruninstall" in text
    assert "site-settings.json" in text and "{commonappdata}\\VoiceBroadcastDesk" in text
    assert "Windows Credential Manager" in text  # the uninstaller says what it leaves alone
