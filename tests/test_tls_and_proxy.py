"""https with a self-signed certificate, a custom CA bundle, and the system proxy settings."""

from __future__ import annotations

import datetime as dt
import ipaddress
import socket
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from desktop_app.sandbox import Sandbox
from desktop_app.service import CannotReachServer, PhoneNotifyClient
from tests.conftest import KEY_A


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (also its own CA)."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Voice Broadcast Desk test CA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_file, key_file


@pytest.fixture
def tls_sandbox(certificate):
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    with Sandbox(ssl_context=context) as server:
        yield server


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
