"""`manage.py send_reminders`: the morning job by hand; --dry-run lists who would get what and sends nothing."""

import io

import pytest
from django.core import mail
from django.core.management import call_command

from phb_readiness.inbox.models import InboxMessage
from phb_readiness.outbox.models import OutboxMessage
from tests.reminders_support import days, owned_item, today

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out)
    return out.getvalue()


def test_dry_run_lists_who_would_get_what_and_sends_and_records_nothing(world):
    response = owned_item(world.assessment_a, world.contributor_a, today() + days(7))
    out = run("--dry-run")
    assert f"contrib-a <{world.contributor_a.email}>: Due in 7 days: {response.item.code}" in out
    assert "(e-mail now)" in out and "1 reminder(s) would be sent." in out
    assert mail.outbox == [] and not InboxMessage.objects.exists() and not OutboxMessage.objects.exists()
    assert "1 reminder(s) would be sent." in run("--dry-run")  # still nothing recorded


def test_the_command_sends_and_a_second_run_sends_nothing(world, django_capture_on_commit_callbacks):
    owned_item(world.assessment_a, world.contributor_a, today() + days(1))
    with django_capture_on_commit_callbacks(execute=True):
        assert "1 reminder(s) sent." in run()
    assert [m.to for m in mail.outbox] == [[world.contributor_a.email]]
    with django_capture_on_commit_callbacks(execute=True):
        assert "0 reminder(s) sent." in run()
    assert "0 reminder(s) would be sent." in run("--dry-run")
    assert len(mail.outbox) == 1
