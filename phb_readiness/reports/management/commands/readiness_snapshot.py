"""Store this month's readiness per region now (beat does it daily), and with --backfill derive the months before the
first snapshot from the audit trail."""

from django.core.management.base import BaseCommand

from phb_readiness.reports.history import snapshot_backfill, snapshot_take


class Command(BaseCommand):
    help = (
        "Store each region's readiness for the current month; --backfill derives earlier months from the audit trail."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--backfill",
            action="store_true",
            help="Also derive earlier months, where none is stored, from the audit trail.",
        )

    def handle(self, *args, backfill: bool = False, **options):
        if backfill:
            added = snapshot_backfill()
            self.stdout.write(f"Derived {added} region-month(s) from the audit trail.")
        written = snapshot_take()
        self.stdout.write(f"Stored this month's readiness for {written} region(s).")
