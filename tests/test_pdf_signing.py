"""Issued reports carry a PAdES signature: pyHanko's validator finds it intact on the stored file (whose SHA-256 is
the one recorded) and broken with one byte of the signed range changed; manage.py verify_pdf says so with its exit
status; a configured PEM chain or PKCS#12 file is used, a bad one fails the job with a reason; the embedded default
generates one key pair that two processes share."""

import asyncio
import datetime
import hashlib
import io
import os
import subprocess
import sys

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfWriter

from phb_readiness.reports import signing
from phb_readiness.reports.models import Report
from phb_readiness.reports.services import report_render
from phb_readiness.reports.signing import SigningError, pdf_check, pdf_sign, signing_certificate

pytestmark = pytest.mark.django_db


def render(world) -> tuple[Report, bytes]:
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    report = report_render(report_id=report.pk)
    assert report.state == Report.State.SUCCEEDED, report.error
    with report.file.open("rb") as handle:
        return report, handle.read()


@pytest.fixture
def issued(world) -> tuple[Report, bytes]:
    return render(world)


def pyhanko_status(content: bytes, root: x509.Certificate):
    """pyHanko's own verdict, with the given certificate as the only trust root."""
    trust_root = asn1_x509.Certificate.load(root.public_bytes(serialization.Encoding.DER))
    signature = PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures[0]
    return validate_pdf_signature(
        signature,
        ValidationContext(trust_roots=[trust_root]),
        key_usage_settings=KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}),
    )


def one_byte_changed(content: bytes) -> bytes:
    """The file with one letter of its producer's name changed: inside the signed range, and still a readable PDF."""
    signed_until = PdfFileReader(io.BytesIO(content), strict=False).embedded_signatures[0].sig_object["/ByteRange"][1]
    at = content.index(b"WeasyPrint")
    assert at < signed_until
    return content[:at] + b"V" + content[at + 1 :]


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def certificate(name: str, key, *, issuer: tuple[str, object] | None = None, ca: bool = False) -> x509.Certificate:
    now = datetime.datetime.now(datetime.UTC)
    issuer_name, issuer_key = issuer or (name, key)
    no = dict.fromkeys(("key_encipherment", "data_encipherment", "key_agreement", "encipher_only", "decipher_only"), 0)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=not ca, key_cert_sign=ca, crl_sign=ca, **no),
            critical=True,
        )
        .sign(issuer_key, hashes.SHA256())
    )


def pem(*items) -> str:
    out = b""
    for item in items:
        if isinstance(item, x509.Certificate):
            out += item.public_bytes(serialization.Encoding.PEM)
        else:
            out += item.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
    return out.decode()


@pytest.fixture
def trust_chain():
    """A CA and a signing certificate it issued (EC keys: quick to make)."""
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = certificate("Test NHS CA", ca_key, ca=True)
    leaf = certificate("PHB Readiness (test trust)", leaf_key, issuer=("Test NHS CA", ca_key))
    return ca, leaf, leaf_key


def test_an_issued_report_is_signed_and_recorded_by_the_signed_files_sha256(issued):
    report, content = issued
    assert hashlib.sha256(content).hexdigest() == report.sha256  # what `sha256sum` prints
    status = pyhanko_status(content, signing_certificate())
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert "PHB Readiness report signing" in status.signing_cert.subject.human_friendly
    check = pdf_check(content)
    assert check.ok and check.signed_at is not None


def test_one_byte_changed_in_the_signed_range_breaks_the_signature(issued):
    _report, content = issued
    changed = one_byte_changed(content)
    status = pyhanko_status(changed, signing_certificate())
    assert not status.intact and not status.bottom_line
    check = pdf_check(changed)
    assert not check.ok and check.problem == "The signed content was changed after signing."


def test_anything_added_after_signing_is_caught(issued):
    _report, content = issued
    check = pdf_check(content + b"\n% added later\n")
    assert check.intact and not check.whole_file and not check.ok
    assert check.problem == "Something was added to the file after it was signed."


def test_verify_pdf_exits_0_for_an_issued_report_and_1_otherwise(issued, tmp_path):
    report, content = issued
    good, changed, unsigned = tmp_path / "good.pdf", tmp_path / "changed.pdf", tmp_path / "unsigned.pdf"
    good.write_bytes(content)
    changed.write_bytes(one_byte_changed(content))
    unsigned.write_bytes(blank_pdf())

    out = io.StringIO()
    call_command("verify_pdf", str(good), stdout=out)
    printed = out.getvalue()
    assert "signature: intact" in printed and "PHB Readiness report signing" in printed and "(trusted)" in printed
    assert "signed at: " in printed and f"record:    report {report.pk}" in printed

    out = io.StringIO()
    with pytest.raises(CommandError, match="changed after signing") as broken:
        call_command("verify_pdf", str(changed), stdout=out)
    assert broken.value.returncode == 1 and "signature: broken" in out.getvalue()
    with pytest.raises(CommandError, match="carries no signature"):
        call_command("verify_pdf", str(unsigned), stdout=io.StringIO())
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("verify_pdf", str(tmp_path / "missing.pdf"), stdout=io.StringIO())


def test_verify_pdf_as_a_command_line(issued, tmp_path):
    _report, content = issued
    good, changed = tmp_path / "good.pdf", tmp_path / "changed.pdf"
    good.write_bytes(content)
    changed.write_bytes(one_byte_changed(content))
    manage = [sys.executable, str(django_settings.BASE_DIR / "manage.py"), "verify_pdf"]
    env = {**os.environ, "PHB_VAR_DIR": str(django_settings.VAR_DIR)}
    ran = subprocess.run([*manage, str(good)], capture_output=True, text=True, env=env, timeout=300)  # noqa: S603
    assert ran.returncode == 0, ran.stderr
    assert "signature: intact" in ran.stdout
    ran = subprocess.run([*manage, str(changed)], capture_output=True, text=True, env=env, timeout=300)  # noqa: S603
    assert ran.returncode == 1 and "changed after signing" in ran.stderr


def test_a_configured_pem_key_and_chain_sign_the_reports(settings, world, trust_chain):
    ca, leaf, leaf_key = trust_chain
    settings.PHB_SIGNING_KEY, settings.PHB_SIGNING_CERT = pem(leaf_key), pem(leaf, ca)
    _report, content = render(world)
    check = pdf_check(content)  # the service's certificate, the configured one
    assert check.ok and "PHB Readiness (test trust)" in check.signer
    assert pdf_check(content, trusted=[ca]).ok  # the chain is in the signature: the CA's root is enough
    other = pdf_check(content, trusted=[certificate("Someone else", ec.generate_private_key(ec.SECP256R1()))])
    assert other.intact and not other.trusted and not other.ok
    assert other.problem == "The signature was not made with this service's certificate."


def test_a_pkcs12_file_signs_and_a_wrong_passphrase_says_so(settings, tmp_path, trust_chain):
    ca, leaf, leaf_key = trust_chain
    bundle = tmp_path / "signing.p12"
    bundle.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"phb", leaf_key, leaf, [ca], serialization.BestAvailableEncryption(b"correct horse")
        )
    )
    settings.PHB_SIGNING_PKCS12, settings.PHB_SIGNING_PKCS12_PASSPHRASE = str(bundle), "correct horse"
    check = pdf_check(pdf_sign(blank_pdf()))
    assert check.ok and "PHB Readiness (test trust)" in check.signer
    settings.PHB_SIGNING_PKCS12_PASSPHRASE = "wrong"
    with pytest.raises(SigningError, match="wrong passphrase"):
        pdf_sign(blank_pdf())


def test_a_key_that_does_not_match_its_certificate_fails_the_job_with_a_reason(settings, world, trust_chain):
    _ca, leaf, _leaf_key = trust_chain
    settings.PHB_SIGNING_KEY, settings.PHB_SIGNING_CERT = pem(ec.generate_private_key(ec.SECP256R1())), pem(leaf)
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    report = report_render(report_id=report.pk)
    assert report.state == Report.State.FAILED and not report.file
    assert "signing key and certificate (settings (PEM)) do not belong together" in report.error


def test_the_embedded_default_is_generated_once_for_every_process(settings, tmp_path, monkeypatch):
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(signing.rsa, "generate_private_key", lambda **kw: ec.generate_private_key(ec.SECP256R1()))
    first = signing.signing_identity()
    path = tmp_path / "keys" / "signing.pem"
    assert path.stat().st_mode & 0o777 == 0o600
    # a second process that found no file and made its own pair: the file already there wins
    assert signing._generate(path) == path.read_bytes()
    assert signing.signing_identity().fingerprint == first.fingerprint
    assert sorted(p.name for p in path.parent.iterdir()) == ["signing.pem"]  # no partial file left behind
    assert pdf_check(pdf_sign(blank_pdf())).ok


def test_signing_and_checking_work_inside_a_running_event_loop():
    """pyHanko's synchronous API runs asyncio.run, which fails in a thread that runs an event loop (an ASGI server,
    Playwright's browser tests): signing and checking there go to a thread of their own."""

    async def sign_and_check() -> bool:
        return pdf_check(pdf_sign(blank_pdf())).ok

    assert asyncio.run(sign_and_check())
