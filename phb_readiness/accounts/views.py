"""Two-step verification pages: status, set-up, verification after sign-in, and turning it off."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from phb_readiness.accounts.auth import mfa_required
from phb_readiness.accounts.forms import CodeForm
from phb_readiness.accounts.services import (
    mfa_device_confirm,
    mfa_device_of,
    mfa_device_pending,
    mfa_device_remove,
    mfa_qr_svg,
    mfa_secret_text,
)
from phb_readiness.audit.services import audit_record

WRONG_CODE = "That code is not right. Enter the newest code your authenticator app shows."
THROTTLED = "Too many wrong codes. Wait a minute, then enter the newest code."


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
            mfa_device_confirm(user=user, device=device)
            _verified(request, device)
            messages.success(request, "Two-step verification is set up.")
            return redirect(_next_url(request))
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
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            _verified(request, device)
            audit_record(action="auth.mfa_verified", actor=user, obj=user, summary="Two-step verification passed")
            return redirect(_next_url(request))
        audit_record(action="auth.mfa_failed", actor=user, obj=user, summary="Wrong two-step verification code")
        form.add_error("code", THROTTLED if not device.verify_is_allowed()[0] else WRONG_CODE)
    context = {"form": form, "next": _next_url(request)}
    return render(request, "accounts/mfa_verify.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def mfa_remove(request: HttpRequest) -> HttpResponse:
    user = request.user
    if mfa_required(user):
        messages.error(request, "Your role needs two-step verification, so it cannot be turned off.")
    elif mfa_device_of(user=user) is not None and not user.is_verified():
        return redirect(_with_next("accounts:mfa_verify", request))
    else:
        mfa_device_remove(user=user)
        messages.success(request, "Two-step verification is off.")
    return redirect("accounts:mfa")
