"""Fictional demo sites, people and assessments for the embedded run. Never in production.

Idempotent: once DEMO-A exists nothing is changed, so a second `make run` keeps what the user did.
"""

from __future__ import annotations

import datetime
import hashlib
import random

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from checklists.frameworks import DEFAULT_FRAMEWORK_FILE, current_framework, framework_load
from checklists.models import Assessment, Comment, Evidence, Response, SignOff
from checklists.services import assessment_create
from phb_readiness.sites.models import Membership, PilotSite, Region, ReviewerScope, SiteRole

DEMO_PASSWORD = "demo-pass-2009"  # noqa: S105 - documented demo password, refused outside DEBUG
ROUND = "Readiness review, 2009/10 Q4"

# username, full name, site code, role ("reviewer" / "admin" / a Membership.Role), region for reviewers
ACCOUNTS = [
    ("demo-manager", "Alex Morgan", "DEMO-A", Membership.Role.MANAGER, None),
    ("demo-contributor", "Sam Patel", "DEMO-A", Membership.Role.CONTRIBUTOR, None),
    ("demo-rep", "Jo Williams", "DEMO-A", Membership.Role.UNION_REP, None),
    ("demo-manager-2", "Chris Evans", "DEMO-B", Membership.Role.MANAGER, None),
    ("demo-rep-2", "Pat Hughes", "DEMO-B", Membership.Role.UNION_REP, None),
    ("demo-manager-3", "Robin Clarke", "DEMO-C", Membership.Role.MANAGER, None),
    ("demo-rep-3", "Lee Okafor", "DEMO-C", Membership.Role.UNION_REP, None),
    ("demo-reviewer", "Dr Morgan Reid", None, "reviewer", None),
    ("demo-reviewer-london", "Kim Shah", None, "reviewer", "LDN"),
    ("demo-admin", "Demo Administrator", None, "admin", None),
]

SITES = [
    ("DEMO-A", "Northfield Primary Care Trust (demo)", "NW", "in_depth"),
    ("DEMO-B", "Riverside Primary Care Trust (demo)", "NW", "standard"),
    ("DEMO-C", "Southgate Primary Care Trust (demo)", "LDN", "standard"),
]

NARRATIVES = {
    Response.Status.IN_PLACE: [
        "Agreed at the local partnership forum on {date}; the agreement is attached and has been shared with all "
        "staff in the pilot teams.",
        "The process is written down in our operational policy (section {n}), was consulted on with the staff "
        "side and is reviewed quarterly by the pilot board.",
        "In place since {date}. The lead for this is the pilot programme manager; staff have been briefed at "
        "team meetings and the briefing notes are attached.",
    ],
    Response.Status.IN_PROGRESS: [
        "Draft prepared and due at the partnership forum on {date}. Staff side have seen the first draft and "
        "asked for changes to the consultation timetable.",
        "Work started with HR and finance; a proposal will go to the pilot board next month.",
    ],
    Response.Status.NOT_IN_PLACE: [
        "Not yet agreed: the independent providers have not confirmed their position. Escalated to the pilot "
        "board on {date}.",
    ],
}


class Command(BaseCommand):
    help = "Create fictional demo sites, accounts and assessments (embedded run only; idempotent)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo makes accounts with a published password: it runs only with DJANGO_DEBUG on.")
        if PilotSite.objects.filter(code="DEMO-A").exists():
            self.stdout.write("Demo data already present; left as it is.")
        else:
            self._seed()
            self.stdout.write(self.style.SUCCESS("Demo data created."))
        self.stdout.write(self.accounts_text())

    @staticmethod
    def accounts_text() -> str:
        lines = ["", f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
        for username, _name, site, role, region in ACCOUNTS:
            where = site or (f"region {region}" if region else "national" if role == "reviewer" else "everything")
            label = SiteRole(role).label
            lines.append(f"  {username:<22} {label} ({where})")
        return "\n".join(lines)

    @transaction.atomic
    def _seed(self) -> None:
        rng = random.Random(2009)  # noqa: S311 - demo content, not security
        framework = current_framework() or framework_load(path=DEFAULT_FRAMEWORK_FILE).framework
        regions = {
            "NW": Region.objects.get_or_create(code="NW", defaults={"name": "North West"})[0],
            "LDN": Region.objects.get_or_create(code="LDN", defaults={"name": "London"})[0],
        }
        sites = {
            code: PilotSite.objects.create(code=code, name=name, region=regions[region], pilot_type=kind)
            for code, name, region, kind in SITES
        }
        users = {}
        User = get_user_model()
        for username, name, site_code, role, region in ACCOUNTS:
            first, _, last = name.rpartition(" ")
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                email=f"{username}@example.nhs.invalid",
                first_name=first,
                last_name=last,
                is_staff=role == "admin",
                is_superuser=role == "admin",
            )
            users[username] = user
            if site_code:
                Membership.objects.create(user=user, site=sites[site_code], role=role)
            elif role == "reviewer":
                ReviewerScope.objects.create(user=user, region=regions[region] if region else None)

        # DEMO-A: a draft about half done, with evidence, comments and an open concern.
        a = assessment_create(site=sites["DEMO-A"], framework=framework, round_label=ROUND, user=users["demo-manager"])
        self._answer(a, rng, share_done=0.45, people=[users["demo-manager"], users["demo-contributor"]])
        responses = list(a.responses.select_related("item").order_by("item__section__position", "item__position"))
        Comment.objects.create(
            response=responses[1],
            author=users["demo-contributor"],
            author_role=Membership.Role.CONTRIBUTOR,
            body="I have asked HR for the consultation log so we can attach it here.",
        )
        Comment.objects.create(
            response=responses[2],
            author=users["demo-rep"],
            author_role=Membership.Role.UNION_REP,
            body="Staff transferring to the independent provider have not had written confirmation of their "
            "pension arrangements. Please confirm NHS Pension Scheme access before this is marked in place.",
            is_concern=True,
            concern_state=Comment.ConcernState.OPEN,
        )

        # DEMO-B: complete, signed off by both sides, submitted for review.
        b = assessment_create(
            site=sites["DEMO-B"], framework=framework, round_label=ROUND, user=users["demo-manager-2"]
        )
        self._answer(b, rng, share_done=1.0, people=[users["demo-manager-2"]])
        self._sign_all(b, manager=users["demo-manager-2"], rep=users["demo-rep-2"])
        b.state = Assessment.State.SUBMITTED
        b.submitted_at = timezone.now()
        b.save(update_fields=["state", "submitted_at"])

        # DEMO-C: submitted, then returned by the reviewer with reasons.
        c = assessment_create(
            site=sites["DEMO-C"], framework=framework, round_label=ROUND, user=users["demo-manager-3"]
        )
        self._answer(c, rng, share_done=0.9, people=[users["demo-manager-3"]])
        c.state = Assessment.State.RETURNED
        c.submitted_at = timezone.now() - datetime.timedelta(days=6)
        c.reviewed_at = timezone.now() - datetime.timedelta(days=2)
        c.reviewed_by = users["demo-reviewer"]
        c.return_reasons = (
            "Liability and indemnity: the insurance certificates attached have expired. Please attach current "
            "employer's and public liability certificates and resubmit."
        )
        c.save(update_fields=["state", "submitted_at", "reviewed_at", "reviewed_by", "return_reasons"])

    def _answer(self, assessment: Assessment, rng: random.Random, *, share_done: float, people: list) -> None:
        today = timezone.localdate()
        responses = list(
            assessment.responses.select_related("item").order_by("item__section__position", "item__position")
        )
        for n, response in enumerate(responses):
            done = n < round(len(responses) * share_done)
            if done:
                status = Response.Status.IN_PLACE if rng.random() > 0.08 else Response.Status.NOT_APPLICABLE
                if status == Response.Status.NOT_APPLICABLE and response.item.mandatory:
                    status = Response.Status.IN_PLACE
            else:
                status = rng.choice(
                    [Response.Status.NOT_STARTED, Response.Status.IN_PROGRESS, Response.Status.NOT_STARTED]
                )
            response.status = status
            when = (today - datetime.timedelta(days=rng.randint(5, 60))).strftime("%d %B %Y")
            if status == Response.Status.NOT_APPLICABLE:
                response.not_applicable_reason = "No staff in this pilot are employed outside the NHS."
            if status in NARRATIVES:
                response.narrative = rng.choice(NARRATIVES[status]).format(date=when, n=rng.randint(2, 9))
            response.owner = people[n % len(people)]
            if status != Response.Status.IN_PLACE:
                response.due_date = today + datetime.timedelta(days=rng.randint(-10, 45))
            response.updated_by = response.owner
            response.save()
            if done and response.item.evidence_expected and status == Response.Status.IN_PLACE:
                self._evidence(response, response.owner)

    @staticmethod
    def _evidence(response: Response, user) -> None:
        body = (
            f"{response.assessment.site.name}\n{response.item.code}: {response.item.question}\n\n"
            "Minutes of the local partnership forum (extract).\nAgreed by management and staff side.\n"
        ).encode()
        evidence = Evidence(
            response=response,
            kind=Evidence.Kind.FILE,
            title=f"Partnership forum minutes — {response.item.code}",
            original_filename=f"{response.item.code.lower()}-minutes.txt",
            size=len(body),
            content_type="text/plain",
            sha256=hashlib.sha256(body).hexdigest(),
            uploaded_by=user,
        )
        evidence.file.save("minutes.txt", ContentFile(body), save=False)
        evidence.save()

    @staticmethod
    def _sign_all(assessment: Assessment, *, manager, rep) -> None:
        from checklists.selectors import readiness_for

        for section in readiness_for(assessment).sections:
            for kind, person, role, statement in (
                (SignOff.Kind.MANAGEMENT, manager, Membership.Role.MANAGER, "Signed for management."),
                (SignOff.Kind.STAFF_SIDE, rep, Membership.Role.UNION_REP, "Acknowledged for the staff side."),
            ):
                SignOff.objects.create(
                    assessment=assessment,
                    section=section.section,
                    kind=kind,
                    signed_by=person,
                    signer_role=role,
                    statement=statement,
                    content_sha256=section.content_sha256,
                )
