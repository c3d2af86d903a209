"""The list of past reports: who asked, when, data as of, pages and SHA-256, in constant queries."""

import pytest
from django.urls import reverse
from django.utils import timezone

from phb_readiness.reports.models import Report

pytestmark = pytest.mark.django_db


def reports(world, count: int) -> None:
    Report.objects.bulk_create(
        Report(
            kind=Report.Kind.SITE,
            site=world.site_a,
            assessment=world.assessment_a,
            requested_by=world.rep_a,
            state=Report.State.SUCCEEDED,
            file=f"reports/r{n}.pdf",
            sha256=f"{n:064x}",
            pages=30 + n,
            data_as_of=timezone.now(),
        )
        for n in range(count)
    )


def test_the_list_shows_who_asked_when_and_the_hash(client, world):
    reports(world, 1)
    client.force_login(world.manager_a)
    page = client.get(reverse("reports:list")).content.decode()
    assert world.rep_a.get_full_name() in page
    assert f"{0:064x}" in page and ">30<" in page
    assert reverse("reports:request_site", args=[world.assessment_a.pk]) in page  # ask for one of my site


def test_list_queries_do_not_grow_with_the_reports(client, world, django_assert_max_num_queries):
    reports(world, 2)
    client.force_login(world.reviewer)
    client.get(reverse("reports:list"))
    with django_assert_max_num_queries(12) as small:
        client.get(reverse("reports:list"))
    reports(world, 40)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(reverse("reports:list")).content.decode()
    assert f"{39:064x}" in page
