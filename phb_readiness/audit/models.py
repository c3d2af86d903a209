"""An append-only, hash-chained record of every change that matters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditEvent(models.Model):
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=150, blank=True, help_text="Username at the time (or 'system').")
    action = models.CharField(max_length=64, help_text="For example response.update, evidence.remove, auth.login.")
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    site = models.ForeignKey("sites.PilotSite", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    summary = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # Unique: each event is the successor of exactly one other, so two writers that read the same end of the chain
    # cannot both append to it (the second fails and re-reads; see audit.services.audit_append_many).
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["site", "-created_at"]),
            # The newest events of a site (the task list's latest activity).
            models.Index(fields=["site", "-id"], name="audit_site_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}:{self.object_id}"
