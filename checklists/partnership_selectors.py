"""Reads of the partnership pages: a site's concerns and activity, an item's comments, the sign-off register.

Each runs a fixed number of queries whatever the amount of data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.http import Http404
from django.urls import NoReverseMatch, reverse

from checklists.models import Assessment, Comment, Response, SignOff
from checklists.partnership import assessment_content_sha256
from checklists.readiness import AssessmentReadiness
from checklists.selectors import readiness_for
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import PilotSite, SiteRole, role_at

ACTIVITY_PAGE_SIZE = 50


def site_for(user, code: str) -> tuple[PilotSite, SiteRole]:
    """A site the person may see, and their role there; 404 otherwise (unknown and forbidden look the same)."""
    site = PilotSite.objects.visible_to(user).select_related("region").filter(code=code).first()
    role = role_at(user, site) if site is not None else None
    if site is None or role is None:
        raise Http404("No such site.")
    return site, role


def item_url(assessment_id: int, code: str) -> str | None:
    try:
        return reverse("checklists:item", args=[assessment_id, code])
    except NoReverseMatch:
        return None


def task_list_url(assessment_id: int) -> str | None:
    try:
        return reverse("checklists:assessment", args=[assessment_id])
    except NoReverseMatch:
        return None


def comments_for(response: Response) -> list[Comment]:
    return list(
        Comment.objects.filter(response=response)
        .select_related("author", "answered_by", "closed_by")
        .order_by("created_at", "id")
    )


def concerns_for_site(*, site: PilotSite, show_closed: bool = False) -> list[Comment]:
    """A site's concerns, oldest first: the longest-waiting at the top."""
    concerns = Comment.objects.concerns().filter(response__assessment__site=site)
    if not show_closed:
        concerns = concerns.exclude(concern_state=Comment.ConcernState.CLOSED)
    return list(
        concerns.select_related("author", "answered_by", "response__item", "response__assessment").order_by(
            "created_at", "id"
        )
    )


@dataclass
class ActivityRow:
    event: AuditEvent
    is_new: bool
    link: str | None
    link_label: str = ""


@dataclass
class Activity:
    page: Page
    rows: list[ActivityRow] = field(default_factory=list)


def _links_for(events: list[AuditEvent]) -> dict[tuple[str, str], tuple[str | None, str]]:
    """Where each event's object is shown: the item page for responses, evidence and comments."""
    ids: dict[str, set[int]] = {}
    for event in events:
        if event.object_id.isdigit():
            ids.setdefault(event.object_type, set()).add(int(event.object_id))
    links: dict[tuple[str, str], tuple[str | None, str]] = {}
    item_of: list[tuple[str, int, int, str]] = []
    if ids.get("checklists.response"):
        for pk, assessment_id, code in Response.objects.filter(pk__in=ids["checklists.response"]).values_list(
            "pk", "assessment_id", "item__code"
        ):
            item_of.append(("checklists.response", pk, assessment_id, code))
    if ids.get("checklists.comment"):
        for pk, assessment_id, code in Comment.objects.filter(pk__in=ids["checklists.comment"]).values_list(
            "pk", "response__assessment_id", "response__item__code"
        ):
            item_of.append(("checklists.comment", pk, assessment_id, code))
    if ids.get("checklists.evidence"):
        from checklists.models import Evidence

        for pk, assessment_id, code in Evidence.objects.filter(pk__in=ids["checklists.evidence"]).values_list(
            "pk", "response__assessment_id", "response__item__code"
        ):
            item_of.append(("checklists.evidence", pk, assessment_id, code))
    for object_type, pk, assessment_id, code in item_of:
        links[(object_type, str(pk))] = (item_url(assessment_id, code), code)
    if ids.get("checklists.signoff"):
        for pk, assessment_id in SignOff.objects.filter(pk__in=ids["checklists.signoff"]).values_list(
            "pk", "assessment_id"
        ):
            links[("checklists.signoff", str(pk))] = (reverse("partnership:register", args=[assessment_id]), "Register")
    for pk in ids.get("checklists.assessment", ()):
        links[("checklists.assessment", str(pk))] = (reverse("partnership:review", args=[pk]), "Assessment")
    return links


def activity_for_site(*, site: PilotSite, page_number, last_seen_at=None) -> Activity:
    """What happened at a site, newest first, one page at a time; events after `last_seen_at` marked new."""
    events = AuditEvent.objects.filter(site=site).select_related("actor").order_by("-created_at", "-id")
    page = Paginator(events, ACTIVITY_PAGE_SIZE).get_page(page_number)
    page_events = list(page.object_list)
    links = _links_for(page_events)
    rows = []
    for event in page_events:
        link, label = links.get((event.object_type, event.object_id), (None, ""))
        rows.append(
            ActivityRow(
                event=event,
                is_new=last_seen_at is not None and event.created_at > last_seen_at,
                link=link,
                link_label=label,
            )
        )
    return Activity(page=page, rows=rows)


# What counts as news on the task list: changes to the checklist and its partnership work. Reads (downloads,
# exports) and administration (memberships: who is a union rep is special-category data) stay on the activity page.
NEWS_ACTIONS = ("assessment.", "response.", "evidence.add", "evidence.remove", "comment.", "concern.", "signoff.")


def latest_activity(*, site: PilotSite, limit: int = 3) -> list[AuditEvent]:
    """The site's newest checklist changes, for the task list (the activity page has everything)."""
    news = Q()
    for prefix in NEWS_ACTIONS:
        news |= Q(action__startswith=prefix)
    return list(
        AuditEvent.objects.filter(news, site=site).select_related("actor").order_by("-created_at", "-id")[:limit]
    )


@dataclass
class RegisterRow:
    signoff: SignOff
    status: str  # current, superseded
    reason: str = ""


@dataclass
class Register:
    readiness: AssessmentReadiness
    rows: list[RegisterRow]


def register_for(assessment: Assessment) -> Register:
    """Every sign-off of an assessment, newest first, each marked current or superseded (derived, never stored)."""
    readiness = readiness_for(assessment)
    by_section = {s.section.pk: s for s in readiness.sections}
    overall = assessment_content_sha256(readiness.sections)
    rows = []
    signoffs = SignOff.objects.filter(assessment=assessment).select_related("signed_by", "section")
    for signoff in signoffs.order_by("-created_at", "-id"):
        if signoff.section_id is None:
            current = signoff.content_sha256 == overall and assessment.state == Assessment.State.ACCEPTED
            reason = "" if current else "The assessment changed after it was accepted."
        else:
            section = by_section.get(signoff.section_id)
            current = section is not None and signoff in section.current_signoffs
            if current:
                reason = ""
            elif section is not None and signoff.content_sha256 != section.content_sha256:
                reason = "The section's content changed after this was signed."
            else:
                reason = "A later sign-off of the same section replaced it."
        rows.append(RegisterRow(signoff=signoff, status="current" if current else "superseded", reason=reason))
    return Register(readiness=readiness, rows=rows)
