from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "checklists"
    verbose_name = "Readiness checklists"

    def ready(self) -> None:
        from checklists import partnership_receivers  # noqa: F401 - connects the audit-event receivers
