"""One rule of who sees what: a person may open a site's assessment exactly when the site is in their scoped lists
(role_from, which the access helper uses, agrees with PilotSite.objects.visible_to for every persona and site)."""

import pytest

from phb_readiness.sites.models import PilotSite, role_at
from tests.factories import PilotSiteFactory, RegionFactory

pytestmark = pytest.mark.django_db

PERSONAS = [
    "manager_a",
    "contributor_a",
    "rep_a",
    "manager_b",
    "reviewer",
    "regional_reviewer_other",
    "admin",
    "outsider",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_site_is_visible_exactly_when_the_person_has_a_role_there(world, persona):
    PilotSiteFactory(code="SITE-L", region=RegionFactory(code="LDN", name="London"))
    user = getattr(world, persona)
    visible = set(PilotSite.objects.visible_to(user).values_list("code", flat=True))
    with_role = {site.code for site in PilotSite.objects.select_related("region") if role_at(user, site) is not None}
    assert visible == with_role


def test_an_inactive_person_sees_nothing(world):
    world.manager_a.is_active = False
    assert not PilotSite.objects.visible_to(world.manager_a).exists()
    assert role_at(world.manager_a, world.site_a) is None
