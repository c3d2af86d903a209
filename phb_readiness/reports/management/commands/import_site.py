from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phb_readiness.reports.archive import ArchiveError, site_import

# Exit status for an archive refused (damaged, incomplete, altered, unsigned): one line on stderr, no traceback.
REFUSED = 2


def _one_line(text: str) -> str:
    return " ".join(text.split())


class Command(BaseCommand):
    help = (
        "Restore a site archive written by export_site into a database that does not hold that site. The archive "
        "must be signed with this installation's archive key (PHB_ARCHIVE_KEY)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The archive (.zip) written by export_site")
        parser.add_argument(
            "--trust-unsigned",
            action="store_true",
            help="Restore an archive that is not signed with this installation's key, on your own trust in its "
            "source (every entry and the audit events' hashes are still checked).",
        )

    def handle(self, *args, file: Path, trust_unsigned: bool, **options) -> None:
        if not file.is_file():
            raise CommandError(f"No file {file}.", returncode=REFUSED)
        try:
            restored = site_import(path=file, trust_unsigned=trust_unsigned)
        except ArchiveError as exc:
            raise CommandError(_one_line(str(exc)), returncode=REFUSED) from exc
        if restored.unsigned:
            self.stderr.write(
                self.style.WARNING(f"{restored.unsigned}: restored anyway, on your trust (--trust-unsigned).")
            )
        if not restored.events_checked:
            self.stdout.write(
                "The audit events were hashed under another installation's audit key: the archive's signature "
                "vouches for them."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {restored.site}. People created by the restore have no password: set one (or send a "
                "reset) before they sign in."
            )
        )
