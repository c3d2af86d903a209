"""Two-step verification devices (an authenticator app and recovery codes): set up, confirm, use, remove; ending
sessions when a password changes. Each change goes into the audit trail."""

from __future__ import annotations

import base64
from datetime import timedelta

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from phb_readiness.accounts.sessions import sessions_end_for
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_record

DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
RECOVERY_CODE_COUNT = 10
RESET_REQUESTED = "auth.password_reset_requested"


def mfa_device_of(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def mfa_device_pending(*, user) -> TOTPDevice:
    """The unconfirmed device being set up (a new secret only when there is none yet)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def mfa_device_confirm(*, user, device: TOTPDevice) -> list[str]:
    """The person proved they hold the secret: this device replaces any other, with a new set of recovery codes
    (returned, to be shown once)."""
    replaced = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()[0]
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        action="auth.mfa_enabled",
        actor=user,
        obj=user,
        summary="Two-step verification set up" + (" (replacing the previous app)" if replaced else ""),
    )
    return _recovery_codes_new(user=user)


@transaction.atomic
def mfa_device_remove(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_record(action="auth.mfa_disabled", actor=user, obj=user, summary="Two-step verification turned off")


def recovery_device_of(*, user) -> StaticDevice | None:
    return StaticDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def recovery_codes_left(*, user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    """A new set of recovery codes; the old ones stop working. Returns them, to be shown once."""
    codes = _recovery_codes_new(user=user)
    audit_record(action="auth.recovery_codes_new", actor=user, obj=user, summary="New recovery codes made")
    return codes


def _recovery_codes_new(*, user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_code_text(code: str) -> str:
    """A code as shown: two groups of four (what is typed back may have the space, a hyphen, or neither)."""
    return f"{code[:4]} {code[4:]}"


@transaction.atomic
def recovery_code_use(*, user, code: str) -> StaticDevice | None:
    """Spend one recovery code: the device it belongs to if it was unused (the same throttling as an app's codes).

    The code's row is deleted by a single statement and only a deletion that removed it counts, so two requests
    racing with one code cannot both pass.
    """
    device = recovery_device_of(user=user)
    if device is None or not device.verify_is_allowed()[0]:
        return None
    if not StaticToken.objects.filter(device=device, token=code).delete()[0]:
        device.throttle_increment()
        return None
    device.throttle_reset(commit=False)
    device.set_last_used_timestamp(commit=False)
    device.save()
    audit_record(
        action="auth.recovery_code_used",
        actor=user,
        obj=user,
        summary="Two-step verification passed with a recovery code",
        after={"codes_left": recovery_codes_left(user=user)},
    )
    return device


@transaction.atomic
def password_changed(*, user, keep_session: str | None, reset: bool) -> int:
    """After a password change (or reset by e-mail link): end the person's other sessions, and record it."""
    ended = sessions_end_for(user=user, keep=keep_session)
    audit_record(
        action="auth.password_reset" if reset else "auth.password_changed",
        actor=user,
        obj=user,
        summary=("Password reset by e-mail link" if reset else "Password changed")
        + (f"; {ended} other session(s) ended" if ended else ""),
        after={"sessions_ended": ended},
    )
    return ended


def mfa_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def mfa_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as inline SVG markup (no data: URI, so the Content Security Policy holds)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, title="QR code for your authenticator app"
    )


def password_reset_allowed(*, ip_address: str, email: str) -> bool:
    """Under the hourly limits for this address and this e-mail address, counted from the audit trail."""
    recent = AuditEvent.objects.filter(action=RESET_REQUESTED, created_at__gte=timezone.now() - timedelta(hours=1))
    return (
        recent.filter(after__ip_address=ip_address).count() < settings.PHB_PASSWORD_RESET_PER_ADDRESS
        and recent.filter(after__email=email).count() < settings.PHB_PASSWORD_RESET_PER_EMAIL
    )


def password_reset_requested(*, ip_address: str, email: str, user_agent: str) -> None:
    """Recorded whether or not an account has the address (the page never says which)."""
    audit_record(
        action=RESET_REQUESTED,
        summary="Password reset link asked for",
        after={"email": email, "ip_address": ip_address, "user_agent": user_agent[:200]},
    )
