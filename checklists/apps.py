from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _store_missing_readiness(sender, **kwargs) -> None:
    """After migrate: assessments without a stored readiness row (a database upgraded to stored readiness) get one."""
    from checklists.services.readiness import readiness_rebuild  # models are ready only once apps are

    readiness_rebuild(only_missing=True)


class ChecklistsConfig(AppConfig):
    name = "checklists"
    verbose_name = "Readiness checklists"

    def ready(self) -> None:
        post_migrate.connect(_store_missing_readiness, sender=self, dispatch_uid="checklists_store_missing_readiness")
