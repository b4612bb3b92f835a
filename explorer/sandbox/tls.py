"""The sandbox's TLS certificate: made locally on first use, kept in ``<data-dir>/tls/``.

Nothing is downloaded. The certificate is self-signed and marked as its own authority, so a
client trusts it by loading ``cert.pem`` (``ssl.create_default_context(cafile=...)``), which is
exactly what a learner does for a private mail server. It names ``localhost``, ``sandbox.test``,
127.0.0.1 and ::1, plus the address the sandbox listens on; a certificate that does not name
the current address, is about to expire, or does not match its key is made again.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
from pathlib import Path

from explorer.sandbox.filesystem import locked, open_binary

__all__ = ["ensure_certificate", "load_server_context", "server_context", "CERT_NAME", "KEY_NAME"]

CERT_NAME = "cert.pem"
KEY_NAME = "key.pem"
VALID_DAYS = 825  # the longest validity common clients accept for a server certificate
BASE_NAMES = ("localhost", "sandbox.test", "127.0.0.1", "::1")


def _wanted_names(hosts: list[str]) -> set[str]:
    names = set(BASE_NAMES)
    for host in hosts:
        if host and host not in ("0.0.0.0", "::"):
            names.add(host.lower())
    return names


def _names_in(cert) -> set[str]:
    from cryptography import x509

    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return set()
    names = {n.lower() for n in san.get_values_for_type(x509.DNSName)}
    names |= {str(ip) for ip in san.get_values_for_type(x509.IPAddress)}
    return names


def _usable(cert_path: Path, key_path: Path, wanted: set[str]) -> bool:
    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError):
        return False
    soon = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=1)
    if cert.not_valid_after_utc < soon:
        return False
    if cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) != key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        return False
    return wanted <= _names_in(cert)


def _generate(names: set[str]) -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, "smtp-explorer sandbox"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "smtp-explorer (local teaching server)"),
    ])
    alt: list[x509.GeneralName] = []
    for name in sorted(names):
        try:
            alt.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            alt.append(x509.DNSName(name))
    now = dt.datetime.now(dt.timezone.utc)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False,
            data_encipherment=False, key_agreement=True, key_cert_sign=True, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def _write_atomically(path: Path, data: bytes, mode: int) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = open_binary(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def ensure_certificate(tls_dir: Path, hosts: list[str] | None = None) -> tuple[Path, Path]:
    """Return (cert path, key path), making them first if missing or unfit."""
    context, cert_path = load_server_context(tls_dir, hosts)
    return cert_path, cert_path.with_name(KEY_NAME)


def load_server_context(tls_dir: Path,
                        hosts: list[str] | None = None) -> tuple[ssl.SSLContext, Path]:
    """A STARTTLS server context and the certificate path, making the pair first if needed.

    A lock file serialises two sandboxes sharing one data directory, and the pair is loaded
    while it is held, so a certificate and a key from two generations are never paired.
    """
    tls_dir = Path(tls_dir)
    tls_dir.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = tls_dir / CERT_NAME, tls_dir / KEY_NAME
    wanted = _wanted_names(hosts or [])
    with locked(tls_dir / ".lock"):
        if not _usable(cert_path, key_path, wanted):
            cert_pem, key_pem = _generate(wanted | _existing_names(cert_path))
            _write_atomically(key_path, key_pem, 0o600)
            _write_atomically(cert_path, cert_pem, 0o644)
        context = server_context(cert_path, key_path)
    return context, cert_path


def _existing_names(cert_path: Path) -> set[str]:
    # Keep the names an older certificate had, so alternating hosts do not regenerate forever.
    from cryptography import x509

    try:
        return _names_in(x509.load_pem_x509_certificate(cert_path.read_bytes()))
    except (OSError, ValueError):
        return set()


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    """A server-side TLS context for STARTTLS (TLS 1.2 or newer)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(cert_path, key_path)
    return context
