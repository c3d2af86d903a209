"""Recompute every assessment's stored readiness from its rows and report the rows that disagree."""

from django.core.management.base import BaseCommand, CommandError

from checklists.services.readiness import readiness_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the stored readiness of every assessment, report each stored row that disagrees with its rows, "
        "and store the recomputed figures (with --check: only report, and fail if any disagree)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--check", action="store_true", help="Change nothing; exit with an error on disagreement.")

    def handle(self, *args, check: bool = False, **options) -> None:
        checked, disagreements = readiness_rebuild(fix=not check)
        for disagreement in disagreements:
            fields = ", ".join(
                f"{name}: stored {_short(stored)}, recomputed {_short(computed)}"
                for name, (stored, computed) in disagreement.fields.items()
            )
            self.stdout.write(f"assessment {disagreement.assessment_id}: {fields}")
        verb = "disagree" if check else "disagreed and were rebuilt"
        self.stdout.write(f"{checked} assessments checked; {len(disagreements)} {verb}.")
        if check and disagreements:
            raise CommandError(f"{len(disagreements)} stored readiness rows disagree with their assessments' rows.")


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
