"""Asking for reports: who may ask, and the job is enqueued only once the request's transaction commits."""

import pytest
from django.urls import reverse

from phb_readiness.audit.models import AuditEvent
from phb_readiness.reports.models import Report
from phb_readiness.reports.services import report_request_site

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("manager_a", 302),
        ("rep_a", 302),
        ("reviewer", 302),
        ("contributor_a", 403),
        ("admin", 403),
        ("manager_b", 404),
        ("regional_reviewer_other", 404),
        ("outsider", 404),
    ],
)
def test_site_report_request_by_role(client, world, django_capture_on_commit_callbacks, persona, expected):
    client.force_login(getattr(world, persona))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("reports:request_site", args=[world.assessment_a.pk]))
    assert response.status_code == expected
    reports = Report.objects.filter(assessment=world.assessment_a)
    if expected == 302:
        report = reports.get()
        assert response["Location"] == reverse("reports:detail", args=[report.pk])
        assert report.state == Report.State.QUEUED
        assert report.requested_by == getattr(world, persona)
        assert len(callbacks) == 1
        assert AuditEvent.objects.filter(action="report.request", object_id=str(report.pk)).exists()
    else:
        assert not reports.exists()
        assert callbacks == []


@pytest.mark.parametrize(
    ("persona", "expected", "region"),
    [
        ("reviewer", 302, None),
        ("regional_reviewer_other", 302, "LDN"),
        ("admin", 302, None),
        ("manager_a", 403, None),
        ("rep_a", 403, None),
        ("outsider", 403, None),
    ],
)
def test_national_report_request_by_role(client, world, django_capture_on_commit_callbacks, persona, expected, region):
    client.force_login(getattr(world, persona))
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("reports:request_national"))
    assert response.status_code == expected
    if expected == 302:
        report = Report.objects.get(kind=Report.Kind.NATIONAL)
        assert (report.region.code if report.region else None) == region
    else:
        assert not Report.objects.exists()


def test_requests_are_posts_only(client, world):
    client.force_login(world.manager_a)
    assert client.get(reverse("reports:request_site", args=[world.assessment_a.pk])).status_code == 405


def test_anonymous_is_sent_to_sign_in(client, world):
    response = client.post(reverse("reports:request_site", args=[world.assessment_a.pk]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_job_is_enqueued_only_after_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report, created = report_request_site(assessment=world.assessment_a, user=world.manager_a)
        assert created
    report.refresh_from_db()
    assert report.state == Report.State.QUEUED and report.attempts == 0
    assert len(callbacks) == 1

    callbacks[0]()  # the commit happens: the (eager) task renders it
    report.refresh_from_db()
    assert report.state == Report.State.SUCCEEDED
    assert report.attempts == 1
    assert report.pages > 1 and len(report.sha256) == 64
    assert report.file.name.startswith("reports/")


def test_asking_twice_reuses_the_queued_job(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first, created_first = report_request_site(assessment=world.assessment_a, user=world.manager_a)
        second, created_second = report_request_site(assessment=world.assessment_a, user=world.rep_a)
    assert created_first and not created_second
    assert first.pk == second.pk
    assert len(callbacks) == 1
    assert AuditEvent.objects.filter(action="report.request").count() == 2
