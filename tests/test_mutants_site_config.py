"""The administrator's site settings file, read key by key, with the exact messages an administrator
sees (written to kill the mutants mutmut left alive in desktop_app/storage/site_config.py; see
docs/testing.md). No Qt, no network."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

import pytest

from desktop_app.storage import site_config
from desktop_app.storage.site_config import (
    MAX_SITE_FILE_BYTES,
    SITE_CONFIG_VARIABLE,
    SiteConfig,
    check_site_config,
    load_site_config,
    site_config_path,
)

CORP = "https://voice.example.com/NotifyWS/PhoneNotify.asmx"
KEY = "3f2a9c1e-0000-4000-8000-1234567890ab"
KNOWN = (
    "endpoint, timeout_seconds, use_system_proxy, ca_bundle, proxy, proxy_pac_url, default_caller_id, accounts, "
    "default_account, calling_window"
)


def write(path: Path, data: object) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
    return path


def loaded(tmp_path: Path, data: object) -> SiteConfig:
    return load_site_config(write(tmp_path / "site-settings.json", data))


def only_problem(tmp_path: Path, key: str, value: object) -> str:
    """The one problem reported for a file that sets `key` (on line 2) to `value`."""
    site = loaded(tmp_path, {key: value})
    assert key not in site.values
    (problem,) = site.problems
    return problem


# -- each key's check -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "read"),
    [
        ("endpoint", f"  {CORP}  ", CORP),
        ("endpoint", "http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"),
        ("timeout_seconds", 1, 1.0),
        ("timeout_seconds", 300, 300.0),
        ("timeout_seconds", 12.5, 12.5),
        ("use_system_proxy", False, False),
        ("use_system_proxy", True, True),
        ("default_caller_id", " (757) 555-0100 ", "7575550100"),
        ("default_caller_id", "  ", ""),
        ("proxy", " proxy.corp.example:8080 ", "http://proxy.corp.example:8080"),
        ("proxy", "", ""),
        ("proxy_pac_url", " http://wpad.corp.example/proxy.pac ", "http://wpad.corp.example/proxy.pac"),
        ("accounts", [" Support ", "Billing", "Support"], ["Support", "Billing"]),
        ("accounts", [], []),
        ("default_account", " Support ", "Support"),
        ("default_account", "n" * 100, "n" * 100),
    ],
)
def test_each_key_reads_its_checked_value(tmp_path, key, value, read):
    site = loaded(tmp_path, {key: value})
    assert site.problems == () and site.locked == frozenset()
    assert dict(site.values) == {key: read}
    assert type(site.values[key]) is type(read)


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("endpoint", 3, "the address must be text in quotes"),
        (
            "endpoint",
            "ftp://voice.example.com/x",
            "Enter the service address, like https://ws.esendex.us/NotifyWS/PhoneNotify.asmx",
        ),
        (
            "endpoint",
            "http://voice.example.com/x",
            "The address must start with https:// (only a local test server may use http://).",
        ),
        ("timeout_seconds", 0, "the timeout must be a number of seconds from 1 to 300"),
        ("timeout_seconds", 0.99, "the timeout must be a number of seconds from 1 to 300"),
        ("timeout_seconds", 300.5, "the timeout must be a number of seconds from 1 to 300"),
        ("timeout_seconds", True, "the timeout must be a number of seconds from 1 to 300"),
        ("timeout_seconds", "30", "the timeout must be a number of seconds from 1 to 300"),
        ("use_system_proxy", 1, "it must be true or false (without quotes)"),
        ("use_system_proxy", "true", "it must be true or false (without quotes)"),
        ("default_caller_id", 7575550100, "the caller ID must be text in quotes"),
        (
            "default_caller_id",
            "12",
            "A caller ID number needs 10 digits (US/Canada), like 757-555-9999. This one has 2.",
        ),
        ("proxy", 8080, "the proxy address must be text in quotes"),
        (
            "proxy",
            "socks5://proxy:1080",
            "SOCKS proxies are not supported: ask your IT department for the HTTP proxy's address",
        ),
        ("proxy_pac_url", ["x"], "the PAC address must be text in quotes"),
        ("proxy_pac_url", "http:///proxy.pac", "the PAC address has no server name"),
        ("ca_bundle", 1, "the certificate file's path must be text in quotes"),
        ("accounts", "Support", 'it must be a list of account names, like ["Support", "Billing"]'),
        ("accounts", ["Support", 3], "an account name must be text in quotes"),
        ("accounts", ["Support", ""], "an account name must be 1 to 100 characters on one line"),
        ("default_account", "n" * 101, "an account name must be 1 to 100 characters on one line"),
        ("default_account", "Two\nlines", "an account name must be 1 to 100 characters on one line"),
        ("default_account", "Tab\there", "an account name must be 1 to 100 characters on one line"),
        (
            "default_account",
            f"Support {KEY.upper()}",
            "an account name looks like a license key; keys never go in this file, only account names",
        ),
    ],
)
def test_a_bad_value_names_its_key_and_line_and_says_what_is_wrong(tmp_path, key, value, words):
    assert only_problem(tmp_path, key, value) == f'line 2: "{key}": {words}'


def test_a_certificate_file_that_is_missing_is_reported_without_the_final_full_stop(tmp_path):
    missing = tmp_path / "corp.pem"
    assert only_problem(tmp_path, "ca_bundle", str(missing)) == (
        f'line 2: "ca_bundle": The certificate file {missing} could not be read: there is no such file on this computer'
    )


def test_a_certificate_file_that_is_usable_is_kept_by_its_path(tmp_path, certificate):
    site = loaded(tmp_path, {"ca_bundle": f" {certificate[0]} "})
    assert site.problems == () and site.values == {"ca_bundle": str(certificate[0])}


# -- keys that are not settings ---------------------------------------------------------------------


@pytest.mark.parametrize("key", ["license_key", "LicenseKey", "proxy_password", "Secret", "api_token"])
def test_a_key_that_sounds_like_a_secret_is_refused_without_its_value(tmp_path, key):
    problem = only_problem(tmp_path, key, KEY)
    assert problem == f'line 2: "{key}" is not allowed: passwords and license keys are never read from this file'


def test_an_unknown_key_lists_the_known_ones(tmp_path):
    assert only_problem(tmp_path, "colour", "blue") == (
        f'line 2: "colour" is not a setting this app knows (known: {KNOWN})'
    )


def test_keys_starting_with_an_underscore_are_comments(tmp_path):
    site = loaded(tmp_path, {"_comment": "set by IT", "_license_key": KEY, "timeout_seconds": 20})
    assert site.problems == () and dict(site.values) == {"timeout_seconds": 20.0}


# -- locks ------------------------------------------------------------------------------------------


def test_a_value_in_a_lock_object_is_read_and_locked_only_when_locked_is_true(tmp_path):
    site = loaded(
        tmp_path,
        {
            "endpoint": {"value": CORP, "locked": True},
            "timeout_seconds": {"value": 20, "locked": False},
            "use_system_proxy": {"value": False},
        },
    )
    assert site.problems == ()
    assert dict(site.values) == {"endpoint": CORP, "timeout_seconds": 20.0, "use_system_proxy": False}
    assert site.locked == frozenset({"endpoint"})


@pytest.mark.parametrize(
    "entry",
    [
        {"locked": True},
        {"value": CORP, "lock": True},
        {"value": CORP, "locked": True, "note": "x"},
        {"value": CORP, "locked": "yes"},
        {"value": CORP, "locked": 1},
        {},
    ],
)
def test_a_lock_object_of_another_shape_is_refused(tmp_path, entry):
    assert only_problem(tmp_path, "endpoint", entry) == (
        'line 2: "endpoint" must be a value or {"value": ..., "locked": true or false}'
    )


def test_a_bad_locked_value_is_reported_and_not_locked(tmp_path):
    site = loaded(tmp_path, {"timeout_seconds": {"value": 0, "locked": True}, "proxy": "proxy:8080"})
    assert site.locked == frozenset() and dict(site.values) == {"proxy": "http://proxy:8080"}
    assert site.problems == ('line 2: "timeout_seconds": the timeout must be a number of seconds from 1 to 300',)


# -- lines, and the file as a whole ----------------------------------------------------------------


def test_each_problem_names_the_line_where_its_key_is_set(tmp_path):
    text = '{\n  "_comment": "x",\n\n  "timeout_seconds": 0,\n  "proxy" :\n    "socks://p:1",\n  "colour": 1\n}'
    problems = loaded(tmp_path, text).problems
    assert [problem.split(":")[0] for problem in problems] == ["line 4", "line 5", "line 7"]


def test_a_key_whose_line_cannot_be_found_is_reported_on_line_1(tmp_path):
    # JSON lets a key be written with escapes; the message falls back to line 1.
    text = '{\n  "timeout_second\\u0073": 0\n}'
    assert loaded(tmp_path, text).problems == (
        'line 1: "timeout_seconds": the timeout must be a number of seconds from 1 to 300',
    )


def test_a_key_with_regular_expression_characters_is_found_on_its_line(tmp_path):
    text = '{\n  "a.b": 1,\n  "a+b(": 2\n}'
    assert [p.split(":")[0] for p in loaded(tmp_path, text).problems] == ["line 2", "line 3"]


def test_a_missing_file_is_simply_no_site_settings(tmp_path):
    assert load_site_config(tmp_path / "missing.json") == SiteConfig()
    assert load_site_config(None) == SiteConfig()


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (
            b'{\n  "endpoint": "https://a.example.com/x",\n  "timeout_seconds" 30\n}',
            "line 3, column 21: Expecting ':' delimiter",
        ),
        (b"", "line 1, column 1: Expecting value"),
        (b"[1, 2]", "line 1: it must be one JSON object, { ... }"),
        (b"null", "line 1: it must be one JSON object, { ... }"),
        (b"\xff\xfe{", "it is not UTF-8 text"),
        (b"[" * 100_000 + b"]" * 100_000, "it is nested too deeply"),
    ],
)
def test_a_file_that_cannot_be_used_at_all_says_why(tmp_path, content, why):
    path = tmp_path / "site.json"
    path.write_bytes(content)
    site = load_site_config(path)
    assert site == SiteConfig(path, problems=(f"could not be used: {why}",))
    assert site.problem == (
        f"The administrator's settings file {path} could not be used: {why}. "
        "The app uses its usual settings instead. Please tell your IT department."
    )


def test_a_file_of_exactly_the_largest_size_is_read_and_one_byte_more_is_refused(tmp_path):
    path = tmp_path / "site.json"
    body = '{"timeout_seconds": 20}'
    path.write_bytes((body + " " * (MAX_SITE_FILE_BYTES - len(body))).encode())
    assert load_site_config(path).values == {"timeout_seconds": 20.0}
    path.write_bytes((body + " " * (MAX_SITE_FILE_BYTES + 1 - len(body))).encode())
    assert load_site_config(path).problems == ("could not be used: it is larger than 256000 bytes",)


def test_a_folder_instead_of_a_file_cannot_be_read(tmp_path):
    wording = "Permission denied" if sys.platform == "win32" else "Is a directory"  # each system's own
    assert load_site_config(tmp_path).problems == (f"could not be used: it cannot be read ({wording})",)


def test_a_byte_order_mark_is_skipped(tmp_path):
    path = tmp_path / "site.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"timeout_seconds": 20}).encode())
    assert load_site_config(path) == SiteConfig(path, {"timeout_seconds": 20.0})


def test_an_unexpected_failure_while_reading_is_reported_by_its_kind_only(tmp_path, monkeypatch, caplog):
    path = tmp_path / "site.json"

    def broken(_path):
        raise RuntimeError(KEY)

    monkeypatch.setattr(site_config, "_load", broken)
    with caplog.at_level(logging.WARNING, logger=site_config.__name__):
        site = load_site_config(path)
    assert site == SiteConfig(path, problems=("could not be used (RuntimeError)",))
    assert site.problem.startswith(f"The administrator's settings file {path} could not be used (RuntimeError). ")
    assert caplog.messages == [f"site settings {path} ignored: RuntimeError"]


def test_loading_logs_what_was_applied_or_each_problem(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="desktop_app")
    good = write(
        tmp_path / "good.json", {"endpoint": {"value": CORP, "locked": True}, "proxy": {"value": "p:1", "locked": True}}
    )
    load_site_config(good)
    assert caplog.messages == [f"site settings {good} applied (locked: endpoint, proxy)"]
    caplog.clear()
    load_site_config(write(tmp_path / "open.json", {"timeout_seconds": 20}))
    assert caplog.messages == [f"site settings {tmp_path / 'open.json'} applied (locked: none)"]
    caplog.clear()
    bad = write(tmp_path / "bad.json", {"timeout_seconds": 0, "colour": 1})
    load_site_config(bad)
    (record,) = caplog.records
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        f'site settings {bad}: 2 problem(s): line 2: "timeout_seconds": the timeout must be a number of seconds '
        f'from 1 to 300; line 3: "colour" is not a setting this app knows (known: {KNOWN})'
    )


def test_several_problems_are_listed_in_one_message(tmp_path):
    site = loaded(tmp_path, {"timeout_seconds": 0, "use_system_proxy": "no", "proxy": "p:1"})
    assert site.problem == (
        f"Some settings in the administrator's settings file {site.path} were ignored "
        '(line 2: "timeout_seconds": the timeout must be a number of seconds from 1 to 300; '
        'line 3: "use_system_proxy": it must be true or false (without quotes)). '
        "The app uses its usual values for those. Please tell your IT department."
    )


# -- where the file is ------------------------------------------------------------------------------


def test_the_variable_names_the_file_and_a_blank_one_is_ignored(tmp_path):
    assert site_config_path({SITE_CONFIG_VARIABLE: f"  {tmp_path / 'x.json'}  "}, "win32") == tmp_path / "x.json"
    assert site_config_path({SITE_CONFIG_VARIABLE: "   "}, "linux") == Path(
        "/etc/xdg/VoiceBroadcastDesk/site-settings.json"
    )


def test_on_freebsd_the_xdg_folders_are_searched_like_on_linux(tmp_path):
    (tmp_path / "VoiceBroadcastDesk").mkdir()
    (tmp_path / "VoiceBroadcastDesk" / "site-settings.json").write_text("{}")
    assert site_config_path({"XDG_CONFIG_DIRS": f" {os.pathsep}{tmp_path}"}, "freebsd13") == (
        tmp_path / "VoiceBroadcastDesk" / "site-settings.json"
    )
    assert site_config_path({}, "freebsd13") == Path("/etc/xdg/VoiceBroadcastDesk/site-settings.json")


def test_a_folder_with_the_app_folder_but_without_the_file_is_passed_over(tmp_path):
    (tmp_path / "a" / "VoiceBroadcastDesk").mkdir(parents=True)
    (tmp_path / "b" / "VoiceBroadcastDesk").mkdir(parents=True)
    (tmp_path / "b" / "VoiceBroadcastDesk" / "site-settings.json").write_text("{}")
    dirs = f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}"  # ':' on Linux
    assert (
        site_config_path({"XDG_CONFIG_DIRS": dirs}, "linux")
        == tmp_path / "b" / "VoiceBroadcastDesk" / "site-settings.json"
    )


def test_without_arguments_the_process_environment_and_platform_are_used(tmp_path, monkeypatch):
    monkeypatch.setenv(SITE_CONFIG_VARIABLE, str(tmp_path / "from-env.json"))
    assert site_config_path() == tmp_path / "from-env.json"


# -- --check-site-config ----------------------------------------------------------------------------


def test_check_site_config_prints_each_value_and_its_lock_and_says_ok(tmp_path, capsys):
    path = write(tmp_path / "site.json", {"endpoint": {"value": CORP, "locked": True}, "accounts": ["Süd", "Nord"]})
    assert check_site_config(path) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"site settings: {path}",
        f'  endpoint = "{CORP}" (locked)',
        '  accounts = ["Süd", "Nord"]',
        "site settings: OK",
    ]


def test_check_site_config_without_a_file_says_the_usual_settings_apply(tmp_path, capsys):
    path = tmp_path / "missing.json"
    assert check_site_config(path) == 0
    assert capsys.readouterr().out == f"site settings: {path}: no file (the app uses its usual settings)\n"


def test_check_site_config_prints_the_problems_and_fails(tmp_path, capsys):
    path = write(tmp_path / "site.json", {"timeout_seconds": 20, "colour": 1})
    assert check_site_config(path) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [f"site settings: {path}", "  timeout_seconds = 20.0"]
    assert out[2] == load_site_config(path).problem and len(out) == 3


def test_check_site_config_of_an_unusable_file_fails(tmp_path, capsys):
    path = tmp_path / "site.json"
    path.write_bytes(b"[]")
    assert check_site_config(path) == 1
    assert capsys.readouterr().out.splitlines() == [f"site settings: {path}", load_site_config(path).problem]


def test_check_site_config_reads_the_usual_file_by_default(tmp_path, monkeypatch, capsys):
    path = write(tmp_path / "site.json", {"timeout_seconds": 20})
    monkeypatch.setenv(SITE_CONFIG_VARIABLE, str(path))
    assert check_site_config() == 0
    assert capsys.readouterr().out.splitlines()[0] == f"site settings: {path}"


# -- the calling window and a file that starts with a blank line --------------------------------------


def test_the_calling_window_is_read_in_its_usual_form_and_may_be_locked(tmp_path):
    site = loaded(tmp_path, {"calling_window": {"value": " 8:00 – 21:00 ", "locked": True}})
    assert site.problems == () and dict(site.values) == {"calling_window": "08:00-21:00"}
    assert site.locked == frozenset({"calling_window"})


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (800, 'the calling window must be text like "08:00-21:00"'),
        ("8 to 9", 'the calling window must be two 24-hour times like "08:00-21:00"'),
        ("21:00-08:00", "the calling window must start before it ends (on the same day)"),
    ],
)
def test_a_bad_calling_window_says_why(tmp_path, value, words):
    assert only_problem(tmp_path, "calling_window", value) == f'line 2: "calling_window": {words}'


def test_a_file_that_starts_with_a_blank_line_still_names_the_right_line(tmp_path):
    assert loaded(tmp_path, '\n{\n  "colour": 1\n}').problems[0].startswith("line 3: ")
