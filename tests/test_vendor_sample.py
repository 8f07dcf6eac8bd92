"""The vendor's own Python sample runs against the sandbox with only the WSDL host changed."""

from __future__ import annotations

import runpy
import warnings
from pathlib import Path

SAMPLE = Path(__file__).parent / "vendor_samples" / "python_sample.py"


def test_vendor_python_sample_schedules_then_cancels_one_call(live_sandbox, tmp_path):
    host = f"127.0.0.1:{live_sandbox.port}"
    script = tmp_path / "sample.py"
    script.write_text(SAMPLE.read_text().replace("SANDBOX_HOST", host))
    with warnings.catch_warnings():
        # The vendor's code calls datetime.utcnow(), deprecated from Python 3.12 on.
        warnings.filterwarnings("ignore", "datetime.datetime.utcnow", DeprecationWarning)
        namespace = runpy.run_path(str(script))
    assert namespace["result"] == 1  # one call cancelled

    # The sample's call was booked for tomorrow, in UTC, with its reference ID, on the demo key.
    (call,) = live_sandbox.state.calls.values()
    assert call.reference_id == "notify1" and call.phone_number == "7575559999" and call.demo
    assert call.cancelled_utc is not None

    client = namespace["client"]
    assert client.service.CancelNotifyByReferenceID("notify1", namespace["license_key"]) == 0
    assert live_sandbox.state.ledger(namespace["license_key"]).credited_calls == 1
