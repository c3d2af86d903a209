"""Session limits and the two-step verification gate, run on every request after authentication."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from phb_readiness.accounts.auth import mfa_needed
from phb_readiness.accounts.sessions import session_keep_alive, session_too_old
from phb_readiness.audit.services import audit_record

# Pages a person signed in but not yet verified may still reach: signing in and out, verification itself, and the
# password reset pages (open to anyone, and a reset never signs anyone in).
MFA_EXEMPT_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "healthz",
        "accounts:mfa_setup",
        "accounts:mfa_verify",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
    }
)


def _device_confirmed_with_user(user, persistent_id: str) -> bool:
    """Whether the session's device is one of the person's confirmed devices, by the ids read with the person
    (accounts.auth.ScopedUserMixin); False when those ids were not read or do not match."""
    known = (
        (TOTPDevice, getattr(user, "totp_device_id", None)),
        (StaticDevice, getattr(user, "static_device_id", None)),
    )
    return any(pk is not None and persistent_id == f"{model.model_label()}/{pk}" for model, pk in known)


class DeviceCheckedOTPMiddleware(OTPMiddleware):
    """django-otp's middleware without its query on every request: the session's device is checked against the
    confirmed devices read with the person in the same query as them. Where it does not match (a person with two
    apps, say), django-otp's own lookup decides, as before. The device itself loads only if something reads it."""

    def _verify_user_sync(self, request, user):
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY) if user.is_authenticated else None
        if not persistent_id or not _device_confirmed_with_user(user, persistent_id):
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        user.otp_device = SimpleLazyObject(lambda: Device.from_persistent_id(persistent_id))
        return user


SIGNED_OUT_MESSAGE = "You have been signed out. Your changes have not been saved."


class HtmxSignedOutMiddleware:
    """An htmx request sent to the sign-in page gets a 401 that htmx swaps nowhere, so a form keeps what was typed.

    Without this, htmx follows the redirect (from login_required after 30 idle minutes, or SessionLimitMiddleware
    after 12 hours) and swaps the sign-in page into the form region. static/js/htmx-errors.js explains the 401.
    Sits outside SessionLimitMiddleware so that it sees that middleware's redirect too.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.headers.get("HX-Request") != "true" or not _redirects_to_sign_in(response):
            return response
        signed_out = HttpResponse(SIGNED_OUT_MESSAGE, status=401, content_type="text/plain; charset=utf-8")
        signed_out["HX-Reswap"] = "none"
        signed_out["X-Sign-In-URL"] = response["Location"]  # where the message's link goes: sign in, then back here
        add_never_cache_headers(signed_out)
        patch_vary_headers(signed_out, ("HX-Request",))
        return signed_out


def _redirects_to_sign_in(response: HttpResponse) -> bool:
    """A redirect_to_login one (sign-in page with ?next=), not signing out's plain redirect to the sign-in page."""
    if response.status_code not in (301, 302, 303, 307, 308) or not response.has_header("Location"):
        return False
    location = urlsplit(response["Location"])
    sign_in = urlsplit(resolve_url(settings.LOGIN_URL))
    return location.path == sign_in.path and REDIRECT_FIELD_NAME in parse_qs(location.query)


class SessionLimitMiddleware:
    """Ends a session 12 hours after sign-in however busy it was, and keeps an active one from its idle expiry
    (30 minutes after the last request, pushed on at most once a minute)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and session_too_old(session=request.session):
            audit_record(action="auth.session_expired", actor=user, obj=user, summary="Session ended after 12 hours")
            request.session.flush()
            request.user = AnonymousUser()
            messages.info(request, "You were signed out because you signed in more than 12 hours ago.")
            return redirect_to_login(request.get_full_path())
        if user.is_authenticated:
            session_keep_alive(session=request.session)
        return self.get_response(request)


class MFARequiredMiddleware:
    """Everyone (but the demo accounts of the embedded run) verifies a code, or sets up an app, before any other
    page (phb_readiness.accounts.auth.mfa_needed)."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        if not mfa_needed(request):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in MFA_EXEMPT_URL_NAMES:
            return None
        has_device = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
        target = reverse("accounts:mfa_verify" if has_device else "accounts:mfa_setup")
        url = f"{target}?{urlencode({'next': request.get_full_path()})}"
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)
