"""E-mail notifications of the partnership workflow: who hears about what, the words they get, the task that sends.

Services call `notify(event, object_id, actor=...)` inside their transaction: the message for the Celery task
`send_notification` is written to the outbox with the change (phb_readiness.outbox), so a rolled-back change never
sends mail, the task always finds the rows it names, and a broker that is down delays the e-mail instead of losing
it. The task is defined here, beside what it runs, so that queueing it needs no import from a higher layer;
checklists.tasks names it for Celery's discovery.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import uuid
from dataclasses import dataclass, replace
from enum import StrEnum

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from checklists.models import Assessment, Comment, NotificationPreference, ReviewQuery, SignOff
from phb_readiness.inbox.models import InboxMessage
from phb_readiness.inbox.services import Entry, emails_send, inbox_add
from phb_readiness.outbox.services import outbox_add
from phb_readiness.sites.models import Membership, PilotSite, ReviewerScope

Category = NotificationPreference.Category
logger = logging.getLogger(__name__)


class Event(StrEnum):
    CONCERN_RAISED = "concern.raised"
    CONCERN_REOPENED = "concern.reopened"
    CONCERN_ANSWERED = "concern.answered"
    CONCERN_CLOSED = "concern.closed"
    CONCERN_CLOSED_FOR_RAISER = "concern.closed_for_raiser"  # someone else closed it: its raiser hears why
    SIGNOFF_REQUESTED = "signoff.requested"
    SIGNOFF_GIVEN = "signoff.given"
    SIGNOFF_SUPERSEDED = "signoff.superseded"
    ASSESSMENT_SUBMITTED = "assessment.submitted"
    ASSESSMENT_RETURNED = "assessment.returned"
    ASSESSMENT_ACCEPTED = "assessment.accepted"

    @property
    def category(self) -> str:
        return {"concern": Category.CONCERNS, "signoff": Category.SIGNOFFS}.get(self.split(".")[0], Category.REVIEW)


def notify(event: Event, object_id: int, *, actor=None) -> None:
    """Send the e-mails of an event: written to the outbox in the current transaction (one insert), published to
    the broker once it commits, or by the outbox's flush if the broker did not take it then."""
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    # The message's own id and day: the task writes each person's inbox message under them, once however often it runs.
    token = f"{timezone.localdate().isoformat()}/{uuid.uuid4().hex}"
    outbox_add(messages=[(send_notification.name, [str(event), object_id, actor_id, token])])


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    recipients: list
    site: PilotSite | None = None
    link: str = ""


def absolute_url(name: str, *args) -> str:
    try:
        return settings.PHB_BASE_URL.rstrip("/") + reverse(name, args=args)
    except NoReverseMatch:
        return settings.PHB_BASE_URL


def site_people(site: PilotSite, *roles: str) -> list:
    return [
        m.user for m in Membership.objects.filter(site=site, role__in=roles).select_related("user").order_by("user_id")
    ]


def reviewers_of(site: PilotSite) -> list:
    return list(
        get_user_model()
        .objects.filter(Q(reviewer_scope__region__isnull=True) | Q(reviewer_scope__region=site.region_id))
        .filter(reviewer_scope__role=ReviewerScope.Role.REVIEWER)
        .order_by("pk")
    )


def name_of(user) -> str:
    return user.get_full_name() or user.get_username()


def _concern_message(event: Event, concern: Comment) -> Message:
    response = concern.response
    assessment = response.assessment
    site = assessment.site
    item = response.item
    link = absolute_url("checklists:item", assessment.pk, item.code)
    where = f"{item.code} at {site.name}"
    if event in (Event.CONCERN_RAISED, Event.CONCERN_REOPENED):
        verb = "raised" if event == Event.CONCERN_RAISED else "reopened"
        return Message(
            subject=f"Concern {verb} on {where}",
            body=f"{name_of(concern.author)}, {concern.get_author_role_display()}, {verb} a concern on {item.code}, "
            f"“{item.question}”:\n\n{concern.body}\n\nPlease answer it: {link}\n",
            recipients=site_people(site, Membership.Role.MANAGER),
        )
    if event == Event.CONCERN_ANSWERED:
        return Message(
            subject=f"Your concern on {where} has been answered",
            body=f"{name_of(concern.answered_by)} answered your concern on {item.code}:\n\n{concern.answer}\n\n"
            f"If you are satisfied, close the concern; if not, reopen it: {link}\n",
            recipients=[concern.author],
        )
    if event == Event.CONCERN_CLOSED_FOR_RAISER:
        return Message(
            subject=f"Your concern on {where} was closed by {name_of(concern.closed_by)}",
            body=f"{name_of(concern.closed_by)} closed your concern on {item.code}:\n\n{concern.body}\n\n"
            f"Their reason:\n\n{concern.close_reason}\n\nIf you do not agree, reopen it: {link}\n",
            recipients=[concern.author],
        )
    return Message(
        subject=f"Concern closed on {where}",
        body=f"{name_of(concern.closed_by)} closed the concern on {item.code} raised by {name_of(concern.author)}:"
        f"\n\n{concern.body}\n\n{link}\n",
        recipients=site_people(site, Membership.Role.MANAGER),
    )


def _superseded_message(management: SignOff, link: str) -> Message:
    """To the people who signed a section (the management sign-off named, and the staff-side acknowledgement of it,
    if given) when a change to the section superseded their sign-off."""
    assessment, section = management.assessment, management.section
    acknowledgement = (
        SignOff.objects.filter(
            assessment=assessment,
            section=section,
            kind=SignOff.Kind.STAFF_SIDE,
            content_sha256=management.content_sha256,
            created_at__gte=management.created_at,
        )
        .select_related("signed_by")
        .order_by("-created_at", "-id")
        .first()
    )
    signers = [management.signed_by] + ([acknowledgement.signed_by] if acknowledgement else [])
    return Message(
        subject=f"Sign-off superseded: {section.title} at {assessment.site.name}",
        body=f"“{section.title}” of {assessment.round_label} changed after it was signed, so its sign-off "
        f"({'management sign-off and staff-side acknowledgement' if acknowledgement else 'management sign-off'}) "
        "no longer covers it. The sign-off stays in the register as superseded; the section needs to be signed "
        f"again.\n\nSee what changed and sign again: {link}\n",
        recipients=signers,
    )


def _signoff_message(event: Event, signoff: SignOff) -> Message:
    assessment = signoff.assessment
    section = signoff.section
    link = absolute_url("partnership:signoff", assessment.pk, section.code)
    if event == Event.SIGNOFF_SUPERSEDED:
        return _superseded_message(signoff, link)
    if event == Event.SIGNOFF_REQUESTED:
        return Message(
            subject=f"Please acknowledge the sign-off of {section.title} at {assessment.site.name}",
            body=f"{name_of(signoff.signed_by)} signed off “{section.title}” of {assessment.round_label} for "
            f"management:\n\n{signoff.statement}\n\nPlease give the staff-side acknowledgement, or decline it with "
            f"a reason: {link}\n",
            recipients=site_people(assessment.site, Membership.Role.UNION_REP),
        )
    return Message(
        subject=f"Staff side acknowledged {section.title} at {assessment.site.name}",
        body=f"{name_of(signoff.signed_by)} gave the staff-side acknowledgement of “{section.title}” of "
        f"{assessment.round_label}:\n\n{signoff.statement}\n\n{link}\n",
        recipients=site_people(assessment.site, Membership.Role.MANAGER),
    )


def _assessment_message(event: Event, assessment: Assessment) -> Message:
    site = assessment.site
    link = absolute_url("partnership:review", assessment.pk)
    title = f"{assessment.round_label} for {site.name}"
    if event == Event.ASSESSMENT_SUBMITTED:
        return Message(
            subject=f"Submitted for review: {title}",
            body=f"{site.name} submitted {assessment.round_label} for review.\n\nReview it: {link}\n",
            recipients=reviewers_of(site),
        )
    people = site_people(site, Membership.Role.MANAGER, Membership.Role.UNION_REP)
    if event == Event.ASSESSMENT_RETURNED:
        queries = list(
            ReviewQuery.objects.filter(assessment=assessment, state=ReviewQuery.State.OPEN)
            .select_related("response__item")
            .order_by("response__item__section__position", "response__item__position")
        )
        asked = (
            "The reviewer also asked about these items; answer each on the item's page before submitting again:\n\n"
            + "".join(f"- {q.response.item.code}: {q.question}\n" for q in queries)
            + "\n"
            if queries
            else ""
        )
        return Message(
            subject=f"Returned by the reviewer: {title}",
            body=f"{name_of(assessment.reviewed_by)} returned {assessment.round_label} with these reasons:\n\n"
            f"{assessment.return_reasons}\n\n{asked}"
            # one e-mail to both sides: each role is told its own part (only a manager submits)
            "Pilot managers: make the changes, then submit the assessment again.\n"
            "Union reps (staff side): check the changes, and acknowledge again any section whose sign-off they "
            f"supersede.\n\n{link}\n",
            recipients=people,
        )
    return Message(
        subject=f"Accepted: {title}",
        body=f"{name_of(assessment.reviewed_by)} accepted {assessment.round_label}. It is now frozen.\n\n{link}\n",
        recipients=people,
    )


def message_for(event: Event, object_id: int) -> Message | None:
    """The e-mail of an event, or None if its object no longer exists."""
    if event.category == Category.CONCERNS:
        concern = (
            Comment.objects.select_related(
                "response__item", "response__assessment__site", "author", "answered_by", "closed_by"
            )
            .filter(pk=object_id, is_concern=True)
            .first()
        )
        return concern and replace(
            _concern_message(event, concern),
            site=concern.response.assessment.site,
            link=absolute_url("checklists:item", concern.response.assessment_id, concern.response.item.code),
        )
    if event.category == Category.SIGNOFFS:
        signoff = (
            SignOff.objects.select_related("assessment__site", "section", "signed_by")
            .filter(pk=object_id, section__isnull=False)
            .first()
        )
        return signoff and replace(
            _signoff_message(event, signoff),
            site=signoff.assessment.site,
            link=absolute_url("partnership:signoff", signoff.assessment_id, signoff.section.code),
        )
    assessment = Assessment.objects.select_related("site", "reviewed_by").filter(pk=object_id).first()
    return assessment and replace(
        _assessment_message(event, assessment),
        site=assessment.site,
        link=absolute_url("partnership:review", assessment.pk),
    )


def frequencies(category: str, user_ids) -> dict[int, str]:
    """How often each of these people is e-mailed about a category (no row: each one as it happens)."""
    chosen = dict(
        NotificationPreference.objects.filter(category=category, user_id__in=user_ids).values_list(
            "user_id", "frequency"
        )
    )
    return {pk: chosen.get(pk, NotificationPreference.Frequency.IMMEDIATE) for pk in user_ids}


def deliver(event: Event, object_id: int, actor_id: int | None = None, token: str | None = None) -> int:
    """Write the event's message to the inbox of everyone concerned (but the actor), and e-mail those who want each
    one as it happens; the number of e-mails sent. Written under the event's token, so a retried task adds no second
    message and sends only the e-mails that did not go."""
    message = message_for(event, object_id)
    if message is None:
        return 0
    token = token or f"{timezone.localdate().isoformat()}/{uuid.uuid4().hex}"
    day = datetime.date.fromisoformat(token.split("/", 1)[0])
    recipients = {user.pk: user for user in message.recipients if user.is_active and user.pk != actor_id}
    if not recipients:
        return 0
    wanted = frequencies(event.category, list(recipients))
    with transaction.atomic():
        inbox_add(
            entries=[
                Entry(
                    user_id=pk,
                    site_id=message.site.pk if message.site else None,
                    kind=str(event),
                    category=event.category,
                    key=token,
                    day=day,
                    subject=message.subject,
                    body=message.body,
                    link=message.link,
                    email=wanted[pk] if user.email else InboxMessage.Email.NONE,
                )
                for pk, user in recipients.items()
            ],
            ignore_existing=True,
        )
    ids = InboxMessage.objects.filter(kind=str(event), key=token, day=day).values_list("pk", flat=True)
    return emails_send(ids=list(ids))


# A mail server that is down or busy is tried again after up to 10 s, 20 s, 40 s... (full jitter, at most 10 min);
# the retry sends only the e-mails that had not gone (each inbox message records its own). A refused recipient is
# not retried.
@shared_task(
    name="checklists.send_notification",
    autoretry_for=(smtplib.SMTPException, OSError),
    dont_autoretry_for=(smtplib.SMTPRecipientsRefused,),
    retry_backoff=10,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def send_notification(event: str, object_id: int, actor_id: int | None = None, token: str | None = None) -> int:
    """Re-load the event's object, write the inbox messages and e-mail the people concerned; the number sent."""
    return deliver(Event(event), object_id, actor_id, token)
