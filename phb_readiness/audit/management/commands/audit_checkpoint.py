from django.core.management.base import BaseCommand

from phb_readiness.audit.checkpoints import audit_checkpoint


class Command(BaseCommand):
    help = "Write a signed checkpoint of the audit chain's head to the file store (Celery beat does daily)."

    def handle(self, *args, **options) -> None:
        checkpoint = audit_checkpoint()
        if checkpoint is None:
            self.stdout.write("The audit chain is empty: nothing to checkpoint.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Checkpoint {checkpoint.name}: event {checkpoint.head_event_id}, "
                f"{checkpoint.event_count} events, head {checkpoint.head_hash[:12]}…"
            )
        )
