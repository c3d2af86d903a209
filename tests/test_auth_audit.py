"""Sign-ins, sign-outs and failed sign-ins are in the hash-chained audit trail: who, when, from where."""

import pytest
from django.urls import reverse

from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_verify
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_and_sign_out_are_recorded(client, world):
    client.post(
        reverse("login"),
        {"username": "rep-a", "password": TEST_PASSWORD},
        HTTP_USER_AGENT="Mozilla/5.0 test",
    )
    client.post(reverse("logout"))

    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor == world.rep_a
    assert login.actor_label == "rep-a"
    assert login.after == {"ip_address": "127.0.0.1", "user_agent": "Mozilla/5.0 test"}
    logout = AuditEvent.objects.get(action="auth.logout")
    assert logout.actor == world.rep_a
    assert logout.created_at >= login.created_at
    assert audit_verify().ok


def test_a_failed_sign_in_records_the_username_tried_but_never_the_password(client, world):
    client.post(reverse("login"), {"username": "no-such-person", "password": "hunter2-guess"})
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.actor is None
    assert event.after["username"] == "no-such-person"
    assert "hunter2" not in f"{event.summary}{event.after}"


def test_behind_the_proxy_the_address_is_the_one_the_proxy_saw(client, world, settings):
    settings.PHB_TRUSTED_PROXIES = ["127.0.0.1"]  # the test client's address stands for our proxy
    client.post(
        reverse("login"),
        {"username": "rep-a", "password": "wrong"},
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",  # the first entry is whatever the client claimed
    )
    assert AuditEvent.objects.get(action="auth.login_failed").after["ip_address"] == "203.0.113.9"
