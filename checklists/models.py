"""The guidance as data (Framework, Section, Item) and a site's answers to it (Assessment and what hangs off it)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from phb_readiness.sites.models import PilotSite, SiteRole


class Framework(models.Model):
    """One version of the readiness guidance. A published version never changes."""

    slug = models.SlugField(max_length=80)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=32)
    description = models.TextField(blank=True)
    sources = models.JSONField(default=list, help_text="The source documents: key, file and title of each.")
    published = models.BooleanField(default=False)
    content_sha256 = models.CharField(max_length=64, help_text="SHA-256 of the canonical content loaded.")
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="framework_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (version {self.version})"

    def source_title(self, key: str) -> str:
        return next((s["title"] for s in self.sources if s.get("key") == key), key)


class Section(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sections")
    code = models.CharField(max_length=8)
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["framework", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="section_unique_code"),
            models.UniqueConstraint(fields=["framework", "position"], name="section_unique_position"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Item(models.Model):
    """One question of the guidance."""

    class Kind(models.TextChoices):
        READINESS = "readiness", "Readiness item"
        DESCRIBE = "describe", "Describe the process"

    class Provenance(models.TextChoices):
        QUESTION = "question", "Question of the guidance"
        REQUIREMENT = "requirement", "Requirement of the guidance"
        MOTION = "motion", "UNISON 2009 motion"
        SERVICE = "service", "Added by this service"

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="items")
    code = models.CharField(max_length=16)
    question = models.TextField()
    guidance = models.TextField(blank=True)
    source_key = models.CharField(max_length=32)
    source_section = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.READINESS)
    mandatory = models.BooleanField(default=True)
    evidence_expected = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField()
    # Where the item comes from and why it asks what it asks: descriptive, it never changes what an answer means
    # (see checklists.services.frameworks). Blank only until the framework file that describes it is loaded.
    provenance = models.CharField(max_length=16, choices=Provenance.choices, blank=True)
    source_passage = models.TextField(blank=True, help_text="The passage of the source the item comes from, quoted.")
    mandatory_reason = models.TextField(blank=True, help_text="Why the item is mandatory, or why it is optional.")
    evidence_reason = models.TextField(blank=True, help_text="Why the item expects evidence, or why it does not.")

    class Meta:
        ordering = ["section__position", "position"]
        constraints = [
            models.UniqueConstraint(fields=["section", "code"], name="item_unique_code"),
            models.UniqueConstraint(fields=["section", "position"], name="item_unique_position"),
            models.CheckConstraint(condition=Q(kind__in=["readiness", "describe"]), name="item_kind_valid"),
            models.CheckConstraint(
                condition=Q(provenance__in=["", "question", "requirement", "motion", "service"]),
                name="item_provenance_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.question[:60]}"


class Assessment(models.Model):
    """One site against one framework version for one round."""

    class State(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted for review"
        RETURNED = "returned", "Returned"
        ACCEPTED = "accepted", "Accepted"

    site = models.ForeignKey(PilotSite, on_delete=models.PROTECT, related_name="assessments")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="assessments")
    round_label = models.CharField(max_length=80, help_text='For example "Readiness review, 2009/10 Q4".')
    state = models.CharField(max_length=16, choices=State.choices, default=State.DRAFT)
    carried_forward_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="carried_forward_to"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    return_reasons = models.TextField(blank=True)

    class Meta:
        ordering = ["site__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["site", "framework", "round_label"], name="assessment_unique_round"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "returned", "accepted"]),
                name="assessment_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="returned") | ~Q(return_reasons=""), name="assessment_returned_has_reasons"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.site.code}: {self.round_label}"

    @property
    def state_changed_at(self) -> datetime.datetime:
        """When the assessment was started, submitted or reviewed, whichever came last (not `updated_at`, which any
        save moves): with its answers' changes, the "last change" that readiness stores."""
        return max(t for t in (self.created_at, self.submitted_at, self.reviewed_at) if t is not None)

    @property
    def is_editable(self) -> bool:
        """Responses and evidence change only while the site holds the assessment."""
        return self.state in (self.State.DRAFT, self.State.RETURNED)


STATUS_TAG_CLASSES = {
    "in_place": "govuk-tag--green",
    "not_in_place": "govuk-tag--red",
    "in_progress": "govuk-tag--light-blue",
    "not_applicable": "govuk-tag--purple",
}


def status_tag_class(status: str) -> str:
    """The GOV.UK tag colour of a response status (not started and anything unknown: grey)."""
    return STATUS_TAG_CLASSES.get(status, "govuk-tag--grey")


class Response(models.Model):
    """A site's answer to one item in one assessment."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        IN_PLACE = "in_place", "In place"
        NOT_IN_PLACE = "not_in_place", "Not in place"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="responses")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NOT_STARTED)
    narrative = models.TextField(blank=True)
    not_applicable_reason = models.TextField(blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_responses",
    )
    due_date = models.DateField(null=True, blank=True)
    carried_forward = models.BooleanField(
        default=False,
        help_text="Copied from the round before and not yet confirmed or changed in this round.",
    )
    # Optimistic locking: every save names the version it was based on (see services.response_save).
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["item__section__position", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "item"], name="response_one_per_item"),
            models.CheckConstraint(
                condition=Q(status__in=["not_started", "in_progress", "in_place", "not_in_place", "not_applicable"]),
                name="response_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="not_applicable") | ~Q(not_applicable_reason=""),
                name="response_not_applicable_has_reason",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="response_version_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} / {self.item.code}"

    @property
    def is_answered(self) -> bool:
        return self.status in (self.Status.IN_PLACE, self.Status.NOT_IN_PLACE, self.Status.NOT_APPLICABLE)

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.due_date < timezone.localdate()
            and self.status not in (self.Status.IN_PLACE, self.Status.NOT_APPLICABLE)
        )

    @property
    def status_tag_class(self) -> str:
        return status_tag_class(self.status)


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    # The stored name never uses the uploader's file name (path traversal, odd characters): a random token.
    from uuid import uuid4

    return f"evidence/{instance.response.assessment.site_id}/{uuid4().hex}"


class EvidenceQuerySet(models.QuerySet):
    def current(self) -> EvidenceQuerySet:
        """Not removed (expired evidence included: it is still shown, marked "Expired on")."""
        return self.filter(removed_at__isnull=True)

    def in_force(self, today: datetime.date) -> EvidenceQuerySet:
        """Not removed and not lapsed on `today`: the evidence that counts for the rating."""
        return self.current().filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))

    def lapsed(self, today: datetime.date) -> EvidenceQuerySet:
        """Not removed, but its validity ended before `today`."""
        return self.current().filter(valid_until__lt=today)


class Evidence(models.Model):
    """A file or a link supporting a response. Removal is recorded, not erased, so the audit trail holds."""

    class Kind(models.TextChoices):
        FILE = "file", "File"
        LINK = "link", "Link"

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=evidence_upload_to, blank=True, max_length=255)
    original_filename = models.CharField(max_length=255, blank=True)
    url = models.URLField(blank=True, max_length=1000)
    size = models.PositiveBigIntegerField(default=0)
    content_type = models.CharField(max_length=120, blank=True, help_text="Detected from the content.")
    sha256 = models.CharField(max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField(null=True, blank=True)
    dated = models.DateField(
        default=timezone.localdate,
        help_text="The date the evidence speaks for (a certificate's issue date, a policy's approval date).",
    )
    valid_until = models.DateField(
        null=True,
        blank=True,
        help_text="The last day the evidence holds; after it the evidence has lapsed and no longer counts.",
    )
    lapsed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the daily job recorded that the evidence had lapsed."
    )

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name_plural = "evidence"
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="file") & ~Q(file="") & ~Q(sha256="")) | (Q(kind="link") & ~Q(url="") & Q(file="")),
                name="evidence_file_or_link",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_expired(self, today: datetime.date) -> bool:
        """Its validity ended before `today` (the valid-until day itself still counts)."""
        return self.valid_until is not None and self.valid_until < today


class CommentQuerySet(models.QuerySet):
    def concerns(self) -> CommentQuerySet:
        return self.filter(is_concern=True)

    def open_concerns(self) -> CommentQuerySet:
        return self.filter(is_concern=True).exclude(concern_state=Comment.ConcernState.CLOSED)


class Comment(models.Model):
    """A comment on a response. A concern is a comment that stays open until its raiser (or a reviewer) closes it."""

    class ConcernState(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        CLOSED = "closed", "Closed"

    response = models.ForeignKey(Response, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_role = models.CharField(max_length=16, choices=SiteRole.choices)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    is_concern = models.BooleanField(default=False)
    concern_state = models.CharField(max_length=16, choices=ConcernState.choices, blank=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.TextField(
        blank=True, help_text="Why the concern was closed, when someone other than its raiser closed it."
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["response", "is_concern", "concern_state"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(is_concern=True) & Q(concern_state__in=["open", "answered", "closed"]))
                | (Q(is_concern=False) & Q(concern_state="")),
                name="comment_concern_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{'Concern' if self.is_concern else 'Comment'} by {self.author} on {self.response.item.code}"

    @property
    def is_open_concern(self) -> bool:
        return self.is_concern and self.concern_state != self.ConcernState.CLOSED


class SignOff(models.Model):
    """An append-only signature over a section's (or the whole assessment's) canonical content."""

    class Kind(models.TextChoices):
        MANAGEMENT = "management", "Management sign-off"
        STAFF_SIDE = "staff_side", "Staff-side acknowledgement"
        REVIEWER = "reviewer", "Reviewer acceptance"

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="signoffs")
    section = models.ForeignKey(
        Section,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty: the whole assessment.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    signer_role = models.CharField(max_length=16, choices=SiteRole.choices)
    statement = models.TextField()
    content_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["management", "staff_side", "reviewer"]), name="signoff_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.signed_by} ({self.created_at:%Y-%m-%d})"


class ReviewEvent(models.Model):
    """One step of an assessment's review, in order, never overwritten: a submission, a return (with its reasons, its
    item queries and a snapshot of every answer at the time), a resubmission, an override of a RED rating, the
    acceptance."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned"
        RESUBMITTED = "resubmitted", "Resubmitted"
        OVERRIDE = "override", "Accepted over a RED rating"
        ACCEPTED = "accepted", "Accepted"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="review_events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reasons = models.TextField(blank=True)
    rag = models.CharField(max_length=8, blank=True, help_text="The stored rating at the time.")
    snapshot = models.JSONField(
        default=dict,
        blank=True,
        help_text="For a return: every response's status, narrative, owner, due date and current evidence at the "
        "time, keyed by item id.",
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["assessment", "at"], name="reviewevent_assessment_at")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["submitted", "returned", "resubmitted", "override", "accepted"]),
                name="reviewevent_kind_valid",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["returned", "override"]) | ~Q(reasons=""),
                name="reviewevent_return_override_have_reasons",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ReviewQuery(models.Model):
    """A reviewer's question about one item, asked with a return: the manager answers it before resubmitting, the
    reviewer resolves it (or keeps it open, and it goes back to the site with the next return)."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"
        RESOLVED = "resolved", "Resolved"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="review_queries")
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="review_queries")
    return_event = models.ForeignKey(ReviewEvent, on_delete=models.CASCADE, related_name="queries")
    question = models.TextField()
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "id"]
        verbose_name_plural = "review queries"
        indexes = [models.Index(fields=["assessment", "state"], name="reviewquery_assessment_state")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["open", "answered", "resolved"]), name="reviewquery_state_valid"
            ),
            models.CheckConstraint(condition=Q(state="open") | ~Q(answer=""), name="reviewquery_answered_has_answer"),
        ]

    def __str__(self) -> str:
        return f"Query on {self.response_id}: {self.question[:60]}"


class NotificationPreference(models.Model):
    """How often a person hears of one kind of notification by e-mail. No row: each one as it happens. Whatever the
    choice, every notification also lands in the person's inbox in the service."""

    class Category(models.TextChoices):
        CONCERNS = "concerns", "Concerns raised, answered and closed"
        SIGNOFFS = "signoffs", "Sign-offs requested and given"
        REVIEW = "review", "Assessments submitted, returned and accepted"
        DUE_SOON = "due_soon", "Reminders: my items due in 7 days and in 1 day"
        OVERDUE = "overdue", "Reminders: my items overdue (weekly)"
        SIGNOFF_WAITING = "signoff_waiting", "Reminders: sign-offs waiting 3 days for the staff side"
        CONCERN_WAITING = "concern_waiting", "Reminders: concerns unanswered for 5 days"
        REVIEW_WAITING = "review_waiting", "Reminders: submissions waiting 10 days for review"
        EVIDENCE_EXPIRY = "evidence_expiry", "Reminders: evidence expiring in 30 days and in 7 days"

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", "Each one as it happens"
        DIGEST = "digest", "A weekly digest"
        NONE = "none", "No e-mail"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    category = models.CharField(max_length=16, choices=Category.choices)
    frequency = models.CharField(max_length=16, choices=Frequency.choices, default=Frequency.IMMEDIATE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "category"], name="notification_pref_unique"),
            models.CheckConstraint(
                condition=Q(frequency__in=["immediate", "digest", "none"]), name="notification_pref_frequency_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_category_display()} {self.get_frequency_display().lower()}"


class SiteVisit(models.Model):
    """When a person last looked at a site's activity, for "changed since my last visit"."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    site = models.ForeignKey(PilotSite, on_delete=models.CASCADE, related_name="+")
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "site"], name="sitevisit_unique")]

    def __str__(self) -> str:
        return f"{self.user} last saw {self.site_id} at {self.last_seen_at:%Y-%m-%d %H:%M}"


class Rag(models.TextChoices):
    """The readiness rating; ordered worst first (rank 0 is red)."""

    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"

    @property
    def rank(self) -> int:
        return RAG_RANK[self.value]


RAG_RANK = {"red": 0, "amber": 1, "green": 2}


class SignOffState(models.TextChoices):
    NONE = "none", "Not signed off"
    MANAGEMENT_ONLY = "management_only", "Awaiting staff-side acknowledgement"
    COMPLETE = "complete", "Signed off by both sides"
    SUPERSEDED = "superseded", "Sign-off superseded by later changes"


@dataclass(frozen=True)
class SignOffFacts:
    """A section's sign-offs as the rule needs them: the content the latest management sign-off covers ("" when
    there is none) and whether the staff side acknowledged that sign-off, after it and over the same content."""

    management_id: int | None = None
    management_sha256: str = ""
    acknowledgement_id: int | None = None


@dataclass
class SectionFigures:
    """One section's stored readiness (an entry of Readiness.sections), as checklists.rules.readiness computes it."""

    section_id: int
    code: str
    title: str
    position: int
    total: int = 0
    applicable: int = 0
    in_place: int = 0
    answered: int = 0
    mandatory_not_in_place: int = 0
    mandatory_unanswered: int = 0
    open_concerns: int = 0
    evidence_missing: int = 0
    unevidenced: int = 0  # recorded as in place, but the evidence it expects is missing or expired
    overdue: int = 0
    content_sha256: str = ""
    management_id: int | None = None
    management_sha256: str = ""
    acknowledgement_id: int | None = None
    last_change: datetime.datetime | None = None
    signoff: SignOffState = SignOffState.NONE
    rag: Rag = Rag.AMBER

    @property
    def percent_in_place(self) -> int:
        return percent(self.in_place, self.applicable)

    @property
    def current_signoff_ids(self) -> set[int]:
        """The sign-offs that cover the section as it is now (none once a change superseded them)."""
        if self.signoff not in (SignOffState.MANAGEMENT_ONLY, SignOffState.COMPLETE):
            return set()
        return {i for i in (self.management_id, self.acknowledgement_id) if i is not None}

    @property
    def signoff_facts(self) -> SignOffFacts:
        return SignOffFacts(self.management_id, self.management_sha256, self.acknowledgement_id)

    def as_json(self) -> dict:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["last_change"] = self.last_change.isoformat() if self.last_change else None
        data["signoff"], data["rag"] = self.signoff.value, self.rag.value
        return data

    @classmethod
    def from_json(cls, data: dict) -> SectionFigures:
        figures = cls(**data)
        figures.last_change = datetime.datetime.fromisoformat(data["last_change"]) if data["last_change"] else None
        figures.signoff, figures.rag = SignOffState(data["signoff"]), Rag(data["rag"])
        return figures


def percent(part: int, whole: int) -> int:
    return round(100 * part / whole) if whole else 100


class RagField(models.CharField):
    """A RAG rating column read back as a Rag (so `.label` works wherever it is shown)."""

    def from_db_value(self, value, expression, connection):
        return Rag(value) if value else value


class Readiness(models.Model):
    """An assessment's readiness as stored, kept current by every change in the same transaction
    (checklists.services.readiness.readiness_refresh); pages, exports and reports read it instead of recomputing it.

    The overall figures are columns, so the national overview sorts, filters, pages and aggregates in SQL; the
    per-section figures are one JSON list on the same row (SectionFigures, above), so a save reads it with the
    assessment it locks and writes it back in one statement.
    """

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, primary_key=True, related_name="readiness")
    # The site and whether this is its newest assessment: the overview's one join from a site to its readiness.
    site = models.ForeignKey(PilotSite, on_delete=models.CASCADE, related_name="readiness_records")
    is_latest = models.BooleanField(default=True)
    total = models.PositiveIntegerField(default=0)
    applicable = models.PositiveIntegerField(default=0)
    in_place = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    percent_in_place = models.PositiveSmallIntegerField(default=0)
    mandatory_unanswered = models.PositiveIntegerField(default=0)
    mandatory_not_in_place = models.PositiveIntegerField(default=0)
    open_concerns = models.PositiveIntegerField(default=0)
    evidence_missing = models.PositiveIntegerField(
        default=0, help_text="Items that expect evidence and have none current."
    )
    unevidenced = models.PositiveIntegerField(
        default=0,
        help_text="Items recorded as in place that expect evidence and have none current: not in place for "
        "the rating, and they keep the assessment from being submitted.",
    )
    overdue = models.PositiveIntegerField(default=0, help_text="Items past their due date and not done, as of `as_of`.")
    sections_signed = models.PositiveSmallIntegerField(default=0, help_text="Sections signed off by both sides.")
    section_count = models.PositiveSmallIntegerField(default=0)
    rag = RagField(max_length=8, choices=Rag.choices, default=Rag.AMBER)
    rag_rank = models.PositiveSmallIntegerField(default=1, help_text="0 red, 1 amber, 2 green: sorts worst first.")
    sections = models.JSONField(default=list, help_text="Per-section figures, in the framework's order.")
    last_change = models.DateTimeField(null=True, blank=True, help_text="The newest change to the checklist.")
    as_of = models.DateField(null=True, blank=True, help_text="The date `overdue` was counted on.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "readiness"
        constraints = [
            models.UniqueConstraint(fields=["site"], condition=Q(is_latest=True), name="readiness_one_latest_per_site"),
            models.CheckConstraint(condition=Q(rag__in=["red", "amber", "green"]), name="readiness_rag_valid"),
        ]
        indexes = [models.Index(fields=["is_latest", "rag_rank"], name="readiness_latest_rag")]

    def __str__(self) -> str:
        return f"Readiness of assessment {self.assessment_id}: {self.rag}"

    @cached_property
    def section_figures(self) -> list[SectionFigures]:
        return [SectionFigures.from_json(entry) for entry in self.sections]


class ChecklistImport(models.Model):
    """A spreadsheet parsed and previewed, waiting for its uploader to confirm it (nothing else is written before).

    The file is parsed once: `rows` holds each change per item, old beside new, with the version the file was based
    on. Imports older than `settings.PHB_IMPORT_TTL_SECONDS` are expired (deleted when the next one is made).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.JSONField(default=list, help_text="The parsed changes, one entry per item the file changes.")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Import {self.pk} into assessment {self.assessment_id}"
