"""Every checklist URL x every persona: who reads, who writes, who gets 403, who cannot tell the site exists (404)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists import urls as checklist_urls
from checklists.services.evidence import evidence_add_file

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
ITEM_POST = {
    "status": "in_progress",
    "narrative": "Started",
    "not_applicable_reason": "",
    "due_date_0": "",
    "due_date_1": "",
    "due_date_2": "",
    "base_version": "1",
}

# name: (method, data); the expected answer per persona follows in EXPECTED.
ACTIONS = {
    "assessment": ("get", None),
    "item": ("get", None),
    "item:post": ("post", ITEM_POST),
    "evidence_add": ("post", {"link-url": "https://example.org/minutes", "link-title": "Minutes"}),
    "submit": ("get", None),
    "submit:post": ("post", {}),
    "evidence_download": ("get", None),
    "evidence_remove": ("post", {}),
    "import_upload": ("get", None),
}
# A pending import's preview belongs to its uploader alone: tests/test_permission_matrix.py checks it with one.
COVERED_ELSEWHERE = {"import_preview"}
READ_ONLY = {
    "assessment": 200,
    "item": 200,
    "item:post": 403,
    "evidence_add": 403,
    "submit": 200,
    "submit:post": 403,
    "evidence_download": 200,
    "evidence_remove": 403,
    "import_upload": 403,
}
EXPECTED = {
    "manager_a": READ_ONLY
    | {"item:post": 302, "evidence_add": 302, "submit:post": 200, "evidence_remove": 302, "import_upload": 200},
    # The evidence was added by the manager: a contributor may remove only their own.
    "contributor_a": READ_ONLY | {"item:post": 302, "evidence_add": 302, "import_upload": 200},
    "rep_a": READ_ONLY,
    "reviewer": READ_ONLY,
    "observer": READ_ONLY,
    "admin": READ_ONLY,
    "manager_b": dict.fromkeys(ACTIONS, 404),
    "regional_reviewer_other": dict.fromkeys(ACTIONS, 404),
    "observer_other": dict.fromkeys(ACTIONS, 404),
    "outsider": dict.fromkeys(ACTIONS, 404),
}


def _url(name: str, world, evidence) -> str:
    name = name.split(":")[0]
    if name in {"evidence_download", "evidence_remove"}:
        return reverse(f"checklists:{name}", args=[evidence.pk])
    if name in {"item", "evidence_add"}:
        return reverse(f"checklists:{name}", args=[world.assessment_a.pk, "EMP-01"])
    return reverse(f"checklists:{name}", args=[world.assessment_a.pk])


@pytest.fixture
def evidence(world):
    response = world.assessment_a.responses.select_related("item").get(item__code="EMP-01")
    return evidence_add_file(
        response=response, user=world.manager_a, uploaded_file=SimpleUploadedFile("minutes.pdf", PDF)
    )


@pytest.mark.parametrize("persona", EXPECTED)
@pytest.mark.parametrize("action", ACTIONS)
def test_permission_matrix(client, world, evidence, persona, action):
    method, data = ACTIONS[action]
    client.force_login(getattr(world, persona))
    answer = getattr(client, method)(_url(action, world, evidence), data)
    assert answer.status_code == EXPECTED[persona][action], f"{persona} {action}"


@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_people_are_sent_to_sign_in(client, world, evidence, action):
    method, data = ACTIONS[action]
    answer = getattr(client, method)(_url(action, world, evidence), data)
    assert answer.status_code == 302 and answer.url.startswith(reverse("login"))


def test_every_checklist_url_is_in_the_matrix():
    names = {pattern.name for pattern in checklist_urls.urlpatterns}
    assert names == {action.split(":")[0] for action in ACTIONS} | COVERED_ELSEWHERE


def test_my_sites_lists_only_my_sites_with_links(client, world):
    client.force_login(world.contributor_a)
    html = client.get(reverse("home")).content.decode()
    assert world.site_a.name in html and world.site_b.name not in html
    assert reverse("checklists:assessment", args=[world.assessment_a.pk]) in html
    assert "0 of 61 in place" in html
