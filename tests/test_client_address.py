"""Which address is the client's: X-Forwarded-For is believed only from a proxy in PHB_TRUSTED_PROXIES, and then
read from the right, so a client cannot put a forged address into the audit trail or the lockout records."""

import pytest
from django.urls import reverse

from phb_readiness.audit.models import AuditEvent
from phb_readiness.security import forwarded_client, parse_networks
from tests.test_settings_env import start


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        # No proxy configured: the header is the client's own word, whatever it says.
        ("198.51.100.7", "203.0.113.9", [], "198.51.100.7"),
        ("10.0.0.2", "6.6.6.6, 203.0.113.9", [], "10.0.0.2"),
        # A proxy configured, but this connection is not from it.
        ("198.51.100.7", "203.0.113.9", ["10.0.0.2"], "198.51.100.7"),
        # From our proxy: the entry it appended, not what the client put in front.
        ("10.0.0.2", "6.6.6.6, 203.0.113.9", ["10.0.0.2"], "203.0.113.9"),
        # Two of our proxies in a row (a network given as CIDR): past both of them.
        ("10.0.0.2", "6.6.6.6, 203.0.113.9, 10.0.0.3", ["10.0.0.0/24"], "203.0.113.9"),
        ("2001:db8::2", "6.6.6.6, 2001:db8:1::9", ["2001:db8::/64"], "2001:db8:1::9"),
        # From our proxy, without the header: the proxy is the only address there is.
        ("10.0.0.2", "", ["10.0.0.2"], "10.0.0.2"),
        # Garbage where the client's address should be: the walk stops at the last proxy we trust.
        ("10.0.0.2", "203.0.113.9, not-an-address", ["10.0.0.2"], "10.0.0.2"),
        ("10.0.0.2", "not-an-address, 10.0.0.3", ["10.0.0.0/24"], "10.0.0.3"),
        # Everything in the chain is ours: the left-most of them.
        ("10.0.0.2", "10.0.0.4, 10.0.0.3", ["10.0.0.0/24"], "10.0.0.4"),
    ],
)
def test_forwarded_for_is_read_only_from_a_trusted_proxy_and_from_the_right(remote, forwarded, trusted, expected):
    assert forwarded_client(remote_addr=remote, forwarded_for=forwarded, trusted_proxies=trusted) == expected


def test_networks_are_addresses_or_cidr_and_anything_else_is_named():
    assert [str(n) for n in parse_networks(["10.0.0.2", "10.1.0.0/16", " fd00::/8 "])] == [
        "10.0.0.2/32",
        "10.1.0.0/16",
        "fd00::/8",
    ]
    with pytest.raises(ValueError, match="'proxy.internal'"):
        parse_networks(["10.0.0.2", "proxy.internal"])


def test_a_wrong_trusted_proxy_stops_start_up_naming_the_variable():
    result = start({"PHB_TRUSTED_PROXIES": "10.0.0.2, 10.0.0.0/33"})
    assert result.returncode != 0
    assert "PHB_TRUSTED_PROXIES" in result.stderr and "10.0.0.0/33" in result.stderr
    result = start(
        {"PHB_TRUSTED_PROXIES": "10.0.0.2, 10.1.0.0/16"},
        "from django.conf import settings as s; print(s.PHB_TRUSTED_PROXIES)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['10.0.0.2', '10.1.0.0/16']"


def _failed_sign_in_address(client, **headers) -> str:
    client.post(reverse("login"), {"username": "rep-a", "password": "wrong"}, **headers)
    return AuditEvent.objects.filter(action="auth.login_failed").latest("id").after["ip_address"]


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_reach_the_audit_trail(client, world, settings):
    # Debug off and the HTTPS proxy header set, as in production, but no proxy declared in front.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.PHB_TRUSTED_PROXIES = []
    assert _failed_sign_in_address(client, REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="6.6.6.6") == (
        "198.51.100.7"
    )


@pytest.mark.django_db
def test_the_address_our_proxy_saw_reaches_the_audit_trail(client, world, settings):
    settings.PHB_TRUSTED_PROXIES = ["10.0.0.0/24"]
    headers = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
    assert _failed_sign_in_address(client, **headers) == "203.0.113.9"
    # The same header from anywhere else is ignored.
    headers["REMOTE_ADDR"] = "198.51.100.7"
    assert _failed_sign_in_address(client, **headers) == "198.51.100.7"
