"""Which certificates are trusted: the operating system's store, plus a certificate file from IT.

Servers are verified against the operating system's own trust store (the `truststore` package:
Windows CryptoAPI, macOS Security framework, OpenSSL's default paths on Linux, which honour
`SSL_CERT_FILE` and `SSL_CERT_DIR`), so a root that IT deploys by policy is trusted as it is by the
browsers. A certificate file set in Settings or the site file *adds* its roots to those; it never
replaces them, so a laptop with the company's inspection root still reaches the real service off
the company network. The file may be PEM (one or several certificates) or DER (the Windows
"Export" default, `.cer`).

The file is checked when the settings are read (`certificate_file_problem`, standard library only:
the first paint can afford it) and again when a connection is set up (`read_certificate_file`).
"""

from __future__ import annotations

import base64
import binascii
import re
import ssl
import threading
from dataclasses import dataclass
from pathlib import Path

MAX_CERTIFICATE_FILE_BYTES = 5 * 1024 * 1024  # a bundle of every public root is about 250 KB
_PEM_BLOCK = re.compile(rb"-----BEGIN (?:TRUSTED )?CERTIFICATE-----(.*?)-----END (?:TRUSTED )?CERTIFICATE-----", re.S)
CERTIFICATE_FILE_WORDS = "certificate file"  # the Settings label says "Certificate file" too


class CertificateFileError(ValueError):
    """The certificate file cannot be used; `str()` is the plain message naming the file."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"The {CERTIFICATE_FILE_WORDS} {path} could not be read: {reason}.")
        self.path = path
        self.reason = reason


def read_certificate_file(path: str) -> tuple[bytes, ...]:
    """The certificates (DER) in a PEM or DER file. Raises CertificateFileError in plain words."""
    try:
        file = Path(path)
        if file.is_dir():
            raise CertificateFileError(path, "it is a folder, not a file")
        if file.stat().st_size > MAX_CERTIFICATE_FILE_BYTES:
            raise CertificateFileError(path, "it is far too large to be a certificate file")
        data = file.read_bytes()
    except FileNotFoundError:
        raise CertificateFileError(path, "there is no such file on this computer") from None
    except PermissionError:
        raise CertificateFileError(path, "this computer's user account is not allowed to open it") from None
    except OSError as exc:
        raise CertificateFileError(path, exc.strerror or type(exc).__name__) from None
    certificates = _certificates_in(data)
    if not certificates:
        raise CertificateFileError(
            path, "it holds no certificate (a .pem, .cer or .crt file with one or more certificates is needed)"
        )
    try:
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cadata=b"".join(certificates))
    except (ssl.SSLError, ValueError) as exc:
        raise CertificateFileError(
            path, f"a certificate in it is damaged ({getattr(exc, 'reason', None) or exc})"
        ) from None
    return certificates


def _certificates_in(data: bytes) -> tuple[bytes, ...]:
    blocks = _PEM_BLOCK.findall(data)
    if blocks:
        try:
            return tuple(base64.b64decode(b"".join(block.split()), validate=True) for block in blocks)
        except (binascii.Error, ValueError):
            return ()
    if data[:1] == b"\x30":  # DER: an ASN.1 SEQUENCE; a .cer may hold one or several back to back
        return tuple(_der_sequences(data))
    return ()


def _der_sequences(data: bytes) -> list[bytes]:
    """Split concatenated DER certificates (each a SEQUENCE with a definite length)."""
    found, at = [], 0
    while at < len(data) and data[at] == 0x30:
        if at + 2 > len(data):
            return []
        first = data[at + 1]
        if first < 0x80:
            length, header = first, 2
        else:
            count = first & 0x7F
            if count == 0 or count > 4 or at + 2 + count > len(data):
                return []
            length, header = int.from_bytes(data[at + 2 : at + 2 + count], "big"), 2 + count
        end = at + header + length
        if end > len(data):
            return []
        found.append(data[at:end])
        at = end
    return found if at == len(data) else []


def certificate_file_problem(path: str) -> str:
    """ "" when the file is usable (or none is set), else the plain message naming it."""
    if not path.strip():
        return ""
    try:
        read_certificate_file(path.strip())
    except CertificateFileError as error:
        return str(error)
    return ""


# -- names, for messages and the details for IT (cryptography: loaded on first use, on a worker) --


@dataclass(frozen=True)
class CertificateNames:
    subject: str  # "CN=ACME Corp Root CA,O=ACME Corp"
    issuer: str
    issuer_name: str  # the issuer's common name (else organisation), for the message

    @property
    def details(self) -> str:
        return f"certificate subject: {self.subject}; issuer: {self.issuer}"


def certificate_names(der: bytes) -> CertificateNames | None:
    """The subject and issuer of a DER certificate, or None when it cannot be decoded."""
    try:
        from cryptography import x509
        from cryptography.x509.oid import NameOID

        certificate = x509.load_der_x509_certificate(der)
    except Exception:
        return None

    def short(name: x509.Name) -> str:
        for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATION_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME):
            values = name.get_attributes_for_oid(oid)
            if values:
                return str(values[0].value)
        return name.rfc4514_string() or "an unnamed issuer"

    return CertificateNames(
        certificate.subject.rfc4514_string(), certificate.issuer.rfc4514_string(), short(certificate.issuer)
    )


# -- the trust context ------------------------------------------------------------------------------

_roots: dict[tuple[str, int, int], tuple[bytes, ...]] = {}  # a file's certificates, per version of it
_roots_lock = threading.Lock()


def trust_context(ca_file: str = "") -> ssl.SSLContext:
    """A new SSLContext that verifies against the operating system's store plus the roots in
    `ca_file` (added, never instead). Raises CertificateFileError.

    One per session (so per thread): truststore holds a context's lock through each handshake, so a
    context shared by threads would make every connection wait for a server that is slow to finish
    one. The file is read once per version of it."""
    import truststore

    context = truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if ca_file:
        context.load_verify_locations(cadata=b"".join(_roots_of(ca_file)))
    return context  # (truststore.SSLContext stands in for ssl.SSLContext)


def _roots_of(ca_file: str) -> tuple[bytes, ...]:
    try:
        stat = Path(ca_file).stat()
    except OSError:
        return read_certificate_file(ca_file)  # raises the plain message
    key = (ca_file, stat.st_mtime_ns, stat.st_size)
    with _roots_lock:
        known = _roots.get(key)
    if known is None:
        known = read_certificate_file(ca_file)
        with _roots_lock:
            _roots[key] = known
    return known


def describe_trust(ca_file: str) -> str:
    """Where trusted roots come from, in words (for --self-test and the details for IT)."""
    if not ca_file:
        return "this computer's certificate store"
    try:
        certificates = read_certificate_file(ca_file)
    except CertificateFileError as error:
        return f"this computer's certificate store (the {CERTIFICATE_FILE_WORDS} {ca_file} is unusable: {error.reason})"
    names = [n.subject for n in map(certificate_names, certificates) if n is not None]
    shown = "; ".join(names[:3]) + ("; …" if len(names) > 3 else "")
    count = f"{len(certificates)} certificate{'s' if len(certificates) != 1 else ''}"
    return f"this computer's certificate store plus {count} from {ca_file}" + (f" ({shown})" if shown else "")
