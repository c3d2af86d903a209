"""Every report URL x every persona: a new URL without a row here fails."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from phb_readiness.reports import urls as report_urls
from phb_readiness.reports.models import Report

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
    "observer",
    "observer_other",
]

# url name -> (method, persona -> expected status)
MATRIX = {
    "overview": ("get", dict(zip(PERSONAS, [403, 403, 403, 403, 200, 200, 200, 403, 200, 200], strict=True))),
    "site_checklist_xlsx": (
        "get",
        dict(zip(PERSONAS, [200, 200, 200, 404, 200, 404, 200, 404, 200, 404], strict=True)),
    ),
    "list": ("get", dict.fromkeys(PERSONAS, 200)),
    "request_national": ("post", dict(zip(PERSONAS, [403, 403, 403, 403, 302, 302, 302, 403, 302, 302], strict=True))),
    "verify": ("get", dict.fromkeys(PERSONAS, 200)),
    "detail": ("get", dict(zip(PERSONAS, [200, 404, 200, 404, 200, 404, 404, 404, 200, 404], strict=True))),
    "retry": ("post", dict(zip(PERSONAS, [302, 404, 302, 404, 302, 404, 404, 404, 302, 404], strict=True))),
    "download": ("get", dict(zip(PERSONAS, [200, 404, 200, 404, 200, 404, 404, 404, 200, 404], strict=True))),
    "request_site": ("post", dict(zip(PERSONAS, [302, 403, 302, 404, 302, 404, 403, 404, 302, 404], strict=True))),
    "site_checklist_template": (
        "get",
        dict(zip(PERSONAS, [200, 200, 200, 404, 200, 404, 200, 404, 200, 404], strict=True)),
    ),
}


def site_report(world) -> Report:
    content = b"%PDF-1.7\n%%EOF\n"
    report = Report(
        kind=Report.Kind.SITE,
        site=world.site_a,
        assessment=world.assessment_a,
        state=Report.State.SUCCEEDED,
        sha256=hashlib.sha256(content).hexdigest(),
        pages=1,
        data_as_of=timezone.now(),
    )
    report.file.save("r.pdf", ContentFile(content), save=False)
    report.save()
    return report


def url_for(name: str, world, report: Report) -> str:
    args = {
        "site_checklist_xlsx": ["SITE-A"],
        "site_checklist_template": ["SITE-A"],
        "detail": [report.pk],
        "retry": [report.pk],
        "download": [report.pk],
        "request_site": [world.assessment_a.pk],
    }.get(name, [])
    return reverse(f"reports:{name}", args=args)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", list(MATRIX))
def test_report_url_by_persona(client, world, django_capture_on_commit_callbacks, name, persona):
    method, expected = MATRIX[name]
    report = site_report(world)
    client.force_login(getattr(world, persona))
    with django_capture_on_commit_callbacks(execute=False):
        response = getattr(client, method)(url_for(name, world, report))
    assert response.status_code == expected[persona], f"{persona} {name}"


# Verify a report is open to everyone (it tells only whether, when and for which site code a report was issued).
OPEN_TO_ANYONE = {"verify"}


@pytest.mark.parametrize("name", sorted(set(MATRIX) - OPEN_TO_ANYONE))
def test_anonymous_people_are_sent_to_sign_in(client, world, name):
    method, _ = MATRIX[name]
    response = getattr(client, method)(url_for(name, world, site_report(world)))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("name", sorted(OPEN_TO_ANYONE))
def test_anonymous_people_reach_the_open_pages(client, world, name):
    method, _ = MATRIX[name]
    assert getattr(client, method)(url_for(name, world, site_report(world))).status_code == 200


def test_every_report_url_is_in_the_matrix():
    assert {pattern.name for pattern in report_urls.urlpatterns} == set(MATRIX)
