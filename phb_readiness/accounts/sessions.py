"""Ending a person's sessions, and the 12-hour limit on any one session."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

SIGNED_IN_AT = "phb_signed_in_at"
REFRESHED_AT = "phb_refreshed_at"
DB_ENGINE = "django.contrib.sessions.backends.db"


def session_started(*, session) -> None:
    session[SIGNED_IN_AT] = time.time()


def session_too_old(*, session) -> bool:
    """True when the session began more than PHB_SESSION_MAX_AGE seconds ago (12 hours), however active it was."""
    started = session.get(SIGNED_IN_AT)
    if started is None:
        session[SIGNED_IN_AT] = time.time()
        return False
    return time.time() - float(started) > settings.PHB_SESSION_MAX_AGE


def session_keep_alive(*, session) -> None:
    """Push the idle expiry on (SESSION_COOKIE_AGE from now) if the last push is over a minute old."""
    now = time.time()
    if now - float(session.get(REFRESHED_AT, 0)) >= settings.PHB_SESSION_REFRESH_SECONDS:
        session[REFRESHED_AT] = now  # marks the session modified: SessionMiddleware saves it with a new expiry


def sessions_end_for(*, user, keep: str | None = None) -> int:
    """Delete every live session of this person but `keep` (a session key); returns how many.

    Sessions live in the database and expire after 30 idle minutes, so the live ones are few: decoding them is
    simpler and cannot drift, unlike a separate user-to-session table that every key rotation must update.
    """
    if settings.SESSION_ENGINE != DB_ENGINE:
        raise RuntimeError(f"sessions_end_for needs {DB_ENGINE}, not {settings.SESSION_ENGINE}")
    user_id = str(user.pk)
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).exclude(session_key=keep or "").iterator():
        if session.get_decoded().get(SESSION_KEY) == user_id:
            session.delete()
            ended += 1
    return ended
