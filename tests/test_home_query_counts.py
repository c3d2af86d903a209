"""The home page costs the same, exact number of queries for one site or many, with work waiting at each: per role.
When a count changes, the failure lists every query."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from checklists.models import Assessment, Readiness, Response
from checklists.services.assessments import assessment_create
from checklists.services.comments import comment_create
from checklists.services.signoffs import signoff_management
from phb_readiness.sites.models import Membership, ReviewerScope, SiteRole
from tests.factories import MembershipFactory, PilotSiteFactory, RegionFactory, ReviewerScopeFactory, UserFactory
from tests.partnership_support import first_section, response_for
from tests.query_counts import assert_query_count

pytestmark = pytest.mark.django_db

# Each: session (1), the person with their reviewer scope (1), their memberships (1); for members, their sites with
# their assessments with their stored readiness (1), then each list of the role: items due (1), review queries to
# answer (1), concerns (1), changes since the last visit (1); for reviewers, the queue (1), the resubmissions with
# answered queries (1) and the sites that have not moved (1); for reviewers and observers, the answered concerns
# they raised (1); for a regional scope, the region's name (1).
EXPECTED = {
    "manager": 8,  # items due, review queries, concerns to answer
    "contributor": 7,  # items due, concerns (answered ones they raised)
    "union_rep": 7,  # concerns (answered ones they raised), changes since the last visit
    "reviewer": 7,  # the queue, the resubmissions, the sites that have not moved, concerns they raised
    "regional_reviewer": 8,  # the same, and the region's name
    "observer": 5,  # concerns they raised, the region's name
}


def _site_with_work(framework, region, n: int, *, people: dict) -> None:
    """One more site, with each person in a role there and work waiting for each."""
    site = PilotSiteFactory(code=f"QC-{n:02d}", region=region)
    manager = people["manager"]
    for role in ("manager", "contributor", "union_rep"):
        MembershipFactory(site=site, user=people[role], role=role)
    # an earlier round of the site, with the reviewers
    b = assessment_create(site=site, framework=framework, round_label="Round zero", user=manager)
    Assessment.objects.filter(pk=b.pk).update(
        state="submitted", submitted_at=timezone.now() - datetime.timedelta(days=n)
    )
    a = assessment_create(site=site, framework=framework, round_label="Round one", user=manager)
    today = timezone.localdate()
    Response.objects.filter(assessment=a, item__code__in=["EMP-01", "EMP-02"]).update(
        owner=manager, due_date=today - datetime.timedelta(days=2)
    )
    Response.objects.filter(assessment=a, item__code__in=["EMP-03"]).update(owner=people["contributor"], due_date=today)
    comment_create(
        response=response_for(a, "DEL-01"), user=people["union_rep"], role=SiteRole.UNION_REP, body="?", is_concern=True
    )
    signoff_management(assessment=a, section=first_section(a), user=manager, role=SiteRole.MANAGER, statement="S.")
    Readiness.objects.filter(pk=a.pk).update(last_change=timezone.now() - datetime.timedelta(days=40))


# What shows once per site, so the counts are taken with the work on the page.
SHOWN = {
    "manager": 'class="govuk-summary-card app-site-card app-waiting"',
    "contributor": 'class="govuk-summary-card app-site-card app-waiting"',
    "union_rep": 'class="govuk-summary-card app-site-card app-waiting"',
    "reviewer": "Not moving",
    "regional_reviewer": "Not moving",
    "observer": None,
}


def _count(client, user, expected: int, what: str) -> str:
    client.force_login(user)
    client.get(reverse("home"))  # the session's idle expiry written
    with assert_query_count(expected, what):
        reply = client.get(reverse("home"))
    assert reply.status_code == 200
    return reply.content.decode()


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_home_queries_do_not_grow_with_sites(client, framework, role):
    region = RegionFactory(code="QC", name="Query counts")
    people = {r: UserFactory(username=f"qc-{r}") for r in ("manager", "contributor", "union_rep")}
    people["reviewer"] = ReviewerScopeFactory(user__username="qc-reviewer").user
    people["regional_reviewer"] = ReviewerScopeFactory(user__username="qc-regional", region=region).user
    people["observer"] = ReviewerScopeFactory(
        user__username="qc-observer", region=region, role=ReviewerScope.Role.OBSERVER
    ).user
    _site_with_work(framework, region, 1, people=people)
    _count(client, people[role], EXPECTED[role], f"{role}, 1 site")
    for n in range(2, 13):
        _site_with_work(framework, region, n, people=people)
    page = _count(client, people[role], EXPECTED[role], f"{role}, 12 sites")
    assert Membership.objects.filter(user=people["manager"]).count() == 12
    if SHOWN[role]:
        assert page.count(SHOWN[role]) == 12
    if "reviewer" in role:
        assert page.count("Review<span") == 12
