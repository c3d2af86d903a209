"""Sign-ins, failures, lockouts and sign-outs go into the audit trail; disabling an account ends its sessions."""

from __future__ import annotations

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice

from phb_readiness.accounts.auth import MFA_ON_SESSION_KEY, client_ip
from phb_readiness.accounts.sessions import session_started, sessions_end_for
from phb_readiness.audit.services import audit_record
from phb_readiness.sites.models import Membership, ReviewerScope


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
    """Locked by the username's failures or the address's (whichever reached its limit first)."""
    where = _where(request)
    audit_record(
        action="auth.lockout",
        summary=f"Sign-in locked after repeated failures (username “{username or ''}”, "
        f"address {where.get('ip_address', '')})",
        after={"username": username or "", **where},
    )


PRIVILEGES = ("is_active", "is_staff", "is_superuser")


def _privileges(user) -> dict:
    return {name: getattr(user, name) for name in PRIVILEGES}


@receiver(pre_save, sender=get_user_model(), dispatch_uid="phb_user_before")
def before_user_saved(sender, instance, **kwargs) -> None:
    old = sender.objects.filter(pk=instance.pk).values(*PRIVILEGES).first() if instance.pk else None
    instance._phb_privileges_before = old


@receiver(post_save, sender=get_user_model(), dispatch_uid="phb_end_sessions_of_disabled")
def on_user_saved(sender, instance, created, **kwargs) -> None:
    before = getattr(instance, "_phb_privileges_before", None)
    if not created and before is not None and before != _privileges(instance):
        audit_record(
            action="user.privileges",
            obj=instance,
            summary=f"Account {instance.get_username()}: active, staff or administrator status changed",
            before=before,
            after=_privileges(instance),
        )
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


# Who holds which role is itself sensitive (union membership is special-category data): every grant, change and
# removal is in the trail. The admin's own log (LogEntry) says which administrator made it.


def _membership(m: Membership) -> dict:
    return {"username": m.user.get_username(), "role": m.role}


def _scope(s: ReviewerScope) -> dict:
    return {"username": s.user.get_username(), "role": s.role, "region": s.region.code if s.region_id else None}


def _membership_text(values: dict) -> str:
    return f"{values['username']} as {Membership.Role(values['role']).label}"


def _scope_text(values: dict) -> str:
    role = ReviewerScope.Role(values.get("role", ReviewerScope.Role.REVIEWER)).label
    return f"{values['username']} as {role} ({values['region'] or 'national'})"


TEXT = {"membership": _membership_text, "reviewer_scope": _scope_text}


def _stash_before(sender, instance, describe) -> None:
    old = sender.objects.filter(pk=instance.pk).select_related("user").first() if instance.pk else None
    instance._phb_before = describe(old) if old is not None else None


def _record_save(instance, created: bool, describe, noun: str, site=None) -> None:
    before, after = getattr(instance, "_phb_before", None), describe(instance)
    if not created and before == after:
        return
    granted = created or before is None
    summary = f"Granted: {TEXT[noun](after)}" if granted else f"Changed: {TEXT[noun](before)} to {TEXT[noun](after)}"
    audit_record(
        action=f"{noun}.grant" if granted else f"{noun}.change",
        obj=instance,
        site=site,
        summary=summary,
        before=before,
        after=after,
    )


@receiver(pre_save, sender=Membership, dispatch_uid="phb_membership_before")
def before_membership_saved(sender, instance, **kwargs) -> None:
    _stash_before(sender, instance, _membership)


@receiver(post_save, sender=Membership, dispatch_uid="phb_membership_saved")
def on_membership_saved(sender, instance, created, **kwargs) -> None:
    _record_save(instance, created, _membership, "membership", site=instance.site)


@receiver(post_delete, sender=Membership, dispatch_uid="phb_membership_removed")
def on_membership_removed(sender, instance, **kwargs) -> None:
    before = _membership(instance)
    audit_record(
        action="membership.remove",
        obj=instance,
        site=instance.site,
        summary=f"Removed: {_membership_text(before)}",
        before=before,
    )


@receiver(pre_save, sender=ReviewerScope, dispatch_uid="phb_scope_before")
def before_scope_saved(sender, instance, **kwargs) -> None:
    _stash_before(sender, instance, _scope)


@receiver(post_save, sender=ReviewerScope, dispatch_uid="phb_scope_saved")
def on_scope_saved(sender, instance, created, **kwargs) -> None:
    _record_save(instance, created, _scope, "reviewer_scope")


@receiver(post_delete, sender=ReviewerScope, dispatch_uid="phb_scope_removed")
def on_scope_removed(sender, instance, **kwargs) -> None:
    before = _scope(instance)
    audit_record(action="reviewer_scope.remove", obj=instance, summary=f"Removed: {_scope_text(before)}", before=before)
