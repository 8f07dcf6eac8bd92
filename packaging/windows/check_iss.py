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


def check(iss: Path = ISS) -> list[str]:
    problems: list[str] = []
    folder = iss.parent
    section, depth, code_lines = "", 0, []
    entries: dict[str, list[tuple[int, dict[str, str]]]] = {}
    settings: dict[str, dict[str, str]] = {}
    for number, raw in enumerate(iss.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        where = f"{iss.name}:{number}"
        if section == "Code" and not line.startswith("["):
            code_lines.append(raw)
            continue
        if not line or line.startswith(";"):
            continue
        if line.startswith("#"):
            directive = line[1:].split()[0] if line[1:].split() else ""
            if directive in ("if", "ifdef", "ifndef"):
                depth += 1
            elif directive == "endif":
                depth -= 1
                if depth < 0:
                    problems.append(f"{where}: #endif without #if")
            elif directive not in ("error", "define", "else", "elif", "include"):
                problems.append(f"{where}: unknown directive #{directive}")
            continue
        if line.startswith("["):
            section = line.strip("[]")
            if section not in ENTRY_SECTIONS and section not in OTHER_SECTIONS:
                problems.append(f"{where}: unknown section [{section}]")
            continue
        if line.count('"') % 2:
            problems.append(f"{where}: unclosed quote")
        if section in ENTRY_SECTIONS:
            params = parse_entry(line)
            known, required = ENTRY_SECTIONS[section]
            if params is None:
                problems.append(f"{where}: not a 'Param: value; ...' entry")
                continue
            for key in set(params) - known:
                problems.append(f"{where}: [{section}] has no parameter {key}")
            for key in required - set(params):
                problems.append(f"{where}: [{section}] entry needs {key}")
            for flag in set(params.get("Flags", "").split()) - FLAGS.get(section, set()):
                problems.append(f"{where}: [{section}] has no flag {flag}")
            entries.setdefault(section, []).append((number, params))
        elif "=" in line:
            key, value = line.split("=", 1)
            settings.setdefault(section, {})[key.strip()] = value.strip()
            if section == "Setup" and key.strip() not in SETUP_KEYS:
                problems.append(f"{where}: unknown [Setup] directive {key.strip()}")
        else:
            problems.append(f"{where}: expected Key=Value in [{section}]")
    if depth:
        problems.append(f"{iss.name}: #if without #endif")

    code = "\n".join(code_lines)
    code_words = re.findall(r"\b(begin|end|case|try)\b", re.sub(r"'[^']*'|\{[^}]*\}|//.*", "", code), re.IGNORECASE)
    opened = sum(1 for w in code_words if w.lower() != "end")
    if opened != len(code_words) - opened:
        problems.append(f"{iss.name}: [Code] has {opened} begin/case/try but {len(code_words) - opened} end")
    functions = set(re.findall(r"^\s*(?:function|procedure)\s+(\w+)", code, re.MULTILINE | re.IGNORECASE))
    tasks = {params["Name"] for _, params in entries.get("Tasks", [])}
    messages = set(settings.get("CustomMessages", {})) | BUILTIN_MESSAGES
    text = iss.read_text(encoding="utf-8")
    for name in re.findall(r"\{cm:(\w+)", text) + re.findall(r"CustomMessage\('(\w+)'\)", text):
        if name not in messages:
            problems.append(f"{iss.name}: message {name} is not defined")
    app_sources: list[Path] = []
    for section, items in entries.items():
        for number, params in items:
            where = f"{iss.name}:{number}"
            for task in params.get("Tasks", "").split():
                if task not in tasks:
                    problems.append(f"{where}: task {task} is not defined in [Tasks]")
            if params.get("Check") and params["Check"].split("(")[0] not in functions:
                problems.append(f"{where}: Check function {params['Check']} is not in [Code]")
            if section == "Files" and "external" not in params.get("Flags", "").split():
                source = bundle_path(folder, params["Source"])
                base = source.parent if source.name == "*" else source
                if not base.exists() or (source.name == "*" and not any(base.iterdir())):
                    problems.append(f"{where}: source {params['Source']} not found ({base})")
                if params["DestDir"] == "{app}" and source.name == "*":
                    app_sources.append(base)
    named = [settings.get("Setup", {}).get(k, "") for k in ("SetupIconFile", "LicenseFile")]
    for name in filter(None, named):
        if not (folder / name.replace("\\", "/")).exists():
            problems.append(f"{iss.name}: {name} not found")
    programs = {v for s in ("Icons", "Run") for _, p in entries.get(s, []) for k, v in p.items() if k == "Filename"}
    programs.add(settings.get("Setup", {}).get("UninstallDisplayIcon", ""))
    for program in filter(None, programs):
        if program.startswith("{app}\\"):
            relative = program.removeprefix("{app}\\")
            if not any(bundle_path(base, relative).exists() for base in app_sources):
                problems.append(f"{iss.name}: {program} is not in the bundle ({', '.join(map(str, app_sources))})")
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
