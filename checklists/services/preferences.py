"""Writes of e-mail preferences: which categories of notification a person gets."""

from __future__ import annotations

from django.db import transaction

from checklists.models import NotificationPreference
from phb_readiness.audit.services import audit_record


@transaction.atomic
def preferences_save(*, user, enabled: set[str]) -> None:
    """Switch e-mail categories on or off for one person (a row per category they have chosen)."""
    for category in NotificationPreference.Category.values:
        NotificationPreference.objects.update_or_create(
            user=user, category=category, defaults={"enabled": category in enabled}
        )
    audit_record(
        action="notifications.preferences",
        actor=user,
        obj=user,
        summary="Changed e-mail notification preferences",
        after={"enabled": sorted(enabled)},
    )
