from django.core.management.base import BaseCommand, CommandError

from phb_readiness.audit.services import audit_verify


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain under the audit key, and hold it against the signed checkpoints in the "
        "file store; report the first broken link or failed checkpoint."
    )

    def handle(self, *args, **options) -> None:
        report = audit_verify()
        if report.broken_at is not None:
            raise CommandError(
                f"Audit chain broken at event {report.broken_at}: {report.reason} "
                f"({report.checked} events before it verified)."
            )
        if not report.ok:
            raise CommandError(f"Audit chain fails its checkpoints: {report.reason}.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit chain intact: {report.checked} events verified, against {report.checkpoints} checkpoints."
            )
        )
