"""The task list shows the site's newest checklist changes (comments and concerns included), not its downloads or
who was given which role."""

import pytest
from django.urls import reverse

from checklists.services.comments import comment_create
from phb_readiness.audit.services import audit_record
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import first_response

pytestmark = pytest.mark.django_db


def raise_concern(world, body: str = "Pensions not confirmed.") -> None:
    response = first_response(world.assessment_a)
    comment_create(response=response, user=world.rep_a, role=SiteRole.UNION_REP, body=body, is_concern=True)


def latest_activity(client, world) -> str:
    page = client.get(reverse("checklists:assessment", args=[world.assessment_a.pk])).content.decode()
    start = page.index('id="latest-activity"')
    return page[start : page.index("All activity at", start)]


def test_a_new_concern_is_the_newest_activity_on_the_task_list(client, world):
    raise_concern(world, body="Who signs the budgets off?")
    client.force_login(world.manager_a)
    activity = latest_activity(client, world)
    assert "Raised a concern" in activity
    assert world.rep_a.get_full_name() in activity


def test_downloads_are_not_news(client, world):
    raise_concern(world)
    audit_record(action="evidence.download", actor=world.manager_a, site=world.site_a, summary="Downloaded minutes")
    client.force_login(world.manager_a)
    activity = latest_activity(client, world)
    assert "Downloaded minutes" not in activity
    assert "Raised a concern" in activity


def test_role_grants_are_not_news(client, world):
    client.force_login(world.manager_a)
    activity = latest_activity(client, world)
    assert "Granted" not in activity and "Union rep" not in activity
    assert "Started" in activity
