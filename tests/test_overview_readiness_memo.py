"""The national overview remembers each assessment's readiness until its site's data changes, never serving it stale."""

import pytest
from django.urls import reverse

from checklists.models import Response
from checklists.services.comments import comment_create
from checklists.services.responses import response_save
from phb_readiness.reports.selectors import summary_memo_clear
from phb_readiness.sites.models import SiteRole
from tests.factories import PilotSiteFactory

pytestmark = pytest.mark.django_db


def overview_row(client, site) -> str:
    """The HTML of a site's row in the overview."""
    page = client.get(reverse("reports:overview")).content.decode()
    start = page.index(f"{site.code}, ")
    return page[start : page.index("</tr>", start)]


def overall_percent(row: str) -> str:
    marker = 'app-overview__pct">'
    start = row.index(marker) + len(marker)
    return row[start : row.index("<", start)]


def test_a_warm_overview_reads_no_checklist_rows(client, world, django_assert_max_num_queries):
    client.force_login(world.reviewer)
    summary_memo_clear()
    with django_assert_max_num_queries(20) as cold:
        client.get(reverse("reports:overview"))
    with django_assert_max_num_queries(20) as warm:
        client.get(reverse("reports:overview"))
    tables = " ".join(q["sql"] for q in warm.captured_queries)
    assert "checklists_response" not in tables and "checklists_comment" not in tables
    assert len(warm.captured_queries) < len(cold.captured_queries)


def test_a_saved_answer_shows_at_once(client, world):
    client.force_login(world.reviewer)
    assert overall_percent(overview_row(client, world.site_a)) == "0%"
    for response in world.assessment_a.responses.select_related("item")[:61]:
        response_save(
            response=response,
            user=world.manager_a,
            data={"status": Response.Status.IN_PLACE, "narrative": "Agreed with the staff side."},
            base_version=response.version,
        )
    assert overall_percent(overview_row(client, world.site_a)) == "100%"


def test_a_new_concern_turns_the_site_red_at_once(client, world):
    client.force_login(world.reviewer)
    assert "app-rag--red" not in overview_row(client, world.site_a)
    response = world.assessment_a.responses.first()
    comment_create(response=response, user=world.rep_a, role=SiteRole.UNION_REP, body="Who signs off?", is_concern=True)
    row = overview_row(client, world.site_a)
    assert "app-rag--red" in row
    assert ">1</td>" in row  # open concerns


def test_a_site_without_recorded_history_is_read_fresh(client, world, framework):
    """Rows written without the services (no audit event, so no stamp) are never remembered."""
    from checklists.models import Assessment

    site = PilotSiteFactory(code="SITE-Q", name="Quiet Trust", region=world.site_a.region)
    assessment = Assessment.objects.create(site=site, framework=framework, round_label="Round 1")
    item = framework.sections.first().items.first()
    response = Response.objects.create(assessment=assessment, item=item)
    client.force_login(world.reviewer)
    assert overall_percent(overview_row(client, site)) == "0%"
    response.status = Response.Status.IN_PLACE
    response.save(update_fields=["status"])
    assert overall_percent(overview_row(client, site)) == "100%"
