"""Sign-ins, failures, lockouts and sign-outs go into the audit trail; disabling an account ends its sessions."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from phb_readiness.accounts.auth import MFA_ON_SESSION_KEY, client_ip
from phb_readiness.accounts.sessions import session_started, sessions_end_for
from phb_readiness.audit.services import audit_record


def _where(request) -> dict:
    if request is None:
        return {}
    return {"ip_address": client_ip(request), "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200]}


@receiver(user_logged_in, dispatch_uid="phb_audit_login")
def on_login(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_started(session=request.session)
        if settings.PHB_MFA_ENFORCED and TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            request.session[MFA_ON_SESSION_KEY] = True
    audit_record(action="auth.login", actor=user, obj=user, summary="Signed in", after=_where(request))


@receiver(user_logged_out, dispatch_uid="phb_audit_logout")
def on_logout(sender, request, user, **kwargs) -> None:
    if user is not None:
        audit_record(action="auth.logout", actor=user, obj=user, summary="Signed out", after=_where(request))


@receiver(user_login_failed, dispatch_uid="phb_audit_login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit_record(
        action="auth.login_failed",
        summary=f"Sign-in failed for username “{username}”",
        after={"username": username, **_where(request)},
    )


@receiver(user_locked_out, dispatch_uid="phb_audit_lockout")
def on_locked_out(sender, request, username=None, ip_address=None, **kwargs) -> None:
    audit_record(
        action="auth.lockout",
        summary=f"Sign-in locked for username “{username or ''}” after repeated failures",
        after={"username": username or "", **_where(request)},
    )


@receiver(post_save, sender=get_user_model(), dispatch_uid="phb_end_sessions_of_disabled")
def on_user_saved(sender, instance, created, **kwargs) -> None:
    if created or instance.is_active:
        return
    ended = sessions_end_for(user=instance)
    if ended:
        audit_record(
            action="auth.sessions_ended",
            obj=instance,
            summary=f"Account disabled: {ended} session(s) of {instance.get_username()} ended",
            after={"sessions_ended": ended},
        )
