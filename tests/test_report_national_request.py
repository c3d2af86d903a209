"""Asking for the national report builds nothing of it: the request reads one data stamp and queues the job, in the
same queries whatever the number of sites; the worker reads the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from phb_readiness.reports import services
from phb_readiness.reports.models import Report
from tests.national_support import many_sites

pytestmark = pytest.mark.django_db


def ask(client, django_capture_on_commit_callbacks) -> tuple[int, list]:
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=False):
        response = client.post(reverse("reports:request_national"))
    assert response.status_code == 302
    return len(queries.captured_queries), queries.captured_queries


def test_the_request_does_not_build_the_report_data(client, world, monkeypatch, django_capture_on_commit_callbacks):
    def refuse(**kwargs):
        raise AssertionError("the national report's data was built in the request")

    monkeypatch.setattr(services, "national_report_data", refuse)
    client.force_login(world.reviewer)
    ask(client, django_capture_on_commit_callbacks)
    assert Report.objects.get(kind=Report.Kind.NATIONAL).state == Report.State.QUEUED


def test_the_request_takes_the_same_queries_at_any_size(client, world, framework, django_capture_on_commit_callbacks):
    client.force_login(world.reviewer)
    many_sites(framework, 3)
    ask(client, django_capture_on_commit_callbacks)  # the first request of a session does more
    Report.objects.all().delete()
    few, _ = ask(client, django_capture_on_commit_callbacks)
    Report.objects.all().delete()
    many_sites(framework, 60, start=100)
    many, queries = ask(client, django_capture_on_commit_callbacks)
    assert many == few, "\n".join(q["sql"] for q in queries)
    assert many <= 16
