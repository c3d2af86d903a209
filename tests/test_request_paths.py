"""Control characters in a request path (NUL above all, which PostgreSQL refuses in any text value) are a 404,
signed in or not, before any view or query runs; ordinary paths are untouched."""

import pytest
from django.urls import reverse

from tests.query_counts import assert_query_count

pytestmark = pytest.mark.django_db

HOSTILE_PATHS = [
    "/assessments/{pk}/items/EMP%0001/",
    "/assessments/{pk}/items/EMP-01%00/",
    "/sites/SITE%00-A/activity/",
    "/sites/SITE-A%00/concerns/",
    "/sites/SITE-A%00/checklist.xlsx",
    "/assessments/{pk}/sections/EMP%00/signoff/",
    "/assessments/{pk}/items/EMP%0A01/",  # a line feed
    "/assessments/{pk}/items/EMP%1B01/",  # escape
    "/assessments/{pk}/items/EMP%7F01/",  # DEL
    "/static/js/app%00.js",
    "/accounts/login/%00",
    "/%00",
]


@pytest.mark.parametrize("path", HOSTILE_PATHS)
def test_a_control_character_in_the_path_is_not_found_for_a_signed_in_person(client, world, path):
    client.raise_request_exception = True  # a 500 would raise here instead of passing as a status
    client.force_login(world.manager_a)
    response = client.get(path.format(pk=world.assessment_a.pk))
    assert response.status_code == 404
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in response["Content-Security-Policy"]


@pytest.mark.parametrize("path", ["/assessments/{pk}/items/EMP%0001/", "/sites/SITE%00-A/activity/"])
def test_a_control_character_is_not_found_for_anyone_else_or_in_a_post(client, world, path):
    client.raise_request_exception = True
    url = path.format(pk=world.assessment_a.pk)
    assert client.get(url).status_code == 404
    client.force_login(world.manager_a)
    assert client.post(url, {"status": "in_place"}).status_code == 404


def test_a_control_character_touches_no_table(client, world):
    client.force_login(world.manager_a)
    with assert_query_count(0, "a NUL path"):
        assert client.get(f"/assessments/{world.assessment_a.pk}/items/EMP%0001/").status_code == 404


def test_ordinary_paths_still_resolve(client, world):
    client.force_login(world.manager_a)
    item = reverse("checklists:item", kwargs={"pk": world.assessment_a.pk, "code": "EMP-01"})
    assert client.get(item).status_code == 200
    assert client.get("/sites/SITE-A/activity/").status_code == 200
    # Spaces and non-ASCII letters are not control characters: an unknown code is an ordinary 404 page.
    missing = client.get(f"/assessments/{world.assessment_a.pk}/items/EMP%2001%C3%A9/")
    assert missing.status_code == 404 and missing["Content-Type"].startswith("text/html")
