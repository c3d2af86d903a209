"""The same job delivered twice renders once; the same request twice does not render twice."""

import datetime

import pytest
from django.utils import timezone

from checklists.models import Readiness, Response
from phb_readiness.audit.services import audit_record
from phb_readiness.reports.models import Report
from phb_readiness.reports.national import national_data_stamp
from phb_readiness.reports.services import STALE_AFTER, report_claim, report_request_national, report_request_site
from phb_readiness.reports.tasks import render_report
from phb_readiness.sites.models import Region
from tests.factories import PilotSiteFactory

pytestmark = pytest.mark.django_db


def test_a_job_delivered_twice_renders_once(world):
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    assert render_report.delay(report.pk).get() == Report.State.SUCCEEDED
    report.refresh_from_db()
    first = (report.file.name, report.sha256, report.finished_at)

    assert render_report.delay(report.pk).get() == "nothing to do"
    report.refresh_from_db()
    assert report.attempts == 1
    assert (report.file.name, report.sha256, report.finished_at) == first


def test_a_duplicate_delivery_leaves_a_running_job_to_its_worker(world):
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    assert report_claim(report_id=report.pk) is not None  # a worker has it
    assert report_claim(report_id=report.pk) is None  # a second copy of the message does nothing
    report.refresh_from_db()
    assert report.state == Report.State.RUNNING and report.attempts == 1


def test_a_redelivered_job_is_taken_over(world):
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    report_claim(report_id=report.pk)
    claimed = report_claim(report_id=report.pk, take_over=True)  # the first worker was lost
    assert claimed is not None and claimed.attempts == 2


def test_a_stale_running_job_is_taken_over_by_any_delivery(world):
    report = Report.objects.create(
        kind=Report.Kind.SITE,
        site=world.site_a,
        assessment=world.assessment_a,
        state=Report.State.RUNNING,
        started_at=timezone.now() - STALE_AFTER - datetime.timedelta(seconds=1),
        attempts=1,
    )
    assert report_claim(report_id=report.pk).attempts == 2


def test_asking_again_for_unchanged_data_returns_the_finished_report(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first, _ = report_request_site(assessment=world.assessment_a, user=world.manager_a)
    first.refresh_from_db()
    assert first.state == Report.State.SUCCEEDED

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        again, created = report_request_site(assessment=world.assessment_a, user=world.reviewer)
    assert not created and again.pk == first.pk and callbacks == []

    response = world.assessment_a.responses.first()
    response.status = Response.Status.IN_PROGRESS
    response.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        changed, created = report_request_site(assessment=world.assessment_a, user=world.reviewer)
    assert created and changed.pk != first.pk and len(callbacks) == 1


def _request_national(user, region=None, *, execute: bool, capture):
    with capture(execute=execute) as callbacks:
        report, created = report_request_national(user=user, region=region)
    return report, created, callbacks


def test_asking_again_for_the_unchanged_national_report_returns_the_finished_one(
    world, django_capture_on_commit_callbacks
):
    first, created, _ = _request_national(world.reviewer, execute=True, capture=django_capture_on_commit_callbacks)
    first.refresh_from_db()
    assert created and first.state == Report.State.SUCCEEDED

    again, created, callbacks = _request_national(
        world.admin, execute=False, capture=django_capture_on_commit_callbacks
    )
    assert not created and again.pk == first.pk and callbacks == []

    # A change to a site's checklist is recorded in the audit trail (with its stored readiness): a new report.
    audit_record(action="response.update", actor=world.manager_a, site=world.site_a, summary="Answered an item")
    changed, created, callbacks = _request_national(
        world.reviewer, execute=False, capture=django_capture_on_commit_callbacks
    )
    assert created and changed.pk != first.pk and len(callbacks) == 1


def test_a_national_report_is_not_made_again_for_a_report_request_or_download(
    world, django_capture_on_commit_callbacks
):
    first, _, _ = _request_national(world.reviewer, execute=True, capture=django_capture_on_commit_callbacks)
    report_request_site(assessment=world.assessment_a, user=world.manager_a)  # audited, naming the site
    again, created, _ = _request_national(world.reviewer, execute=False, capture=django_capture_on_commit_callbacks)
    assert not created and again.pk == first.pk


def test_a_regional_report_ignores_changes_in_other_regions(world, django_capture_on_commit_callbacks):
    north = world.site_a.region
    first, _, _ = _request_national(world.reviewer, north, execute=True, capture=django_capture_on_commit_callbacks)
    elsewhere = PilotSiteFactory(code="SITE-L", region=Region.objects.get(code="LDN"))
    audit_record(action="response.update", actor=world.admin, site=elsewhere, summary="Answered an item")
    again, created, _ = _request_national(
        world.reviewer, north, execute=False, capture=django_capture_on_commit_callbacks
    )
    assert not created and again.pk == first.pk

    Readiness.objects.filter(site=world.site_b).update(updated_at=timezone.now())  # its readiness stored again
    changed, created, _ = _request_national(
        world.reviewer, north, execute=False, capture=django_capture_on_commit_callbacks
    )
    assert created and changed.pk != first.pk


def test_the_rendered_national_report_keeps_the_stamp_it_read(world, django_capture_on_commit_callbacks):
    report, _, _ = _request_national(world.reviewer, execute=True, capture=django_capture_on_commit_callbacks)
    report.refresh_from_db()
    assert report.data_sha256 == national_data_stamp(None)
