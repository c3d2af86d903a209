from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "phb_readiness.inbox"
    label = "inbox"
    verbose_name = "Inbox"
