"""Celery tasks of the checklists, named here for Celery's discovery: the e-mail notifications."""

from checklists.services.notifications import send_notification

__all__ = ["send_notification"]
