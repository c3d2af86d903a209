from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "phb_readiness.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from phb_readiness.audit import admin_log, checks  # noqa: F401 (checks registers the deploy check)

        admin_log.connect()  # changes made in the Django admin go into the audit trail too
