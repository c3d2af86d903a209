"""Blank forms rendered once are reused only under their own key: each open concern keeps its own answer form."""

import pytest
from django.urls import reverse

from checklists.services.comments import comment_create
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import first_response

pytestmark = pytest.mark.django_db


def test_each_open_concern_has_its_own_answer_form(client, world):
    response = first_response(world.assessment_a)
    concerns = [
        comment_create(
            response=response, user=world.rep_a, role=SiteRole.UNION_REP, body=f"Concern {n}", is_concern=True
        )
        for n in range(2)
    ]
    client.force_login(world.manager_a)
    url = reverse("checklists:item", args=[world.assessment_a.pk, response.item.code])
    for _ in range(2):  # the second page is built from the remembered forms
        page = client.get(url).content.decode()
        for concern in concerns:
            assert f'id="id_concern_{concern.pk}_answer"' in page


def test_the_answer_form_shows_a_new_save_and_a_new_owner_choice_at_once(client, world):
    from checklists.models import Response
    from checklists.services.responses import response_save
    from phb_readiness.sites.models import Membership
    from tests.factories import MembershipFactory

    response = first_response(world.assessment_a)
    url = reverse("checklists:item", args=[world.assessment_a.pk, response.item.code])
    client.force_login(world.manager_a)
    assert "Agreed at the forum." not in client.get(url).content.decode()

    response_save(
        response=response,
        user=world.manager_a,
        data={"status": Response.Status.IN_PROGRESS, "narrative": "Agreed at the forum."},
        base_version=response.version,
    )
    assert "Agreed at the forum." in client.get(url).content.decode()

    newcomer = MembershipFactory(
        site=world.site_a, role=Membership.Role.CONTRIBUTOR, user__first_name="Newly", user__last_name="Joined"
    ).user
    assert f'<option value="{newcomer.pk}">Newly Joined</option>' in client.get(url).content.decode()
