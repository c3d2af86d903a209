"""Session limits and the two-step verification gate, run on every request after authentication."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_totp.models import TOTPDevice

from phb_readiness.accounts.auth import mfa_needed
from phb_readiness.accounts.sessions import session_too_old
from phb_readiness.audit.services import audit_record

# Pages an unverified reviewer or administrator may still reach: signing in and out, and verification itself.
MFA_EXEMPT_URL_NAMES = frozenset({"login", "logout", "healthz", "accounts:mfa_setup", "accounts:mfa_verify"})


class SessionLimitMiddleware:
    """Ends a session 12 hours after sign-in however busy it was (idle sessions end after 30 minutes by expiry)."""

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
        return self.get_response(request)


class MFARequiredMiddleware:
    """Reviewers and administrators verify a TOTP code (or set one up) before any other page."""

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
