from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phb_readiness.reports.archive import ArchiveError, key_id, site_export
from phb_readiness.sites.models import PilotSite


class Command(BaseCommand):
    help = (
        "Write a complete archive of one site (data as JSON, evidence files and reports with their SHA-256), "
        "copying the files from the store one at a time, its manifest signed with the archive key (PHB_ARCHIVE_KEY)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("code", help="The site's ODS-style code, e.g. DEMO-A")
        parser.add_argument("file", type=Path, help="Where to write the archive (a .zip file)")

    def handle(self, *args, code: str, file: Path, **options) -> None:
        site = PilotSite.objects.filter(code=code).first()
        if site is None:
            raise CommandError(f"No site with code {code}.")
        try:
            handle = open(file, "xb")  # noqa: SIM115 - closed below
        except FileExistsError:
            raise CommandError(f"{file} exists already: choose a new file name.") from None
        try:
            with handle:
                counts = site_export(site=site, path=handle)
        except ArchiveError as exc:
            file.unlink(missing_ok=True)
            raise CommandError(f"No archive written: {exc}") from exc
        except BaseException:
            file.unlink(missing_ok=True)  # never leave half an archive behind
            raise
        summary = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Wrote {file}: {summary}. Signed with archive key {key_id('archive')}."))
