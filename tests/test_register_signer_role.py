"""The sign-off register names each signer with their role, in plain words (no brackets inside brackets)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.partnership_support import first_section, sign_section

pytestmark = pytest.mark.django_db


def test_the_register_names_signers_and_roles_without_nested_brackets(client, world):
    sign_section(world.assessment_a, first_section(world.assessment_a), manager=world.manager_a, rep=world.rep_a)
    client.force_login(world.rep_a)
    html = client.get(reverse("partnership:register", args=[world.assessment_a.pk])).content.decode()
    assert ", Union rep (staff side)</span>" in html
    assert ", Pilot manager</span>" in html
    assert "((" not in html and "))" not in html
