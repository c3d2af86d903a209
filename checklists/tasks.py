"""Celery tasks of the checklists, named here for Celery's discovery: the e-mail notifications and the daily
refresh of stored readiness."""

from checklists.services.notifications import send_notification
from checklists.services.readiness import refresh_stale_readiness

__all__ = ["refresh_stale_readiness", "send_notification"]
