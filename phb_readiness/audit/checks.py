"""Deploy check: the audit key must be set in production, the same on every web and worker machine."""

from django.core.checks import Tags, Warning, register

from phb_readiness.keys import key_is_configured


@register(Tags.security, deploy=True)
def audit_key_configured(app_configs, **kwargs) -> list[Warning]:
    if key_is_configured("audit"):
        return []
    return [
        Warning(
            "PHB_AUDIT_KEY (or PHB_AUDIT_KEY_FILE) is not set: the audit chain's key is generated in this machine's "
            "var/keys/, so other machines (and a restored backup) would hold another key and fail verify_audit.",
            hint="Set PHB_AUDIT_KEY to a long random secret, the same for web, worker and migrate, kept outside the "
            "database.",
            id="audit.W001",
        )
    ]
