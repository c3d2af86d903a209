"""The inbox: messages written for each person, their e-mails sent once, the weekly digests, the 90-day purge.

Notifications (checklists.services.notifications) and reminders (checklists.services.reminders) write a message
per person here, whatever that person chose for e-mail: the inbox is the record. Each message is also its own
e-mail's ledger: `emailed_at` is set as soon as the e-mail (or the digest that holds it) has gone, so a batch
retried after the mail server failed half-way sends only what it had not sent.

This app imports neither checklists nor reports: they import it. Links are built from URL names.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from phb_readiness.inbox.models import InboxMessage

logger = logging.getLogger(__name__)

KEEP = datetime.timedelta(days=90)
Email = InboxMessage.Email


@dataclass(frozen=True)
class Entry:
    """A message for one person, before it is written."""

    user_id: int
    kind: str
    category: str
    key: str
    subject: str
    body: str
    link: str = ""
    site_id: int | None = None
    email: str = Email.IMMEDIATE
    day: datetime.date | None = None

    def row(self) -> InboxMessage:
        return InboxMessage(
            user_id=self.user_id,
            site_id=self.site_id,
            kind=self.kind,
            category=self.category,
            key=self.key,
            day=self.day or timezone.localdate(),
            subject=self.subject[:300],
            body=self.body,
            link=self.link[:500],
            email=self.email,
        )


def absolute(path: str) -> str:
    return settings.PHB_BASE_URL.rstrip("/") + path


def inbox_add(*, entries: Iterable[Entry], ignore_existing: bool = False) -> list[InboxMessage]:
    """Write messages in one insert. With `ignore_existing`, a message already written today (same person, kind and
    key) is left as it is; without, it is an IntegrityError (the caller has read what exists, and a concurrent run
    that wrote the same rows first makes this one roll back: nothing is sent twice)."""
    return InboxMessage.objects.bulk_create([entry.row() for entry in entries], ignore_conflicts=ignore_existing)


def footer() -> str:
    return (
        f"\n--\n{settings.SERVICE_NAME}. You get these e-mails because of your role at the site; everything they say "
        f"is also in your inbox: {absolute(reverse('inbox:list'))}\n"
        f"Choose which ones you get, and how often: {absolute(reverse('partnership:preferences'))}\n"
    )


def _send_each(pairs: Sequence[tuple[list[int], EmailMessage]]) -> None:
    """Send each e-mail and mark its messages e-mailed. A failure stops the batch after marking what went, then
    raises: the task's retry sends only the rest."""
    sent: list[int] = []
    error: Exception | None = None
    connection = get_connection()
    try:
        for ids, email in pairs:
            email.connection = connection
            try:
                email.send()
            except smtplib.SMTPRecipientsRefused:  # this person's address is refused: not worth a retry
                logger.warning("Mail server refused %s; messages %s not e-mailed", email.to, ids)
            sent.extend(ids)
    except (smtplib.SMTPException, OSError) as exc:
        error = exc
    finally:
        connection.close()
    if sent:
        InboxMessage.objects.filter(pk__in=sent).update(emailed_at=timezone.now())
    if error is not None:
        raise error


def emails_send(*, ids: Sequence[int]) -> int:
    """E-mail the messages not e-mailed yet among these (each one as it happens); the number sent. Rows another
    process is sending are skipped, so a message published twice still goes once."""
    with transaction.atomic():
        rows = list(
            InboxMessage.objects.filter(pk__in=ids, email=Email.IMMEDIATE, emailed_at__isnull=True)
            .select_related("user")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("pk")
        )
        nobody = [row.pk for row in rows if not (row.user.is_active and row.user.email)]
        InboxMessage.objects.filter(pk__in=nobody).update(emailed_at=timezone.now())  # nothing to send: done
        pairs = [
            ([row.pk], EmailMessage(subject=row.subject, body=row.body + footer(), to=[row.user.email]))
            for row in rows
            if row.pk not in nobody
        ]
        try:
            _send_each(pairs)
        except (smtplib.SMTPException, OSError) as exc:
            failure = exc
        else:
            failure = None
    if failure is not None:
        raise failure  # after the commit: the sent ones stay marked
    return len(pairs)


def digest_text(rows: Sequence[InboxMessage]) -> str:
    """One person's week, grouped by site (messages about no site last), oldest first within a site."""
    lines = [f"What happened at your sites since the last digest ({len(rows)} notification{'s' * (len(rows) != 1)}):"]
    by_site = sorted(rows, key=lambda r: (r.site is None, r.site.name if r.site else "", r.created_at, r.pk))
    for site, group in groupby(by_site, key=lambda r: r.site):
        lines.append(f"\n{site.name if site else 'Other'}\n{'=' * len(site.name if site else 'Other')}")
        for row in group:
            lines.append(f"- {row.created_at:%d %b}: {row.subject}" + (f"\n  {row.link}" if row.link else ""))
    return "\n".join(lines) + "\n"


def digests_send() -> int:
    """One e-mail per person holding every digest message not yet sent, grouped by site; the number of e-mails."""
    with transaction.atomic():
        rows = list(
            InboxMessage.objects.filter(email=Email.DIGEST, emailed_at__isnull=True)
            .select_related("user", "site")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("user_id", "created_at", "pk")
        )
        pairs = []
        nobody = []
        for _user_id, group in groupby(rows, key=lambda r: r.user_id):
            group = list(group)
            user = group[0].user
            if not (user.is_active and user.email):
                nobody += [row.pk for row in group]
                continue
            subject = f"{settings.SERVICE_NAME}: your weekly digest"
            pairs.append(
                ([row.pk for row in group], EmailMessage(subject, digest_text(group) + footer(), to=[user.email]))
            )
        InboxMessage.objects.filter(pk__in=nobody).update(emailed_at=timezone.now())
        try:
            _send_each(pairs)
        except (smtplib.SMTPException, OSError) as exc:
            failure = exc
        else:
            failure = None
    if failure is not None:
        raise failure
    return len(pairs)


def inbox_mark_read(*, user, ids: Sequence[int]) -> int:
    """Mark these of the person's messages read; the number that were unread."""
    return InboxMessage.objects.filter(user=user, pk__in=ids, read_at__isnull=True).update(read_at=timezone.now())


def inbox_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete messages older than 90 days; the number deleted."""
    deleted, _ = InboxMessage.objects.filter(created_at__lt=(now or timezone.now()) - KEEP).delete()
    return deleted


# A mail server that is down or busy: tried again after up to 10 s, 20 s, 40 s... (full jitter, at most 10 min).
RETRY = {
    "autoretry_for": (smtplib.SMTPException, OSError),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="inbox.send_emails", **RETRY)
def send_emails(ids: list[int]) -> int:
    return emails_send(ids=ids)


@shared_task(name="inbox.send_digests", **RETRY)
def send_digests() -> int:
    """Celery beat runs this on Monday mornings (settings.CELERY_BEAT_SCHEDULE)."""
    return digests_send()


@shared_task(name="inbox.purge", ignore_result=True)
def purge_inbox() -> int:
    """Celery beat runs this nightly."""
    return inbox_purge()
