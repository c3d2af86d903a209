"""Celery tasks of the inbox, named here for Celery's discovery: e-mails, weekly digests, the 90-day purge."""

from phb_readiness.inbox.services import purge_inbox, send_digests, send_emails

__all__ = ["purge_inbox", "send_digests", "send_emails"]
