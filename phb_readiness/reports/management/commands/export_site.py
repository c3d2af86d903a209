from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phb_readiness.reports.archive import ArchiveError, site_export
from phb_readiness.sites.models import PilotSite


class Command(BaseCommand):
    help = "Write a complete archive of one site (data as JSON, evidence files and reports with their SHA-256)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("code", help="The site's ODS-style code, e.g. DEMO-A")
        parser.add_argument("file", type=Path, help="Where to write the archive (a .zip file)")

    def handle(self, *args, code: str, file: Path, **options) -> None:
        site = PilotSite.objects.filter(code=code).first()
        if site is None:
            raise CommandError(f"No site with code {code}.")
        if file.exists():
            raise CommandError(f"{file} exists already: choose a new file name.")
        try:
            counts = site_export(site=site, path=file)
        except ArchiveError as exc:
            file.unlink(missing_ok=True)
            raise CommandError(f"No archive written: {exc}") from exc
        summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Wrote {file}: {summary}."))
