"""Two-step verification devices: set up, confirm, remove. Each change goes into the audit trail."""

from __future__ import annotations

import base64

import segno
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from phb_readiness.audit.services import audit_record

DEVICE_NAME = "Authenticator app"


def mfa_device_of(*, user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def mfa_device_pending(*, user) -> TOTPDevice:
    """The unconfirmed device being set up (a new secret only when there is none yet)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


@transaction.atomic
def mfa_device_confirm(*, user, device: TOTPDevice) -> None:
    """The person proved they hold the secret: this device replaces any other."""
    replaced = TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()[0]
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(
        action="auth.mfa_enabled",
        actor=user,
        obj=user,
        summary="Two-step verification set up" + (" (replacing the previous app)" if replaced else ""),
    )


@transaction.atomic
def mfa_device_remove(*, user) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    audit_record(action="auth.mfa_disabled", actor=user, obj=user, summary="Two-step verification turned off")


def mfa_secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def mfa_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as inline SVG markup (no data: URI, so the Content Security Policy holds)."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, border=2, title="QR code for your authenticator app"
    )
