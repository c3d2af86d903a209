"""The item page: question, guidance and source; the answer form saving with htmx and without; errors and conflicts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from checklists.models import Assessment, Response
from checklists.services.responses import response_save

pytestmark = pytest.mark.django_db


def _url(world, code="EMP-03") -> str:
    return reverse("checklists:item", args=[world.assessment_a.pk, code])


def _post(client, world, code="EMP-03", htmx=False, **fields):
    data = {
        "status": "in_progress",
        "narrative": "",
        "not_applicable_reason": "",
        "due_date_0": "",
        "due_date_1": "",
        "due_date_2": "",
        "base_version": "1",
        **fields,
    }
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(_url(world, code), data, headers=headers)


def test_item_page_shows_question_guidance_source_and_the_form(client, world):
    client.force_login(world.manager_a)
    html = client.get(_url(world)).content.decode()
    assert "Is there agreement on staff pay, terms and conditions and pensions arrangements?" in html
    assert "Personal Health Budgets: Understanding the implications for staff" in html
    assert "Checklist: Employment issues" in html
    assert 'name="status"' in html and 'name="owner"' in html and 'name="due_date_0"' in html
    assert 'hx-post="' + _url(world) + '"' in html
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_contributor_sees_no_owner_field(client, world):
    client.force_login(world.contributor_a)
    html = client.get(_url(world)).content.decode()
    assert 'name="status"' in html and 'name="owner"' not in html


def test_saving_without_javascript_redirects_with_a_message(client, world):
    client.force_login(world.contributor_a)
    page = _post(client, world, narrative="Draft agreement with staff side")
    assert page.status_code == 302 and page.url == _url(world)
    html = client.get(page.url).content.decode()
    assert "EMP-03 saved (version 2)" in html
    response = world.assessment_a.responses.get(item__code="EMP-03")
    assert (response.status, response.narrative, response.version) == (
        "in_progress",
        "Draft agreement with staff side",
        2,
    )


def test_saving_with_htmx_returns_the_form_partial_with_a_confirmation(client, world):
    client.force_login(world.manager_a)
    page = _post(client, world, htmx=True, status="in_place", narrative="Agreed", owner=str(world.contributor_a.pk))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.lstrip().startswith("<title>EMP-03: ")  # htmx takes the page title from a top-level <title>
    assert '<div id="response-form-region"' in html
    assert "<html" not in html
    assert "EMP-03 saved (version 2)" in html
    assert 'name="base_version" value="2"' in html
    assert world.assessment_a.responses.get(item__code="EMP-03").owner == world.contributor_a


def test_errors_are_listed_in_an_error_summary_and_nothing_is_lost(client, world):
    client.force_login(world.manager_a)
    page = _post(client, world, status="not_applicable", narrative="Keep this text")
    html = page.content.decode()
    assert page.status_code == 200
    assert "govuk-error-summary" in html and "<title>Error:" in html
    assert "Enter the reason this item does not apply to your site" in html
    assert "Keep this text" in html
    assert world.assessment_a.responses.get(item__code="EMP-03").version == 1


def test_describe_item_needs_a_narrative_for_in_place(client, world):
    code = world.assessment_a.responses.filter(item__kind="describe").values_list("item__code", flat=True).first()
    client.force_login(world.manager_a)
    html = _post(client, world, code=code, htmx=True, status="in_place").content.decode()
    assert "Describe the process before you mark this item as in place" in html
    assert html.lstrip().startswith("<title>Error: ")
    assert "govuk-error-summary" in html


def test_a_half_entered_date_is_an_error(client, world):
    client.force_login(world.manager_a)
    html = _post(client, world, due_date_0="31", due_date_1="", due_date_2="2010").content.decode()
    assert "Enter the month" in html


def test_a_due_date_in_the_past_is_saved_and_flagged(client, world):
    client.force_login(world.manager_a)
    page = _post(client, world, due_date_0="31", due_date_1="3", due_date_2="2010")
    html = client.get(page.url).content.decode()
    assert "is in the past" in html
    assert "This item is overdue" in html


def test_conflict_shows_their_saved_values_and_keeps_my_text(client, world):
    response = world.assessment_a.responses.select_related("item").get(item__code="EMP-03")
    response_save(
        response=response, user=world.manager_a, data={"narrative": "Manager's agreed wording"}, base_version=1
    )
    client.force_login(world.contributor_a)
    page = _post(client, world, htmx=True, narrative="My own careful wording")
    html = page.content.decode()
    assert page.status_code == 200
    assert "saved this item at" in html and "Your answer has not been saved" in html
    assert "They changed: narrative" in html
    assert "Manager&#x27;s agreed wording" in html
    assert "My own careful wording" in html
    assert 'name="base_version" value="2"' in html
    response.refresh_from_db()
    assert response.narrative == "Manager's agreed wording" and response.version == 2
    # Saving again from the merged form succeeds.
    again = _post(client, world, narrative="Merged wording", base_version="2")
    assert again.status_code == 302
    response.refresh_from_db()
    assert response.narrative == "Merged wording" and response.version == 3


def test_conflict_without_javascript_renders_the_whole_page(client, world):
    response = world.assessment_a.responses.select_related("item").get(item__code="EMP-03")
    response_save(response=response, user=world.manager_a, data={"status": "not_in_place"}, base_version=1)
    client.force_login(world.contributor_a)
    html = _post(client, world, narrative="Mine").content.decode()
    assert "<html" in html and "Your answer has not been saved" in html and "They changed: status" in html


@pytest.mark.parametrize("persona", ["rep_a", "reviewer"])
def test_read_only_roles_see_the_answer_without_a_form(client, world, persona):
    client.force_login(getattr(world, persona))
    html = client.get(_url(world)).content.decode()
    assert 'name="status"' not in html and "Upload a file" not in html
    assert 'id="response-summary"' in html


def test_a_submitted_assessment_shows_no_form_and_refuses_saves(client, world):
    Assessment.objects.filter(pk=world.assessment_a.pk).update(state="submitted")
    client.force_login(world.manager_a)
    html = client.get(_url(world)).content.decode()
    assert 'name="status"' not in html and "frozen" in html
    page = _post(client, world, narrative="Late")
    assert page.status_code == 302
    assert "cannot be changed" in client.get(page.url).content.decode()
    assert world.assessment_a.responses.get(item__code="EMP-03").narrative == ""


def test_unknown_item_code_is_404(client, world):
    client.force_login(world.manager_a)
    assert client.get(_url(world, "NOPE-01")).status_code == 404


def test_a_bad_status_is_a_form_error_not_a_500(client, world):
    client.force_login(world.manager_a)
    page = _post(client, world, status="done", base_version="x")
    assert page.status_code == 200 and "govuk-error-summary" in page.content.decode()
    assert Response.objects.get(assessment=world.assessment_a, item__code="EMP-03").version == 1


def test_after_a_conflict_the_form_takes_their_values_where_i_changed_nothing(client, world):
    response = world.assessment_a.responses.select_related("item").get(item__code="EMP-03")
    response_save(
        response=response,
        user=world.manager_a,
        data={"status": "not_in_place", "owner": world.contributor_a},
        base_version=1,
    )
    client.force_login(world.contributor_a)
    html = _post(client, world, htmx=True, status="not_started", narrative="My new narrative").content.decode()
    assert "They changed: status, owner" in html
    assert "You both changed" not in html
    assert re.search(r'<input[^>]*value="not_in_place"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="not_started"[^>]*checked', html)
    assert "My new narrative" in html
    # Saving the merged form keeps both people's changes.
    _post(client, world, status="not_in_place", narrative="My new narrative", base_version="2")
    response.refresh_from_db()
    assert (response.status, response.narrative, response.owner, response.version) == (
        "not_in_place",
        "My new narrative",
        world.contributor_a,
        3,
    )
