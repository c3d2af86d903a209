"""Evidence on an item: private uploads with their SHA-256, links, removal by whom, access-checked downloads."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists.models import Assessment, Evidence
from checklists.services.evidence import evidence_add_file, evidence_add_link
from phb_readiness.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


def _response(world, code="EMP-01"):
    return world.assessment_a.responses.select_related("item").get(item__code=code)


def _add_url(world, code="EMP-01") -> str:
    return reverse("checklists:evidence_add", args=[world.assessment_a.pk, code])


def _upload(client, world, content=PDF, name="Forum minutes.pdf", title=""):
    file = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(_add_url(world), {"upload-file": file, "upload-title": title})


def test_upload_stores_the_file_privately_with_its_hash_and_shows_it(client, world, settings):
    client.force_login(world.contributor_a)
    page = _upload(client, world, title="Partnership forum minutes")
    assert page.status_code == 302 and page.url.endswith("/items/EMP-01/#evidence")
    evidence = Evidence.objects.get()
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (evidence.content_type, evidence.size, evidence.original_filename) == (
        "application/pdf",
        len(PDF),
        "Forum minutes.pdf",
    )
    assert "Forum minutes" not in evidence.file.name and evidence.file.name.startswith(f"evidence/{world.site_a.pk}/")
    assert str(settings.PRIVATE_STORAGE_ROOT) in evidence.file.path
    html = client.get(page.url).content.decode()
    assert evidence.file.name not in html  # only the access-checked download view is linked
    assert evidence.sha256 in html and "Partnership forum minutes" in html
    event = AuditEvent.objects.get(action="evidence.add")
    assert event.actor == world.contributor_a and event.after["sha256"] == evidence.sha256


def test_a_refused_upload_shows_the_reason_in_an_error_summary(client, world):
    client.force_login(world.manager_a)
    page = _upload(client, world, content=b"<html><script>x</script></html>", name="minutes.pdf")
    html = page.content.decode()
    assert page.status_code == 200 and "govuk-error-summary" in html
    assert "checked by their content" in html
    assert not Evidence.objects.exists()


def test_an_oversize_upload_is_refused(client, world, settings):
    settings.EVIDENCE_MAX_BYTES = 100
    client.force_login(world.manager_a)
    html = _upload(client, world, content=PDF + b"x" * 200).content.decode()
    assert "must be smaller than" in html and not Evidence.objects.exists()


def test_upload_without_a_file_says_to_choose_one(client, world):
    client.force_login(world.manager_a)
    html = client.post(_add_url(world), {"upload-title": "x"}).content.decode()
    assert "Select a file to upload" in html


def test_links_must_be_http_or_https(client, world):
    client.force_login(world.manager_a)
    bad = client.post(_add_url(world), {"link-url": "javascript:alert(1)", "link-title": ""})
    assert bad.status_code == 200 and "govuk-error-summary" in bad.content.decode()
    ftp = client.post(_add_url(world), {"link-url": "ftp://example.org/x", "link-title": ""})
    assert "starts with http" in ftp.content.decode()
    good = client.post(
        _add_url(world), {"link-url": "https://intranet.example.nhs.uk/minutes", "link-title": "Minutes"}
    )
    assert good.status_code == 302
    evidence = Evidence.objects.get()
    assert (evidence.kind, evidence.url, evidence.title) == (
        "link",
        "https://intranet.example.nhs.uk/minutes",
        "Minutes",
    )


def test_download_is_an_attachment_with_nosniff_and_the_detected_type(client, world):
    evidence = evidence_add_file(
        response=_response(world),
        user=world.manager_a,
        uploaded_file=SimpleUploadedFile("../../x.html", PDF, content_type="text/html"),
    )
    client.force_login(world.rep_a)
    download = client.get(reverse("checklists:evidence_download", args=[evidence.pk]))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in download["Content-Security-Policy"]
    assert download["Content-Disposition"] == 'attachment; filename="x.pdf"'
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize("persona", ["manager_b", "regional_reviewer_other", "outsider"])
def test_download_by_people_of_other_sites_is_404(client, world, persona):
    evidence = evidence_add_file(
        response=_response(world), user=world.manager_a, uploaded_file=SimpleUploadedFile("a.pdf", PDF)
    )
    client.force_login(getattr(world, persona))
    assert client.get(reverse("checklists:evidence_download", args=[evidence.pk])).status_code == 404


def test_download_needs_sign_in(client, world):
    evidence = evidence_add_file(
        response=_response(world), user=world.manager_a, uploaded_file=SimpleUploadedFile("a.pdf", PDF)
    )
    page = client.get(reverse("checklists:evidence_download", args=[evidence.pk]))
    assert page.status_code == 302 and "/accounts/login/" in page.url


def test_people_remove_their_own_evidence_and_managers_anyone_s(client, world):
    mine = evidence_add_file(
        response=_response(world), user=world.contributor_a, uploaded_file=SimpleUploadedFile("a.pdf", PDF)
    )
    managers = evidence_add_link(response=_response(world), user=world.manager_a, url="https://example.org/a")
    client.force_login(world.contributor_a)
    assert client.post(reverse("checklists:evidence_remove", args=[managers.pk])).status_code == 403
    assert client.post(reverse("checklists:evidence_remove", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.removed_at is not None and mine.removed_by == world.contributor_a
    client.force_login(world.manager_a)
    assert client.post(reverse("checklists:evidence_remove", args=[managers.pk])).status_code == 302
    assert AuditEvent.objects.filter(action="evidence.remove").count() == 2
    # Removed evidence is no longer listed or downloadable, but the row is kept.
    assert client.get(reverse("checklists:evidence_download", args=[mine.pk])).status_code == 404
    assert Evidence.objects.count() == 2 and Evidence.objects.current().count() == 0


@pytest.mark.parametrize("persona", ["rep_a", "reviewer"])
def test_read_only_roles_cannot_add_or_remove(client, world, persona):
    evidence = evidence_add_link(response=_response(world), user=world.manager_a, url="https://example.org/a")
    client.force_login(getattr(world, persona))
    assert _upload(client, world).status_code == 403
    assert client.post(reverse("checklists:evidence_remove", args=[evidence.pk])).status_code == 403


def test_other_sites_cannot_add_or_remove(client, world):
    evidence = evidence_add_link(response=_response(world), user=world.manager_a, url="https://example.org/a")
    client.force_login(world.manager_b)
    assert _upload(client, world).status_code == 404
    assert client.post(reverse("checklists:evidence_remove", args=[evidence.pk])).status_code == 404


def test_no_evidence_changes_once_submitted(client, world):
    evidence = evidence_add_link(response=_response(world), user=world.manager_a, url="https://example.org/a")
    Assessment.objects.filter(pk=world.assessment_a.pk).update(state="submitted")
    client.force_login(world.manager_a)
    page = _upload(client, world)
    assert page.status_code == 302 and "cannot be changed" in client.get(page.url).content.decode()
    client.post(reverse("checklists:evidence_remove", args=[evidence.pk]))
    assert Evidence.objects.current().count() == 1 and Evidence.objects.count() == 1


def test_adding_evidence_still_needs_the_csrf_token(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.manager_a)
    file = SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf")
    assert client.post(_add_url(world), {"upload-file": file}).status_code == 403
    assert client.post(_add_url(world), {"link-url": "https://example.org/a"}).status_code == 403
    assert not Evidence.objects.exists()


def test_an_oversize_upload_is_dropped_while_it_is_read(client, world, settings, tmp_path):
    settings.EVIDENCE_MAX_BYTES = 70_000  # over one 64 KiB chunk, so the limit trips mid-stream
    client.force_login(world.manager_a)
    html = _upload(client, world, content=PDF + b"x" * 200_000).content.decode()
    assert "must be smaller than" in html and "govuk-error-summary" in html
    assert not Evidence.objects.exists()
    assert not list((tmp_path / "private").rglob("*"))
