from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from checklists.services.frameworks import DEFAULT_FRAMEWORK_FILE, FrameworkFileError, framework_load


class Command(BaseCommand):
    help = "Load a readiness framework (the guidance as data) from a TOML file. Idempotent."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", nargs="?", default=str(DEFAULT_FRAMEWORK_FILE), help="framework TOML file")

    def handle(self, *args, path: str, **options) -> None:
        try:
            result = framework_load(path=Path(path))
        except FrameworkFileError as exc:
            raise CommandError(str(exc)) from exc
        framework = result.framework
        if result.created:
            verb = "Loaded"
        elif result.described:
            verb = "Already loaded; updated its description (what it asks is unchanged):"
        else:
            verb = "Already loaded, unchanged:"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} {framework.name} version {framework.version} "
                f"({framework.sections.count()} sections, {result.item_count} items)."
            )
        )
