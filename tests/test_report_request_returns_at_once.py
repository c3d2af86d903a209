"""Asking for a PDF without a broker (the embedded run): the page answers at once with the report's progress page and
the render runs on a thread of its own; the message says where the report stands (never "queued" once it is ready)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest
from django.urls import reverse

from phb_readiness.reports import services as report_services
from phb_readiness.reports import views as report_views
from phb_readiness.reports.models import Report

ACTIVE = (Report.State.QUEUED, Report.State.RUNNING)


@dataclass
class HeldRender:
    """The render the view handed to a thread, held: `begin()` starts the thread (after the request has answered:
    the test database is SQLite's shared in-memory cache, where two connections writing at once fail at once rather
    than wait as a file database does), `entered` is set once the render has claimed the report, and it goes on at
    `go`."""

    go: threading.Event = field(default_factory=threading.Event)
    entered: threading.Event = field(default_factory=threading.Event)
    handed: list = field(default_factory=list)
    thread: threading.Thread | None = None

    def begin(self) -> threading.Thread:
        [tasks] = self.handed
        self.thread = START(tasks)
        return self.thread


START = report_views.in_process_tasks_start


@pytest.fixture
def held_render(monkeypatch) -> HeldRender:
    held = HeldRender()
    render = report_services.report_render_pdf

    def held_pdf(report):
        held.entered.set()
        assert held.go.wait(timeout=60), "the test never let the render go"
        return render(report)

    def hand_over(tasks):
        held.handed.append(tasks)
        return threading.Thread()  # not started: the test starts the real one with begin()

    monkeypatch.setattr(report_services, "report_render_pdf", held_pdf)
    monkeypatch.setattr(report_views, "in_process_tasks_start", hand_over)
    return held


@pytest.mark.django_db(transaction=True)
def test_the_request_answers_before_the_render_and_the_page_shows_progress(client, world, settings, held_render):
    settings.PHB_BACKGROUND_TASKS = True  # as in the embedded run
    client.force_login(world.manager_a)

    response = client.post(reverse("reports:request_site", args=[world.assessment_a.pk]))

    report = Report.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:detail", args=[report.pk])
    assert report.state in ACTIVE and held_render.handed, "answered with the render handed over, not done"
    thread = held_render.begin()
    assert held_render.entered.wait(timeout=60)
    page = client.get(response["Location"]).content.decode()
    assert "Your report has been queued." in page
    assert 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page  # it follows the render by itself
    assert "Download the report" not in page

    held_render.go.set()
    thread.join(timeout=120)
    assert not thread.is_alive()
    report.refresh_from_db()
    assert (report.state, report.error) == (Report.State.SUCCEEDED, "")
    assert "Download the report" in client.get(response["Location"]).content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_report_already_ready_is_announced_as_ready_not_queued(client, world):
    """Rendered inside the request (PHB_BACKGROUND_TASKS off, as a fast worker might): ready when the message is
    written, so the message says so."""
    client.force_login(world.manager_a)
    url = reverse("reports:request_site", args=[world.assessment_a.pk])
    page = client.post(url, follow=True).content.decode()
    assert Report.objects.get().state == Report.State.SUCCEEDED
    assert "Your report is ready." in page
    assert "queued" not in page

    again = client.post(url, follow=True).content.decode()
    assert "This report was already made from the same data: here it is." in again
    assert Report.objects.count() == 1
