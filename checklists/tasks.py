"""Celery tasks of the partnership features: the e-mail notifications (see checklists.notifications)."""

from celery import shared_task

from checklists import notifications


@shared_task(name="checklists.send_notification")
def send_notification(event: str, object_id: int, actor_id: int | None = None) -> int:
    """Re-load the event's object and e-mail the people concerned; the number of e-mails sent."""
    return notifications.deliver(notifications.Event(event), object_id, actor_id)
