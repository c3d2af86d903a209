"""The outbox: a Celery task message written in the transaction of the change that causes it, published from here."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OutboxMessage(models.Model):
    """One task call waiting for the broker, or sent. `published_at` is set only once the broker has accepted it."""

    task = models.CharField(max_length=200, help_text="The Celery task's name, e.g. checklists.send_notification.")
    args = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0, help_text="Publishing attempts the broker did not accept.")
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            # The flush reads the unpublished rows, oldest first; published ones are only ever deleted by age.
            models.Index(fields=["created_at", "id"], condition=Q(published_at__isnull=True), name="outbox_pending"),
            models.Index(fields=["published_at"], condition=Q(published_at__isnull=False), name="outbox_published"),
        ]

    def __str__(self) -> str:
        state = f"published {self.published_at:%Y-%m-%d %H:%M:%S}" if self.published_at else "waiting"
        return f"{self.task}{tuple(self.args)} ({state})"
