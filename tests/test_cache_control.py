"""`Cache-Control: private, no-store` on everything a signed-in person is sent and on every download, so neither a
shared cache nor the back button of a shared computer keeps them; static files and public pages keep theirs."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from checklists.services.evidence import evidence_add_file
from phb_readiness.security import PrivateNoStoreMiddleware

pytestmark = pytest.mark.django_db


def assert_no_store(response) -> None:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, response.get("Cache-Control")
    assert "public" not in directives


def test_signed_in_pages_are_not_stored(client, world):
    client.force_login(world.manager_a)
    assessment = world.assessment_a
    for url in [
        reverse("home"),
        reverse("checklists:assessment", kwargs={"pk": assessment.pk}),
        reverse("checklists:item", kwargs={"pk": assessment.pk, "code": "EMP-01"}),
        reverse("partnership:activity", kwargs={"code": world.site_a.code}),
        reverse("partnership:preferences"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_store(response)
    # Not-found and refused pages of a signed-in person too: they still name the person.
    assert_no_store(client.get("/no-such-page/"))


def test_exports_are_not_stored(client, world):
    client.force_login(world.reviewer)
    for response in [
        client.get(reverse("reports:site_checklist_xlsx", kwargs={"code": world.site_a.code})),
        client.get(reverse("reports:overview"), {"format": "xlsx"}),
        client.get(reverse("reports:overview"), {"format": "csv"}),
    ]:
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert_no_store(response)


def test_evidence_downloads_are_not_stored(client, world):
    response = world.assessment_a.responses.get(item__code="EMP-01")
    upload = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    evidence = evidence_add_file(response=response, user=world.manager_a, uploaded_file=upload)
    client.force_login(world.rep_a)
    download = client.get(reverse("checklists:evidence_download", kwargs={"pk": evidence.pk}))
    assert download.status_code == 200
    assert_no_store(download)


def test_an_attachment_is_not_stored_even_without_a_signed_in_person():
    def view(request):
        response = HttpResponse(b"a,b\n", content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="x.csv"'
        response["Cache-Control"] = "public, max-age=600"
        return response

    request = RequestFactory().get("/x.csv")
    assert_no_store(PrivateNoStoreMiddleware(view)(request))


def test_a_response_that_already_says_no_store_is_left_as_it_is(world):
    def view(request):
        response = HttpResponse(b"%PDF-")
        response["Cache-Control"] = "no-store"
        return response

    request = RequestFactory().get("/")
    request.user = world.manager_a
    assert PrivateNoStoreMiddleware(view)(request)["Cache-Control"] == "no-store"


def test_public_pages_and_static_files_keep_their_caching(client, world, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve static/ directly, as in development
    settings.WHITENOISE_AUTOREFRESH = True
    public = client.get("/no-such-page/")
    assert public.status_code == 404
    assert "no-store" not in public.get("Cache-Control", "")
    client.force_login(world.manager_a)
    static = client.get("/static/js/app.js")
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
    assert "max-age" in static["Cache-Control"]
