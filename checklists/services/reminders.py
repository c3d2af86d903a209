"""Reminders on a schedule: items due in 7 days and in 1 day, overdue items (weekly), sign-offs awaiting the staff
side for 3 days, concerns unanswered for 5 days, submissions waiting 10 days for review, evidence expiring in 30
days and in 7 days.

Celery beat runs `send_reminders` every morning; `manage.py send_reminders [--dry-run]` runs the same by hand. Each
reminder is one inbox message per person (phb_readiness.inbox), whatever their e-mail preference; those who want
each e-mail as it happens are e-mailed by the inbox's task, through the outbox, and the weekly digest gathers the
rest. The inbox message is also the ledger: one per person, kind, subject and day (a unique constraint), and the
job skips what it has already written (today, or in the last 7 days for the weekly kinds), reading what exists and
writing the new messages and the e-mail task in one transaction. Run twice, or retried, it sends nothing twice; two
runs at once cannot both write the same reminder (the second's insert fails and it writes nothing).
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from celery import shared_task
from django.db import IntegrityError, transaction
from django.utils import timezone

from checklists.models import Assessment, Comment, Evidence, NotificationPreference, Response, SignOff
from checklists.selectors import reminders as due
from checklists.services.notifications import absolute_url, name_of
from phb_readiness.inbox.models import InboxMessage
from phb_readiness.inbox.services import Entry, inbox_add, send_emails
from phb_readiness.outbox.services import outbox_add
from phb_readiness.sites.models import Membership, PilotSite

logger = logging.getLogger(__name__)
Category = NotificationPreference.Category

SIGNOFF_WAIT = datetime.timedelta(days=3)
CONCERN_WAIT = datetime.timedelta(days=5)
REVIEW_WAIT = datetime.timedelta(days=10)
WEEK = 7


@dataclass(frozen=True)
class Kind:
    name: str  # the inbox message's kind is "reminder.<name>"
    category: str  # the preference it is sent under
    every: int  # days: once a day (1) or at most once a week (7) per person and subject


KINDS = {
    kind.name: kind
    for kind in (
        Kind("due_7", Category.DUE_SOON, 1),
        Kind("due_1", Category.DUE_SOON, 1),
        Kind("overdue", Category.OVERDUE, WEEK),
        Kind("signoff_waiting", Category.SIGNOFF_WAITING, WEEK),
        Kind("concern_waiting", Category.CONCERN_WAITING, WEEK),
        Kind("review_waiting", Category.REVIEW_WAITING, WEEK),
        Kind("evidence_30", Category.EVIDENCE_EXPIRY, 1),
        Kind("evidence_7", Category.EVIDENCE_EXPIRY, 1),
    )
}


@dataclass(frozen=True)
class Reminder:
    user: object
    site: PilotSite
    kind: Kind
    key: str  # what it is about: "response:12", "signoff:3", ...
    subject: str
    body: str
    link: str

    @property
    def ledger_kind(self) -> str:
        return f"reminder.{self.kind.name}"


def long_date(day: datetime.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _item_reminders(responses: Iterable[Response], today: datetime.date) -> list[Reminder]:
    found = []
    for response in responses:
        item, site = response.item, response.assessment.site
        days = (response.due_date - today).days
        if days < 0:
            kind = KINDS["overdue"]
            subject = f"Overdue: {item.code} at {site.name}"
            when = f"was due on {long_date(response.due_date)}, {-days} day{'s' * (days != -1)} ago"
        else:
            kind = KINDS["due_1" if days == 1 else "due_7"]
            subject = f"Due {'tomorrow' if days == 1 else f'in {days} days'}: {item.code} at {site.name}"
            when = f"is due on {long_date(response.due_date)}"
        link = absolute_url("checklists:item", response.assessment_id, item.code)
        body = (
            f"{item.code}, “{item.question}”, {when}. It is assigned to you and is "
            f"{response.get_status_display().lower()}.\n\nUpdate it: {link}\n"
        )
        found.append(Reminder(response.owner, site, kind, f"response:{response.pk}", subject, body, link))
    return found


def _signoff_reminders(signoffs: Iterable[SignOff], people, today: datetime.date) -> list[Reminder]:
    found = []
    for signoff in signoffs:
        assessment, section, site = signoff.assessment, signoff.section, signoff.assessment.site
        days = (today - timezone.localdate(signoff.created_at)).days
        link = absolute_url("partnership:signoff", assessment.pk, section.code)
        subject = f"Waiting for the staff side for {days} days: {section.title} at {site.name}"
        body = (
            f"{name_of(signoff.signed_by)} signed off “{section.title}” of {assessment.round_label} for management "
            f"on {long_date(timezone.localdate(signoff.created_at))}. It has not been acknowledged yet.\n\n"
            f"Please give the staff-side acknowledgement, or decline it with a reason: {link}\n"
        )
        for rep in people.get((site.pk, Membership.Role.UNION_REP), []):
            found.append(Reminder(rep, site, KINDS["signoff_waiting"], f"signoff:{signoff.pk}", subject, body, link))
    return found


def _concern_reminders(concerns: Iterable[Comment], people, today: datetime.date) -> list[Reminder]:
    found = []
    for concern in concerns:
        response, site = concern.response, concern.response.assessment.site
        days = (today - timezone.localdate(concern.created_at)).days
        link = absolute_url("checklists:item", response.assessment_id, response.item.code)
        subject = f"Concern unanswered for {days} days: {response.item.code} at {site.name}"
        body = (
            f"{name_of(concern.author)}, {concern.get_author_role_display()}, raised a concern on "
            f"{response.item.code} on {long_date(timezone.localdate(concern.created_at))}:\n\n{concern.body}\n\n"
            f"It has no answer yet. Please answer it: {link}\n"
        )
        # the item's owner, and the site's managers
        told = ([response.owner] if response.owner else []) + people.get((site.pk, Membership.Role.MANAGER), [])
        for user in {user.pk: user for user in told if user.is_active}.values():
            found.append(Reminder(user, site, KINDS["concern_waiting"], f"concern:{concern.pk}", subject, body, link))
    return found


def _review_reminders(assessments: Iterable[Assessment], scopes, today: datetime.date) -> list[Reminder]:
    found = []
    for assessment in assessments:
        site = assessment.site
        days = (today - timezone.localdate(assessment.submitted_at)).days
        link = absolute_url("partnership:review", assessment.pk)
        subject = f"Waiting {days} days for review: {assessment.round_label} for {site.name}"
        body = (
            f"{site.name} submitted {assessment.round_label} for review on "
            f"{long_date(timezone.localdate(assessment.submitted_at))}, {days} days ago.\n\nReview it: {link}\n"
        )
        # the reviewers of the site's region, and the national reviewers
        for scope in scopes:
            if scope.region_id in (None, site.region_id):
                found.append(
                    Reminder(
                        scope.user, site, KINDS["review_waiting"], f"assessment:{assessment.pk}", subject, body, link
                    )
                )
    return found


def _evidence_reminders(evidence: Iterable[Evidence], today: datetime.date) -> list[Reminder]:
    found = []
    for ev in evidence:
        response, site = ev.response, ev.response.assessment.site
        days = (ev.valid_until - today).days
        link = absolute_url("checklists:item", response.assessment_id, response.item.code)
        subject = f"Evidence expires in {days} days: {response.item.code} at {site.name}"
        body = (
            f"“{ev.title}”, evidence for {response.item.code}, “{response.item.question}”, is valid until "
            f"{long_date(ev.valid_until)}. After that it no longer counts for the item.\n\n"
            f"Add newer evidence: {link}\n"
        )
        kind = KINDS["evidence_7" if days <= 7 else "evidence_30"]
        found.append(Reminder(response.owner, site, kind, f"evidence:{ev.pk}", subject, body, link))
    return found


def reminders_due(*, today: datetime.date, now: datetime.datetime) -> list[Reminder]:
    """Every reminder that applies today, before the once-only rule: a constant number of queries."""
    day = datetime.timedelta(days=1)
    found = _item_reminders(due.responses_due([today + 7 * day, today + day]), today)
    found += _item_reminders(due.responses_overdue(today), today)
    signoffs = due.signoffs_awaiting(now - SIGNOFF_WAIT)
    concerns = due.concerns_unanswered(now - CONCERN_WAIT)
    site_ids = {s.assessment.site_id for s in signoffs} | {c.response.assessment.site_id for c in concerns}
    people = due.people_at(site_ids, [Membership.Role.UNION_REP, Membership.Role.MANAGER])
    found += _signoff_reminders(signoffs, people, today)
    found += _concern_reminders(concerns, people, today)
    waiting = due.submissions_waiting(now - REVIEW_WAIT)
    found += _review_reminders(waiting, due.reviewers() if waiting else [], today)
    found += _evidence_reminders(due.evidence_expiring([today + 30 * day, today + 7 * day]), today)
    return [r for r in found if r.user.is_active]


@dataclass(frozen=True)
class Outcome:
    reminder: Reminder
    email: str  # immediate, digest or none


def _new_today(reminders: list[Reminder], today: datetime.date) -> list[Reminder]:
    """The reminders not already sent: today, or within the week for the weekly kinds (one query)."""
    sent = InboxMessage.objects.filter(
        kind__in=[f"reminder.{name}" for name in KINDS], day__gt=today - datetime.timedelta(days=WEEK)
    ).values_list("user_id", "kind", "key", "day")
    recent = {}
    for user_id, kind, key, day in sent:
        recent[(user_id, kind, key)] = max(day, recent.get((user_id, kind, key), day))
    fresh, seen = [], set()
    for r in reminders:
        mark = (r.user.pk, r.ledger_kind, r.key)
        last = recent.get(mark)
        if mark in seen or (last is not None and (today - last).days < r.kind.every):
            continue
        seen.add(mark)
        fresh.append(r)
    return fresh


def _emails(reminders: list[Reminder]) -> list[Outcome]:
    """How each reminder is e-mailed, from its person's preference (one query)."""
    chosen = dict(
        ((user_id, category), frequency)
        for user_id, category, frequency in NotificationPreference.objects.filter(
            user_id__in={r.user.pk for r in reminders}
        ).values_list("user_id", "category", "frequency")
    )
    return [
        Outcome(
            r,
            chosen.get((r.user.pk, r.kind.category), NotificationPreference.Frequency.IMMEDIATE)
            if r.user.email
            else InboxMessage.Email.NONE,
        )
        for r in reminders
    ]


def reminders_send(
    *, today: datetime.date | None = None, now: datetime.datetime | None = None, dry_run: bool = False
) -> list[Outcome]:
    """Write today's reminders not yet sent to each person's inbox and queue their e-mails, in one transaction; the
    reminders written (with `dry_run`, those that would be: nothing is written)."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    with transaction.atomic():
        outcomes = _emails(_new_today(reminders_due(today=today, now=now), today))
        if dry_run or not outcomes:
            return outcomes
        try:
            with transaction.atomic():
                rows = inbox_add(
                    entries=[
                        Entry(
                            user_id=o.reminder.user.pk,
                            site_id=o.reminder.site.pk,
                            kind=o.reminder.ledger_kind,
                            category=o.reminder.kind.category,
                            key=o.reminder.key,
                            day=today,
                            subject=o.reminder.subject,
                            body=o.reminder.body,
                            link=o.reminder.link,
                            email=o.email,
                        )
                        for o in outcomes
                    ]
                )
        except IntegrityError:  # another run wrote today's reminders first: they are sent once, by it
            logger.warning("Reminders: another run wrote them first; this one sends nothing")
            return []
        ids = [row.pk for row in rows if row.email == InboxMessage.Email.IMMEDIATE]
        if ids:
            outbox_add(messages=[(send_emails.name, [ids])])
    logger.info("Reminders: %d written, %d to e-mail now", len(rows), len(ids))
    return outcomes


@shared_task(name="checklists.send_reminders", ignore_result=True)
def send_reminders() -> int:
    """Celery beat runs this every morning (settings.CELERY_BEAT_SCHEDULE); the number of reminders written."""
    return len(reminders_send())
