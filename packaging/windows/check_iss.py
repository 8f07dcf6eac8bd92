"""Check the Inno Setup script as far as Linux allows (Inno Setup's compiler is Windows-only and is
not packaged for Debian; CI compiles the script on Windows):

- the syntax: known sections, `Key=Value` lines in [Setup]/[Messages]/[CustomMessages], and
  `Param: value; ...` entries with known parameters and flags; balanced #if/#endif; quotes closed;
- references: every `Tasks:` names a task, every `Check:` a function in [Code], every `{cm:...}`
  a message, and [Code] has balanced begin/end;
- files: every source file it names exists in a Linux-built tree (the bundle's `VoiceBroadcastDesk`
  stands for `VoiceBroadcastDesk.exe`), and every `{app}\\...` program it runs is in that bundle.

    python packaging/windows/check_iss.py [packaging/windows/VoiceBroadcastDesk.iss]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ISS = Path(__file__).with_name("VoiceBroadcastDesk.iss")
ENTRY_SECTIONS = {
    "Tasks": ({"Name", "Description", "GroupDescription", "Flags", "Components", "Check"}, {"Name", "Description"}),
    "Files": (
        {"Source", "DestDir", "DestName", "Flags", "Tasks", "Check", "Permissions", "Excludes", "Components"},
        {"Source", "DestDir"},
    ),
    "Icons": (
        {"Name", "Filename", "Parameters", "WorkingDir", "IconFilename", "Comment", "Tasks", "Check"},
        {"Name", "Filename"},
    ),
    "Run": (
        {"Filename", "Parameters", "Description", "Flags", "WorkingDir", "StatusMsg", "Tasks", "Check"},
        {"Filename"},
    ),
    "UninstallRun": ({"Filename", "Parameters", "Flags", "RunOnceId", "WorkingDir", "Check"}, {"Filename"}),
    "UninstallDelete": ({"Type", "Name", "Check"}, {"Type", "Name"}),
    "Dirs": ({"Name", "Permissions", "Flags", "Check"}, {"Name"}),
}
FLAGS = {
    "Tasks": {"unchecked", "exclusive", "checkedonce", "dontinheritcheck", "restart"},
    "Files": {
        "ignoreversion",
        "recursesubdirs",
        "createallsubdirs",
        "external",
        "uninsneveruninstall",
        "onlyifdoesntexist",
        "skipifsourcedoesntexist",
        "confirmoverwrite",
        "restartreplace",
        "uninsrestartdelete",
        "comparetimestamp",
    },
    "Run": {
        "nowait",
        "postinstall",
        "skipifsilent",
        "runascurrentuser",
        "shellexec",
        "waituntilterminated",
        "unchecked",
    },
    "UninstallRun": {"runhidden", "waituntilterminated", "skipifdoesntexist"},
}
SETUP_KEYS = {
    "AppId",
    "AppName",
    "AppVersion",
    "AppVerName",
    "AppPublisher",
    "DefaultDirName",
    "DefaultGroupName",
    "DisableProgramGroupPage",
    "PrivilegesRequired",
    "PrivilegesRequiredOverridesAllowed",
    "OutputDir",
    "OutputBaseFilename",
    "SetupIconFile",
    "UninstallDisplayIcon",
    "Compression",
    "SolidCompression",
    "WizardStyle",
    "SetupLogging",
    "ArchitecturesAllowed",
    "ArchitecturesInstallIn64BitMode",
    "SignTool",
    "LicenseFile",
    "CloseApplications",
    "RestartApplications",
    "AppPublisherURL",
    "AppSupportURL",
    "VersionInfoVersion",
}
OTHER_SECTIONS = {"Setup", "Messages", "CustomMessages", "Code", "Languages"}
BUILTIN_MESSAGES = {"CreateDesktopIcon", "AdditionalIcons", "LaunchProgram"}
PARAM = re.compile(r'\s*(?P<key>[A-Za-z]+):\s*(?P<value>"(?:[^"]|"")*"|[^;"]*)\s*(?:;|$)')


def parse_entry(line: str) -> dict[str, str] | None:
    params, position = {}, 0
    while position < len(line):
        match = PARAM.match(line, position)
        if not match or match.end() == position:
            return None
        value = match["value"].strip()
        params[match["key"]] = value[1:-1].replace('""', '"') if value.startswith('"') else value
        position = match.end()
    return params


def bundle_path(root: Path, windows_path: str) -> Path:
    """`..\\..\\dist\\X\\*` relative to the script folder, as a Linux path; `.exe` is dropped."""
    path = (root / windows_path.replace("\\", "/")).resolve()
    return path.with_suffix("") if path.suffix.lower() == ".exe" else path


class Script:
    """What one pass over the script's lines collects, and the problems found on the way."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self.problems: list[str] = []
        self.section = ""
        self.depth = 0  # open #if/#ifdef/#ifndef
        self.code_lines: list[str] = []
        self.entries: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.settings: dict[str, dict[str, str]] = {}

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def code(self) -> str:
        return "\n".join(self.code_lines)


def read_script(iss: Path) -> Script:
    """Read the script line by line: the syntax problems, its entries, its settings and its [Code]."""
    script = Script(iss, iss.read_text(encoding="utf-8"))
    for number, raw in enumerate(script.text.splitlines(), 1):
        _read_line(script, number, raw)
    if script.depth:
        script.problems.append(f"{script.name}: #if without #endif")
    return script


def _read_line(script: Script, number: int, raw: str) -> None:
    line = raw.strip()
    where = f"{script.name}:{number}"
    if script.section == "Code" and not line.startswith("["):
        script.code_lines.append(raw)
    elif not line or line.startswith(";"):
        return
    elif line.startswith("#"):
        _read_directive(script, where, line)
    elif line.startswith("["):
        _read_section_header(script, where, line)
    else:
        if line.count('"') % 2:
            script.problems.append(f"{where}: unclosed quote")
        if script.section in ENTRY_SECTIONS:
            _read_entry(script, number, where, line)
        elif "=" in line:
            _read_setting(script, where, line)
        else:
            script.problems.append(f"{where}: expected Key=Value in [{script.section}]")


def _read_directive(script: Script, where: str, line: str) -> None:
    directive = line[1:].split()[0] if line[1:].split() else ""
    if directive in ("if", "ifdef", "ifndef"):
        script.depth += 1
    elif directive == "endif":
        script.depth -= 1
        if script.depth < 0:
            script.problems.append(f"{where}: #endif without #if")
    elif directive not in ("error", "define", "else", "elif", "include"):
        script.problems.append(f"{where}: unknown directive #{directive}")


def _read_section_header(script: Script, where: str, line: str) -> None:
    script.section = line.strip("[]")
    if script.section not in ENTRY_SECTIONS and script.section not in OTHER_SECTIONS:
        script.problems.append(f"{where}: unknown section [{script.section}]")


def _read_entry(script: Script, number: int, where: str, line: str) -> None:
    """A `Param: value; ...` line: known parameters, the required ones, known flags."""
    section = script.section
    params = parse_entry(line)
    known, required = ENTRY_SECTIONS[section]
    if params is None:
        script.problems.append(f"{where}: not a 'Param: value; ...' entry")
        return
    for key in set(params) - known:
        script.problems.append(f"{where}: [{section}] has no parameter {key}")
    for key in required - set(params):
        script.problems.append(f"{where}: [{section}] entry needs {key}")
    for flag in set(params.get("Flags", "").split()) - FLAGS.get(section, set()):
        script.problems.append(f"{where}: [{section}] has no flag {flag}")
    script.entries.setdefault(section, []).append((number, params))


def _read_setting(script: Script, where: str, line: str) -> None:
    """A `Key=Value` line; in [Setup], a known directive."""
    key, value = line.split("=", 1)
    script.settings.setdefault(script.section, {})[key.strip()] = value.strip()
    if script.section == "Setup" and key.strip() not in SETUP_KEYS:
        script.problems.append(f"{where}: unknown [Setup] directive {key.strip()}")


def code_balance_problems(script: Script) -> list[str]:
    """[Code]'s begin/case/try each closed by an end (strings, comments and {...} left out)."""
    code_words = re.findall(
        r"\b(begin|end|case|try)\b", re.sub(r"'[^']*'|\{[^}]*\}|//.*", "", script.code), re.IGNORECASE
    )
    opened = sum(1 for w in code_words if w.lower() != "end")
    if opened != len(code_words) - opened:
        return [f"{script.name}: [Code] has {opened} begin/case/try but {len(code_words) - opened} end"]
    return []


def message_problems(script: Script) -> list[str]:
    """Every `{cm:...}` and `CustomMessage('...')` names a [CustomMessages] entry or a built-in message."""
    messages = set(script.settings.get("CustomMessages", {})) | BUILTIN_MESSAGES
    used = re.findall(r"\{cm:(\w+)", script.text) + re.findall(r"CustomMessage\('(\w+)'\)", script.text)
    return [f"{script.name}: message {name} is not defined" for name in used if name not in messages]


def _entry_reference_problems(where: str, params: dict[str, str], tasks: set[str], functions: set[str]) -> list[str]:
    """An entry's `Tasks:` are defined in [Tasks]; its `Check:` is a function in [Code]."""
    problems = [
        f"{where}: task {task} is not defined in [Tasks]"
        for task in params.get("Tasks", "").split()
        if task not in tasks
    ]
    if params.get("Check") and params["Check"].split("(")[0] not in functions:
        problems.append(f"{where}: Check function {params['Check']} is not in [Code]")
    return problems


def _source_problems(where: str, params: dict[str, str], folder: Path, app_sources: list[Path]) -> list[str]:
    """A [Files] source exists in the Linux-built tree; a `...\\*` copied to {app} joins app_sources."""
    if "external" in params.get("Flags", "").split():
        return []
    problems = []
    source = bundle_path(folder, params["Source"])
    base = source.parent if source.name == "*" else source
    if not base.exists() or (source.name == "*" and not any(base.iterdir())):
        problems.append(f"{where}: source {params['Source']} not found ({base})")
    if params["DestDir"] == "{app}" and source.name == "*":
        app_sources.append(base)
    return problems


def entry_problems(script: Script, app_sources: list[Path]) -> list[str]:
    """Each entry's references and, for [Files], its source; fills app_sources (the bundle folders)."""
    functions = set(re.findall(r"^\s*(?:function|procedure)\s+(\w+)", script.code, re.MULTILINE | re.IGNORECASE))
    tasks = {params["Name"] for _, params in script.entries.get("Tasks", [])}
    problems: list[str] = []
    for section, items in script.entries.items():
        for number, params in items:
            where = f"{script.name}:{number}"
            problems += _entry_reference_problems(where, params, tasks, functions)
            if section == "Files":
                problems += _source_problems(where, params, script.path.parent, app_sources)
    return problems


def named_file_problems(script: Script) -> list[str]:
    """The [Setup] SetupIconFile and LicenseFile exist."""
    setup = script.settings.get("Setup", {})
    named = [setup.get(k, "") for k in ("SetupIconFile", "LicenseFile")]
    return [
        f"{script.name}: {name} not found"
        for name in filter(None, named)
        if not (script.path.parent / name.replace("\\", "/")).exists()
    ]


def program_problems(script: Script, app_sources: list[Path]) -> list[str]:
    """Every `{app}\\...` program that [Icons], [Run] or UninstallDisplayIcon names is in the bundle."""
    entries = script.entries
    programs = {v for s in ("Icons", "Run") for _, p in entries.get(s, []) for k, v in p.items() if k == "Filename"}
    programs.add(script.settings.get("Setup", {}).get("UninstallDisplayIcon", ""))
    problems = []
    for program in filter(None, programs):
        if program.startswith("{app}\\"):
            relative = program.removeprefix("{app}\\")
            if not any(bundle_path(base, relative).exists() for base in app_sources):
                problems.append(f"{script.name}: {program} is not in the bundle ({', '.join(map(str, app_sources))})")
    return problems


def check(iss: Path = ISS) -> list[str]:
    script = read_script(iss)
    problems = script.problems + code_balance_problems(script) + message_problems(script)
    app_sources: list[Path] = []
    problems += entry_problems(script, app_sources)
    problems += named_file_problems(script)
    problems += program_problems(script, app_sources)
    return problems


def main(argv: list[str]) -> int:
    iss = Path(argv[0]) if argv else ISS
    problems = check(iss)
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    if not problems:
        print(f"{iss}: syntax, references and every file it names are in place")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
