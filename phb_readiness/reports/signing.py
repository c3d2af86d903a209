"""Issued reports carry a PAdES signature (baseline B-B, pyHanko) under the service's own key and certificate.

The key and certificate come from settings: PEM text in `PHB_SIGNING_KEY` and `PHB_SIGNING_CERT` (usually their
`*_FILE` variants, naming mounted secret files; the certificate's PEM may carry its chain after it), or a PKCS#12
file `PHB_SIGNING_PKCS12` with `PHB_SIGNING_PKCS12_PASSPHRASE`. Where none is set, a self-signed certificate is
generated once under `VAR_DIR/keys/signing.pem` (key and certificate in one file, written whole and then linked into
place, so two processes starting together agree on one) and read from there after.

Any PDF reader shows whether a signed report was changed since it was issued; `manage.py verify_pdf` checks one
against the service's certificate. pyHanko is slow to import (it brings an HTTP client): it is imported only where
a PDF is signed or checked, never by the web pages.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import datetime
import functools
import hashlib
import io
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if TYPE_CHECKING:
    from phb_readiness.reports.pdf import RenderedPdf

FIELD_NAME = "PHBReadinessSignature"
# Room kept in the file for the signature beside the certificates it embeds (bytes of DER; the file holds it in hex):
# reserved up front so that pyHanko signs once instead of signing a dry run to measure it first.
SIGNATURE_ROOM = 4096
GENERATED_VALID_FOR = datetime.timedelta(days=20 * 365)


class SigningError(ImproperlyConfigured):
    """The configured key or certificate cannot be used; the message says which and why."""


@dataclass(frozen=True, eq=False)  # hashed by identity: one per configuration (_from_pem, _from_pkcs12)
class SigningIdentity:
    key: object  # a cryptography private key
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]
    source: str

    @property
    def subject(self) -> str:
        return self.certificate.subject.rfc4514_string()

    @property
    def fingerprint(self) -> str:
        return self.certificate.fingerprint(hashes.SHA256()).hex()


@dataclass(frozen=True)
class SignatureCheck:
    """What a PDF's signature says: `ok` only if it is intact, made with a trusted certificate and covers the whole
    file (nothing added after signing)."""

    signed: bool
    intact: bool = False
    trusted: bool = False
    whole_file: bool = False
    signer: str = ""
    signed_at: datetime.datetime | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.trusted and self.whole_file


def generated_file() -> Path:
    return Path(settings.VAR_DIR) / "keys" / "signing.pem"


def signing_identity() -> SigningIdentity:
    """The service's key and certificate, from settings or, failing that, from (or into) the generated file."""
    if settings.PHB_SIGNING_PKCS12:
        path = Path(settings.PHB_SIGNING_PKCS12)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SigningError(f"PHB_SIGNING_PKCS12 names {path}, which cannot be read ({exc}).") from exc
        return _from_pkcs12(data, settings.PHB_SIGNING_PKCS12_PASSPHRASE.encode())
    if settings.PHB_SIGNING_KEY or settings.PHB_SIGNING_CERT:
        return _from_pem(settings.PHB_SIGNING_KEY.encode(), settings.PHB_SIGNING_CERT.encode(), "settings (PEM)")
    path = generated_file()
    try:
        bundle = path.read_bytes()
    except FileNotFoundError:
        bundle = _generate(path)
    return _from_pem(bundle, bundle, f"self-signed, {path}")


def signing_certificate() -> x509.Certificate:
    return signing_identity().certificate


@functools.lru_cache(maxsize=4)
def _from_pem(key_pem: bytes, cert_pem: bytes, source: str) -> SigningIdentity:
    try:
        # The key is the operator's own (or ours): its RSA self-check, slow, is skipped.
        key = serialization.load_pem_private_key(key_pem, password=None, unsafe_skip_rsa_key_validation=True)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"The report signing key ({source}) is not an unencrypted PEM private key ({exc}).") from exc
    try:
        certificates = x509.load_pem_x509_certificates(cert_pem)
    except ValueError as exc:
        raise SigningError(f"The report signing certificate ({source}) is not a PEM certificate ({exc}).") from exc
    return _checked(key, certificates[0], tuple(certificates[1:]), source)


@functools.lru_cache(maxsize=4)
def _from_pkcs12(data: bytes, passphrase: bytes) -> SigningIdentity:
    source = f"PKCS#12 {settings.PHB_SIGNING_PKCS12}"
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, passphrase or None)
    except (ValueError, TypeError) as exc:
        raise SigningError(f"The report signing {source} cannot be opened: wrong passphrase or not PKCS#12.") from exc
    if key is None or certificate is None:
        raise SigningError(f"The report signing {source} holds no private key and certificate.")
    return _checked(key, certificate, tuple(chain), source)


def _checked(key, certificate: x509.Certificate, chain: tuple, source: str) -> SigningIdentity:
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    if key.public_key().public_bytes(serialization.Encoding.DER, public) != certificate.public_key().public_bytes(
        serialization.Encoding.DER, public
    ):
        raise SigningError(f"The report signing key and certificate ({source}) do not belong together.")
    return SigningIdentity(key=key, certificate=certificate, chain=chain, source=source)


def _generate(path: Path) -> bytes:
    """A new key and self-signed certificate, written whole to a private file that is then linked into place: if
    another process got there first, its pair is the one used."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{settings.SERVICE_NAME} report signing"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.SERVICE_NAME),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    no = dict.fromkeys(("key_encipherment", "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign"), False)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + GENERATED_VALID_FOR)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True, content_commitment=True, encipher_only=False, decipher_only=False, **no
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    bundle = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ) + certificate.public_bytes(serialization.Encoding.PEM)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(bundle)
        try:
            os.link(partial, path)  # like O_EXCL: fails if the file exists, and the file appears complete
        except FileExistsError:
            return path.read_bytes()
    finally:
        partial.unlink(missing_ok=True)
    return bundle


@functools.lru_cache(maxsize=4)
def _signer(identity: SigningIdentity):
    """pyHanko's SimpleSigner with the key loaded once (SimpleSigner would load and check it on every signature)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives.asymmetric import ec, padding
    from pyhanko.sign.general import get_pyca_cryptography_hash
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class ServiceSigner(SimpleSigner):
        def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
            mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
            digest = get_pyca_cryptography_hash(digest_algorithm)
            if mechanism == "rsassa_pkcs1v15" and isinstance(identity.key, rsa.RSAPrivateKey):
                return identity.key.sign(data, padding.PKCS1v15(), digest)
            if mechanism == "ecdsa" and isinstance(identity.key, ec.EllipticCurvePrivateKey):
                return identity.key.sign(data, ec.ECDSA(digest))
            return super().sign_raw(data, digest_algorithm)

    def der(certificate: x509.Certificate):
        return asn1_x509.Certificate.load(certificate.public_bytes(serialization.Encoding.DER))

    key_info = asn1_keys.PrivateKeyInfo.load(
        identity.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    registry = SimpleCertificateStore()
    registry.register_multiple([der(certificate) for certificate in identity.chain])
    return ServiceSigner(signing_cert=der(identity.certificate), signing_key=key_info, cert_registry=registry)


def _outside_event_loop(function, *args, **kwargs):
    """Call a function that uses pyHanko's synchronous API (which runs asyncio.run): in a thread of its own when this
    thread already runs an event loop (an ASGI server, Playwright in the browser tests), where asyncio.run fails."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function, *args, **kwargs).result()


def pdf_sign(content: bytes) -> bytes:
    """The PDF with the service's signature appended as an incremental update (the rendered bytes are unchanged)."""
    return _outside_event_loop(_pdf_sign, content)


def _pdf_sign(content: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    identity = signing_identity()
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=f"Issued by {settings.SERVICE_NAME}",
        name=settings.SERVICE_NAME,
    )
    certificates = (identity.certificate, *identity.chain)
    room = 2 * (SIGNATURE_ROOM + sum(len(c.public_bytes(serialization.Encoding.DER)) for c in certificates))
    writer = IncrementalPdfFileWriter(io.BytesIO(content), strict=False)
    signed = signers.PdfSigner(metadata, signer=_signer(identity)).sign_pdf(writer, bytes_reserved=room)
    return signed.getvalue()


def pdf_signed(pdf: RenderedPdf) -> RenderedPdf:
    """A rendered report, signed: its content and SHA-256 are those of the signed file."""
    content = pdf_sign(pdf.content)
    return dataclasses.replace(pdf, content=content, sha256=hashlib.sha256(content).hexdigest())


def pdf_check(content: bytes, *, trusted: list[x509.Certificate] | None = None) -> SignatureCheck:
    """Validate a PDF's last signature with pyHanko against the given certificates (the service's by default) as
    trust roots, without reaching the network."""
    return _outside_event_loop(_pdf_check, content, trusted=trusted)


def _pdf_check(content: bytes, *, trusted: list[x509.Certificate] | None) -> SignatureCheck:
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        for c in (trusted or [signing_certificate()])
    ]
    try:
        signatures = PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        return SignatureCheck(signed=False, problem=f"The file cannot be read as a PDF ({exc}).")
    if not signatures:
        return SignatureCheck(signed=False, problem="The file carries no signature.")
    try:
        status = validate_pdf_signature(
            signatures[-1],
            ValidationContext(trust_roots=roots, allow_fetching=False),
            key_usage_settings=KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}),
        )
    except (SignatureValidationError, PdfError, ValueError) as exc:
        return SignatureCheck(signed=True, problem=f"The signature cannot be checked ({exc}).")
    whole_file = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    problem = ""
    if not (status.intact and status.valid):
        problem = "The signed content was changed after signing."
    elif not status.trusted:
        problem = "The signature was not made with this service's certificate."
    elif not whole_file:
        problem = "Something was added to the file after it was signed."
    return SignatureCheck(
        signed=True,
        intact=status.intact and status.valid,
        trusted=status.trusted,
        whole_file=whole_file,
        signer=status.signing_cert.subject.human_friendly,
        signed_at=status.signer_reported_dt,
        problem=problem,
    )
