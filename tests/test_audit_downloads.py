"""Downloads leave an event in the audit trail: evidence files, the overview as CSV or XLSX, a site's checklist."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists.services.evidence import evidence_add_file, evidence_add_link
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_verify

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).select_related("actor", "site").order_by("id"))


def _chain_holds() -> None:
    report = audit_verify()
    assert report.ok, report.reason


def _evidence(world):
    response = world.assessment_a.responses.select_related("item").get(item__code="EMP-01")
    return evidence_add_file(
        response=response,
        user=world.contributor_a,
        uploaded_file=SimpleUploadedFile("minutes.pdf", PDF, content_type="application/pdf"),
        title="Forum minutes",
    )


def test_an_evidence_download_is_recorded(client, world):
    evidence = _evidence(world)
    client.force_login(world.rep_a)
    download = client.get(reverse("checklists:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    [event] = _events("evidence.download")
    assert (event.actor, event.site) == (world.rep_a, world.site_a)
    assert (event.object_type, event.object_id) == ("checklists.evidence", str(evidence.pk))
    assert event.after == {"sha256": hashlib.sha256(PDF).hexdigest()}
    assert event.summary == "Downloaded evidence on EMP-01: Forum minutes"
    _chain_holds()


def test_no_download_no_event(client, world):
    evidence = _evidence(world)
    link = evidence_add_link(
        response=evidence.response, user=world.manager_a, url="https://example.org/minutes", title="Minutes"
    )
    client.force_login(world.manager_b)  # another site's manager: not found
    assert client.get(reverse("checklists:evidence_download", args=[evidence.pk])).status_code == 404
    client.force_login(world.rep_a)
    assert client.get(reverse("checklists:evidence_download", args=[link.pk])).status_code == 404  # a link
    evidence.file.storage.delete(evidence.file.name)
    assert client.get(reverse("checklists:evidence_download", args=[evidence.pk])).status_code == 404  # gone
    assert _events("evidence.download") == []


@pytest.mark.parametrize("export", ["csv", "xlsx"])
def test_an_overview_export_is_recorded_with_its_filters(client, world, export):
    client.force_login(world.reviewer)
    answer = client.get(reverse("reports:overview"), {"format": export, "region": "NW", "sort": "site"})
    assert answer.status_code == 200 and answer["Content-Disposition"].startswith("attachment;")
    [event] = _events("overview.export")
    assert (event.actor, event.site, event.object_type) == (world.reviewer, None, "")
    assert event.after == {"format": export, "filters": {"region": "NW", "sort": "site"}, "sites": 2}
    assert event.summary == f"Exported the national overview as {export.upper()}: 2 sites"
    _chain_holds()


def test_viewing_the_overview_or_being_refused_an_export_is_not_an_export(client, world):
    client.force_login(world.reviewer)
    assert client.get(reverse("reports:overview")).status_code == 200
    client.force_login(world.manager_a)
    assert client.get(reverse("reports:overview"), {"format": "csv"}).status_code == 403
    assert _events("overview.export") == []


def test_a_site_checklist_export_is_recorded(client, world):
    client.force_login(world.rep_a)
    answer = client.get(reverse("reports:site_checklist_xlsx", args=["SITE-A"]))
    assert answer.status_code == 200
    [event] = _events("checklist.export")
    assert (event.actor, event.site) == (world.rep_a, world.site_a)
    assert (event.object_type, event.object_id) == ("checklists.assessment", str(world.assessment_a.pk))
    assert event.summary == "Exported the checklist of SITE-A (Readiness review, 2009/10 Q4) as XLSX"
    _chain_holds()


def test_a_refused_checklist_export_is_not_recorded(client, world):
    client.force_login(world.manager_b)
    assert client.get(reverse("reports:site_checklist_xlsx", args=["SITE-A"])).status_code == 404
    assert _events("checklist.export") == []
