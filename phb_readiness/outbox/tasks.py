"""Celery tasks of the outbox, named here for Celery's discovery: the flush of messages still waiting."""

from phb_readiness.outbox.services import flush_outbox

__all__ = ["flush_outbox"]
