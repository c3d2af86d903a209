from django.apps import AppConfig


class OutboxConfig(AppConfig):
    name = "phb_readiness.outbox"
    label = "outbox"
    verbose_name = "Outgoing task messages"
