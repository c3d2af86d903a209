"""The person's account pages: two-step verification (set-up, verification after sign-in, recovery codes, turning
it off) and changing or resetting the password."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from phb_readiness.accounts.auth import client_ip, mfa_required
from phb_readiness.accounts.forms import CodeForm, ResetRequestForm, VerifyForm
from phb_readiness.accounts.services import (
    mfa_device_confirm,
    mfa_device_of,
    mfa_device_pending,
    mfa_device_remove,
    mfa_qr_svg,
    mfa_secret_text,
    password_changed,
    password_reset_allowed,
    password_reset_requested,
    recovery_code_text,
    recovery_code_use,
    recovery_codes_left,
    recovery_codes_regenerate,
    recovery_device_of,
)
from phb_readiness.audit.services import audit_record

WRONG_CODE = "That code is not right. Enter the newest code your authenticator app shows."
WRONG_RECOVERY_CODE = "That recovery code is not right, or it has been used. Each code works once."
THROTTLED = "Too many wrong codes. Wait a minute, then enter the newest code."
TOO_MANY_RESETS = "Too many password reset requests. Wait an hour, then try again, or ask your administrator."
NEW_CODES_SESSION_KEY = "phb_recovery_codes"  # new codes, kept only until the page that shows them once


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, require_https=request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    return f"{reverse(name)}?{urlencode({'next': _next_url(request)})}"


def _verified(request: HttpRequest, device) -> None:
    otp_login(request, device)
    request.session.cycle_key()  # a new session id once the session gains the verified privilege


@login_required
@require_GET
def mfa_status(request: HttpRequest) -> HttpResponse:
    device = mfa_device_of(user=request.user)
    return render(
        request,
        "accounts/mfa.html",
        {"device": device, "required": mfa_required(request.user), "verified": request.user.is_verified()},
    )


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if mfa_device_of(user=user) is not None and not user.is_verified():
        return redirect(_with_next("accounts:mfa_verify", request))
    device = mfa_device_pending(user=user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = mfa_device_confirm(user=user, device=device)
            _verified(request, device)
            request.session[NEW_CODES_SESSION_KEY] = codes
            messages.success(request, "Two-step verification is set up.")
            return redirect(_with_next("accounts:recovery_codes", request))
        form.add_error("code", THROTTLED if not device.verify_is_allowed()[0] else WRONG_CODE)
    context = {
        "form": form,
        "qr_svg": mfa_qr_svg(device),
        "secret": mfa_secret_text(device),
        "next": _next_url(request),
        "required": mfa_required(user),
    }
    return render(request, "accounts/mfa_setup.html", context, status=400 if form.errors else 200)


@login_required
def mfa_verify(request: HttpRequest) -> HttpResponse:
    user = request.user
    device = mfa_device_of(user=user)
    if device is None:
        return redirect(_with_next("accounts:mfa_setup", request))
    if user.is_verified():
        return redirect(_next_url(request))
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code, recovery = form.cleaned_data["code"], form.is_recovery_code
        checked = recovery_device_of(user=user) if recovery else device
        throttled = checked is not None and not checked.verify_is_allowed()[0]  # before this attempt counts
        if recovery and (used := recovery_code_use(user=user, code=code)) is not None:
            _verified(request, used)
            left = recovery_codes_left(user=user)
            messages.warning(
                request,
                f"You used a recovery code: {left} left. If you lost your phone, set up a new authenticator app.",
            )
            return redirect(_next_url(request))
        if not recovery and device.verify_token(code):
            _verified(request, device)
            audit_record(action="auth.mfa_verified", actor=user, obj=user, summary="Two-step verification passed")
            return redirect(_next_url(request))
        audit_record(action="auth.mfa_failed", actor=user, obj=user, summary="Wrong two-step verification code")
        form.add_error("code", THROTTLED if throttled else WRONG_RECOVERY_CODE if recovery else WRONG_CODE)
    context = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/mfa_verify.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def mfa_remove(request: HttpRequest) -> HttpResponse:
    user = request.user
    if mfa_required(user):
        messages.error(request, "Everyone needs two-step verification, so it cannot be turned off.")
    elif mfa_device_of(user=user) is not None and not user.is_verified():
        return redirect(_with_next("accounts:mfa_verify", request))
    else:
        mfa_device_remove(user=user)
        messages.success(request, "Two-step verification is off.")
    return redirect("accounts:mfa")


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The person's settings: sign-in details, password, two-step verification and recovery codes."""
    user = request.user
    context = {
        "device": mfa_device_of(user=user),
        "required": mfa_required(user),
        "codes_left": recovery_codes_left(user=user),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if mfa_device_of(user=user) is None:
        messages.error(request, "Set up two-step verification first: recovery codes stand in for its codes.")
        return redirect("accounts:account")
    if not user.is_verified():
        return redirect(_with_next("accounts:mfa_verify", request))
    request.session[NEW_CODES_SESSION_KEY] = recovery_codes_regenerate(user=user)
    return redirect("accounts:recovery_codes")


@login_required
@require_GET
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """New recovery codes, shown once: the session forgets them as this page is built."""
    codes = request.session.pop(NEW_CODES_SESSION_KEY, None) or []
    context = {"codes": [recovery_code_text(code) for code in codes], "next": _next_url(request)}
    response = render(request, "accounts/recovery_codes.html", context)
    response["Cache-Control"] = "no-store"
    return response


class PasswordChange(auth_views.PasswordChangeView):
    """Django's view (which keeps this session signed in), and the person's other sessions end."""

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=form.user, keep_session=self.request.session.session_key, reset=False)
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordReset(auth_views.PasswordResetView):
    """A reset link by e-mail, limited per address and per e-mail address; the page never says whether an account
    has the address."""

    form_class = ResetRequestForm
    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        ip_address = client_ip(self.request)
        if not password_reset_allowed(ip_address=ip_address, email=email):
            form.add_error("email", TOO_MANY_RESETS)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        password_reset_requested(
            ip_address=ip_address, email=email, user_agent=self.request.META.get("HTTP_USER_AGENT", "")
        )
        self.extra_email_context = {"base_url": settings.PHB_BASE_URL, "service_name": settings.SERVICE_NAME}
        return super().form_valid(form)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetConfirm(auth_views.PasswordResetConfirmView):
    """A new password from the e-mailed link ends every session of the person (this request's own session holds no
    sign-in of theirs that survives: the new password invalidates it)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=form.user, keep_session=self.request.session.session_key, reset=True)
        return response

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
