"""Publish the task messages still waiting in the outbox, now: `manage.py outbox_flush`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from phb_readiness.outbox.services import outbox_flush


class Command(BaseCommand):
    help = "Publish the outbox's waiting task messages (e-mails, report renders) to the broker, oldest first."

    def handle(self, *args, **options) -> None:
        flushed = outbox_flush()
        self.stdout.write(f"Published {flushed.sent} message(s); {flushed.waiting} waiting.")
        if flushed.error:
            raise CommandError(f"The broker did not accept a message: {flushed.error}")
