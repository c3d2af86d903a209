"""A national-scale data set for the benchmark: N pilot sites, each with people, an assessment against the full
framework, realistic narratives, on average 3 comments and 1 evidence file per item, sign-offs and an audit trail.

Everything is written with bulk_create in batches, so 150 sites (about 9,000 responses, 27,000 comments and 9,000
small evidence files) build in seconds and 1,500 sites in about a minute, on SQLite and PostgreSQL. The content is
fictional and deterministic (seeded).

The first site is the one measured: a draft whose measured item lies in a section nobody has signed, with a
contributor to hand items to, and another section answered in full and signed by both sides (the signed-save
measurement).
"""

from __future__ import annotations

import datetime
import hashlib
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from uuid import uuid4

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from checklists.models import Assessment, Comment, Evidence, Item, Response, SignOff
from checklists.rules.readiness import section_content_sha256
from checklists.selectors.frameworks import current_framework
from checklists.services.frameworks import DEFAULT_FRAMEWORK_FILE, framework_load
from checklists.services.readiness import readiness_rebuild
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import GENESIS, _hashed_fields, event_hash
from phb_readiness.sites.models import Membership, PilotSite, Region, ReviewerScope, SiteRole

ROUND = "Readiness review, 2009/10 Q4"
BENCH_MANAGER = "bench-manager"
BENCH_REVIEWER = "bench-reviewer"
BATCH = 2000
MANAGEMENT_STATEMENT = "Signed for management: this section is complete and accurate."
STAFF_STATEMENT = "Acknowledged for the staff side."

REGIONS = [
    ("NE", "North East"),
    ("NW", "North West"),
    ("YH", "Yorkshire and the Humber"),
    ("EM", "East Midlands"),
    ("WM", "West Midlands"),
    ("EE", "East of England"),
    ("LDN", "London"),
    ("SEC", "South East Coast"),
    ("SC", "South Central"),
    ("SW", "South West"),
]
PLACES = (
    "Ashworth Bolton Bradford Bristol Camden Cornwall Coventry Croydon Cumbria Derby Doncaster Dorset Durham Ealing "
    "Gateshead Gloucestershire Hackney Halton Hampshire Haringey Hertfordshire Hull Islington Kent Kirklees Knowsley "
    "Lambeth Leeds Leicester Lincolnshire Liverpool Luton Manchester Medway Middlesbrough Newham Norfolk "
    "Northumberland Nottingham Oldham Oxfordshire Peterborough Plymouth Redbridge Rotherham Salford Sandwell "
    "Sefton Sheffield Somerset Southwark Stockport Suffolk Sunderland Surrey Swindon Torbay Trafford Walsall "
    "Warrington Wigan Wirral Wolverhampton Worcestershire York"
).split()
FIRST = "Alex Sam Jo Chris Pat Robin Lee Morgan Kim Jamie Charlie Taylor Jordan Casey Rowan Avery Drew Sasha".split()
LAST = "Morgan Patel Williams Evans Hughes Clarke Okafor Reid Shah Khan Jones Smith Brown Taylor Wilson Ahmed".split()

OPENINGS = {
    Response.Status.IN_PLACE: [
        "Agreed at the local partnership forum on {date}.",
        "In place since {date} and written into our operational policy (section {n}).",
        "The process was consulted on with the staff side and approved by the pilot board on {date}.",
        "Confirmed by HR and the staff side at the joint meeting of {date}.",
    ],
    Response.Status.IN_PROGRESS: [
        "A draft was prepared and goes to the partnership forum on {date}.",
        "Work started with HR and finance; a proposal goes to the pilot board next month.",
        "The staff side have seen the first draft and asked for changes to the consultation timetable.",
    ],
    Response.Status.NOT_IN_PLACE: [
        "Not yet agreed: the independent providers have not confirmed their position.",
        "Escalated to the pilot board on {date} after the providers declined to sign the agreement.",
    ],
}
DETAILS = [
    "The agreement covers staff in the community teams, the brokerage service and the two independent providers.",
    "Staff were briefed at team meetings and the briefing notes are attached as evidence.",
    "The lead for this is the pilot programme manager, supported by the workforce lead.",
    "Union representatives were given facility time to review the proposals before the forum.",
    "The arrangement will be reviewed quarterly by the pilot board and reported to the SHA.",
    "Pension arrangements for transferring staff were checked with the NHS Pensions Agency.",
    "Care co-ordinators have had two days of training on support planning and risk enablement.",
    "Indemnity for staff advising on budgets is confirmed in writing by the NHS Litigation Authority.",
    "Budget holders receive written information on the employment responsibilities they take on.",
    "Concerns raised by the staff side were recorded and answered in the forum minutes.",
]
COMMENTS = [
    "I have asked HR for the consultation log so we can attach it here.",
    "Can we confirm this applies to the staff seconded from the acute trust as well?",
    "The forum minutes of {date} record this; I will upload them.",
    "Staff side are content with the wording now that the review date is in.",
    "Please add the name of the lead and the date of the next review.",
    "The providers' letters arrived today; attaching them shortly.",
    "This needs the signed agreement, not the draft, before it can be marked in place.",
    "Checked against the SPF guidance, section {n}: the narrative covers it.",
    "Training dates for the second cohort are being arranged for next month.",
    "Thanks, that answers the question raised at the last meeting.",
]
CONCERNS = [
    "Staff transferring to the independent provider have not had written confirmation of their pension "
    "arrangements. Please confirm NHS Pension Scheme access before this is marked in place.",
    "The staff side were not consulted on the revised job descriptions; this should go back to the forum.",
    "There is no indemnity cover in writing for staff advising on purchases outside the NHS.",
]
EVIDENCE_TITLES = [
    "Partnership forum minutes",
    "Signed local agreement",
    "Staff briefing notes",
    "Pilot board paper",
    "Training attendance record",
    "Indemnity confirmation letter",
]


@dataclass
class BenchData:
    """What was built, and the subjects the benchmark measures."""

    sites: int
    assessment_pk: int
    item_code: str
    site_pk: int
    signed_item_code: str
    signed_section_code: str
    rep_username: str
    contributor_username: str
    manager_username: str = BENCH_MANAGER
    reviewer_username: str = BENCH_REVIEWER
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    readiness_seconds: float = 0.0


@dataclass
class _Site:
    site: PilotSite
    manager: object
    contributors: list
    rep: object
    reviewer: object


def _narrative(rng: random.Random, status: str, today: datetime.date) -> str:
    if status not in OPENINGS:
        return ""
    when = (today - datetime.timedelta(days=rng.randint(5, 90))).strftime("%d %B %Y")
    sentences = [rng.choice(OPENINGS[status]).format(date=when, n=rng.randint(2, 9))]
    sentences += rng.sample(DETAILS, rng.randint(1, 4))
    return " ".join(sentences)


def _status(rng: random.Random, item: Item, done: bool) -> str:
    if not done:
        return rng.choice([Response.Status.NOT_STARTED, Response.Status.IN_PROGRESS, Response.Status.IN_PROGRESS])
    roll = rng.random()
    if roll < 0.05 and not item.mandatory:
        return Response.Status.NOT_APPLICABLE
    if roll < 0.10:
        return Response.Status.NOT_IN_PLACE
    return Response.Status.IN_PLACE


def _write_files(files: list[tuple[str, bytes]]) -> None:
    """Write evidence files straight into a file-system store (fast); any other store goes through its API."""
    try:
        root = Path(default_storage.path(""))
    except NotImplementedError:
        for name, body in files:
            default_storage.save(name, ContentFile(body))
        return
    made: set[Path] = set()
    for name, body in files:
        path = root / name
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(body)


def _site_state(index: int) -> str:
    """About 40% drafts, 30% submitted, 15% returned, 15% accepted; the first site (the one measured) a draft."""
    slot = index % 20
    if slot < 8:
        return Assessment.State.DRAFT
    if slot < 14:
        return Assessment.State.SUBMITTED
    if slot < 17:
        return Assessment.State.RETURNED
    return Assessment.State.ACCEPTED


@transaction.atomic
def bench_data_build(*, sites: int, seed: int = 2009) -> BenchData:
    """Build `sites` pilot sites with everything hanging off them, in one transaction."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - fictional content, not security
    now = timezone.now()
    today = timezone.localdate()
    framework = current_framework() or framework_load(path=DEFAULT_FRAMEWORK_FILE).framework
    items = list(
        Item.objects.filter(section__framework=framework)
        .select_related("section")
        .order_by("section__position", "position")
    )
    sections = sorted({item.section for item in items}, key=lambda s: s.position)
    measured_item = items[len(items) // 2]
    # The measured site's section signed by both sides: the first one other than the measured item's.
    signed_section = next(s for s in sections if s.id != measured_item.section_id)
    signed_items = [item for item in items if item.section_id == signed_section.id]
    signed_item = signed_items[len(signed_items) // 2]

    regions = [Region.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in REGIONS]
    site_rows = PilotSite.objects.bulk_create(
        [
            PilotSite(
                code=f"BEN{n:03d}",
                name=f"{PLACES[n % len(PLACES)]} Primary Care Trust"
                + (f" ({n // len(PLACES) + 1})" if n >= len(PLACES) else ""),
                region=regions[n % len(regions)],
                pilot_type=PilotSite.PilotType.IN_DEPTH if n % 3 == 0 else PilotSite.PilotType.STANDARD,
            )
            for n in range(sites)
        ],
        batch_size=BATCH,
    )

    User = get_user_model()
    unusable = make_password(None)

    def person(username: str) -> object:
        return User(
            username=username,
            first_name=rng.choice(FIRST),
            last_name=rng.choice(LAST),
            email=f"{username}@example.nhs.invalid",
            password=unusable,
        )

    people: list = [person(BENCH_REVIEWER)]
    people += [person(f"bench-reviewer-{code.lower()}") for code, _name in REGIONS]
    per_site: list[tuple[PilotSite, list]] = []
    for n, site in enumerate(site_rows):
        manager = person(BENCH_MANAGER if n == 0 else f"{site.code.lower()}-manager")
        team = [manager, person(f"{site.code.lower()}-rep")]
        team += [person(f"{site.code.lower()}-contributor-{k}") for k in range(1, rng.randint(2, 3))]
        per_site.append((site, team))
        people += team
    User.objects.bulk_create(people, batch_size=BATCH)
    people = {u.username: u for u in User.objects.filter(username__in=[p.username for p in people])}
    national = people[BENCH_REVIEWER]
    regional = {region.id: people[f"bench-reviewer-{region.code.lower()}"] for region in regions}
    ReviewerScope.objects.bulk_create(
        [ReviewerScope(user=national, region=None)]
        + [ReviewerScope(user=user, region_id=region_id) for region_id, user in regional.items()]
    )

    teams: list[_Site] = []
    memberships = []
    for site, team in per_site:
        manager, rep, *contributors = (people[u.username] for u in team)
        teams.append(_Site(site, manager, contributors, rep, regional[site.region_id]))
        memberships.append(Membership(user=manager, site=site, role=Membership.Role.MANAGER))
        memberships.append(Membership(user=rep, site=site, role=Membership.Role.UNION_REP))
        memberships += [Membership(user=c, site=site, role=Membership.Role.CONTRIBUTOR) for c in contributors]
    Membership.objects.bulk_create(memberships, batch_size=BATCH)

    assessments = []
    for n, team in enumerate(teams):
        state = _site_state(n)
        created = now - datetime.timedelta(days=rng.randint(60, 120))
        assessment = Assessment(
            site=team.site,
            framework=framework,
            round_label=ROUND,
            state=state,
            created_by=team.manager,
            created_at=created,
        )
        if state != Assessment.State.DRAFT:
            assessment.submitted_at = now - datetime.timedelta(days=rng.randint(5, 20))
        if state in (Assessment.State.RETURNED, Assessment.State.ACCEPTED):
            assessment.reviewed_at = now - datetime.timedelta(days=rng.randint(1, 4))
            assessment.reviewed_by = team.reviewer
        if state == Assessment.State.RETURNED:
            assessment.return_reasons = (
                "Liability and indemnity: the insurance certificates attached have expired. Please attach current "
                "certificates and resubmit."
            )
        assessments.append(assessment)
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)

    responses: list[Response] = []
    for assessment, team in zip(assessments, teams, strict=True):
        share_done = 1.0 if assessment.state != Assessment.State.DRAFT else rng.uniform(0.2, 0.9)
        owners = [team.manager, *team.contributors]
        for position, item in enumerate(items):
            done = position < round(len(items) * share_done)
            if assessment is assessments[0] and item.section_id == signed_section.id:
                done = True  # answered in full, so both sides can sign it
            status = _status(rng, item, done=done)
            if assessment.state != Assessment.State.DRAFT and status == Response.Status.IN_PROGRESS:
                status = Response.Status.IN_PLACE
            owner = owners[position % len(owners)]
            responses.append(
                Response(
                    assessment=assessment,
                    item=item,
                    status=status,
                    narrative=_narrative(rng, status, today),
                    not_applicable_reason=(
                        "No staff in this pilot are employed outside the NHS."
                        if status == Response.Status.NOT_APPLICABLE
                        else ""
                    ),
                    owner=owner if status != Response.Status.NOT_STARTED else None,
                    due_date=(
                        today + datetime.timedelta(days=rng.randint(-10, 60))
                        if status not in (Response.Status.IN_PLACE, Response.Status.NOT_APPLICABLE)
                        else None
                    ),
                    version=rng.randint(1, 6) if status != Response.Status.NOT_STARTED else 1,
                    updated_by=owner,
                    updated_at=now - datetime.timedelta(days=rng.randint(3, 50), minutes=rng.randint(0, 600)),
                )
            )
    Response.objects.bulk_create(responses, batch_size=BATCH)
    team_of = {a.id: t for a, t in zip(assessments, teams, strict=True)}
    measured = next(r for r in responses if r.assessment_id == assessments[0].id and r.item_id == measured_item.id)

    comments: list[Comment] = []
    evidence: list[Evidence] = []
    files: list[tuple[str, bytes]] = []
    for response in responses:
        team = team_of[response.assessment_id]
        settled = response.assessment.state != Assessment.State.DRAFT
        n_comments = 3 if response is measured else rng.randint(0, 6)
        when = response.updated_at - datetime.timedelta(days=n_comments + 1)
        for _ in range(n_comments):
            when += datetime.timedelta(hours=rng.randint(2, 30))
            author, role = rng.choice(
                [
                    (team.manager, SiteRole.MANAGER),
                    (rng.choice(team.contributors), SiteRole.CONTRIBUTOR),
                    (team.rep, SiteRole.UNION_REP),
                    (team.reviewer, SiteRole.REVIEWER),
                ]
            )
            comment = Comment(
                response=response,
                author=author,
                author_role=role,
                body=rng.choice(COMMENTS).format(date=when.strftime("%d %B %Y"), n=rng.randint(2, 9)),
                created_at=when,
            )
            if role == SiteRole.UNION_REP and rng.random() < 0.1:
                # No open concern in the measured site's signed section: it could not be signed again.
                closed = settled or (
                    response.assessment_id == assessments[0].id and response.item.section_id == signed_section.id
                )
                state = Comment.ConcernState.CLOSED if closed else rng.choice(list(Comment.ConcernState))
                comment.body = rng.choice(CONCERNS)
                comment.is_concern = True
                comment.concern_state = state
                if state != Comment.ConcernState.OPEN:
                    comment.answer = "Confirmed in writing by HR; the letter is attached to this item."
                    comment.answered_by = team.manager
                    comment.answered_at = when + datetime.timedelta(hours=5)
                if state == Comment.ConcernState.CLOSED:
                    comment.closed_by = team.rep
                    comment.closed_at = when + datetime.timedelta(hours=9)
            comments.append(comment)
        n_files = 1 if response is measured else rng.choice([0, 1, 2])
        if response.item.evidence_expected and response.status == Response.Status.IN_PLACE:
            n_files = max(n_files, 1)  # in place only with the evidence it expects (the readiness rule)
        for k in range(n_files):
            title = rng.choice(EVIDENCE_TITLES)
            body = (
                f"{team.site.name}\n{response.item.code}: {title} (extract {k + 1}).\n"
                f"{rng.choice(DETAILS)}\nAgreed by management and staff side.\n"
            ).encode()
            name = f"evidence/{team.site.id}/{uuid4().hex}"
            files.append((name, body))
            evidence.append(
                Evidence(
                    response=response,
                    kind=Evidence.Kind.FILE,
                    title=f"{title} — {response.item.code}",
                    file=name,
                    original_filename=f"{response.item.code.lower()}-{title.lower().replace(' ', '-')}.txt",
                    size=len(body),
                    content_type="text/plain",
                    sha256=hashlib.sha256(body).hexdigest(),
                    uploaded_by=response.owner or team.manager,
                    uploaded_at=response.updated_at - datetime.timedelta(hours=rng.randint(1, 48)),
                    dated=timezone.localdate(response.updated_at),
                )
            )
    Comment.objects.bulk_create(comments, batch_size=BATCH)
    Evidence.objects.bulk_create(evidence, batch_size=BATCH)
    _write_files(files)

    signoffs = _signoffs(
        rng,
        assessments,
        responses,
        evidence,
        sections,
        team_of,
        now,
        measured={measured_item.section_id: False, signed_section.id: True},
    )
    SignOff.objects.bulk_create(signoffs, batch_size=BATCH)
    events = _audit_trail(assessments, responses, team_of)
    AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    # The rows above went in past the services that keep each assessment's stored readiness up to date: compute it.
    readiness_started = time.perf_counter()
    readiness_rebuild()
    readiness_seconds = round(time.perf_counter() - readiness_started, 2)

    return BenchData(
        sites=sites,
        assessment_pk=assessments[0].pk,
        item_code=measured_item.code,
        site_pk=teams[0].site.pk,
        signed_item_code=signed_item.code,
        signed_section_code=signed_section.code,
        rep_username=teams[0].rep.username,
        contributor_username=teams[0].contributors[0].username,
        counts={
            "sites": len(site_rows),
            "people": len(people),
            "responses": len(responses),
            "comments": len(comments),
            "evidence": len(evidence),
            "signoffs": len(signoffs),
            "audit_events": len(events),
        },
        seconds=round(time.perf_counter() - started, 2),
        readiness_seconds=readiness_seconds,
    )


def _signoffs(rng, assessments, responses, evidence, sections, team_of, now, measured) -> list[SignOff]:
    """Both sides sign every section of a submitted assessment; drafts have some complete sections signed.
    `measured` says, for some sections of the first (measured) assessment, whether both sides sign it or nobody."""
    evidence_of: dict[int, list[Evidence]] = {}
    for ev in evidence:
        evidence_of.setdefault(ev.response_id, []).append(ev)
    by_section: dict[tuple[int, int], list[Response]] = {}
    for response in responses:
        by_section.setdefault((response.assessment_id, response.item.section_id), []).append(response)
    rows = []
    for assessment in assessments:
        team = team_of[assessment.id]
        draft = assessment.state == Assessment.State.DRAFT
        for section in sections:
            section_responses = by_section.get((assessment.id, section.id), [])
            forced = measured.get(section.id) if assessment is assessments[0] else None
            if forced is False or (
                forced is None and draft and (not all(r.is_answered for r in section_responses) or rng.random() < 0.5)
            ):
                continue
            digest = section_content_sha256(section_responses, evidence_of, today=timezone.localdate(now))
            signed = now - datetime.timedelta(days=rng.randint(20, 30))
            sides = [(SignOff.Kind.MANAGEMENT, team.manager, SiteRole.MANAGER, MANAGEMENT_STATEMENT, signed)]
            if not draft or forced or rng.random() < 0.5:
                later = signed + datetime.timedelta(days=2)
                sides.append((SignOff.Kind.STAFF_SIDE, team.rep, SiteRole.UNION_REP, STAFF_STATEMENT, later))
            rows += [
                SignOff(
                    assessment=assessment,
                    section=section,
                    kind=kind,
                    signed_by=person,
                    signer_role=role,
                    statement=statement,
                    content_sha256=digest,
                    created_at=when,
                )
                for kind, person, role, statement, when in sides
            ]
    return rows


def _audit_trail(assessments, responses, team_of) -> list[AuditEvent]:
    """One event per assessment started and per response answered, chained exactly as audit_record chains them."""
    last = AuditEvent.objects.order_by("-id").only("hash").first()
    prev = last.hash if last else GENESIS
    drafts = [
        AuditEvent(
            created_at=a.created_at,
            actor=team_of[a.id].manager,
            actor_label=team_of[a.id].manager.username,
            action="assessment.create",
            object_type="checklists.assessment",
            object_id=str(a.pk),
            site=team_of[a.id].site,
            summary=f"Started {a.round_label}",
            after={"round_label": a.round_label},
        )
        for a in assessments
    ]
    drafts += [
        AuditEvent(
            created_at=r.updated_at,
            actor=r.updated_by,
            actor_label=r.updated_by.username,
            action="response.update",
            object_type="checklists.response",
            object_id=str(r.pk),
            site=team_of[r.assessment_id].site,
            summary=f"{r.item.code}: {r.get_status_display()}",
            before={"status": Response.Status.NOT_STARTED},
            after={"status": r.status, "version": r.version},
        )
        for r in responses
        if r.status != Response.Status.NOT_STARTED
    ]
    drafts.sort(key=lambda e: e.created_at)
    for event in drafts:
        event.prev_hash = prev
        event.hash = event_hash(prev_hash=prev, fields=_hashed_fields(event))
        prev = event.hash
    return drafts
