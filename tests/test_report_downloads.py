"""Downloading a report goes through a view that checks who may see it."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from phb_readiness.audit.models import AuditEvent
from phb_readiness.reports.models import Report
from phb_readiness.sites.models import Region

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.7\n% a stored report\n%%EOF\n"


def stored_report(**fields) -> Report:
    report = Report(
        state=Report.State.SUCCEEDED,
        sha256=hashlib.sha256(PDF).hexdigest(),
        pages=1,
        data_as_of=timezone.now(),
        finished_at=timezone.now(),
        **fields,
    )
    report.file.save("report.pdf", ContentFile(PDF), save=False)
    report.save()
    return report


SITE_REPORT_ACCESS = [
    ("manager_a", 200),
    ("rep_a", 200),
    ("reviewer", 200),
    ("contributor_a", 404),
    ("admin", 404),
    ("manager_b", 404),
    ("regional_reviewer_other", 404),
    ("outsider", 404),
]


@pytest.mark.parametrize(("persona", "expected"), SITE_REPORT_ACCESS)
def test_site_report_download_by_role(client, world, persona, expected):
    report = stored_report(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    client.force_login(getattr(world, persona))
    response = client.get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == expected
    assert client.get(reverse("reports:detail", args=[report.pk])).status_code == expected
    if expected == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert "SITE-A" in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert AuditEvent.objects.filter(action="report.download", object_id=str(report.pk)).count() == 1
    else:
        assert not AuditEvent.objects.filter(action="report.download").exists()


@pytest.mark.parametrize(
    ("persona", "national", "london"),
    [
        ("reviewer", 200, 200),
        ("admin", 200, 200),
        ("regional_reviewer_other", 404, 200),
        ("manager_a", 404, 404),
        ("rep_a", 404, 404),
        ("outsider", 404, 404),
    ],
)
def test_national_report_download_by_role(client, world, persona, national, london):
    whole = stored_report(kind=Report.Kind.NATIONAL)
    regional = stored_report(kind=Report.Kind.NATIONAL, region=Region.objects.get(code="LDN"))
    client.force_login(getattr(world, persona))
    assert client.get(reverse("reports:download", args=[whole.pk])).status_code == national
    assert client.get(reverse("reports:download", args=[regional.pk])).status_code == london


def test_the_list_shows_only_reports_a_person_may_see(client, world):
    mine = stored_report(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    other = stored_report(kind=Report.Kind.SITE, site=world.site_b, assessment=world.assessment_b)
    national = stored_report(kind=Report.Kind.NATIONAL)
    client.force_login(world.manager_a)
    page = client.get(reverse("reports:list")).content.decode()
    assert reverse("reports:detail", args=[mine.pk]) in page
    assert reverse("reports:detail", args=[other.pk]) not in page
    assert reverse("reports:detail", args=[national.pk]) not in page
    assert mine.sha256 in page


def test_a_report_not_ready_cannot_be_downloaded(client, world):
    report = Report.objects.create(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    client.force_login(world.manager_a)
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 404


def test_anonymous_download_is_sent_to_sign_in(client, world):
    report = stored_report(kind=Report.Kind.SITE, site=world.site_a, assessment=world.assessment_a)
    response = client.get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 302 and reverse("login") in response["Location"]
