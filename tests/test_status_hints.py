"""The item page's status options carry their hints, as GOV.UK radio hints tied to their radio."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from checklists.forms.responses import STATUS_HINTS
from checklists.models import Response

pytestmark = pytest.mark.django_db


def test_each_status_with_a_hint_shows_it_under_its_radio(client, world):
    client.force_login(world.contributor_a)
    html = client.get(reverse("checklists:item", args=[world.assessment_a.pk, "EMP-03"])).content.decode()
    assert STATUS_HINTS, "some statuses have hints"
    for status, hint in STATUS_HINTS.items():
        radio = re.search(rf'<input[^>]*value="{status}"[^>]*>', html, re.S).group(0)
        hint_id = re.search(r'aria-describedby="([^"]+)"', radio).group(1)
        shown = re.search(rf'id="{hint_id}" class="govuk-hint govuk-radios__hint">\s*(.*?)\s*</', html, re.S)
        assert shown and shown.group(1) == hint, Response.Status(status).label


def test_statuses_without_a_hint_have_no_empty_hint(client, world):
    client.force_login(world.contributor_a)
    html = client.get(reverse("checklists:item", args=[world.assessment_a.pk, "EMP-03"])).content.decode()
    assert html.count("govuk-radios__hint") == len(STATUS_HINTS)
