"""Check a report's signature: `verify_pdf FILE` exits 0 if it is intact and made with the service's certificate."""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography import x509
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError
from django.utils import timezone

from phb_readiness.reports.selectors import report_by_sha256
from phb_readiness.reports.signing import SigningError, pdf_check, signing_certificate


class Command(BaseCommand):
    help = (
        "Validate a PDF report's signature (pyHanko) against the service's certificate: prints intact or broken, "
        "the signer and the signing time; exit status 0 if intact, trusted and nothing was added after signing, else 1."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="the PDF to check")
        parser.add_argument(
            "--cert",
            type=Path,
            action="append",
            metavar="PEM",
            help="trust this certificate instead of the service's current one (e.g. the one before a renewal); "
            "may be given more than once",
        )

    def handle(self, *args, file: Path, cert: list[Path] | None, **options) -> None:
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"{file} cannot be read ({exc.strerror}).") from None
        try:
            trusted = [c for path in cert for c in x509.load_pem_x509_certificates(path.read_bytes())] if cert else None
            trusted = trusted or [signing_certificate()]
        except (OSError, ValueError, SigningError) as exc:
            raise CommandError(f"The certificate to check against cannot be read: {exc}") from None
        check = pdf_check(content, trusted=trusted)
        if check.signed and check.signer:
            when = timezone.localtime(check.signed_at).strftime("%d %b %Y %H:%M:%S %Z") if check.signed_at else "?"
            self.stdout.write(f"signature: {'intact' if check.intact else 'broken'}")
            self.stdout.write(f"signer:    {check.signer} ({'trusted' if check.trusted else 'not trusted'})")
            self.stdout.write(f"signed at: {when}")
            self.stdout.write(f"covers:    {'the whole file' if check.whole_file else 'part of the file only'}")
        try:
            report = report_by_sha256(hashlib.sha256(content).hexdigest())
        except DatabaseError:  # the signature is checked without the database; the record is a bonus
            report = None
        if report is not None:
            self.stdout.write(
                f"record:    report {report.pk}, issued {timezone.localtime(report.finished_at):%d %b %Y %H:%M}"
            )
        if not check.ok:
            raise CommandError(check.problem or "The signature is not valid.")
        self.stdout.write(self.style.SUCCESS("OK: issued by this service and unchanged since it was signed."))
