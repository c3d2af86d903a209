"""Who must use two-step verification, where a request comes from, and the lockout backend."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, Subquery
from django.http import HttpRequest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from phb_readiness.inbox.selectors import unread_count
from phb_readiness.security import forwarded_client

DEMO_PREFIX = "demo-"  # the demo accounts seed_demo creates, which exist only in the embedded run

# Set at sign-in when the person has a confirmed authenticator app: then they verify too, even a demo account.
MFA_ON_SESSION_KEY = "phb_mfa_on"


def mfa_required(user) -> bool:
    """Everyone must verify a TOTP code (or a recovery code); demo accounts are exempt only in the embedded run."""
    if not getattr(user, "is_authenticated", False) or not settings.PHB_MFA_ENFORCED:
        return False
    return not (settings.EMBEDDED and user.get_username().startswith(DEMO_PREFIX))


def mfa_needed(request: HttpRequest) -> bool:
    """Whether this signed-in request must pass two-step verification before going further."""
    user = request.user
    if not user.is_authenticated or user.is_verified() or not settings.PHB_MFA_ENFORCED:
        return False
    return bool(request.session.get(MFA_ON_SESSION_KEY)) or mfa_required(user)


def client_ip(request: HttpRequest) -> str:
    """The client's address: the peer's, or X-Forwarded-For's when the peer is in PHB_TRUSTED_PROXIES."""
    return forwarded_client(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_proxies=settings.PHB_TRUSTED_PROXIES,
    )


def _confirmed_devices(model) -> Subquery:
    """The id of the person's first confirmed device of one kind (a person has one of each kind: setting up a new app
    replaces the old); the middleware falls back to django-otp's own lookup for any other."""
    ids = model.objects.filter(user=OuterRef("pk"), confirmed=True).order_by("pk").values_list("pk", flat=True)
    return Subquery(ids[:1])


class ScopedUserMixin:
    """The signed-in person is read with their reviewer scope, the ids of their confirmed authenticator app and
    recovery codes, and their count of unread inbox messages in one query: every page asks what they may see, and
    whether the session's device still holds (accounts.middleware.DeviceCheckedOTPMiddleware), and shows the count in
    the header, without a query of its own."""

    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("reviewer_scope")
            .annotate(
                totp_device_id=_confirmed_devices(TOTPDevice),
                static_device_id=_confirmed_devices(StaticDevice),
                inbox_unread=unread_count(),  # the header's count of unread inbox messages
            )
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and user.is_active else None


class ScopedModelBackend(ScopedUserMixin, ModelBackend):
    """Django's username and password sign-in, with the person's reviewer scope read alongside."""


class LockoutBackend(ScopedUserMixin, AxesStandaloneBackend):
    """Axes' lockout check for every sign-in made through a web request.

    Sign-ins without a request (the shell, the test client's login()) have no one at a keyboard to lock out,
    so they pass to the next backend instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
