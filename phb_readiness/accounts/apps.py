from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "phb_readiness.accounts"
    label = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self) -> None:
        from phb_readiness.accounts import signals  # noqa: F401
