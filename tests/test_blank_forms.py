"""Blank forms rendered once are reused only under their own key: each open concern keeps its own answer form."""

import pytest
from django.urls import reverse

from checklists.partnership import comment_create
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
