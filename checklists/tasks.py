"""Celery tasks of the checklists, named here for Celery's discovery: the e-mail notifications, the daily
refresh of stored readiness, the daily record of evidence that lapsed and the morning reminders."""

from checklists.services.notifications import send_notification
from checklists.services.readiness import lapse_evidence, refresh_stale_readiness
from checklists.services.reminders import send_reminders

__all__ = ["lapse_evidence", "refresh_stale_readiness", "send_notification", "send_reminders"]
