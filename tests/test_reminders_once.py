"""Each reminder goes once per person, subject and day: the job run twice, a run that races another, a mail batch
retried after the mail server failed half-way."""

import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from checklists.services.reminders import reminders_send
from phb_readiness.inbox.models import InboxMessage
from phb_readiness.inbox.services import emails_send
from phb_readiness.outbox.models import OutboxMessage
from tests.factories import MembershipFactory
from tests.reminders_support import days, owned_item, run_job, signoff_waiting, today

pytestmark = pytest.mark.django_db


class FailsAfterOne(EmailBackend):
    """A mail server that takes one e-mail per connection, then drops the connection."""

    def send_messages(self, messages):
        if getattr(self, "sent_one", False):
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        self.sent_one = True
        return super().send_messages(messages)


def test_the_job_run_twice_in_a_day_sends_each_reminder_once(world, django_capture_on_commit_callbacks):
    owned_item(world.assessment_a, world.contributor_a, today() + days(7))
    signoff_waiting(world.assessment_a, world.manager_a)
    mail.outbox.clear()
    first = run_job(django_capture_on_commit_callbacks)
    assert len(first) == 2 and len(mail.outbox) == 2
    second = run_job(django_capture_on_commit_callbacks)
    assert second == [] and len(mail.outbox) == 2
    assert InboxMessage.objects.count() == 2
    # one e-mail task for the first run, none for the second
    assert OutboxMessage.objects.filter(task="inbox.send_emails").count() == 1


def test_a_daily_reminder_is_sent_again_the_next_day(world, django_capture_on_commit_callbacks):
    response = owned_item(world.assessment_a, world.contributor_a, today() + days(8))
    signoff = signoff_waiting(world.assessment_a, world.manager_a)  # weekly
    mail.outbox.clear()
    run_job(django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1  # the sign-off
    run_job(django_capture_on_commit_callbacks, today=today() + days(1))  # the item is now due in 7 days
    assert [m.subject.split(":")[0] for m in mail.outbox] == [
        "Waiting for the staff side for 4 days",
        "Due in 7 days",
    ]
    assert signoff.pk and response.pk


def test_a_run_racing_another_writes_nothing(world, django_capture_on_commit_callbacks, monkeypatch):
    """Two runs read the ledger before either wrote: the second one's insert fails, and it sends nothing."""
    owned_item(world.assessment_a, world.contributor_a, today() + days(7))
    from checklists.services import reminders

    real = reminders._new_today
    seen = {}

    def read_then_let_the_other_run_write(found, day):
        fresh = real(found, day)
        if not seen:
            seen["once"] = True
            run_job(django_capture_on_commit_callbacks)  # the other run, committed first
        return fresh

    monkeypatch.setattr(reminders, "_new_today", read_then_let_the_other_run_write)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send() == []
    assert len(mail.outbox) == 1 and InboxMessage.objects.count() == 1


def test_a_mail_batch_retried_sends_only_to_those_it_had_not_reached(world, settings):
    for _ in range(2):
        MembershipFactory(site=world.site_a, role="union_rep")
    signoff_waiting(world.assessment_a, world.manager_a)
    mail.outbox.clear()
    reminders_send()  # written; its e-mail task left in the outbox (not run: no commit in this test)
    ids = list(InboxMessage.objects.values_list("pk", flat=True))
    assert len(ids) == 3

    settings.EMAIL_BACKEND = "tests.test_reminders_once.FailsAfterOne"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        emails_send(ids=ids)  # the first batch: one e-mail went, then the server dropped
    assert len(mail.outbox) == 1
    assert InboxMessage.objects.filter(emailed_at__isnull=False).count() == 1

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert emails_send(ids=ids) == 2  # the retry: the other two only
    assert len({m.to[0] for m in mail.outbox}) == 3 and len(mail.outbox) == 3
    assert emails_send(ids=ids) == 0  # and a third run, nothing
