"""Before a change that would supersede a section's sign-off, the item page says so just above the Save button
(server rendered, no JavaScript needed); after the save it says that it did."""

import pytest
from django.urls import reverse

from checklists.models import Response
from checklists.services.signoffs import signoff_management
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import answer, first_section, response_for, sign_section

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(world):
    """Site A's first section with every item answered; the code of its first item."""
    a = world.assessment_a
    section = first_section(a)
    responses = Response.objects.filter(assessment=a, item__section=section).select_related("item", "assessment")
    for response in responses:
        answer(response, world.manager_a)
    return section, responses.order_by("item__position")[0].item.code


def item_page(client, world, code: str) -> str:
    return client.get(reverse("checklists:item", args=[world.assessment_a.pk, code])).content.decode()


def test_no_warning_while_the_section_is_not_signed(client, world, answered):
    _section, code = answered
    client.force_login(world.manager_a)
    assert 'id="signoff-warning"' not in item_page(client, world, code)


def test_signed_by_both_sides_the_warning_comes_before_the_save_button(client, world, answered):
    section, code = answered
    sign_section(world.assessment_a, section, manager=world.manager_a, rep=world.rep_a)
    client.force_login(world.contributor_a)
    page = item_page(client, world, code)
    assert 'class="govuk-warning-text app-signoff-warning" id="signoff-warning"' in page
    assert f"{section.title} is signed off by both sides" in page
    assert "will supersede that sign-off: the people who signed it will be told" in page
    # just above the Save button: after the form's last field, before the button
    assert page.index("Due date") < page.index('id="signoff-warning"') < page.index("Save answer")


def test_signed_by_management_alone_the_warning_says_so(client, world, answered):
    section, code = answered
    signoff_management(
        assessment=world.assessment_a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="S."
    )
    client.force_login(world.manager_a)
    assert f"{section.title} is signed off for management" in item_page(client, world, code)


def test_people_who_cannot_edit_get_no_warning(client, world, answered):
    section, code = answered
    sign_section(world.assessment_a, section, manager=world.manager_a, rep=world.rep_a)
    client.force_login(world.rep_a)
    assert 'id="signoff-warning"' not in item_page(client, world, code)


def test_after_the_save_the_page_says_the_sign_off_was_superseded(client, world, answered):
    section, code = answered
    sign_section(world.assessment_a, section, manager=world.manager_a, rep=world.rep_a)
    client.force_login(world.manager_a)
    response = response_for(world.assessment_a, code)
    data = {"status": "in_place", "narrative": "Changed.", "base_version": response.version}
    url = reverse("checklists:item", args=[world.assessment_a.pk, code])
    page = client.post(url, data, follow=True).content.decode()
    assert f"Your change superseded the sign-off of {section.title}" in page
    assert 'id="signoff-warning"' not in page  # nothing left to supersede

    response = response_for(world.assessment_a, code)
    sign_section(world.assessment_a, section, manager=world.manager_a, rep=world.rep_a)
    data = {"status": "in_place", "narrative": "Changed again.", "base_version": response.version}
    page = client.post(url, data, HTTP_HX_REQUEST="true").content.decode()  # in place, with htmx
    assert 'id="signoff-superseded"' in page and f"superseded the sign-off of {section.title}" in page
    assert 'id="signoff-warning"' not in page
