"""A new session id at sign-in; sessions end after 30 idle minutes, 12 hours after sign-in, and when disabled."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from phb_readiness.accounts.sessions import REFRESHED_AT, SIGNED_IN_AT
from phb_readiness.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def goes_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def test_signing_in_gives_a_new_session_id_and_ends_the_old_one(client, world):
    session = client.session
    session["planted"] = "by an attacker who knows this id"
    session.save()
    planted_key = session.session_key
    client.cookies["sessionid"] = planted_key

    sign_in(client, "manager-a")

    assert client.session.session_key != planted_key
    assert not Session.objects.filter(session_key=planted_key).exists()


def test_a_session_expires_30_minutes_after_the_last_request(client, world, settings):
    sign_in(client, "manager-a")
    assert client.get(reverse("home")).status_code == 200
    row = Session.objects.get(session_key=client.session.session_key)
    assert abs((row.expire_date - timezone.now()) - timedelta(minutes=30)) < timedelta(seconds=10)

    Session.objects.filter(pk=row.pk).update(expire_date=timezone.now() - timedelta(seconds=1))
    assert goes_to_sign_in(client.get(reverse("home")))


def test_a_request_pushes_the_idle_expiry_on_at_most_once_a_minute(client, world):
    sign_in(client, "manager-a")
    client.get(reverse("home"))
    key = client.session.session_key
    soon = timezone.now() + timedelta(minutes=5)
    Session.objects.filter(pk=key).update(expire_date=soon)

    client.get(reverse("home"))  # within the minute: no write
    assert Session.objects.get(pk=key).expire_date == soon

    session = client.session
    session[REFRESHED_AT] = time.time() - 61
    session.save()
    Session.objects.filter(pk=key).update(expire_date=soon)
    client.get(reverse("home"))  # a minute on: 30 minutes from now again
    expiry = Session.objects.get(pk=key).expire_date
    assert abs((expiry - timezone.now()) - timedelta(minutes=30)) < timedelta(seconds=10)


def test_a_busy_session_still_ends_12_hours_after_sign_in(client, world):
    sign_in(client, "manager-a")
    session = client.session
    session[SIGNED_IN_AT] = time.time() - 11 * 3600 - 59 * 60
    session.save()
    assert client.get(reverse("home")).status_code == 200

    session = client.session
    session[SIGNED_IN_AT] = time.time() - 12 * 3600 - 1
    session.save()
    old_key = session.session_key
    response = client.get(reverse("home"))
    assert goes_to_sign_in(response)
    assert not Session.objects.filter(session_key=old_key).exists()
    assert AuditEvent.objects.filter(action="auth.session_expired", actor=world.manager_a).exists()
    assert "more than 12 hours ago" in client.get(response.url).content.decode()


def test_disabling_an_account_ends_all_its_sessions_at_once(world):
    laptop, phone, colleague = Client(), Client(), Client()
    sign_in(laptop, "manager-a")
    sign_in(phone, "manager-a")
    sign_in(colleague, "contrib-a")

    world.manager_a.is_active = False
    world.manager_a.save()

    assert goes_to_sign_in(laptop.get(reverse("home")))
    assert goes_to_sign_in(phone.get(reverse("home")))
    assert colleague.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(action="auth.sessions_ended")
    assert event.after == {"sessions_ended": 2}
    assert laptop.post(reverse("login"), {"username": "manager-a", "password": TEST_PASSWORD}).status_code == 200


def test_the_session_cookie_is_http_only_and_same_site(client, world):
    sign_in(client, "manager-a")
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"
