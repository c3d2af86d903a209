"""An item page carries each element id once, whoever reads it and whatever is open on it."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.urls import reverse

from checklists.services.comments import comment_create
from phb_readiness.sites.models import SiteRole

pytestmark = pytest.mark.django_db

ID = re.compile(r"""\sid=["']([^"']+)["']""")


def duplicate_ids(html: str) -> list[str]:
    return sorted(element_id for element_id, count in Counter(ID.findall(html)).items() if count > 1)


@pytest.fixture
def two_open_concerns(world):
    response = world.assessment_a.responses.get(item__code="EMP-02")
    for body in ("Pensions not agreed yet.", "Rotas not consulted on."):
        comment_create(response=response, user=world.rep_a, role=SiteRole.UNION_REP, body=body, is_concern=True)


@pytest.mark.parametrize("persona", ["manager_a", "contributor_a", "rep_a", "reviewer"])
def test_no_id_is_used_twice_on_an_item_page(client, world, two_open_concerns, persona):
    client.force_login(getattr(world, persona))
    html = client.get(reverse("checklists:item", args=[world.assessment_a.pk, "EMP-02"])).content.decode()
    assert ID.findall(html), "the page has ids to compare"
    assert duplicate_ids(html) == []
