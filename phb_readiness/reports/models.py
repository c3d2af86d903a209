"""PDF readiness reports: a job row with a state, rendered by a Celery worker."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Report(models.Model):
    class Kind(models.TextChoices):
        SITE = "site", "Site report"
        NATIONAL = "national", "National report"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    assessment = models.ForeignKey(
        "checklists.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="reports"
    )
    site = models.ForeignKey("sites.PilotSite", on_delete=models.PROTECT, null=True, blank=True, related_name="reports")
    region = models.ForeignKey(
        "sites.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="National reports only: the region a regional reviewer's report covers; empty for every site.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When its latest message was queued.")
    queue_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Messages queued for it since it was last asked for (one more each time it is re-queued)."
    )
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/", blank=True, max_length=255)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    data_as_of = models.DateTimeField(null=True, blank=True)
    data_sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the data the report shows.")
    include_guidance = models.BooleanField(
        default=False, help_text="Site reports only: whether it ends with the guidance of every item (an appendix)."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "succeeded", "failed"]), name="report_state_valid"
            ),
            models.CheckConstraint(
                condition=(Q(kind="site") & Q(site__isnull=False) & Q(region__isnull=True))
                | (Q(kind="national") & Q(site__isnull=True)),
                name="report_subject_matches_kind_and_scope",
            ),
            models.CheckConstraint(
                condition=~Q(state="succeeded") | (~Q(file="") & ~Q(sha256="")),
                name="report_succeeded_has_file",
            ),
        ]

    def __str__(self) -> str:
        subject = self.site.code if self.site_id else (self.region.code if self.region_id else "national")
        return f"Report {self.pk} ({subject}, {self.get_state_display()})"


class ReadinessSnapshot(models.Model):
    """A region's readiness at a month's end, as it was then: the programme over time (reports.history).

    Written for the current month only, by beat's daily job, so a month's row holds its last day's figures and is
    never written again once the month is over: a later change cannot rewrite history. Months before the first
    snapshot can be derived once from the audit trail (`source="audit"`); they never replace a stored row.
    """

    class Source(models.TextChoices):
        STORED = "stored", "Stored readiness"
        AUDIT = "audit", "Derived from the audit trail"

    region = models.ForeignKey("sites.Region", on_delete=models.PROTECT, related_name="+")
    month = models.DateField(help_text="The first day of the month the figures are for.")
    sites = models.PositiveIntegerField(default=0, help_text="Sites with an assessment.")
    ready = models.PositiveIntegerField(default=0, help_text="Sites ready to accept.")
    accepted = models.PositiveIntegerField(default=0)
    returned = models.PositiveIntegerField(default=0)
    open_concerns = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.STORED)
    taken_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["month", "region"]
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="snapshot_one_per_region_month"),
            models.CheckConstraint(condition=Q(source__in=["stored", "audit"]), name="snapshot_source_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m}"
