"""Browser security headers on real responses: CSP without inline code, framing refused, no sniffing, HSTS."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.mfa_support import sign_in_verified

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}


def csp_of(response) -> dict[str, str]:
    directives = [part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")]
    return {name: value for name, value in directives}


def assert_secure_headers(response) -> None:
    assert csp_of(response) == EXPECTED_CSP
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


INLINE_CODE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script>"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute"),
    (re.compile(r"<style[\s>]", re.I), "a <style> element"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on* handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
]


def assert_no_inline_code(html: str) -> None:
    for pattern, what in INLINE_CODE:
        match = pattern.search(html)
        assert match is None, f"{what}, which the CSP blocks: {html[max(0, match.start() - 80) : match.end() + 80]}"


def test_the_sign_in_page_carries_the_headers_and_no_inline_code(client):
    response = client.get(reverse("login"))
    assert_secure_headers(response)
    assert_no_inline_code(response.content.decode())


def test_signed_in_pages_carry_the_headers_and_no_inline_code(client, world, settings):
    settings.PHB_MFA_ENFORCED = True
    sign_in_verified(client, world.reviewer)
    for url in [reverse("home"), reverse("accounts:mfa"), reverse("accounts:mfa_setup")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_secure_headers(response)
        assert_no_inline_code(response.content.decode())


def test_error_and_lockout_pages_carry_the_headers_too(client, world):
    client.force_login(world.manager_a)
    assert_secure_headers(client.get("/no-such-page/"))
    client.logout()
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "rep-a", "password": "wrong"})
    assert response.status_code == 429
    assert_secure_headers(response)
    assert_no_inline_code(response.content.decode())


def test_htmx_is_told_not_to_inject_its_indicator_styles(client):
    html = client.get(reverse("login")).content.decode()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", html)
    assert config is not None
    assert json.loads(config.group(1))["includeIndicatorStyles"] is False


PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "production-like-" + "q7Zt!9x" * 8,
    "DATABASE_URL": "sqlite:////tmp/phb-headers-check.sqlite3",
    "DJANGO_ALLOWED_HOSTS": "phb-readiness.example.nhs.uk",
    "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0",
    "DJANGO_STATIC_MANIFEST": "0",
}
PROBE = """
import json
from django.test import Client
client = Client(HTTP_HOST="phb-readiness.example.nhs.uk")
plain = client.get("/accounts/login/")
secure = client.get("/accounts/login/", secure=True)
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.get("Location", ""),
    "headers": dict(secure.headers), "status": secure.status_code,
    "csrf_cookie": {k: secure.cookies["csrftoken"][k] for k in ("secure", "httponly", "samesite")},
}))
"""


def test_production_adds_hsts_https_redirect_and_secure_cookies():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env={**env, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe["plain_status"] == 301
    assert probe["plain_location"] == "https://phb-readiness.example.nhs.uk/accounts/login/"
    assert probe["status"] == 200
    headers = probe["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert probe["csrf_cookie"]["secure"] is True
    assert probe["csrf_cookie"]["httponly"] is True


def test_production_session_cookies_are_secure():
    code = "from django.conf import settings; print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env={**env, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split()[-2:] == ["True", "True"], result.stderr


def test_signed_in_pages_are_never_stored_and_the_sign_in_page_is_not_cached_either(client, world):
    # Cache-Control in detail: tests/test_cache_control.py.
    assert "no-store" in client.get(reverse("login"))["Cache-Control"]
    client.force_login(world.manager_a)
    assert {"private", "no-store"} <= {part.strip() for part in client.get(reverse("home"))["Cache-Control"].split(",")}


def test_a_path_with_a_nul_is_a_plain_404_with_strict_headers(client):
    # Control characters in paths in detail: tests/test_request_paths.py.
    response = client.get("/sites/DEMO%00-A/activity/")
    assert response.status_code == 404
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
