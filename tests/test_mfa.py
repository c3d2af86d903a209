"""Two-step verification: required of everyone before any page; only demo accounts are exempt, in the embedded run."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import Membership
from tests.factories import TEST_PASSWORD, MembershipFactory, ReviewerScopeFactory, UserFactory
from tests.mfa_support import current_code, totp_device

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mfa_on(settings):
    settings.PHB_MFA_ENFORCED = True


def sign_in(client, username: str):
    response = client.post(reverse("login"), {"username": username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def test_a_reviewer_without_an_app_must_set_one_up_before_any_page(client, world):
    sign_in(client, "reviewer")
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:mfa_setup") + "?next=%2F"

    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "data:image" not in html
    device = TOTPDevice.objects.get(user=world.reviewer, confirmed=False)
    assert device.config_url.startswith("otpauth://totp/")

    key_before = client.session.session_key
    done = client.post(reverse("accounts:mfa_setup"), {"code": current_code(device), "next": "/"})
    assert done.status_code == 302 and done.url == reverse("accounts:recovery_codes") + "?next=%2F"
    assert client.session.session_key != key_before
    codes = client.get(done.url)
    assert codes.status_code == 200 and 'href="/"' in codes.content.decode()
    assert client.get(reverse("home")).status_code == 200
    assert AuditEvent.objects.filter(action="auth.mfa_enabled", actor=world.reviewer).exists()


def test_a_reviewer_with_an_app_enters_a_code_after_the_password(client, world):
    device = totp_device(world.reviewer)
    sign_in(client, "reviewer")
    response = client.get(reverse("home"))
    assert response.url == reverse("accounts:mfa_verify") + "?next=%2F"

    wrong = client.post(reverse("accounts:mfa_verify"), {"code": "000000", "next": "/"})
    assert wrong.status_code == 400
    assert "There is a problem" in wrong.content.decode()
    assert client.get(reverse("home")).status_code == 302
    device.throttling_failure_count = 0
    device.save()

    right = client.post(reverse("accounts:mfa_verify"), {"code": current_code(device), "next": "/"})
    assert right.status_code == 302 and right.url == "/"
    assert client.get(reverse("home")).status_code == 200
    actions = list(AuditEvent.objects.filter(actor=world.reviewer).values_list("action", flat=True))
    assert actions == ["auth.login", "auth.mfa_failed", "auth.mfa_verified"]


def test_an_administrator_cannot_reach_the_admin_unverified(client, world):
    totp_device(world.admin)
    sign_in(client, "admin")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:mfa_verify"))


def test_htmx_requests_are_sent_to_verification_too(client, world):
    totp_device(world.reviewer)
    sign_in(client, "reviewer")
    response = client.get(reverse("home"), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("accounts:mfa_verify"))


EVERY_PERSONA = ["manager-a", "contrib-a", "rep-a", "manager-b", "reviewer", "reviewer-london", "admin", "outsider"]


@pytest.mark.parametrize("username", EVERY_PERSONA)
def test_everyone_must_verify_in_production(client, world, settings, username):
    settings.EMBEDDED = False
    settings.DEBUG = False
    sign_in(client, username)
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url == reverse("accounts:mfa_setup") + "?next=%2F"

    device = totp_device(get_user_model().objects.get(username=username))
    assert client.get(reverse("home")).url.startswith(reverse("accounts:mfa_verify"))
    client.post(reverse("accounts:mfa_verify"), {"code": current_code(device)})
    assert client.get(reverse("home")).status_code == 200


def test_a_manager_cannot_turn_it_off(client, world):
    device = totp_device(world.manager_a)
    sign_in(client, "manager-a")
    client.post(reverse("accounts:mfa_verify"), {"code": current_code(device)})
    page = client.get(reverse("accounts:mfa")).content.decode()
    assert "cannot be turned off" in page and "Turn off" not in page
    client.post(reverse("accounts:mfa_remove"))
    assert TOTPDevice.objects.filter(user=world.manager_a, confirmed=True).exists()
    client.post(reverse("logout"))

    sign_in(client, "manager-a")
    assert client.get(reverse("home")).url.startswith(reverse("accounts:mfa_verify"))


def test_a_code_cannot_be_used_twice(client, world):
    device = totp_device(world.reviewer)
    code = current_code(device)
    sign_in(client, "reviewer")
    assert client.post(reverse("accounts:mfa_verify"), {"code": code}).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, "reviewer")
    replay = client.post(reverse("accounts:mfa_verify"), {"code": code})
    assert replay.status_code == 400


def test_guessing_is_throttled_even_the_right_code_straight_after_a_wrong_one(client, world):
    device = totp_device(world.reviewer)
    sign_in(client, "reviewer")
    client.post(reverse("accounts:mfa_verify"), {"code": "111111"})
    response = client.post(reverse("accounts:mfa_verify"), {"code": current_code(device)})
    assert response.status_code == 400
    assert "Too many wrong codes" in response.content.decode()


def test_setting_up_a_new_app_does_not_bypass_the_existing_one(client, world):
    totp_device(world.reviewer)
    sign_in(client, "reviewer")
    response = client.get(reverse("accounts:mfa_setup"))
    assert response.url.startswith(reverse("accounts:mfa_verify"))
    assert client.post(reverse("accounts:mfa_setup"), {"code": "123456"}).url.startswith(reverse("accounts:mfa_verify"))
    assert TOTPDevice.objects.filter(user=world.reviewer).count() == 1


def test_a_reviewer_cannot_turn_it_off(client, world):
    device = totp_device(world.reviewer)
    sign_in(client, "reviewer")
    client.post(reverse("accounts:mfa_verify"), {"code": current_code(device)})
    client.post(reverse("accounts:mfa_remove"))
    assert TOTPDevice.objects.filter(user=world.reviewer, confirmed=True).exists()


def test_next_never_leads_off_site(client, world):
    device = totp_device(world.reviewer)
    sign_in(client, "reviewer")
    response = client.post(
        reverse("accounts:mfa_verify"), {"code": current_code(device), "next": "https://evil.example/"}
    )
    assert response.url == reverse("home")


def test_a_malformed_code_gets_a_form_error(client, world):
    totp_device(world.reviewer)
    sign_in(client, "reviewer")
    response = client.post(reverse("accounts:mfa_verify"), {"code": "12ab<script>"})
    assert response.status_code == 400
    assert "Enter the 6-digit code" in response.content.decode()
    assert "<script>" not in re.sub(r"<script [^>]*src=[^>]*>", "", response.content.decode())


@pytest.mark.parametrize(("embedded", "asked"), [(True, False), (False, True)])
@pytest.mark.parametrize("role", ["reviewer", Membership.Role.MANAGER, Membership.Role.UNION_REP])
def test_demo_accounts_are_exempt_only_in_the_embedded_run(client, world, settings, embedded, asked, role):
    user = UserFactory(username=f"demo-{role}")
    if role == "reviewer":
        ReviewerScopeFactory(user=user)
    else:
        MembershipFactory(user=user, site=world.site_a, role=role)
    settings.EMBEDDED = embedded
    sign_in(client, user.username)
    response = client.get(reverse("home"))
    assert (response.status_code == 302) is asked


def test_a_demo_account_that_turned_it_on_is_asked_and_may_turn_it_off(client, world, settings):
    settings.EMBEDDED = True
    user = MembershipFactory(user__username="demo-manager", site=world.site_a).user
    device = totp_device(user)
    sign_in(client, "demo-manager")
    assert client.get(reverse("home")).url.startswith(reverse("accounts:mfa_verify"))
    client.post(reverse("accounts:mfa_verify"), {"code": current_code(device)})
    assert client.post(reverse("accounts:mfa_remove")).status_code == 302
    assert not TOTPDevice.objects.filter(user=user).exists()
