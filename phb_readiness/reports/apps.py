from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "phb_readiness.reports"
    label = "reports"
    verbose_name = "Readiness reports"
