"""Writes of e-mail preferences: how often a person hears of each kind of notification."""

from __future__ import annotations

from django.db import transaction

from checklists.models import NotificationPreference
from phb_readiness.audit.services import audit_record


@transaction.atomic
def preferences_save(*, user, frequencies: dict[str, str]) -> None:
    """Store, for one person, how often each kind of notification is e-mailed (immediate, digest or none): one row
    per kind, written in one statement, audited."""
    Category = NotificationPreference.Category
    NotificationPreference.objects.bulk_create(
        [
            NotificationPreference(user=user, category=category, frequency=frequencies[category])
            for category in Category.values
            if category in frequencies
        ],
        update_conflicts=True,
        unique_fields=["user", "category"],
        update_fields=["frequency"],
    )
    audit_record(
        action="notifications.preferences",
        actor=user,
        obj=user,
        summary="Changed e-mail notification preferences",
        after={
            "frequency": {category: frequencies[category] for category in Category.values if category in frequencies}
        },
    )
