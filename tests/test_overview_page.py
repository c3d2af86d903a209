"""The national overview: sites by section for reviewers in their scope, filtered and sorted, in constant queries."""

import pytest
from django.urls import reverse

from checklists.models import Comment, Response
from checklists.services.assessments import assessment_create
from phb_readiness.reports.selectors import summary_memo_clear
from phb_readiness.sites.models import Region, SiteRole
from tests.factories import PilotSiteFactory

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
    response = world.assessment_b.responses.first()
    Comment.objects.create(
        response=response,
        author=world.manager_b,
        author_role=SiteRole.MANAGER,
        body="Open",
        is_concern=True,
        concern_state=Comment.ConcernState.OPEN,
    )
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


def test_overview_queries_do_not_grow_with_the_sites(client, world, framework, django_assert_max_num_queries):
    client.force_login(world.reviewer)
    client.get(reverse("reports:overview"))  # warm the session
    summary_memo_clear()  # count a cold request: every site's readiness computed
    with django_assert_max_num_queries(14) as small:
        client.get(reverse("reports:overview"))
    for n in range(10):
        site = london_site(world, framework, code=f"SITE-L{n}")
        for r in site.assessments.get().responses.all()[:5]:
            r.status = Response.Status.IN_PLACE
            r.save(update_fields=["status"])
    summary_memo_clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("reports:overview")).content.decode()
    assert "SITE-L9 London Trust" in page


def test_pdf_buttons_only_for_those_who_may_ask_for_site_reports(client, world):
    button = reverse("reports:request_site", args=[world.assessment_a.pk])
    client.force_login(world.reviewer)
    assert button in client.get(reverse("reports:overview")).content.decode()
    client.force_login(world.admin)
    assert button not in client.get(reverse("reports:overview")).content.decode()
