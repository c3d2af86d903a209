from django.apps import AppConfig


class SitesConfig(AppConfig):
    name = "phb_readiness.sites"
    label = "sites"
    verbose_name = "Pilot sites and people"
