"""Reads of a person's home page: what is waiting for them, per site and per role, and the sites they work on.

Each list is one query whatever the number of sites and items (the sign-off lines come from the stored readiness
read with the sites), so the page costs the same for one site or many (`tests/test_home_query_counts.py`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, DateTimeField, F, OuterRef, Prefetch, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from checklists.models import Assessment, Comment, Readiness, Response, SignOffState, SiteVisit
from checklists.rules.readiness import DONE
from checklists.selectors.activity import NEWS_ACTIONS
from checklists.selectors.review import queries_to_answer, resubmissions_with_answers
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import Membership, PilotSite, reviewer_scope_of

DUE_SOON_DAYS = 14  # items due within this many days are listed with the overdue ones
STALLED_DAYS = 30  # a site whose checklist has not changed for this long is listed for its reviewers
EDITABLE = (Assessment.State.DRAFT, Assessment.State.RETURNED)


@dataclass
class WaitingLine:
    """One thing waiting for the person: what to do (a link to where it is done), a hint and an optional tag."""

    text: str
    url: str
    hint: str = ""
    tag: str = ""
    tag_class: str = "govuk-tag--grey"


@dataclass
class SiteWaiting:
    site: PilotSite
    membership: Membership
    lines: list[WaitingLine] = field(default_factory=list)


@dataclass
class QueueRow:
    """A submission waiting for review, with how long it has waited."""

    assessment: Assessment
    waited_days: int


@dataclass
class StalledRow:
    readiness: Readiness
    idle_days: int


@dataclass
class ReviewWork:
    queue: list[QueueRow]
    stalled: list[StalledRow]
    resubmitted: list[Assessment]  # each with `answered_queries` counted

    @property
    def count(self) -> int:
        return len(self.queue) + len(self.stalled) + len(self.resubmitted)


def _days(text: int) -> str:
    return f"{text} day{'s' if text != 1 else ''}"


def _due_hint(due: datetime.date, today: datetime.date) -> tuple[str, str, str]:
    """The hint and tag of an item's due date: overdue, due today, or due in n days."""
    if due < today:
        return f"Was due {due:%-d %B %Y}, {_days((today - due).days)} ago", "Overdue", "govuk-tag--red"
    if due == today:
        return "Due today", "Due today", "govuk-tag--orange"
    return f"Due {due:%-d %B %Y}, in {_days((due - today).days)}", "Due soon", "govuk-tag--yellow"


def _items_due(*, user, site_ids: list[int], today: datetime.date) -> dict[int, list[WaitingLine]]:
    """Items the person owns, not done, overdue or due within DUE_SOON_DAYS, on assessments the site holds: one
    query."""
    lines: dict[int, list[WaitingLine]] = {}
    if not site_ids:
        return lines
    rows = (
        Response.objects.filter(
            owner=user,
            assessment__site_id__in=site_ids,
            assessment__state__in=EDITABLE,
            due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
        .exclude(status__in=DONE)
        .order_by("due_date", "item__section__position", "item__position")
        .values_list("assessment_id", "assessment__site_id", "item__code", "item__question", "due_date")
    )
    pattern = reverse("checklists:item", args=[0, "CODE"])
    for assessment_id, site_id, code, question, due in rows:
        hint, tag, tag_class = _due_hint(due, today)
        url = pattern.replace("/0/", f"/{assessment_id}/", 1).replace("/CODE/", f"/{code}/")
        lines.setdefault(site_id, []).append(
            WaitingLine(f"{code}: {_short(question)}", url, hint=hint, tag=tag, tag_class=tag_class)
        )
    return lines


def _short(text: str, length: int = 90) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _concerns(
    *, user, manager_site_ids: list[int], member_site_ids: list[int]
) -> tuple[dict[int, list[WaitingLine]], dict[int, list[WaitingLine]]]:
    """Open concerns at the sites the person manages (to answer) and answered concerns they raised (to close or
    reopen), on assessments the site holds: one query. Returns (to answer, to close), each by site id."""
    to_answer: dict[int, list[WaitingLine]] = {}
    to_close: dict[int, list[WaitingLine]] = {}
    if not member_site_ids:
        return to_answer, to_close
    concerns = (
        Comment.objects.filter(is_concern=True, response__assessment__state__in=EDITABLE)
        .filter(
            Q(concern_state=Comment.ConcernState.OPEN, response__assessment__site_id__in=manager_site_ids)
            | Q(
                concern_state=Comment.ConcernState.ANSWERED,
                author=user,
                response__assessment__site_id__in=member_site_ids,
            )
        )
        .order_by("created_at", "id")
        .values_list(
            "pk",
            "concern_state",
            "created_at",
            "answered_at",
            "response__assessment_id",
            "response__assessment__site_id",
            "response__item__code",
            "body",
        )
    )
    pattern = reverse("checklists:item", args=[0, "CODE"])
    for pk, state, created, answered, assessment_id, site_id, code, body in concerns:
        url = pattern.replace("/0/", f"/{assessment_id}/", 1).replace("/CODE/", f"/{code}/") + f"#comment-{pk}"
        if state == Comment.ConcernState.OPEN:
            to_answer.setdefault(site_id, []).append(
                WaitingLine(
                    f"Answer the concern on {code}",
                    url,
                    hint=f"Raised {timezone.localtime(created):%-d %B %Y}: “{_short(body, 80)}”",
                    tag="Concern",
                    tag_class="govuk-tag--red",
                )
            )
        else:
            to_close.setdefault(site_id, []).append(
                WaitingLine(
                    f"Close or reopen your concern on {code}",
                    url,
                    hint=f"Answered {timezone.localtime(answered):%-d %B %Y}: “{_short(body, 80)}”",
                    tag="Answered",
                    tag_class="govuk-tag--blue",
                )
            )
    return to_answer, to_close


def _queries_to_answer(*, user, manager_site_ids: list[int]) -> dict[int, list[WaitingLine]]:
    """The reviewer's open queries on returned assessments at the sites the person manages (one query)."""
    lines: dict[int, list[WaitingLine]] = {}
    if not manager_site_ids:
        return lines
    for query in queries_to_answer(user):
        code = query.response.item.code
        lines.setdefault(query.assessment.site_id, []).append(
            WaitingLine(
                f"Answer the reviewer's query on {code}",
                reverse("partnership:query_answer", args=[query.assessment_id, query.pk]),
                hint=f"Asked {timezone.localtime(query.asked_at):%-d %B %Y}: “{_short(query.question, 80)}”",
                tag="Query",
                tag_class="govuk-tag--purple",
            )
        )
    return lines


def _answered_concerns_raised(*, user, exclude_site_ids: list[int]) -> list[tuple[PilotSite, WaitingLine]]:
    """For reviewers and observers: answered concerns they raised at sites in their scope (where they are not
    members: those are on the site's card), to close or reopen (one query)."""
    concerns = (
        Comment.objects.filter(
            is_concern=True,
            concern_state=Comment.ConcernState.ANSWERED,
            author=user,
            response__assessment__state__in=EDITABLE,
            response__assessment__site__in=PilotSite.objects.visible_to(user),
        )
        .exclude(response__assessment__site_id__in=exclude_site_ids)
        .select_related("response__item", "response__assessment__site")
        .order_by("answered_at", "id")
    )
    rows = []
    for concern in concerns:
        assessment, code = concern.response.assessment, concern.response.item.code
        url = reverse("checklists:item", args=[assessment.pk, code]) + f"#comment-{concern.pk}"
        rows.append(
            (
                assessment.site,
                WaitingLine(
                    f"Close or reopen your concern on {code} at {assessment.site.name}",
                    url,
                    hint=f"Answered {timezone.localtime(concern.answered_at):%-d %B %Y}: “{_short(concern.body, 80)}”",
                    tag="Answered",
                    tag_class="govuk-tag--blue",
                ),
            )
        )
    return rows


def _changes_since_visit(*, user, site_ids: list[int]) -> dict[int, tuple[int, bool]]:
    """Per site: how many checklist changes by others since the person last looked at its activity, and whether
    they ever looked (one query, grouped by site)."""
    if not site_ids:
        return {}
    seen = SiteVisit.objects.filter(user=user, site=OuterRef("site_id")).values("last_seen_at")[:1]
    news = Q()
    for prefix in NEWS_ACTIONS:
        news |= Q(action__startswith=prefix)
    rows = (
        AuditEvent.objects.filter(news, site_id__in=site_ids)
        .exclude(actor=user)
        .annotate(seen_at=Subquery(seen, output_field=DateTimeField()))
        .filter(Q(seen_at__isnull=True) | Q(created_at__gt=F("seen_at")))
        .order_by()
        .values("site_id", "seen_at")
        .annotate(n=Count("id"))
    )
    return {row["site_id"]: (row["n"], row["seen_at"] is not None) for row in rows}


def _section_lines(assessment: Assessment, role: str) -> list[WaitingLine]:
    """From the stored readiness of the site's newest assessment, while the site holds it: sections ready for the
    manager's sign-off, sign-offs a change superseded, sign-offs awaiting the union rep's acknowledgement."""
    if assessment.state not in EDITABLE:
        return []
    lines = []
    for s in assessment.readiness.section_figures:
        url = reverse("partnership:signoff", args=[assessment.pk, s.code])
        if role == Membership.Role.MANAGER and s.signoff == SignOffState.NONE:
            if s.answered == s.total and not s.open_concerns:
                lines.append(
                    WaitingLine(
                        f"Sign off {s.title}",
                        url,
                        hint=f"Every item answered, {s.in_place} of {s.applicable} in place",
                        tag="Ready to sign",
                        tag_class="govuk-tag--green",
                    )
                )
        elif role in (Membership.Role.MANAGER, Membership.Role.CONTRIBUTOR) and s.signoff == SignOffState.SUPERSEDED:
            lines.append(
                WaitingLine(
                    f"{'Sign' if role == Membership.Role.MANAGER else 'See'} {s.title} again",
                    url,
                    hint="A change after the sign-off superseded it: the section needs signing again",
                    tag="Superseded",
                    tag_class="govuk-tag--orange",
                )
            )
        elif role == Membership.Role.UNION_REP and s.signoff == SignOffState.MANAGEMENT_ONLY:
            lines.append(
                WaitingLine(
                    f"Acknowledge or decline the sign-off of {s.title}",
                    url,
                    hint="Signed for management, awaiting the staff-side acknowledgement",
                    tag="To acknowledge",
                    tag_class="govuk-tag--blue",
                )
            )
    return lines


def _returned_line(assessment: Assessment) -> WaitingLine:
    return WaitingLine(
        f"Make the changes asked for in {assessment.round_label}",
        reverse("partnership:review", args=[assessment.pk]),
        hint=f"Returned {timezone.localtime(assessment.reviewed_at):%-d %B %Y}: “{_short(assessment.return_reasons)}”"
        if assessment.reviewed_at
        else f"Returned: “{_short(assessment.return_reasons)}”",
        tag="Returned",
        tag_class="govuk-tag--orange",
    )


def _review_work(*, user, today: datetime.date) -> ReviewWork:
    """A reviewer's queue (submissions in scope, oldest first) and the sites in scope whose checklist has not moved
    for STALLED_DAYS (two queries)."""
    visible = PilotSite.objects.visible_to(user)
    submitted = (
        Assessment.objects.filter(state=Assessment.State.SUBMITTED, site__in=visible)
        .select_related("site__region", "readiness")
        .order_by("submitted_at", "pk")
    )
    queue = [QueueRow(a, (today - timezone.localdate(a.submitted_at)).days if a.submitted_at else 0) for a in submitted]
    cutoff = timezone.now() - datetime.timedelta(days=STALLED_DAYS)
    stalled_rows = (
        Readiness.objects.filter(is_latest=True, site__in=visible.filter(active=True))
        .filter(assessment__state__in=EDITABLE)
        .filter(Q(last_change__lt=cutoff) | Q(last_change__isnull=True))
        .select_related("site__region", "assessment")
        .order_by("last_change", "site__name")
    )
    stalled = [
        StalledRow(r, (today - timezone.localdate(r.last_change)).days if r.last_change else 0) for r in stalled_rows
    ]
    return ReviewWork(queue=queue, stalled=stalled, resubmitted=resubmissions_with_answers(user))


def home_for(*, user, today: datetime.date | None = None) -> dict:
    """What is waiting for the person, per site (members) and in their scope (reviewers); the sites they work on
    (with their role, and their assessments with the stored readiness of each); whether they review."""
    today = today or timezone.localdate()
    memberships = {m.site_id: m for m in Membership.objects.filter(user=user).only("site_id", "role")}
    scope = reviewer_scope_of(user)
    sites = list(
        PilotSite.objects.visible_to(user)
        .filter(id__in=list(memberships))
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("framework", "readiness").order_by("-created_at"),
            )
        )
    )
    by_role: dict[str, list[int]] = {}
    for site in sites:
        by_role.setdefault(memberships[site.id].role, []).append(site.id)
    managers = by_role.get(Membership.Role.MANAGER, [])
    owners = managers + by_role.get(Membership.Role.CONTRIBUTOR, [])
    reps = by_role.get(Membership.Role.UNION_REP, [])

    due = _items_due(user=user, site_ids=owners, today=today)
    to_answer, to_close = _concerns(user=user, manager_site_ids=managers, member_site_ids=[s.id for s in sites])
    changes = _changes_since_visit(user=user, site_ids=reps)
    queries = _queries_to_answer(user=user, manager_site_ids=managers)

    waiting = []
    for site in sites:
        membership = memberships[site.id]
        assessments = list(site.assessments.all())
        lines = due.get(site.id, []) + queries.get(site.id, []) + to_answer.get(site.id, [])
        latest = assessments[0] if assessments else None
        if latest is not None and membership.role in (Membership.Role.MANAGER, Membership.Role.CONTRIBUTOR):
            if latest.state == Assessment.State.RETURNED:
                lines.insert(0, _returned_line(latest))
        if latest is not None:
            lines += _section_lines(latest, membership.role)
        lines += to_close.get(site.id, [])
        if site.id in changes:
            activity_url = reverse("partnership:activity", args=[site.code])
            n, visited = changes[site.id]
            changed = f"{n} change{'s' if n != 1 else ''}"
            lines.append(
                WaitingLine(f"{changed} since your last visit", activity_url, hint="What others changed, newest first")
                if visited
                else WaitingLine(
                    "See what has changed at the site",
                    activity_url,
                    hint=f"{changed} by others: you have not opened the site's activity yet",
                )
            )
        if lines:
            waiting.append(SiteWaiting(site=site, membership=membership, lines=lines))

    review = _review_work(user=user, today=today) if scope is not None and scope.is_reviewer else None
    raised = _answered_concerns_raised(user=user, exclude_site_ids=list(memberships)) if scope is not None else []
    rows = [{"site": site, "membership": memberships[site.id]} for site in sites]
    return {
        "waiting": waiting,
        "review": review,
        "raised": raised,
        "nothing_waiting": not waiting and not raised and not (review and review.count),
        "site_rows": rows,
        "reviewer_scope": scope,
        "is_admin": user.is_superuser,
        "due_soon_days": DUE_SOON_DAYS,
        "stalled_days": STALLED_DAYS,
    }
