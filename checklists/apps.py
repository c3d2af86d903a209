from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "checklists"
    verbose_name = "Readiness checklists"

    def ready(self) -> None:
        from checklists import notifications  # noqa: F401 - connects the receiver that e-mails reviewers on submission
