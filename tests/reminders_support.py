"""Helpers for the reminder tests: one thing of each kind made due, and the job run with its e-mails sent."""

from __future__ import annotations

import datetime
from contextlib import contextmanager

from django.core import mail
from django.utils import timezone

from checklists.models import Assessment, Comment, Evidence, Response, SignOff
from checklists.services.comments import comment_create
from checklists.services.readiness import readiness_rebuild
from checklists.services.reminders import reminders_send
from checklists.services.signoffs import signoff_management
from phb_readiness.inbox.models import InboxMessage
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import first_response, first_section, give_evidence


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def today() -> datetime.date:
    return timezone.localdate()


def owned_item(assessment: Assessment, owner, due: datetime.date, *, position: int = 0) -> Response:
    """An item of the assessment assigned to `owner`, due then, not started."""
    response = (
        Response.objects.select_related("item")
        .filter(assessment=assessment)
        .order_by("item__section__position", "item__position")[position]
    )
    Response.objects.filter(pk=response.pk).update(owner=owner, due_date=due, status=Response.Status.NOT_STARTED)
    readiness_rebuild()  # written without the services: the stored readiness (and sign-off state) follows
    response.refresh_from_db()
    return response


@contextmanager
def signed_at(when: datetime.datetime):
    """Sign-offs appended meanwhile are dated then: the table is append-only (on PostgreSQL a trigger refuses any
    UPDATE), so a sign-off made days ago is written with that date, not moved back after."""
    field = SignOff._meta.get_field("created_at")
    default = field.default
    field.default = lambda: when
    field.__dict__.pop("_get_default", None)  # Django caches the default's callable
    try:
        yield
    finally:
        field.default = default
        field.__dict__.pop("_get_default", None)


def signoff_waiting(assessment: Assessment, manager, *, waited: int = 4) -> SignOff:
    """A section signed off for management `waited` days ago, not acknowledged."""
    with signed_at(timezone.now() - days(waited)):
        return signoff_management(
            assessment=assessment,
            section=first_section(assessment),
            user=manager,
            role=SiteRole.MANAGER,
            statement="S",
        )


def concern_waiting(assessment: Assessment, rep, *, waited: int = 6) -> Comment:
    """A concern raised `waited` days ago and not answered."""
    concern = comment_create(
        response=first_response(assessment), user=rep, role=SiteRole.UNION_REP, body="Pensions?", is_concern=True
    )
    Comment.objects.filter(pk=concern.pk).update(created_at=timezone.now() - days(waited))
    return concern


def submission_waiting(assessment: Assessment, *, waited: int = 11) -> Assessment:
    """The assessment marked submitted `waited` days ago (the submit rules are tested elsewhere)."""
    Assessment.objects.filter(pk=assessment.pk).update(
        state=Assessment.State.SUBMITTED, submitted_at=timezone.now() - days(waited)
    )
    assessment.refresh_from_db()
    return assessment


def evidence_expiring(assessment: Assessment, owner, *, in_days: int = 30, position: int = 0) -> Evidence:
    """A link of evidence on an item `owner` is assigned, valid until `in_days` from today."""
    response = owned_item(assessment, owner, today() + days(60), position=position)
    return give_evidence(response, owner, valid_until=today() + days(in_days))


def run_job(capture, **kwargs):
    """The reminder job, its e-mail task run after the commit as the worker would."""
    with capture(execute=True):
        return reminders_send(**kwargs)


def mailed_to(user) -> list[str]:
    return [m.subject for m in mail.outbox if user.email in m.to]


def inbox_of(user) -> list[InboxMessage]:
    return list(InboxMessage.objects.filter(user=user).order_by("pk"))
