"""Recovery codes: 10 single-use codes shown once when two-step verification is set up, usable instead of the app's
code, and made anew from the person's account page (the old set then stops working)."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from phb_readiness.accounts.services import recovery_codes_regenerate
from phb_readiness.audit.models import AuditEvent
from tests.factories import TEST_PASSWORD
from tests.mfa_support import current_code, sign_in_verified, totp_device

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mfa_on(settings):
    settings.PHB_MFA_ENFORCED = True
    settings.EMBEDDED = False


def sign_in(client, username: str) -> None:
    assert client.post(reverse("login"), {"username": username, "password": TEST_PASSWORD}).status_code == 302


def shown_codes(response) -> list[str]:
    listing = re.search(
        r'<ul class="govuk-list app-hash" id="recovery-codes">(.*?)</ul>', response.content.decode(), re.S
    )
    return re.findall(r"<li>([a-z2-7]{4} [a-z2-7]{4})</li>", listing.group(1)) if listing else []


def test_setting_up_the_app_shows_10_codes_once(client, world):
    sign_in(client, "rep-a")
    client.get(reverse("accounts:mfa_setup"))
    device = TOTPDevice.objects.get(user=world.rep_a)
    done = client.post(reverse("accounts:mfa_setup"), {"code": current_code(device), "next": "/"})

    first = client.get(done.url)
    codes = shown_codes(first)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert first["Cache-Control"] == "no-store"
    assert shown_codes(client.get(done.url)) == []  # never shown again
    assert StaticToken.objects.filter(device__user=world.rep_a).count() == 10


def test_a_recovery_code_works_instead_of_the_app_once_only(client, world):
    totp_device(world.manager_a)
    code = recovery_codes_regenerate(user=world.manager_a)[0]
    typed = f"{code[:4]}-{code[4:].upper()}"  # as people copy it: a separator, any case

    sign_in(client, "manager-a")
    used = client.post(reverse("accounts:mfa_verify"), {"code": typed, "next": "/"})
    assert used.status_code == 302 and used.url == "/"
    assert client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get(action="auth.recovery_code_used")
    assert event.actor == world.manager_a and event.after == {"codes_left": 9}
    client.post(reverse("logout"))

    sign_in(client, "manager-a")
    again = client.post(reverse("accounts:mfa_verify"), {"code": typed, "next": "/"})
    assert again.status_code == 400
    assert "That recovery code is not right, or it has been used" in again.content.decode()
    assert client.get(reverse("home")).url.startswith(reverse("accounts:mfa_verify"))


def test_after_a_recovery_code_a_lost_phone_is_replaced_by_a_new_app(client, world):
    old = totp_device(world.reviewer)
    code = recovery_codes_regenerate(user=world.reviewer)[0]
    sign_in(client, "reviewer")
    client.post(reverse("accounts:mfa_verify"), {"code": code})

    assert client.get(reverse("accounts:mfa_setup")).status_code == 200
    new = TOTPDevice.objects.get(user=world.reviewer, confirmed=False)
    done = client.post(reverse("accounts:mfa_setup"), {"code": current_code(new)})
    assert done.url.startswith(reverse("accounts:recovery_codes"))
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert StaticToken.objects.filter(token=code).count() == 0  # a new app comes with a new set of codes


def test_new_codes_from_the_account_page_replace_the_old_set(client, world):
    sign_in_verified(client, world.contributor_a)
    old = recovery_codes_regenerate(user=world.contributor_a)
    page = client.get(reverse("accounts:account")).content.decode()
    assert "10 unused" in page and "Make new recovery codes" in page

    made = client.post(reverse("accounts:recovery_codes_new"))
    assert made.status_code == 302 and made.url == reverse("accounts:recovery_codes")
    new = [code.replace(" ", "") for code in shown_codes(client.get(made.url))]
    assert len(new) == 10
    assert set(StaticToken.objects.filter(device__user=world.contributor_a).values_list("token", flat=True)) == set(new)
    assert not set(old) & set(new)
    assert AuditEvent.objects.filter(action="auth.recovery_codes_new", actor=world.contributor_a).exists()


def test_wrong_recovery_codes_are_throttled_like_app_codes(client, world):
    totp_device(world.manager_a)
    code = recovery_codes_regenerate(user=world.manager_a)[0]
    sign_in(client, "manager-a")
    assert client.post(reverse("accounts:mfa_verify"), {"code": "aaaa2222"}).status_code == 400
    throttled = client.post(reverse("accounts:mfa_verify"), {"code": code})
    assert throttled.status_code == 400
    assert "Too many wrong codes" in throttled.content.decode()
    assert StaticToken.objects.filter(token=code).exists()  # not spent by the refused attempt


def test_codes_cannot_be_made_without_an_app(client, world):
    client.force_login(world.outsider)
    response = client.post(reverse("accounts:recovery_codes_new"))
    assert response.url.startswith(reverse("accounts:mfa_setup"))  # the gate: set up an app first
    assert not StaticToken.objects.exists()
