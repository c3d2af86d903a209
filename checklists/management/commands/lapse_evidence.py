"""Record every lapse of evidence due: what beat's daily `checklists.lapse_evidence` does, run by hand."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from checklists.models import Evidence
from checklists.rules.readiness import long_date
from checklists.services.readiness import evidence_lapse


class Command(BaseCommand):
    help = (
        "Record each piece of evidence whose valid-until date has passed: one audit event per lapse, the site's "
        "stored readiness refreshed (the evidence no longer counts). Safe to run again: a lapse is recorded once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the lapses due; record nothing.")
        parser.add_argument("--today", help="Count as of this date (YYYY-MM-DD) instead of today.")

    def handle(self, *args, dry_run: bool = False, today: str | None = None, **options) -> None:
        try:
            day = datetime.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--today: enter a date as YYYY-MM-DD ({exc})") from exc
        if dry_run:
            due = (
                Evidence.objects.lapsed(day)
                .filter(lapsed_at__isnull=True)
                .select_related("response__item", "response__assessment__site")
                .order_by("response__assessment__site__code", "response__item__code", "id")
            )
            lapsed = list(due)
        else:
            lapsed = evidence_lapse(today=day)
        for evidence in lapsed:
            site, code = evidence.response.assessment.site, evidence.response.item.code
            self.stdout.write(f"{site.code} {code}: {evidence.title}, expired on {long_date(evidence.valid_until)}")
        verb = "due (dry run, nothing recorded)" if dry_run else "recorded"
        self.stdout.write(f"{len(lapsed)} lapse{'' if len(lapsed) == 1 else 's'} of evidence {verb}.")
