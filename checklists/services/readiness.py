"""Stored readiness: computed from an assessment's rows by the one rule (checklists.rules.readiness) and written to its
Readiness row in the transaction of the change that moved it. Every write service calls readiness_refresh while it
holds the assessment's lock; `manage.py readiness_rebuild` recomputes every row and reports any that disagree.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from celery import shared_task
from django.db import transaction
from django.db.models import Count, FilteredRelation, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from checklists.models import Assessment, Comment, Evidence, Readiness, Response, SignOff, SignOffState
from checklists.rules.readiness import (
    ResponseFacts,
    SectionFigures,
    SignOffFacts,
    long_date,
    overall_figures,
    section_figures,
    signoff_facts,
)
from checklists.selectors.frameworks import framework_structure
from checklists.services import notifications
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_append_many, audit_event

# The open-concern count of a response, from the one definition of an open concern (CommentQuerySet.open_concerns).
_OPEN_CONCERNS = Coalesce(
    Subquery(
        Comment.objects.open_concerns()
        .filter(response=OuterRef("pk"))
        .order_by()
        .values("response")
        .annotate(n=Count("pk"))
        .values("n"),
        output_field=IntegerField(),
    ),
    0,
)
_FACT_FIELDS = (
    "id",
    "assessment_id",
    "item__section_id",
    "item__code",
    "item__mandatory",
    "item__evidence_expected",
    "status",
    "narrative",
    "not_applicable_reason",
    "owner_id",
    "due_date",
    "updated_at",
    "current_evidence__sha256",
    "current_evidence__url",
    "open_concern_count",
    "current_evidence__valid_until",
)


def assessment_locked(pk: int, **annotations) -> Assessment:
    """The assessment, locked until the transaction ends, with its site, framework and stored readiness: every write
    to an assessment's checklist takes this lock first, so changes and their readiness apply one at a time.

    The lock is taken on the readiness row and the assessment row together, starting from the readiness row: a
    writer that waited for the lock then reads both as the previous writer left them (PostgreSQL re-reads locked
    rows that changed while it waited, not rows it only joined). `annotations` are computed with the lock and set
    on the assessment (their outer references name Readiness fields: `site_id` is the assessment's site).
    """
    readiness = (
        Readiness.objects.select_for_update(of=("self", "assessment"))
        .select_related("assessment__site", "assessment__framework")
        .annotate(**annotations)
        .filter(pk=pk)
        .first()
    )
    if readiness is None:  # an assessment written without the services (an import): its row is made now
        assessment = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("site", "framework")
            .annotate(**annotations)
            .get(pk=pk)
        )
        readiness_refresh(assessment=assessment)
        return assessment
    assessment = readiness.assessment
    assessment.readiness = readiness
    for name in annotations:
        setattr(assessment, name, getattr(readiness, name))
    return assessment


def readiness_facts(
    *,
    assessment_ids: Collection[int],
    section_ids: Collection[int] | None = None,
    today: datetime.date | Mapping[int, datetime.date] | None = None,
) -> dict[int, list[ResponseFacts]]:
    """The facts of the assessments' responses (of some sections only, if given), by assessment, in one query: a
    response's evidence not removed joined in (a row per piece), its open concerns counted alongside. Evidence past
    its valid-until date on `today` (one date, or each assessment's own) is left out: it no longer counts."""
    today = today or timezone.localdate()
    rows = (
        Response.objects.filter(assessment_id__in=assessment_ids)
        .annotate(
            current_evidence=FilteredRelation("evidence", condition=Q(evidence__removed_at__isnull=True)),
            open_concern_count=_OPEN_CONCERNS,
        )
        .order_by("assessment_id", "id")
    )
    if section_ids is not None:
        rows = rows.filter(item__section_id__in=section_ids)
    by_response: dict[int, list] = {}
    for row in rows.values_list(*_FACT_FIELDS):
        entry = by_response.get(row[0])
        if entry is None:
            entry = by_response[row[0]] = [row, []]
        on = today if isinstance(today, datetime.date) else today[row[1]]
        if (row[12] or row[13]) and (row[15] is None or row[15] >= on):
            entry[1].append(row[12] or row[13])
    facts: dict[int, list[ResponseFacts]] = {}
    for row, evidence in by_response.values():
        facts.setdefault(row[1], []).append(
            ResponseFacts(
                response_id=row[0],
                section_id=row[2],
                code=row[3],
                mandatory=row[4],
                evidence_expected=row[5],
                status=row[6],
                narrative=row[7],
                not_applicable_reason=row[8],
                owner_id=row[9],
                due_date=row[10],
                updated_at=row[11],
                evidence=tuple(evidence),
                open_concerns=row[14],
            )
        )
    return facts


def signoff_facts_of(
    *, assessment_ids: Collection[int], section_ids: Collection[int] | None = None
) -> dict[tuple[int, int], SignOffFacts]:
    """Each section's sign-off facts, keyed by (assessment id, section id), in one query."""
    signoffs = SignOff.objects.filter(assessment_id__in=assessment_ids, section__isnull=False).only(
        "id", "assessment_id", "section_id", "kind", "content_sha256", "created_at"
    )
    if section_ids is not None:
        signoffs = signoffs.filter(section_id__in=section_ids)
    grouped: dict[tuple[int, int], list[SignOff]] = {}
    for signoff in signoffs:
        grouped.setdefault((signoff.assessment_id, signoff.section_id), []).append(signoff)
    return {key: signoff_facts(rows) for key, rows in grouped.items()}


@dataclass(frozen=True)
class Refreshed:
    """What a refresh stored, and each refreshed section's sign-off state before it (to see a supersession)."""

    readiness: Readiness
    before: dict[int, str]

    def superseded(self) -> list[SectionFigures]:
        """Sections whose current sign-off this change superseded."""
        return [
            s
            for s in self.readiness.section_figures
            if s.signoff == SignOffState.SUPERSEDED
            and self.before.get(s.section_id) in (SignOffState.MANAGEMENT_ONLY, SignOffState.COMPLETE)
        ]


def readiness_refresh(
    *,
    assessment: Assessment,
    section_ids: Collection[int] | None = None,
    signoffs_changed: bool = False,
    today: datetime.date | None = None,
) -> Refreshed:
    """Recompute the assessment's readiness (only `section_ids`, if given) and store it, in the caller's transaction,
    which holds the assessment's lock. Two queries: the sections' facts, and the write. Sign-off facts are kept on
    the row and read again only when `signoffs_changed` (a sign-off was just appended) or on a whole recompute,
    which the first change of a day is (items fall overdue with the date).

    `assessment.readiness` may be preloaded (select_related) with the lock; otherwise it is read here.
    """
    today = today or timezone.localdate()
    try:
        stored: Readiness | None = assessment.readiness
    except Readiness.DoesNotExist:
        stored = None
    structure = framework_structure(assessment.framework)
    kept = {s.section_id: s for s in stored.section_figures} if stored is not None else {}
    if section_ids is not None and set(section_ids) <= set(kept) and stored.as_of == today:
        targets = set(section_ids)
    else:  # everything from the rows: no row yet, or "overdue" was last counted on another day
        section_ids, targets = None, {section.id for section in structure.sections}
    facts = (
        readiness_facts(assessment_ids=[assessment.pk], section_ids=section_ids, today=today).get(assessment.pk, [])
        if targets
        else []
    )
    if targets and (section_ids is None or signoffs_changed):
        fresh = signoff_facts_of(assessment_ids=[assessment.pk], section_ids=section_ids)
        signoffs = {section_id: fresh.get((assessment.pk, section_id), SignOffFacts()) for section_id in targets}
    else:
        signoffs = {section_id: kept[section_id].signoff_facts for section_id in targets}
    sections = _sections(structure, facts, signoffs, today=today, kept=kept)
    values = overall_figures(sections, changed_at=assessment.state_changed_at) | {"as_of": today}
    before = {section_id: kept[section_id].signoff for section_id in targets if section_id in kept}
    if stored is None:
        stored = Readiness.objects.create(assessment=assessment, site_id=assessment.site_id, **values)
    else:
        Readiness.objects.filter(pk=assessment.pk).update(**values, updated_at=timezone.now())
        for name, value in values.items():
            setattr(stored, name, value)
        stored.__dict__.pop("section_figures", None)
    assessment.readiness = stored
    return Refreshed(readiness=stored, before=before)


def change_record(
    *,
    assessment: Assessment,
    section_id: int | None,
    events: list[AuditEvent],
    cause: str,
    section_ids: Collection[int] = (),
    today: datetime.date | None = None,
) -> Refreshed:
    """After a change to one section's content or concerns (or to several: `section_ids`; or, with none, to the
    assessment alone): store its readiness and append the change's audit events, with one for each current sign-off
    the change superseded, in one insert. `cause` names what changed, for those events ("EMP-03")."""
    sections = {*section_ids, *([] if section_id is None else [section_id])}
    refreshed = readiness_refresh(assessment=assessment, section_ids=sections, today=today)
    actor = events[0].actor if events else None
    superseded = refreshed.superseded()
    for figures in superseded:
        for signoff_id, kind in (
            (figures.management_id, "Management sign-off"),
            (figures.acknowledgement_id, "Staff-side acknowledgement"),
        ):
            if signoff_id is not None:
                events.append(
                    audit_event(
                        action="signoff.superseded",
                        actor=actor,
                        object_type=SignOff._meta.label_lower,
                        object_id=str(signoff_id),
                        site=assessment.site,
                        summary=f"{kind} of {figures.title} superseded by a change to {cause}",
                        before={"content_sha256": figures.management_sha256},
                        after={"content_sha256": figures.content_sha256},
                    )
                )
    audit_append_many(events)
    # The people who signed are told (an outbox message a section; the task finds who acknowledged).
    for figures in superseded:
        notifications.notify(notifications.Event.SIGNOFF_SUPERSEDED, figures.management_id, actor=actor)
    return refreshed


def evidence_lapses_due(*, today: datetime.date | None = None) -> list[int]:
    """The assessments holding evidence whose validity ended before `today` and whose lapse is not yet recorded."""
    today = today or timezone.localdate()
    due = Evidence.objects.lapsed(today).filter(lapsed_at__isnull=True)
    return sorted(set(due.values_list("response__assessment_id", flat=True)))


def evidence_lapse_record(*, assessment_id: int, today: datetime.date | None = None) -> list[Evidence]:
    """Record, under the assessment's lock, each lapse of its evidence not yet recorded: one `evidence.lapsed` event
    per piece (naming the site), `lapsed_at` set so it is never recorded twice, readiness stored as of `today` (the
    lapsed evidence no longer counts), and a `signoff.superseded` event for each sign-off the lapse superseded."""
    today = today or timezone.localdate()
    with transaction.atomic():
        assessment = assessment_locked(assessment_id)
        lapsed = list(
            Evidence.objects.lapsed(today)
            .filter(lapsed_at__isnull=True, response__assessment_id=assessment_id)
            .select_related("response__item", "response__assessment__site")
            .order_by("response__item__code", "valid_until", "id")
        )
        if not lapsed:
            return []
        now = timezone.now()
        Evidence.objects.filter(pk__in=[e.pk for e in lapsed]).update(lapsed_at=now)
        events = []
        for evidence in lapsed:
            evidence.lapsed_at = now
            code = evidence.response.item.code
            events.append(
                audit_event(
                    action="evidence.lapsed",
                    actor=None,
                    obj=evidence,
                    site=assessment.site,
                    summary=f"{code}: {evidence.title} expired on {long_date(evidence.valid_until)}; no longer counts",
                    before={"valid_until": evidence.valid_until.isoformat(), "lapsed": False},
                    after={"lapsed": True},
                )
            )
        codes = sorted({e.response.item.code for e in lapsed})
        change_record(
            assessment=assessment,
            section_id=None,
            section_ids={e.response.item.section_id for e in lapsed},
            events=events,
            cause=f"the expiry of evidence of {', '.join(codes)}",
            today=today,
        )
    return lapsed


def evidence_lapse(*, today: datetime.date | None = None) -> list[Evidence]:
    """The daily job: record every lapse due (see evidence_lapse_record), an assessment at a time. Safe to run twice:
    a lapse once recorded is not recorded again."""
    today = today or timezone.localdate()
    lapsed: list[Evidence] = []
    for assessment_id in evidence_lapses_due(today=today):
        lapsed += evidence_lapse_record(assessment_id=assessment_id, today=today)
    return lapsed


@shared_task(name="checklists.lapse_evidence")
def lapse_evidence() -> int:
    """Celery beat runs this just after midnight (settings.CELERY_BEAT_SCHEDULE), before the readiness refresh."""
    return len(evidence_lapse())


def readiness_refresh_stale(*, today: datetime.date | None = None) -> int:
    """The daily job: recompute, each under its lock, every stored readiness last counted before today (items fall
    overdue with the date). Lapses of evidence due are recorded first, so a sign-off that a lapse supersedes is
    recorded as superseded by it. Returns how many were refreshed."""
    today = today or timezone.localdate()
    evidence_lapse(today=today)
    stale = Readiness.objects.filter(Q(as_of__lt=today) | Q(as_of__isnull=True)).values_list("pk", flat=True)
    refreshed = 0
    for pk in list(stale):
        with transaction.atomic():
            readiness_refresh(assessment=assessment_locked(pk), today=today)
        refreshed += 1
    return refreshed


@shared_task(name="checklists.refresh_stale_readiness")
def refresh_stale_readiness() -> int:
    """Celery beat runs this soon after midnight (settings.CELERY_BEAT_SCHEDULE)."""
    return readiness_refresh_stale()


@dataclass(frozen=True)
class Disagreement:
    assessment_id: int
    fields: dict[str, tuple[object, object]]  # name: (stored, recomputed)


COMPARED = (
    "total",
    "applicable",
    "in_place",
    "answered",
    "percent_in_place",
    "mandatory_unanswered",
    "mandatory_not_in_place",
    "open_concerns",
    "evidence_missing",
    "unevidenced",
    "overdue",
    "sections_signed",
    "section_count",
    "rag",
    "rag_rank",
    "sections",
    "last_change",
)


def readiness_rebuild(
    *, batch: int = 200, fix: bool = True, only_missing: bool = False
) -> tuple[int, list[Disagreement]]:
    """Recompute every assessment's readiness (or only those without a row) from its rows, in batches; report each
    stored row that disagrees (or is missing) and, with `fix`, store the recomputed one. Overdue counts are compared
    as of each row's own date."""
    checked, disagreements = 0, []
    assessments = Assessment.objects.filter(readiness__isnull=True) if only_missing else Assessment.objects.all()
    ids = list(assessments.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        assessments = list(Assessment.objects.filter(pk__in=chunk).select_related("framework", "readiness"))
        days = {a.pk: _as_of(a) for a in assessments}
        facts = readiness_facts(assessment_ids=chunk, today=days)
        signoffs = signoff_facts_of(assessment_ids=chunk)
        for assessment in assessments:
            checked += 1
            try:
                stored: Readiness | None = assessment.readiness
            except Readiness.DoesNotExist:
                stored = None
            today = days[assessment.pk]
            values = _computed(assessment, facts.get(assessment.pk, []), signoffs, today=today)
            if stored is None:
                diff: dict[str, tuple[object, object]] = {"readiness": (None, "missing")}
            else:
                diff = {
                    name: (getattr(stored, name), values[name])
                    for name in COMPARED
                    if _normal(getattr(stored, name)) != _normal(values[name])
                }
            if diff:
                disagreements.append(Disagreement(assessment.pk, diff))
                if fix:
                    # Not marked latest here (one per site): readiness_mark_latest settles that after the batches.
                    Readiness.objects.update_or_create(
                        assessment=assessment,
                        defaults=values | {"as_of": today},
                        create_defaults=values | {"as_of": today, "site_id": assessment.site_id, "is_latest": False},
                    )
    if fix:
        readiness_mark_latest()
    return checked, disagreements


def _as_of(assessment: Assessment) -> datetime.date:
    """The date a stored readiness was counted on (overdue items, evidence expired), today without one."""
    try:
        return assessment.readiness.as_of or timezone.localdate()
    except Readiness.DoesNotExist:
        return timezone.localdate()


def _computed(
    assessment: Assessment,
    facts: Sequence[ResponseFacts],
    signoffs: dict[tuple[int, int], SignOffFacts],
    *,
    today: datetime.date,
) -> dict:
    structure = framework_structure(assessment.framework)
    of_sections = {s.id: signoffs.get((assessment.pk, s.id), SignOffFacts()) for s in structure.sections}
    sections = _sections(structure, facts, of_sections, today=today)
    return overall_figures(sections, changed_at=assessment.state_changed_at)


def _sections(
    structure,
    facts: Sequence[ResponseFacts],
    signoffs: dict[int, SignOffFacts],
    *,
    today: datetime.date,
    kept: dict[int, SectionFigures] | None = None,
) -> list[SectionFigures]:
    """Each section's figures in the framework's order: computed for the sections `signoffs` names, the rest as
    `kept` (stored) has them."""
    by_section: dict[int, list[ResponseFacts]] = {}
    for fact in facts:
        by_section.setdefault(fact.section_id, []).append(fact)
    return [
        section_figures(section, by_section.get(section.id, []), signoffs[section.id], today=today)
        if section.id in signoffs
        else kept[section.id]
        for section in structure.sections
    ]


def _normal(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime.datetime) else value


def readiness_mark_latest() -> None:
    """Mark each site's newest assessment as its latest (the one the overview shows), and no other."""
    newest = Assessment.objects.filter(site=OuterRef("site_id")).order_by("-created_at", "-id").values("pk")[:1]
    Readiness.objects.exclude(assessment_id=Subquery(newest)).filter(is_latest=True).update(is_latest=False)
    Readiness.objects.filter(assessment_id=Subquery(newest), is_latest=False).update(is_latest=True)
