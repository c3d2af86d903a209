"""Reads of the reminder job: what is due, overdue, waiting or expiring, across every site, one query per kind.

Each read loads the rows with everything their reminder says (item, site, owner...), so the job's queries do not
grow with the number of sites; who else is told (a site's managers or union reps, the reviewers) is read once for
all the sites concerned.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from checklists.models import Assessment, Comment, Evidence, Readiness, Response, SignOff, SignOffState
from checklists.rules.readiness import DONE
from phb_readiness.sites.models import Membership, ReviewerScope

EDITABLE = (Assessment.State.DRAFT, Assessment.State.RETURNED)


def responses_due(dates: Iterable[datetime.date]) -> list[Response]:
    """Items not done, with an owner, due on one of these dates, in assessments the site still holds."""
    return list(
        Response.objects.filter(due_date__in=list(dates), owner__isnull=False, assessment__state__in=EDITABLE)
        .exclude(status__in=DONE)
        .select_related("item", "assessment__site", "owner")
        .order_by("due_date", "pk")
    )


def responses_overdue(today: datetime.date) -> list[Response]:
    """Items not done, with an owner, due before today, in assessments the site still holds."""
    return list(
        Response.objects.filter(due_date__lt=today, owner__isnull=False, assessment__state__in=EDITABLE)
        .exclude(status__in=DONE)
        .select_related("item", "assessment__site", "owner")
        .order_by("due_date", "pk")
    )


def signoffs_awaiting(signed_before: datetime.datetime) -> list[SignOff]:
    """Management sign-offs of sections, made before then, that are current and not acknowledged by the staff side
    (from the stored readiness of each site's assessments in progress: two queries)."""
    rows = Readiness.objects.filter(assessment__state__in=EDITABLE).values_list("sections", flat=True)
    ids = [
        entry["management_id"]
        for sections in rows
        for entry in sections
        if entry.get("signoff") == SignOffState.MANAGEMENT_ONLY and entry.get("management_id")
    ]
    if not ids:
        return []
    return list(
        SignOff.objects.filter(pk__in=ids, created_at__lt=signed_before)
        .select_related("assessment__site", "section", "signed_by")
        .order_by("created_at", "pk")
    )


def concerns_unanswered(raised_before: datetime.datetime) -> list[Comment]:
    """Open concerns (never answered, or reopened) raised before then, in assessments not yet accepted."""
    return list(
        Comment.objects.filter(is_concern=True, concern_state=Comment.ConcernState.OPEN, created_at__lt=raised_before)
        .exclude(response__assessment__state=Assessment.State.ACCEPTED)
        .select_related("response__item", "response__assessment__site", "response__owner", "author")
        .order_by("created_at", "pk")
    )


def submissions_waiting(submitted_before: datetime.datetime) -> list[Assessment]:
    """Assessments submitted before then and not yet reviewed."""
    return list(
        Assessment.objects.filter(state=Assessment.State.SUBMITTED, submitted_at__lt=submitted_before)
        .select_related("site")
        .order_by("submitted_at", "pk")
    )


def evidence_expiring(dates: Iterable[datetime.date]) -> list[Evidence]:
    """Current evidence whose last valid day is one of these, on items with an owner, in assessments in progress."""
    return list(
        Evidence.objects.current()
        .filter(
            valid_until__in=list(dates),
            response__owner__isnull=False,
            response__assessment__state__in=EDITABLE,
        )
        .select_related("response__item", "response__assessment__site", "response__owner")
        .order_by("valid_until", "pk")
    )


def people_at(site_ids: Iterable[int], roles: Iterable[str]) -> dict[tuple[int, str], list]:
    """The active people with these roles at these sites, by (site id, role): one query."""
    found: dict[tuple[int, str], list] = defaultdict(list)
    site_ids = set(site_ids)
    if not site_ids:
        return found
    memberships = (
        Membership.objects.filter(site_id__in=site_ids, role__in=list(roles), user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        found[(membership.site_id, membership.role)].append(membership.user)
    return found


def reviewers() -> list[ReviewerScope]:
    """Every active reviewer's scope (national: no region) with the person: one query."""
    return list(
        ReviewerScope.objects.filter(role=ReviewerScope.Role.REVIEWER, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
