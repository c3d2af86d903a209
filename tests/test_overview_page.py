"""The national overview: sites by section for reviewers in their scope, filtered and sorted, in constant queries."""

import pytest
from django.urls import reverse

from checklists.services.assessments import assessment_create
from checklists.services.comments import comment_create
from phb_readiness.sites.models import Membership, Region, SiteRole
from tests.factories import MembershipFactory, PilotSiteFactory
from tests.partnership_support import answer
from tests.query_counts import assert_query_count

pytestmark = pytest.mark.django_db


def london_site(world, framework, code="SITE-L"):
    site = PilotSiteFactory(code=code, name=f"{code} London Trust", region=Region.objects.get(code="LDN"))
    assessment_create(site=site, framework=framework, round_label="Readiness review, 2009/10 Q4")
    return site


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("reviewer", 200),
        ("regional_reviewer_other", 200),
        ("admin", 200),
        ("manager_a", 403),
        ("contributor_a", 403),
        ("rep_a", 403),
        ("outsider", 403),
    ],
)
def test_overview_access_by_role(client, world, persona, expected):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("reports:overview")).status_code == expected
    assert client.get(reverse("reports:overview"), {"format": "csv"}).status_code == expected


def test_a_reviewer_sees_every_site_with_its_sections(client, world):
    client.force_login(world.reviewer)
    page = client.get(reverse("reports:overview")).content.decode()
    assert world.site_a.name in page and world.site_b.name in page
    for code in ("EMP", "DEL", "REG", "LIA", "TRN", "LDR", "SSC"):
        assert f">{code}</abbr>" in page
    assert reverse("checklists:assessment", args=[world.assessment_a.pk]) in page
    assert reverse("reports:site_checklist_xlsx", args=["SITE-A"]) in page
    assert "National overview" in page  # the navigation link


def test_a_regional_reviewer_sees_only_their_region(client, world, framework):
    london_site(world, framework)
    client.force_login(world.regional_reviewer_other)
    page = client.get(reverse("reports:overview")).content.decode()
    assert "SITE-L London Trust" in page
    assert world.site_a.name not in page and world.site_b.name not in page
    assert client.get(reverse("reports:overview"), {"region": "NW"}).status_code == 200  # not theirs: an error


def test_filters_and_sort(client, world, framework):
    london_site(world, framework)
    response = world.assessment_b.responses.select_related("item").first()
    rep_b = MembershipFactory(site=world.site_b, role=Membership.Role.UNION_REP).user
    comment_create(response=response, user=rep_b, role=SiteRole.UNION_REP, body="Open", is_concern=True)
    client.force_login(world.reviewer)
    overview = reverse("reports:overview")

    page = client.get(overview, {"region": "LDN"}).content.decode()
    assert "SITE-L London Trust" in page and world.site_a.name not in page

    page = client.get(overview, {"rag": "red"}).content.decode()
    assert world.site_b.name in page and world.site_a.name not in page

    page = client.get(overview, {"state": "submitted"}).content.decode()
    assert "No sites match these filters." in page

    page = client.get(overview, {"sort": "-concerns"}).content.decode()
    assert page.index(world.site_b.name) < page.index(world.site_a.name)

    page = client.get(overview, {"rag": "purple", "sort": "nonsense"}).content.decode()
    assert "Choose one of the listed RAG ratings" in page
    assert world.site_a.name in page and world.site_b.name in page


# Session and user (with the reviewer scope) 2, the regions for the filter 1, the page's count and rows 2, their
# readiness 1, the figures by region 1, the stored months of the programme over time 1.
OVERVIEW_QUERIES = 8


def test_overview_queries_do_not_grow_with_the_sites(client, world, framework):
    client.force_login(world.reviewer)
    client.get(reverse("reports:overview"))  # warm the session
    with assert_query_count(OVERVIEW_QUERIES, "overview with 2 sites"):
        client.get(reverse("reports:overview"))
    for n in range(60):
        site = london_site(world, framework, code=f"SITE-L{n:02d}")
        manager = MembershipFactory(site=site, role=Membership.Role.MANAGER).user
        for r in site.assessments.get().responses.select_related("item")[:5]:
            answer(r, manager)
    with assert_query_count(OVERVIEW_QUERIES, "overview with 62 sites"):
        page = client.get(reverse("reports:overview")).content.decode()
    assert "SITE-L47 London Trust" in page and "Page 1 of 2" in page


def test_pdf_buttons_only_for_those_who_may_ask_for_site_reports(client, world):
    button = reverse("reports:request_site", args=[world.assessment_a.pk])
    client.force_login(world.reviewer)
    assert button in client.get(reverse("reports:overview")).content.decode()
    client.force_login(world.admin)
    assert button not in client.get(reverse("reports:overview")).content.decode()
