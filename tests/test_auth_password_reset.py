"""Resetting a forgotten password by e-mail: a link that works once, for an hour; the page never says whether an
account has the address; requests are limited per address and per e-mail address; a reset ends every session of
the person and does not sign anyone in (two-step verification is still owed)."""

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from phb_readiness.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD
from tests.mfa_support import current_code, totp_device

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "granite-ferry-lantern-47"


def ask(client, email: str, address: str = "127.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)


def test_the_sign_in_page_links_to_the_reset(client, world):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page and "Forgotten your password?" in page


def test_a_reset_link_is_emailed_and_sets_a_new_password_once(client, world, settings):
    settings.PHB_MFA_ENFORCED = True
    settings.EMBEDDED = False
    device = totp_device(world.rep_a)
    elsewhere = Client()
    elsewhere.force_login(world.rep_a)

    response = ask(client, world.rep_a.email.upper())
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.rep_a.email]
    assert message.subject == "Reset your PHB Readiness password"
    assert message.body.count(settings.PHB_BASE_URL) == 1

    form = client.get(link_path(message), follow=True)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    world.rep_a.refresh_from_db()
    assert world.rep_a.check_password(NEW_PASSWORD)

    # every session of the person ended; the reset signed nobody in
    assert elsewhere.get(reverse("home")).url.startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="auth.password_reset")
    assert event.actor == world.rep_a and event.after == {"sessions_ended": 1}

    # the link works once
    again = client.get(link_path(message), follow=True)
    assert "Reset link not valid" in again.content.decode()

    # signing in with the new password still needs the second step
    assert client.post(reverse("login"), {"username": "rep-a", "password": NEW_PASSWORD}).status_code == 302
    assert client.get(reverse("home")).url.startswith(reverse("accounts:mfa_verify"))
    client.post(reverse("accounts:mfa_verify"), {"code": current_code(device)})
    assert client.get(reverse("home")).status_code == 200


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, world):
    response = ask(client, "nobody@example.nhs.invalid")
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert mail.outbox == []
    event = AuditEvent.objects.get(action="auth.password_reset_requested")
    assert event.after["email"] == "nobody@example.nhs.invalid"


def test_a_malformed_address_gets_a_form_error(client, world):
    response = ask(client, "not an address<script>")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter an email address in the correct format" in page and "<script>" not in page.split("</head>")[1]


def test_requests_are_limited_per_email_address(client, world, settings):
    for n in range(settings.PHB_PASSWORD_RESET_PER_EMAIL):
        assert ask(client, world.manager_a.email, f"192.0.2.{n}").status_code == 302
    refused = ask(client, world.manager_a.email, "192.0.2.99")
    assert refused.status_code == 429
    assert "Too many password reset requests" in refused.content.decode()
    assert len(mail.outbox) == settings.PHB_PASSWORD_RESET_PER_EMAIL


def test_requests_are_limited_per_address(client, world, settings):
    for n in range(settings.PHB_PASSWORD_RESET_PER_ADDRESS):
        assert ask(client, f"someone-{n}@example.nhs.invalid", "198.51.100.7").status_code == 302
    assert ask(client, world.manager_a.email, "198.51.100.7").status_code == 429
    assert mail.outbox == []
    assert ask(client, world.manager_a.email, "192.0.2.1").status_code == 302  # other addresses are unaffected
    assert len(mail.outbox) == 1


def test_a_tampered_link_is_refused_clearly(client, world):
    response = client.get(reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "set-password-x"}))
    assert response.status_code == 200
    assert "Reset link not valid" in response.content.decode()
    assert client.login(username="manager-a", password=TEST_PASSWORD)
