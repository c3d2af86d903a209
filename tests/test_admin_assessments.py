"""An assessment added in the Django admin starts as one started in the app: a response per item, readiness stored."""

import pytest
from django.urls import reverse

from checklists.models import Assessment, Readiness
from checklists.services.readiness import readiness_rebuild

pytestmark = pytest.mark.django_db


def test_an_assessment_added_in_the_admin_has_its_responses_and_readiness(client, world, framework):
    client.force_login(world.admin)
    reply = client.post(
        reverse("admin:checklists_assessment_add"),
        {"site": world.site_b.pk, "framework": framework.pk, "round_label": "Readiness review, 2010/11 Q1"},
    )
    assert reply.status_code == 302, reply.content.decode()[:3000]
    added = Assessment.objects.get(round_label="Readiness review, 2010/11 Q1")
    assert added.responses.count() == world.assessment_b.responses.count()
    readiness = Readiness.objects.get(pk=added.pk)
    assert readiness.is_latest and not Readiness.objects.get(pk=world.assessment_b.pk).is_latest
    assert readiness_rebuild(fix=False)[1] == []


def test_an_assessments_site_and_framework_cannot_be_changed_in_the_admin(client, world):
    client.force_login(world.admin)
    page = client.get(reverse("admin:checklists_assessment_change", args=[world.assessment_a.pk])).content.decode()
    assert 'name="site"' not in page and 'name="framework"' not in page and 'name="round_label"' in page
