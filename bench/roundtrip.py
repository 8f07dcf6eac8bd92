"""One cancel round trip through the app's client, against one plain requests POST of the same
envelope to the same sandbox (in its own process).

    python bench/roundtrip.py [--calls 300]

Prints the median time of each and their ratio (target: at most 1.3).
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from desktop_app.service import PhoneNotifyClient

KEY = "00000000-0000-0000-0000-000000000000"
NS = "https://ws.esendex.us/NotifyWS/"
ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?><soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/">'
    f'<soap-env:Body><ns0:CancelNotifyByReferenceID xmlns:ns0="{NS}"><ns0:ReferenceID>bench</ns0:ReferenceID>'
    f"<ns0:LicenseKey>{KEY}</ns0:LicenseKey></ns0:CancelNotifyByReferenceID></soap-env:Body></soap-env:Envelope>"
).encode()


def timed_pair(first, second, count: int) -> tuple[float, float]:
    """Medians of `first` and `second`, measured alternately so drift on a shared machine hits both."""
    for _ in range(20):
        first()
        second()  # warm up: connections open, WSDL parsed, caches filled
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(count):
        for call, bucket in ((first, samples[0]), (second, samples[1])):
            started = time.perf_counter()
            call()
            bucket.append(time.perf_counter() - started)
    return statistics.median(samples[0]), statistics.median(samples[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop_app.sandbox", "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    url = re.search(r"(http://\S+)", process.stdout.readline()).group(1)
    try:
        session = requests.Session()
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{NS}CancelNotifyByReferenceID"'}

        def plain() -> None:
            response = session.post(url, data=ENVELOPE, headers=headers, timeout=10)
            assert response.status_code == 200 and b"CancelNotifyByReferenceIDResult>0<" in response.content

        client = PhoneNotifyClient(url, timeout=10)
        plain_s, client_s = timed_pair(plain, lambda: client.cancel_by_reference_id(KEY, "bench"), args.calls)
    finally:
        process.terminate()
        process.wait()
    print(
        f"one CancelNotifyByReferenceID round trip, median of {args.calls} each, alternating,"
        " sandbox in its own process"
    )
    print(f"{'how':<35} | {'ms':>6} | {'ratio':>5}")
    print(f"{'plain requests POST of the envelope':<35} | {plain_s * 1000:6.2f} | {1:5.2f}")
    print(f"{'the app client (zeep)':<35} | {client_s * 1000:6.2f} | {client_s / plain_s:5.2f}  (target <= 1.3)")


if __name__ == "__main__":
    main()
