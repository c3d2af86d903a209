"""Send today's reminders now: what Celery beat's morning job does. With --dry-run, list who would get what."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from checklists.services.reminders import reminders_send


class Command(BaseCommand):
    help = (
        "Send today's reminders (items due and overdue, sign-offs, concerns and submissions waiting, evidence "
        "expiring), each once per person, subject and day. --dry-run lists who would get what, and sends nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="List the reminders; send and record nothing.")

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        outcomes = reminders_send(dry_run=dry_run)
        for outcome in outcomes:
            user = outcome.reminder.user
            email = {"immediate": "e-mail now", "digest": "weekly digest", "none": "inbox only"}[outcome.email]
            who = f"{user.get_username()} <{user.email}>" if user.email else user.get_username()
            self.stdout.write(f"{who}: {outcome.reminder.subject} ({email})")
        verb = "would be sent" if dry_run else "sent"
        self.stdout.write(self.style.SUCCESS(f"{len(outcomes)} reminder(s) {verb}."))
