"""Celery tasks of the audit trail: the daily checkpoint of the chain's head (settings.CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from phb_readiness.audit.checkpoints import audit_checkpoint


@shared_task(name="audit.checkpoint")
def checkpoint_audit_chain() -> str:
    checkpoint = audit_checkpoint()
    return checkpoint.name if checkpoint is not None else "empty chain"
