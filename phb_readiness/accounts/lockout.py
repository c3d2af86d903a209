"""Lockout per username and per address, each against its own limit."""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class LockoutHandler(AxesDatabaseHandler):
    """Axes' database handler, with a higher limit for an address than for a username.

    Axes compares the largest of its per-parameter failure counts (AXES_LOCKOUT_PARAMETERS: username, then address)
    with one limit, AXES_FAILURE_LIMIT. The address's count is scaled here so that it reaches that limit exactly when
    PHB_LOCKOUT_ADDRESS_LIMIT failures came from the address: floor(n * user_limit / address_limit) >= user_limit
    holds exactly when n >= address_limit.
    """

    def get_failures(self, request, credentials: dict | None = None) -> int:
        by_username, by_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        username_limit = settings.AXES_FAILURE_LIMIT
        return max(by_username, by_address * username_limit // settings.PHB_LOCKOUT_ADDRESS_LIMIT)
