"""An htmx save after the session has ended answers 401 with nothing to swap, so the typed answer stays in the form."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from checklists.models import Response
from phb_readiness.accounts.sessions import SIGNED_IN_AT
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _item_url(world, code="EMP-03"):
    return reverse("checklists:item", args=[world.assessment_a.pk, code])


def _answer(narrative="A long answer typed over an hour"):
    return {
        "status": "in_progress",
        "narrative": narrative,
        "not_applicable_reason": "",
        "due_date_0": "",
        "due_date_1": "",
        "due_date_2": "",
        "base_version": "1",
    }


def _sign_in(client, username="manager-a"):
    assert client.post(reverse("login"), {"username": username, "password": TEST_PASSWORD}).status_code == 302


def _expire_idle_session(client):
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )


def _narrative(world, code="EMP-03"):
    return Response.objects.get(assessment=world.assessment_a, item__code=code).narrative


def _assert_signed_out_for_htmx(response):
    assert response.status_code == 401
    assert response["HX-Reswap"] == "none"
    assert response["Content-Type"].startswith("text/plain")
    assert "You have been signed out" in response.content.decode()
    assert response["X-Sign-In-URL"].startswith(reverse("login") + "?next=")
    assert "<form" not in response.content.decode()


def test_an_htmx_save_after_30_idle_minutes_gets_401_and_no_swap(client, world):
    _sign_in(client)
    _expire_idle_session(client)

    response = client.post(_item_url(world), _answer(), headers=HTMX)

    _assert_signed_out_for_htmx(response)
    assert "no-store" in response["Cache-Control"]
    assert _narrative(world) == ""


def test_an_htmx_save_with_no_session_at_all_gets_401(client, world):
    _assert_signed_out_for_htmx(client.post(_item_url(world), _answer(), headers=HTMX))


def test_an_htmx_save_after_the_12_hour_limit_gets_401(client, world):
    _sign_in(client)
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 12 * 3600 - 1
    session.save()

    _assert_signed_out_for_htmx(client.post(_item_url(world), _answer(), headers=HTMX))
    assert _narrative(world) == ""


def test_a_plain_form_post_after_expiry_still_goes_to_sign_in(client, world):
    _sign_in(client)
    _expire_idle_session(client)

    response = client.post(_item_url(world), _answer())

    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_signing_out_with_htmx_still_redirects_to_the_sign_in_page(client, world):
    """Only login_required's redirect (with ?next=) becomes a 401, not signing out's plain one to the same page."""
    client.force_login(world.manager_a)
    response = client.post(reverse("logout"), headers=HTMX)
    assert response.status_code == 302
    assert response.url == reverse("login")


def test_a_signed_in_htmx_save_is_unchanged(client, world):
    client.force_login(world.manager_a)
    response = client.post(_item_url(world), _answer("Saved while signed in"), headers=HTMX)
    assert response.status_code == 200
    assert _narrative(world) == "Saved while signed in"
