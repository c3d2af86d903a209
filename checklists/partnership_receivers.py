"""What the partnership features do when other features record events in the audit trail.

Submitting and editing belong to the checklist feature; the events they record are how this feature learns of
them, without either reaching into the other's code.
"""

from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from checklists import notifications, partnership
from checklists.models import Evidence
from phb_readiness.audit.models import AuditEvent

CONTENT_ACTIONS = {"response.update", "evidence.add", "evidence.remove"}


@receiver(post_save, sender=AuditEvent, dispatch_uid="partnership-on-audit-event")
def on_audit_event(sender, instance: AuditEvent, created: bool, **kwargs) -> None:
    if not created or not instance.object_id.isdigit():
        return
    if instance.action == "assessment.submit":
        notifications.notify(notifications.Event.ASSESSMENT_SUBMITTED, int(instance.object_id), actor=instance.actor)
    elif instance.action in CONTENT_ACTIONS:
        if instance.object_type == Evidence._meta.label_lower:
            response_id = Evidence.objects.filter(pk=instance.object_id).values_list("response_id", flat=True).first()
        else:
            response_id = int(instance.object_id)
        if response_id is not None:
            partnership.signoffs_supersede(response_id=response_id, actor=instance.actor)
