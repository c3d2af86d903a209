"""The per-site activity feed: newest first, linked to the item; for a rep, what changed since the last visit."""

import pytest
from django.urls import reverse

from checklists.models import SiteVisit
from checklists.selectors.activity import ACTIVITY_PAGE_SIZE
from checklists.services.comments import comment_create
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import answer, first_response, queries_for_get, response_for

pytestmark = pytest.mark.django_db


def activity_url(site):
    return reverse("partnership:activity", args=[site.code])


def comment(world, body, code=None):
    response = response_for(world.assessment_a, code) if code else first_response(world.assessment_a)
    return comment_create(response=response, user=world.manager_a, role=SiteRole.MANAGER, body=body)


def test_the_feed_lists_the_sites_events_newest_first_linked_to_the_item(client, world):
    first = first_response(world.assessment_a)
    answer(first, world.contributor_a, narrative="Agreed at the forum.")
    comment(world, "Looks good.")
    client.force_login(world.manager_a)
    page = client.get(activity_url(world.site_a)).content.decode()
    assert page.index("Commented on") < page.index(f"{first.item.code}: changed")
    item_link = reverse("checklists:item", args=[world.assessment_a.pk, first.item.code])
    assert f'href="{item_link}"' in page
    assert world.contributor_a.get_full_name() in page


def test_the_feed_shows_nothing_of_other_sites(client, world):
    comment_create(
        response=first_response(world.assessment_b), user=world.manager_b, role=SiteRole.MANAGER, body="Site B only"
    )
    client.force_login(world.manager_a)
    page = client.get(activity_url(world.site_a)).content.decode()
    assert "Commented on" not in page


@pytest.mark.parametrize("persona", ["outsider", "manager_b", "regional_reviewer_other"])
def test_the_feed_of_another_site_is_not_found(client, world, persona):
    client.force_login(getattr(world, persona))
    assert client.get(activity_url(world.site_a)).status_code == 404


def test_a_rep_sees_what_changed_since_the_last_visit(client, world):
    client.force_login(world.rep_a)
    page = client.get(activity_url(world.site_a)).content.decode()
    assert "This is your first visit" in page
    visit = SiteVisit.objects.get(user=world.rep_a, site=world.site_a)
    assert not AuditEvent.objects.filter(site=world.site_a, created_at__gt=visit.last_seen_at).exists()
    comment(world, "After your visit.")
    page = client.get(activity_url(world.site_a)).content.decode()
    assert "1 change since your last visit" in page
    assert page.count("app-activity--new") == 1
    page = client.get(activity_url(world.site_a)).content.decode()
    assert "Nothing has changed since your last visit" in page


def test_the_feed_is_paginated(client, world):
    for n in range(ACTIVITY_PAGE_SIZE + 5):
        comment(world, f"Comment {n}")
    client.force_login(world.manager_a)
    first_page = client.get(activity_url(world.site_a)).content.decode()
    assert first_page.count('<tr class="govuk-table__row') == ACTIVITY_PAGE_SIZE + 1  # plus the header row
    assert "Page 1 of 2" in first_page
    second = client.get(activity_url(world.site_a) + "?page=2").content.decode()
    assert "Page 2 of 2" in second
    assert client.get(activity_url(world.site_a) + "?page=zzz").status_code == 200


@pytest.mark.parametrize("persona", ["rep_a", "manager_a"])
def test_the_feed_runs_a_fixed_number_of_queries(client, world, persona):
    codes = list(world.assessment_a.responses.values_list("item__code", flat=True)[:30])
    comment(world, "One")
    answer(first_response(world.assessment_a), world.manager_a)
    client.force_login(getattr(world, persona))
    client.get(activity_url(world.site_a))  # a rep's first visit creates their visit record
    few = queries_for_get(client, activity_url(world.site_a))
    for code in codes:
        comment(world, f"On {code}", code=code)
        answer(response_for(world.assessment_a, code), world.contributor_a, narrative=f"Done {code}")
    assert queries_for_get(client, activity_url(world.site_a)) == few <= 16
