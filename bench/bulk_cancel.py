"""Bulk-cancel throughput: 1,000 cancels by reference ID at concurrency 1 and 8.

The sandbox runs in its own process (as the real service would be elsewhere) with 20 ms of added
latency per request; the client side is the app's own BulkRun + PhoneNotifyClient.

    python bench/bulk_cancel.py [--requests 1000] [--latency-ms 20]

Prints a table: time, throughput, the speed-up of concurrency 8 over 1 (target: at least 6x), and
each run's time against the ideal (latency x N / concurrency).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.bulk import BulkItem, BulkRun
from desktop_app.service import PhoneNotifyClient

KEY = "00000000-0000-0000-0000-000000000000"


def start_sandbox(latency_ms: float) -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.sandbox", "--port", "0", "--latency-ms", str(latency_ms)],
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline()
    url = re.search(r"(http://\S+)", line).group(1)
    return process, url


def run(url: str, requests: int, concurrency: int) -> float:
    client = PhoneNotifyClient(url, timeout=30)
    items = [BulkItem(i, f"bench-{concurrency}-{i}") for i in range(1, requests + 1)]
    finished = threading.Event()
    bulk = BulkRun(
        items,
        lambda ref: client.cancel_by_reference_id(KEY, ref).cancelled,
        concurrency,
        lambda item: None,
        finished.set,
    )
    client.get_version()  # warm up: WSDL parsed, connection open
    started = time.perf_counter()
    bulk.start()
    finished.wait()
    elapsed = time.perf_counter() - started
    failed = [item for item in items if item.state != "nothing"]
    if failed:
        raise SystemExit(f"{len(failed)} requests failed, e.g. {failed[0].message}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    process, url = start_sandbox(args.latency_ms)
    try:
        results = {c: run(url, args.requests, c) for c in (1, 8)}
    finally:
        process.terminate()
        process.wait()
    latency = args.latency_ms / 1000
    print(f"{args.requests} cancels, {args.latency_ms:.0f} ms added latency per request, sandbox in its own process")
    print(f"{'concurrency':>11} | {'time (s)':>8} | {'req/s':>7} | {'ideal (s)':>9} | {'time / ideal':>12}")
    for concurrency, seconds in results.items():
        ideal = latency * args.requests / concurrency
        row = [f"{concurrency:>11}", f"{seconds:8.2f}", f"{args.requests / seconds:7.1f}", f"{ideal:9.2f}"]
        print(" | ".join([*row, f"{seconds / ideal:12.2f}"]))
    speedup = results[1] / results[8]
    print(f"speed-up of concurrency 8 over 1: {speedup:.2f}x (target: at least 6x)")


if __name__ == "__main__":
    main()
