from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "phb_readiness.audit"
    label = "audit"
    verbose_name = "Audit trail"
