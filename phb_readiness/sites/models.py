"""Pilot sites, the people who work on them, and who may see what.

Roles come from memberships (person x site x role) and reviewer scopes, never from a flag on the user.
Every query that returns site data starts from `PilotSite.objects.visible_to(user)`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Q, Subquery


class Region(models.Model):
    """A strategic health authority area."""

    code = models.CharField(max_length=16, unique=True)
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SiteRole(models.TextChoices):
    """What a person is to one site. Reviewer, observer and administrator come from scope and superuser status."""

    MANAGER = "manager", "Pilot manager"
    CONTRIBUTOR = "contributor", "Contributor"
    UNION_REP = "union_rep", "Union rep (staff side)"
    REVIEWER = "reviewer", "SPF reviewer"
    OBSERVER = "observer", "Staff-side observer"
    ADMIN = "admin", "Administrator"


class PilotSiteQuerySet(models.QuerySet):
    def visible_to(self, user) -> PilotSiteQuerySet:
        """The one scoping function: the sites this person may see at all."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self.all()
        scope = reviewer_scope_of(user)
        if scope is not None and scope.region_id is None:
            return self.all()
        if scope is None:  # one membership a site at most, so the join cannot repeat a site
            return self.filter(memberships__user=user)
        visible = Q(memberships__user=user) | Q(region_id=scope.region_id)
        return self.filter(id__in=PilotSite.objects.filter(visible).values("id"))

    def active(self) -> PilotSiteQuerySet:
        return self.filter(active=True)


class PilotSite(models.Model):
    """A primary care trust in the personal health budgets pilot programme."""

    class PilotType(models.TextChoices):
        IN_DEPTH = "in_depth", "In-depth evaluation"
        STANDARD = "standard", "Standard"

    code = models.CharField("ODS-style code", max_length=16, unique=True)
    name = models.CharField(max_length=200)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="sites")
    pilot_type = models.CharField(max_length=16, choices=PilotType.choices, default=PilotType.STANDARD)
    active = models.BooleanField(default=True)

    objects = PilotSiteQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(pilot_type__in=["in_depth", "standard"]), name="pilotsite_pilot_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Membership(models.Model):
    """A person's role at one site. One role per person per site."""

    class Role(models.TextChoices):
        MANAGER = SiteRole.MANAGER.value, SiteRole.MANAGER.label
        CONTRIBUTOR = SiteRole.CONTRIBUTOR.value, SiteRole.CONTRIBUTOR.label
        UNION_REP = SiteRole.UNION_REP.value, SiteRole.UNION_REP.label

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    site = models.ForeignKey(PilotSite, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["site__name", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "site"], name="membership_one_role_per_site"),
            models.CheckConstraint(
                condition=Q(role__in=["manager", "contributor", "union_rep"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.site.code}"


class ReviewerScope(models.Model):
    """A person who sees across sites: national (no region) or for one region.

    Most are SPF reviewers. A staff-side observer (a union officer watching the programme) has the same reach but
    the observer's role at every site in it: read, comment and raise concerns, never edit, sign, return or accept.
    One table for both, because what a person may see is the same rule (`visible_to`); what they may do is the
    role's row in the access table.
    """

    class Role(models.TextChoices):
        REVIEWER = SiteRole.REVIEWER.value, SiteRole.REVIEWER.label
        OBSERVER = SiteRole.OBSERVER.value, SiteRole.OBSERVER.label

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviewer_scope")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REVIEWER)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reviewer_scopes",
        help_text="Leave empty for the whole programme.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(role__in=["reviewer", "observer"]), name="reviewerscope_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {'national' if self.region_id is None else self.region}"

    @property
    def is_reviewer(self) -> bool:
        return self.role == self.Role.REVIEWER


def reviewer_scope_of(user) -> ReviewerScope | None:
    """The person's reviewer scope: read with the user at sign-in (accounts.auth loads it alongside), or once a
    request otherwise."""
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.reviewer_scope
    except ReviewerScope.DoesNotExist:
        return None


def role_at(user, site: PilotSite) -> SiteRole | None:
    """The strongest role a person holds at a site, or None if they may not see it."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    membership = Membership.objects.filter(user=user, site=site).only("role").first()
    return role_from(user, site, membership_role=membership.role if membership else None)


def membership_role_of(user) -> Subquery:
    """Annotation for a query over rows with a site_id (assessments): the person's membership role at that site."""
    return Subquery(Membership.objects.filter(site=OuterRef("site_id"), user=user).values("role")[:1])


def role_from(user, site: PilotSite, *, membership_role: str | None) -> SiteRole | None:
    """role_at() for a caller that already read the person's membership role at the site (one query fewer)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if membership_role:
        return SiteRole(membership_role)
    scope = reviewer_scope_of(user)
    if scope is not None and (scope.region_id is None or scope.region_id == site.region_id):
        return SiteRole(scope.role)
    if user.is_superuser:
        return SiteRole.ADMIN
    return None
