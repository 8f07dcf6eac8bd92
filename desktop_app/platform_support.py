"""What differs between Windows, macOS and Linux at start-up, kept small and testable anywhere.

The Windows build is windowed (no console window flashes up for staff), so it starts without
stdout. A command-line run such as `--self-test` from a Command Prompt would then print nothing:
`attach_parent_console` connects the streams to the console that started the program. The Windows
call is injected (`kernel32`), so the logic is tested on any system.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import IO, TYPE_CHECKING, Any, Protocol

ATTACH_PARENT_PROCESS = 0xFFFFFFFF  # (DWORD)-1: the console of the process that started this one
CONSOLE_ARGUMENTS = ("--self-test", "--check-site-config", "--version", "--help", "-h")


if TYPE_CHECKING:  # only the type checker needs these shapes

    class Kernel32(Protocol):
        def AttachConsole(self, process_id: int) -> int: ...  # the Windows API name


def wants_console(argv: Sequence[str]) -> bool:
    """Only command-line runs print; the normal window never needs a console."""
    return any(arg in CONSOLE_ARGUMENTS for arg in argv)


def attach_parent_console(
    argv: Sequence[str] | None = None,
    *,
    platform: str | None = None,
    kernel32: Kernel32 | None = None,
    opener: Callable[..., IO[Any]] = open,
    streams: Any = sys,
) -> bool:
    """On Windows, when the windowed program has no stdout/stderr and was asked for console output,
    write to the console that started it. Returns True if the streams were attached. A no-op
    elsewhere, when the output is redirected (the streams exist), or without a parent console.
    `streams` holds stdout and stderr (the sys module; a stand-in in tests)."""
    argv = sys.argv[1:] if argv is None else argv
    if (platform or sys.platform) != "win32" or not wants_console(argv):
        return False
    if streams.stdout is not None and streams.stderr is not None:
        return False  # started from a console build, or with redirected output: nothing to do
    if kernel32 is None:
        import ctypes

        kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]  # Windows only
    if not kernel32.AttachConsole(ATTACH_PARENT_PROCESS):
        return False  # started from Explorer or a service: there is no console to print to
    stream = opener("CONOUT$", "w", encoding="utf-8", errors="replace", buffering=1)
    if streams.stdout is None:
        streams.stdout = stream
    if streams.stderr is None:
        streams.stderr = stream
    return True
