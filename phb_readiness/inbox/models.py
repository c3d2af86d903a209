"""The inbox: every notification and reminder a person is sent, kept 90 days, and the record that it was sent once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from phb_readiness.sites.models import PilotSite


class InboxMessage(models.Model):
    """One notification for one person. It is also the ledger of what was sent: a person gets one message of a kind
    about one thing a day (`inbox_once_per_day`), so a job or a mail batch run again inserts nothing twice, and
    `emailed_at` says whether its e-mail went out (a retried batch sends only what it has not)."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", "Each one as it happens"
        DIGEST = "digest", "A weekly digest"
        NONE = "none", "No e-mail"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(PilotSite, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=40, help_text='What it is, e.g. "concern.raised" or "reminder.due_7".')
    category = models.CharField(max_length=16, help_text="The preference it is sent under.")
    key = models.CharField(max_length=120, help_text='What it is about, e.g. "response:12" (an event: its own id).')
    day = models.DateField(default=timezone.localdate)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True, help_text="The page where the action is taken.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    email = models.CharField(max_length=16, choices=Email.choices, default=Email.IMMEDIATE)
    emailed_at = models.DateTimeField(null=True, blank=True, help_text="When its e-mail (or digest) was sent.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key", "day"], name="inbox_once_per_day"),
            models.CheckConstraint(condition=Q(email__in=["immediate", "digest", "none"]), name="inbox_email_valid"),
        ]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="inbox_user_newest"),
            # The header's count of unread messages, read with the signed-in person on every page.
            models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="inbox_unread"),
            models.Index(fields=["email"], condition=Q(emailed_at__isnull=True), name="inbox_email_pending"),
            models.Index(fields=["created_at"], name="inbox_created"),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.subject}"
