"""Five wrong passwords lock a username for 15 minutes, and twenty from one address lock that address, with a clear
page; other people sign in as usual."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_verify
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


def attempt(client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_four_failures_leave_the_account_usable(client, world):
    for _ in range(4):
        response = attempt(client, "manager-a", "not-the-password")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    assert attempt(client, "manager-a", TEST_PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_fifth_failure_locks_the_username_with_a_clear_page(client, world):
    for _ in range(4):
        attempt(client, "manager-a", "not-the-password")
    locked = attempt(client, "manager-a", "not-the-password")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Sign-in locked for 15 minutes" in page
    assert "govuk-template" in page  # the service's own page, not a bare error

    # The right password does not get through while the lock lasts, even from another address.
    response = client.post(
        reverse("login"), {"username": "manager-a", "password": TEST_PASSWORD}, REMOTE_ADDR="10.9.8.7"
    )
    assert response.status_code == 429
    assert not signed_in(client)


def test_a_lock_on_one_username_does_not_lock_colleagues_behind_the_same_address(client, world):
    for _ in range(5):
        attempt(client, "manager-a", "not-the-password")
    assert attempt(client, "contrib-a", TEST_PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_lock_lifts_after_15_minutes(client, world):
    for _ in range(5):
        attempt(client, "manager-a", "not-the-password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=5))
    assert attempt(client, "manager-a", TEST_PASSWORD).status_code == 302
    assert signed_in(client)


def test_failures_and_the_lockout_are_in_the_audit_trail(client, world):
    for _ in range(5):
        attempt(client, "manager-a", "not-the-password")
    failures = AuditEvent.objects.filter(action="auth.login_failed")
    assert failures.count() == 5
    assert failures.first().after["username"] == "manager-a"
    assert failures.first().after["ip_address"] == "127.0.0.1"
    assert "not-the-password" not in str(list(AuditEvent.objects.values_list("after", flat=True)))
    assert AuditEvent.objects.filter(action="auth.lockout", after__username="manager-a").exists()
    assert audit_verify().ok


def test_admin_sign_in_is_locked_the_same_way(client, world):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": "admin", "password": "not-the-password"})
    response = client.post(url, {"username": "admin", "password": TEST_PASSWORD})
    assert response.status_code == 429
    assert not signed_in(client)


SPRAYER = "198.51.100.7"


def test_spraying_many_usernames_from_one_address_is_refused(client, world, settings):
    """15 usernames x 3 passwords from one address: refused from the address's limit on, whatever the username."""
    answers = [
        attempt(client, f"person-{n}", f"guess-{guess}", SPRAYER).status_code for n in range(15) for guess in range(3)
    ]
    limit = settings.PHB_LOCKOUT_ADDRESS_LIMIT
    assert answers[: limit - 1] == [200] * (limit - 1)
    assert answers[limit - 1 :] == [429] * (45 - limit + 1)

    # even a right password is refused from that address while the lock lasts ...
    assert attempt(client, "manager-a", TEST_PASSWORD, SPRAYER).status_code == 429
    assert not signed_in(client)
    # ... the usernames themselves are not locked elsewhere
    assert attempt(client, "person-0", "guess", "192.0.2.50").status_code == 200
    assert attempt(client, "manager-a", TEST_PASSWORD, "192.0.2.50").status_code == 302
    assert AuditEvent.objects.filter(action="auth.lockout", after__ip_address=SPRAYER).exists()


def test_the_address_limit_counts_only_the_last_15_minutes(client, world, settings):
    for n in range(settings.PHB_LOCKOUT_ADDRESS_LIMIT - 1):
        attempt(client, f"person-{n}", "guess", SPRAYER)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=5))
    assert attempt(client, "person-last", "guess", SPRAYER).status_code == 200
    assert attempt(client, "manager-a", TEST_PASSWORD, SPRAYER).status_code == 302
