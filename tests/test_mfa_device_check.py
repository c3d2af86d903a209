"""A verified session costs no query of its own on each request: the session's device is checked against the
person's confirmed devices, read with the person. Removing or replacing the device unverifies the session."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.mfa_support import sign_in_verified, totp_device
from tests.query_counts import assert_query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def enforced(settings):
    settings.PHB_MFA_ENFORCED = True
    settings.EMBEDDED = False


def _page(world) -> str:
    return reverse("checklists:assessment", args=[world.assessment_a.pk])


def test_a_verified_page_costs_what_an_unenforced_one_does(client, world, settings):
    client.force_login(world.manager_a)
    client.get(_page(world))
    with assert_query_count(5, "assessment page, verification not required"):
        assert client.get(_page(world)).status_code == 200
    settings.PHB_MFA_ENFORCED, settings.EMBEDDED = True, False
    sign_in_verified(client, world.manager_a)
    client.get(_page(world))
    with assert_query_count(5, "assessment page, verified with an authenticator app"):
        assert client.get(_page(world)).status_code == 200


def test_a_removed_device_unverifies_the_session(client, world, enforced):
    sign_in_verified(client, world.manager_a)
    assert client.get(_page(world)).status_code == 200
    TOTPDevice.objects.filter(user=world.manager_a).delete()
    reply = client.get(_page(world))
    assert reply.status_code == 302 and reverse("accounts:mfa_setup") in reply["Location"]
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_a_second_app_still_verifies_through_django_otp(client, world, enforced):
    totp_device(world.manager_a)
    second = totp_device(world.manager_a)
    client.force_login(world.manager_a)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = second.persistent_id
    session.save()
    assert client.get(_page(world)).status_code == 200


def test_another_persons_device_does_not_verify(client, world, enforced):
    other = totp_device(world.rep_a)
    totp_device(world.manager_a)
    client.force_login(world.manager_a)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = other.persistent_id
    session.save()
    reply = client.get(_page(world))
    assert reply.status_code == 302 and reverse("accounts:mfa_verify") in reply["Location"]
