"""Test support shared by the tests and tools/screenshots.py."""

from __future__ import annotations

from pathlib import Path

import keyring.backend
import keyring.errors
from jaraco.classes.properties import classproperty


class MemoryKeyring(keyring.backend.KeyringBackend):
    """An in-memory keyring for unit tests and screenshots (the real Secret Service has its own test)."""

    @classproperty
    def priority(cls) -> float:  # noqa: N805 - a class property
        # keyring discovers every KeyringBackend subclass; refusing a priority keeps this one (and
        # the failing variants the tests derive from it) out of the real keyring's choice.
        raise RuntimeError("test keyrings are only used when passed in explicitly")

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if (service, username) not in self.entries:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.entries[(service, username)]


def cell(view, row: int, column: int, role=None) -> str:
    """The text (or another role's value) of a cell of a QTableView, read through its model."""
    from PySide6.QtCore import Qt

    model = view.model()
    value = model.data(model.index(row, column), Qt.ItemDataRole.DisplayRole if role is None else role)
    return "" if value is None else value


def listening_addresses(pid: int) -> list[tuple[str, int]]:
    """The (host, port) of every TCP socket process `pid` listens on, read from Linux's /proc."""
    import socket
    import struct
    from pathlib import Path

    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    found = []
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, inode = fields[1], fields[3], fields[9]
            if state != "0A" or inode not in inodes:  # 0A: LISTEN
                continue
            raw_host, raw_port = local.split(":")
            packed = bytes.fromhex(raw_host)
            # /proc writes each 32-bit word in host (little-endian) order
            words = [struct.pack("<I", int.from_bytes(packed[i : i + 4], "big")) for i in range(0, len(packed), 4)]
            found.append((socket.inet_ntop(family, b"".join(words)), int(raw_port, 16)))
    return found


def self_signed_root(subject_attributes: list, folder: Path, stem: str) -> tuple[Path, Path, Path]:
    """A self-signed root for 127.0.0.1 (an EC key, a week long): (cert.pem, cert.der, key.pem) in
    `folder`, named after `stem`. For the TLS front of the sandbox and the company's own root."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(subject_attributes)
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
    folder.mkdir(parents=True, exist_ok=True)
    pem, der, key_file = folder / f"{stem}.pem", folder / f"{stem}.cer", folder / f"{stem}-key.pem"
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    der.write_bytes(cert.public_bytes(serialization.Encoding.DER))
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return pem, der, key_file
