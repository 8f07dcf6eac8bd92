"""https with a self-signed certificate, a custom CA bundle, and the system proxy settings."""

from __future__ import annotations

import socket

import pytest

from desktop_app.service import CannotReachServer, PhoneNotifyClient
from tests.conftest import KEY_A


def test_an_untrusted_certificate_is_refused_in_plain_words(tls_sandbox):
    client = PhoneNotifyClient(tls_sandbox.url, timeout=5)
    with pytest.raises(CannotReachServer) as error:
        client.cancel_by_reference_id(KEY_A, "r1")
    assert "security certificate could not be verified" in str(error.value)
    assert "nothing was sent" in str(error.value)
    assert tls_sandbox.operations["CancelNotifyByReferenceID"] == 0


def test_a_custom_ca_bundle_makes_it_work(tls_sandbox, certificate):
    client = PhoneNotifyClient(tls_sandbox.url, timeout=5, ca_bundle=str(certificate[0]))
    assert tls_sandbox.url.startswith("https://")
    assert client.cancel_by_reference_id(KEY_A, "r1").cancelled == 0


def test_the_system_proxy_setting_is_used(sandbox, monkeypatch):
    with socket.socket() as probe:  # an endpoint nobody listens on: only the proxy can answer
        probe.bind(("127.0.0.1", 0))
        unreachable = f"http://127.0.0.1:{probe.getsockname()[1]}/NotifyWS/PhoneNotify.asmx"
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{sandbox.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    client = PhoneNotifyClient(unreachable, timeout=5)
    assert client.cancel_by_reference_id(KEY_A, "via-proxy").cancelled == 0
    assert sandbox.operations["CancelNotifyByReferenceID"] == 1  # it went through the "proxy"
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    direct = PhoneNotifyClient(unreachable, timeout=5)
    with pytest.raises(CannotReachServer):
        direct.cancel_by_reference_id(KEY_A, "direct")
