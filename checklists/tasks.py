"""Celery tasks of the partnership features: the e-mail notifications (see checklists.notifications)."""

import smtplib

from celery import shared_task

from checklists import notifications


# A mail server that is down or busy is tried again after up to 10 s, 20 s, 40 s... (full jitter, at most 10 min).
# A refused recipient is not: the retry would send the others their e-mail again, five times over.
@shared_task(
    name="checklists.send_notification",
    autoretry_for=(smtplib.SMTPException, OSError),
    dont_autoretry_for=(smtplib.SMTPRecipientsRefused,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_notification(event: str, object_id: int, actor_id: int | None = None) -> int:
    """Re-load the event's object and e-mail the people concerned; the number of e-mails sent."""
    return notifications.deliver(notifications.Event(event), object_id, actor_id)
