"""Changing one's own password: the old one is asked for, the validators apply, this session stays signed in and
every other session of the person ends; the change is in the audit trail."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from phb_readiness.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD
from tests.mfa_support import sign_in_verified

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "granite-ferry-lantern-47"


def change(client, old: str = TEST_PASSWORD, new: str = NEW_PASSWORD):
    return client.post(reverse("password_change"), {"old_password": old, "new_password1": new, "new_password2": new})


def goes_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_account_page_links_to_the_change(client, world):
    client.force_login(world.rep_a)
    page = client.get(reverse("accounts:account")).content.decode()
    assert f'href="{reverse("password_change")}"' in page
    assert client.get(reverse("password_change")).status_code == 200


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(world, settings):
    settings.PHB_MFA_ENFORCED = True
    laptop, phone, colleague = Client(), Client(), Client()
    sign_in_verified(laptop, world.manager_a)
    sign_in_verified(phone, world.manager_a)
    sign_in_verified(colleague, world.contributor_a)
    phone_key = phone.session.session_key

    done = change(laptop)
    assert done.status_code == 302 and done.url == reverse("password_change_done")
    assert laptop.get(reverse("home")).status_code == 200  # still signed in, still verified
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert goes_to_sign_in(phone.get(reverse("home")))
    assert colleague.get(reverse("home")).status_code == 200

    world.manager_a.refresh_from_db()
    assert world.manager_a.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="auth.password_changed")
    assert event.actor == world.manager_a and event.after == {"sessions_ended": 1}
    assert NEW_PASSWORD not in f"{event.summary}{event.after}"


def test_a_wrong_old_password_or_a_weak_new_one_is_refused_with_a_clear_message(client, world):
    client.force_login(world.manager_a)
    wrong = change(client, old="not-my-password")
    assert wrong.status_code == 400
    assert "Your old password was entered incorrectly" in wrong.content.decode()
    weak = change(client, new="password1234")
    assert weak.status_code == 400
    assert "There is a problem" in weak.content.decode() and "too common" in weak.content.decode()
    world.manager_a.refresh_from_db()
    assert world.manager_a.check_password(TEST_PASSWORD)
    assert not AuditEvent.objects.filter(action="auth.password_changed").exists()


def test_signed_out_people_are_sent_to_sign_in(client, world):
    assert goes_to_sign_in(client.get(reverse("password_change")))
    assert goes_to_sign_in(change(client))


def test_an_unverified_session_cannot_change_the_password(client, world, settings):
    settings.PHB_MFA_ENFORCED = True
    client.force_login(world.manager_a)  # password only: the second step is still owed
    response = change(client)
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:mfa_setup"))
    world.manager_a.refresh_from_db()
    assert world.manager_a.check_password(TEST_PASSWORD)
