"""Asking for a site report: the guidance appendix is a checkbox, off unless ticked, kept on the report's row."""

import pytest
from django.urls import reverse

from phb_readiness.audit.models import AuditEvent
from phb_readiness.reports.models import Report

pytestmark = pytest.mark.django_db


def test_the_form_offers_the_appendix_unticked(client, world):
    client.force_login(world.manager_a)
    page = client.get(reverse("reports:list")).content.decode()
    box = f'id="include-guidance-{world.assessment_a.pk}" name="include_guidance" type="checkbox" value="on">'
    assert box in page  # not `checked`
    assert "Include the guidance appendix" in page


def test_the_appendix_only_when_ticked_and_a_request_with_it_is_a_report_of_its_own(client, world):
    client.force_login(world.manager_a)
    url = reverse("reports:request_site", args=[world.assessment_a.pk])
    assert client.post(url).status_code == 302
    without = Report.objects.get()
    assert without.include_guidance is False

    assert client.post(url, {"include_guidance": "on"}).status_code == 302
    with_appendix = Report.objects.exclude(pk=without.pk).get()
    assert with_appendix.include_guidance is True
    event = AuditEvent.objects.filter(action="report.request").order_by("-id").first()
    assert event.after["include_guidance"] is True and event.after["reused"] is False

    # Asked again either way: the job already queued with the same choice answers.
    client.post(url, {"include_guidance": "on"})
    client.post(url, {"include_guidance": "false"})
    assert Report.objects.count() == 2
