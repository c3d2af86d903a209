"""Fictional demo sites, people and assessments for the embedded run. Never in production.

Idempotent: once DEMO-A exists nothing is changed, so a second `make run` keeps what the user did.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import random
from collections.abc import Iterator
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from checklists.models import Assessment, Response
from checklists.selectors.frameworks import current_framework
from checklists.services.assessments import assessment_create, assessment_submit
from checklists.services.comments import comment_create
from checklists.services.evidence import evidence_add_file
from checklists.services.frameworks import DEFAULT_FRAMEWORK_FILE, framework_load
from checklists.services.readiness import evidence_lapse
from checklists.services.responses import response_save
from checklists.services.review import assessment_return
from checklists.services.signoffs import signoff_acknowledge, signoff_management
from phb_readiness.sites.models import Membership, PilotSite, Region, ReviewerScope, SiteRole

# The items whose evidence is an insurance certificate, valid for a year: Liability and indemnity's cover.
CERTIFIED_SECTION = "LIA"


@contextlib.contextmanager
def calendar_on(day: datetime.date) -> Iterator[None]:
    """Run steps as if the calendar said `day`: the dates the rules read (what evidence is in force, what is overdue)
    come from timezone.localdate(); the times things were done stay the real ones."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):  # noqa: A002 - Django's own parameter name
        return day if value is None else real(value, timezone)

    with mock.patch.object(timezone, "localdate", localdate):
        yield


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
    # a union regional officer watching the North West's sites: reads, comments, raises concerns, never signs
    ("demo-observer", "Val Turner", None, "observer", "NW"),
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


def demo_accounts() -> list[tuple[str, str, str]]:
    """Every demo account as (username, role, where): printed after seeding and listed on the sign-in page."""
    accounts = []
    for username, _name, site, role, region in ACCOUNTS:
        where = site or (
            f"region {region}" if region else "national" if role in ReviewerScope.Role.values else "everything"
        )
        accounts.append((username, SiteRole(role).label, where))
    return accounts


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
        lines += [f"  {username:<22} {label}, {where}" for username, label, where in demo_accounts()]
        return "\n".join(lines)

    def _seed(self) -> None:
        """Everything through the services, as people would have done it: the audit trail, the activity feeds and
        the sign-off hashes are real. The history is not mailed to the demo people."""
        tasks_log = logging.getLogger("celery.app.trace")  # one line per in-process task: noise in `make run`
        level = tasks_log.level
        tasks_log.setLevel(logging.WARNING)
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
                self._seed_all()
        finally:
            tasks_log.setLevel(level)

    def _seed_all(self) -> None:
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
            elif role in ReviewerScope.Role.values:
                ReviewerScope.objects.create(user=user, role=role, region=regions[region] if region else None)
        sections = list(framework.sections.order_by("position"))

        # DEMO-A: a draft nearly ready. Six sections answered and signed by both sides; in the last, the mandatory
        # items are answered, the optional ones still open, and nobody has signed: the partnership journey of the
        # README ("Demo") can start at once, and there is still checklist work to do.
        # Its insurance certificates run out in 30 days: the owner is reminded 30 and 7 days before.
        today = timezone.localdate()
        manager, rep = users["demo-manager"], users["demo-rep"]
        a = assessment_create(site=sites["DEMO-A"], framework=framework, round_label=ROUND, user=manager)
        self._answer(
            a,
            rng,
            manager=manager,
            people=[manager, users["demo-contributor"]],
            last_section_open=True,
            certificates_until=today + datetime.timedelta(days=30),
        )
        self._sign(a, sections[:-1], manager=manager, rep=rep)
        responses = self._responses(a)
        comment_create(
            response=responses[1],
            user=users["demo-contributor"],
            role=SiteRole.CONTRIBUTOR,
            body="I have asked HR for the consultation log so we can attach it here.",
        )

        # DEMO-B: complete, signed off by both sides, submitted for review.
        manager, rep = users["demo-manager-2"], users["demo-rep-2"]
        b = assessment_create(site=sites["DEMO-B"], framework=framework, round_label=ROUND, user=manager)
        self._answer(b, rng, manager=manager, people=[manager], certificates_until=today + datetime.timedelta(days=200))
        self._sign(b, sections, manager=manager, rep=rep)
        assessment_submit(assessment=b, user=manager)

        # DEMO-C: submitted while its insurance certificates were current; they expired nine days ago, so the daily
        # job recorded the lapse (Liability and indemnity leaves green, its sign-off superseded); the reviewer
        # returned it with reasons, and the union rep raised a concern since.
        manager, rep = users["demo-manager-3"], users["demo-rep-3"]
        c = assessment_create(site=sites["DEMO-C"], framework=framework, round_label=ROUND, user=manager)
        expired = today - datetime.timedelta(days=9)
        with calendar_on(today - datetime.timedelta(days=12)):
            self._answer(c, rng, manager=manager, people=[manager], certificates_until=expired)
            self._sign(c, sections, manager=manager, rep=rep)
            c = assessment_submit(assessment=c, user=manager)
        evidence_lapse(today=today)
        assessment_return(
            assessment=c,
            user=users["demo-reviewer"],
            role=SiteRole.REVIEWER,
            reasons="Liability and indemnity: the insurance certificates attached have expired. Please attach "
            "current employer's and public liability certificates and resubmit.",
            queries={
                "LIA-01": "The employer's liability certificate attached has expired: when does the renewed policy "
                "start, and is the provider named on it?",
                "LIA-02": "The public liability certificate has expired too: please attach the current one.",
            },
        )
        comment_create(
            response=self._responses(c)[2],
            user=rep,
            role=SiteRole.UNION_REP,
            body="Staff transferring to the independent provider have not had written confirmation of their "
            "pension arrangements. Please confirm NHS Pension Scheme access before this is marked in place.",
            is_concern=True,
        )

    @staticmethod
    def _responses(assessment: Assessment) -> list[Response]:
        return list(
            assessment.responses.select_related("item__section", "owner", "updated_by").order_by(
                "item__section__position", "item__position"
            )
        )

    def _answer(
        self,
        assessment: Assessment,
        rng: random.Random,
        *,
        manager,
        people: list,
        last_section_open: bool = False,
        certificates_until: datetime.date | None = None,
    ) -> None:
        """Answer every item (with `last_section_open`, not the last section's optional ones), with owners, due
        dates and evidence where it is expected: forum minutes, or for Liability and indemnity an insurance
        certificate issued a year before `certificates_until`, its last valid day."""
        today = timezone.localdate()
        responses = self._responses(assessment)
        last_section = responses[-1].item.section_id
        undone = {
            r.pk for r in responses if last_section_open and r.item.section_id == last_section and not r.item.mandatory
        }
        for n, response in enumerate(responses):
            if response.pk in undone:
                status = rng.choice([Response.Status.NOT_STARTED, Response.Status.IN_PROGRESS])
            elif not response.item.mandatory and rng.random() < 0.3:
                status = Response.Status.NOT_APPLICABLE
            else:
                status = Response.Status.IN_PLACE
            when = (today - datetime.timedelta(days=rng.randint(5, 60))).strftime("%d %B %Y")
            owner = people[n % len(people)]
            data = {"status": status, "owner": owner}
            if status == Response.Status.NOT_APPLICABLE:
                data["not_applicable_reason"] = "No staff in this pilot are employed outside the NHS."
            if status in NARRATIVES:
                data["narrative"] = rng.choice(NARRATIVES[status]).format(date=when, n=rng.randint(2, 9))
            if status != Response.Status.IN_PLACE:
                data["due_date"] = today + datetime.timedelta(days=rng.randint(-10, 45))
            saved = response_save(response=response, user=manager, data=data, base_version=response.version)
            if response.item.evidence_expected and status == Response.Status.IN_PLACE:
                body = (
                    f"{assessment.site.name}\n{response.item.code}: {response.item.question}\n\n"
                    "Minutes of the local partnership forum (extract).\nAgreed by management and staff side.\n"
                ).encode()
                if certificates_until and response.item.section.code == CERTIFIED_SECTION:
                    issued = certificates_until - datetime.timedelta(days=364)
                    body = (
                        f"{assessment.site.name}\n{response.item.code}: certificate of insurance\n\n"
                        f"Period of cover: {issued:%d %B %Y} to {certificates_until:%d %B %Y}.\n"
                    ).encode()
                    evidence_add_file(
                        response=saved,
                        user=owner,
                        uploaded_file=SimpleUploadedFile(
                            f"{response.item.code.lower()}-certificate.txt", body, "text/plain"
                        ),
                        title=f"Insurance certificate — {response.item.code}",
                        dated=issued,
                        valid_until=certificates_until,
                    )
                    continue
                evidence_add_file(
                    response=saved,
                    user=owner,
                    uploaded_file=SimpleUploadedFile(f"{response.item.code.lower()}-minutes.txt", body, "text/plain"),
                    title=f"Partnership forum minutes — {response.item.code}",
                )

    @staticmethod
    def _sign(assessment: Assessment, sections: list, *, manager, rep) -> None:
        for section in sections:
            signoff_management(
                assessment=assessment,
                section=section,
                user=manager,
                role=SiteRole.MANAGER,
                statement="Signed for management: the answers and evidence of this section are complete and agreed.",
            )
            signoff_acknowledge(
                assessment=assessment,
                section=section,
                user=rep,
                role=SiteRole.UNION_REP,
                statement="Acknowledged for the staff side after discussion at the local partnership forum.",
            )
