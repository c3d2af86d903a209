"""Who must use two-step verification, where a request comes from, and the lockout backend."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

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


class ScopedUserMixin:
    """The signed-in person is read with their reviewer scope in one query: every page asks what they may see."""

    def get_user(self, user_id):
        user = get_user_model()._default_manager.select_related("reviewer_scope").filter(pk=user_id).first()
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
