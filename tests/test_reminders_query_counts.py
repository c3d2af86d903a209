"""The reminder job's queries do not grow with the number of sites: a constant number per kind."""

import pytest
from django.core import mail

from checklists.services.assessments import assessment_create
from checklists.services.reminders import reminders_send
from phb_readiness.sites.models import Membership
from tests.factories import MembershipFactory, PilotSiteFactory
from tests.query_counts import assert_query_count
from tests.reminders_support import (
    concern_waiting,
    days,
    evidence_expiring,
    owned_item,
    signoff_waiting,
    submission_waiting,
    today,
)

pytestmark = pytest.mark.django_db

# due in 7 and 1 days (1), overdue (1), sign-offs awaiting: stored readiness and the sign-offs (2), concerns (1),
# the managers and union reps of the sites concerned (1), submissions waiting (1), the reviewers (1), evidence
# expiring (1), the ledger of the week (1), the preferences (1), the inbox messages (1), the e-mail task (1)
EXPECTED = 13


def site_with_everything_due(framework, region, n: int, *, submitted: bool):
    site = PilotSiteFactory(region=region, code=f"SITE-Q{n}")
    manager = MembershipFactory(site=site, role=Membership.Role.MANAGER).user
    rep = MembershipFactory(site=site, role=Membership.Role.UNION_REP).user
    assessment = assessment_create(site=site, framework=framework, round_label="Round", user=manager)
    if submitted:
        submission_waiting(assessment)
        return
    owned_item(assessment, manager, today() + days(7), position=5)
    owned_item(assessment, manager, today() - days(3), position=6)
    evidence_expiring(assessment, manager, in_days=30, position=7)
    signoff_waiting(assessment, manager)
    concern_waiting(assessment, rep)


def reminders_for(framework, region, sites: int, *, first: int = 0) -> int:
    for n in range(first, first + sites):
        site_with_everything_due(framework, region, n, submitted=n % 2 == 1)
    mail.outbox.clear()
    with assert_query_count(EXPECTED, f"reminder job, {sites} sites"):
        sent = reminders_send()
    return len(sent)


def test_two_sites_and_six_cost_the_same(framework, world):
    region = world.site_a.region
    two = reminders_for(framework, region, 2)
    six = reminders_for(framework, region, 4, first=2)  # four more: six sites, the first two's already sent
    # per site in progress: due, overdue, evidence, sign-off (its rep), concern (its manager); per submitted site: the
    # national reviewer
    assert two == 5 + 1 and six == 2 * (5 + 1)
