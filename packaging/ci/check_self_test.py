"""Run a built program's `--self-test` and check it the way CI does, on any system:

    python packaging/ci/check_self_test.py --expect "Windows Credential Manager" PROGRAM

It must exit 0, print exactly one line `self-test passed: ...; keyring backend: <name>` whose
backend contains the expected name (never the in-memory fallback) and write nothing to stderr.
Output is read through pipes, so a windowed Windows build is checked the same way (its streams are
the pipes; it is also waited for, which a shell does not do for a GUI program).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

# The backend, then (since issue 21) the connection the self-test used: "; connection: endpoint: …".
PASSED = re.compile(r"^self-test passed: .*; keyring backend: (?P<backend>[^;]+)(; connection: .+)?$")
TIMEOUT_SECONDS = 300


def check(program: Sequence[str], expect: str, timeout: float = TIMEOUT_SECONDS) -> list[str]:
    """The problems found (empty when the self-test passed as required)."""
    first = Path(program[0])
    program = [str(first.resolve()) if first.exists() else program[0], *program[1:]]  # Windows: no "/" paths
    try:
        result = subprocess.run(
            [*program, "--self-test"], capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        return [f"no answer within {timeout:.0f} seconds"]
    except OSError as error:
        return [f"could not start {program[0]}: {error}"]
    problems = []
    lines = result.stdout.splitlines()
    print(f"exit {result.returncode}: {result.stdout.strip()}")
    if result.returncode != 0:
        problems.append(f"exit code {result.returncode}")
    match = PASSED.match(lines[0]) if len(lines) == 1 else None
    if match is None:
        problems.append(f"expected one 'self-test passed' line, got {len(lines)} line(s)")
    elif expect not in match["backend"]:
        problems.append(f"keyring backend is {match['backend']!r}, expected {expect!r}")
    if result.stderr.strip():
        problems.append(f"wrote to stderr:\n{result.stderr.rstrip()}")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expect", required=True, help="the keyring backend the line must name")
    parser.add_argument("program", nargs="+", help="the program (and any arguments before --self-test)")
    args = parser.parse_args(argv)
    problems = check(args.program, args.expect)
    for problem in problems:
        print(f"FAIL: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
