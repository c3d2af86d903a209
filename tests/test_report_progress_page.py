"""The report page shows progress (htmx polling, or a refresh without JavaScript) and the download when ready."""

import pytest
from django.urls import reverse

from phb_readiness.reports.models import Report

pytestmark = pytest.mark.django_db


def test_a_queued_report_polls_and_refreshes_without_javascript(client, world):
    report = Report.objects.create(
        kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a, requested_by=world.manager_a
    )
    client.force_login(world.rep_a)
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    assert f'hx-get="{reverse("reports:detail", args=[report.pk])}"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert ">Refresh</a>" in page
    assert "Queued" in page


def test_htmx_gets_only_the_status_partial(client, world):
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    client.force_login(world.manager_a)
    response = client.get(reverse("reports:detail", args=[report.pk]), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="report-status"')
    assert "<html" not in body


def test_a_finished_report_offers_the_download_and_stops_polling(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.manager_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:request_site", args=[world.assessment_a.pk]))
    report = Report.objects.get()
    page = client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert report.state == Report.State.SUCCEEDED
    assert reverse("reports:download", args=[report.pk]) in page
    assert "hx-trigger" not in page and "http-equiv" not in page
    assert report.sha256 in page
