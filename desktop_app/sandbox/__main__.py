"""`python -m desktop_app.sandbox --host 127.0.0.1 --port 0`: run the simulator standalone."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import logging
import re
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

from .clock import ManualClock
from .faults import FAULTS, FaultPlan
from .httpd import Sandbox
from .tables import DEFAULT_NAMESPACE, NAMESPACE_CHOICES

# The sandbox's own log redaction (it shares no code with the client): request lines carry keys.
_KEY = re.compile(
    r"(licensekey=)[^&\s]*|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}", re.I
)


class _Redacting(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return _KEY.sub(lambda m: (m.group(1) or "") + "[redacted]", super().format(record))


def _stop_at_end_of_input(sandbox: Sandbox) -> None:
    with contextlib.suppress(OSError, ValueError):
        while sys.stdin.buffer.read(4096):
            pass
    sandbox.request_stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m desktop_app.sandbox", description="Local PhoneNotify simulator.")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: a free port)")
    parser.add_argument(
        "--allow-remote",
        action="store_true",
        help="allow binding to a non-loopback address (the sandbox has no authentication)",
    )
    parser.add_argument("--latency-ms", type=float, default=0.0, help="add this latency to every request")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="chance (0-1) of a random injected fault")
    parser.add_argument("--faults", default=",".join(FAULTS), help="faults to choose from for --fault-rate")
    parser.add_argument("--seed", type=int, default=None, help="random seed for --fault-rate")
    parser.add_argument(
        "--namespace",
        choices=NAMESPACE_CHOICES,
        default=DEFAULT_NAMESPACE,
        help="the service namespace: esendex (default), cdyne, or both (lenient)",
    )
    parser.add_argument(
        "--zoneless-times", action="store_true", help="write dateTime values without a zone, as ASMX does"
    )
    parser.add_argument("--verbose", action="store_true", help="log every request")
    parser.add_argument("--manual-clock", action="store_true", help="a clock that moves only through --control")
    parser.add_argument("--control", action="store_true", help="answer the /_sandbox/ test routes (control.py)")
    parser.add_argument(
        "--allow-reset", action="store_true", help="answer POST /_sandbox/reset only (the app's training mode)"
    )
    parser.add_argument(
        "--state-file",
        type=Path,
        default=None,
        help="keep calls and QueueIDs in this file across restarts (default: in memory only)",
    )
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="stop when standard input closes: a parent process that dies takes the sandbox with it",
    )
    args = parser.parse_args(argv)

    try:
        loopback = args.host == "localhost" or ipaddress.ip_address(args.host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and not args.allow_remote:
        parser.error(f"{args.host} is not a loopback address; add --allow-remote to bind to it anyway")
    faults = tuple(f.strip() for f in args.faults.split(",") if f.strip())
    unknown = set(faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults: {', '.join(sorted(unknown))}")

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Redacting("%(levelname)s:%(name)s:%(message)s"))
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING, handlers=[handler])
    plan = FaultPlan(
        latency_seconds=args.latency_ms / 1000.0, fault_rate=args.fault_rate, random_faults=faults, seed=args.seed
    )
    sandbox = Sandbox(
        args.host,
        args.port,
        clock=ManualClock(datetime.now(UTC)) if args.manual_clock else None,
        faults=plan,
        namespace=args.namespace,
        zoneless_times=args.zoneless_times,
        control=args.control,
        allow_reset=args.allow_reset,
        state_file=args.state_file,
    )
    if args.exit_with_stdin:
        threading.Thread(target=_stop_at_end_of_input, args=(sandbox,), daemon=True).start()
    print(f"listening on {sandbox.url}", flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            sandbox.serve_forever()
    finally:
        sandbox.state.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
