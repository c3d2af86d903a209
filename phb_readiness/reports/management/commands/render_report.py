"""Render a site or the national report synchronously, for operators: `render_report --site CODE --output FILE`."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from phb_readiness.reports.models import Report
from phb_readiness.reports.selectors import latest_assessments
from phb_readiness.reports.services import report_render
from phb_readiness.sites.models import PilotSite, Region


class Command(BaseCommand):
    help = "Render a site report (of the site's latest assessment) or the national report now, without a worker."

    def add_arguments(self, parser) -> None:
        subject = parser.add_mutually_exclusive_group(required=True)
        subject.add_argument("--site", metavar="CODE", help="the site's code, e.g. DEMO-A")
        subject.add_argument("--national", action="store_true", help="the national report")
        parser.add_argument("--region", metavar="CODE", help="with --national: only this region's sites")
        parser.add_argument("--output", required=True, type=Path, metavar="FILE", help="where to write the PDF")

    def handle(self, *args, site: str | None, national: bool, region: str | None, output: Path, **options) -> None:
        if site:
            pilot_site = PilotSite.objects.filter(code=site).first()
            if pilot_site is None:
                raise CommandError(f"No site with code {site!r}.")
            assessment = latest_assessments([pilot_site]).get(pilot_site.id)
            if assessment is None:
                raise CommandError(f"Site {site} has no assessment yet.")
            report = Report.objects.create(kind=Report.Kind.SITE, site=pilot_site, assessment=assessment)
        else:
            scope = None
            if region:
                scope = Region.objects.filter(code=region).first()
                if scope is None:
                    raise CommandError(f"No region with code {region!r}.")
            report = Report.objects.create(kind=Report.Kind.NATIONAL, region=scope)
        started = time.monotonic()
        report = report_render(report_id=report.pk)
        elapsed = time.monotonic() - started
        if report is None or report.state != Report.State.SUCCEEDED:
            raise CommandError(f"Report {report and report.pk} failed: {report and report.error}")
        output.parent.mkdir(parents=True, exist_ok=True)
        with report.file.open("rb") as source, open(output, "wb") as target:
            shutil.copyfileobj(source, target)
        self.stdout.write(
            f"Report {report.pk}: {report.pages} pages in {elapsed:.1f} s, written to {output}\nSHA-256 {report.sha256}"
        )
