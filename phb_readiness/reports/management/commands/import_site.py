from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phb_readiness.reports.archive import ArchiveError, site_import


class Command(BaseCommand):
    help = "Restore a site archive written by export_site into a database that does not hold that site."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="The archive (.zip) written by export_site")

    def handle(self, *args, file: Path, **options) -> None:
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        try:
            site = site_import(path=file)
        except ArchiveError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {site}. People created by the restore have no password: set one (or send a reset) "
                "before they sign in."
            )
        )
