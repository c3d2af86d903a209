"""Reads of a site's activity: what happened, newest first, with links to where it happened."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q
from django.urls import reverse

from checklists.models import Comment, Evidence, Response, SignOff
from checklists.selectors.responses import item_url
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import PilotSite

ACTIVITY_PAGE_SIZE = 50


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
