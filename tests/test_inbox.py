"""The inbox: every notification and reminder, a count of unread ones in the header at no extra query, a list marked
read when opened, and messages older than 90 days deleted by the nightly job."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from checklists.services.comments import comment_create
from checklists.services.notifications import Event, deliver
from phb_readiness.celery import app
from phb_readiness.inbox.models import InboxMessage
from phb_readiness.inbox.services import Entry, inbox_add, inbox_purge
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import first_response
from tests.query_counts import assert_query_count

pytestmark = pytest.mark.django_db


def messages_for(user, n: int, *, site=None, **fields) -> list[InboxMessage]:
    return inbox_add(
        entries=[
            Entry(
                user_id=user.pk,
                site_id=site.pk if site else None,
                kind="test.note",
                category="concerns",
                key=f"note:{i}",
                subject=f"Note {i}",
                body=f"Body of note {i}.",
                link=f"http://127.0.0.1:8000/assessments/1/items/EMP-0{i % 9 + 1}/",
                **fields,
            )
            for i in range(n)
        ]
    )


def header_count(page: str) -> str | None:
    marker = 'app-inbox-count">'
    return page.split(marker, 1)[1].split("<", 1)[0] if marker in page else None


def test_a_notification_lands_in_the_inbox_of_everyone_concerned(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        concern = comment_create(
            response=first_response(world.assessment_a),
            user=world.rep_a,
            role=SiteRole.UNION_REP,
            body="Pensions?",
            is_concern=True,
        )
    (message,) = InboxMessage.objects.filter(user=world.manager_a)
    assert message.subject.startswith("Concern raised on") and "Pensions?" in message.body
    assert message.site == world.site_a and message.kind == "concern.raised"
    assert message.link.endswith(reverse("checklists:item", args=[world.assessment_a.pk, concern.response.item.code]))
    assert not InboxMessage.objects.filter(user=world.rep_a).exists()  # not the person who raised it


def test_the_event_task_run_again_adds_no_second_message(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        concern = comment_create(
            response=first_response(world.assessment_a),
            user=world.rep_a,
            role=SiteRole.UNION_REP,
            body="Q",
            is_concern=True,
        )
    message = InboxMessage.objects.get(user=world.manager_a)
    assert deliver(Event.CONCERN_RAISED, concern.pk, world.rep_a.pk, message.key) == 0  # the same message, again
    assert InboxMessage.objects.filter(user=world.manager_a).count() == 1 and len(mail.outbox) == 1


def test_the_header_counts_unread_messages_at_no_extra_query(client, world):
    url = reverse("checklists:assessment", args=[world.assessment_a.pk])
    client.force_login(world.manager_a)
    client.get(url)  # the session's idle expiry written
    with assert_query_count(5, "assessment page, empty inbox"):
        page = client.get(url).content.decode()
    assert header_count(page) is None
    messages_for(world.manager_a, 30)
    messages_for(world.rep_a, 4)  # someone else's
    with assert_query_count(5, "assessment page, 30 unread messages"):
        page = client.get(url).content.decode()
    assert header_count(page) == "30"
    assert ">Menu (30<" in page  # on a phone, where the menu is folded, the button says so too


def test_opening_the_inbox_lists_newest_first_and_marks_them_read(client, world):
    messages_for(world.manager_a, 3, site=world.site_a)
    client.force_login(world.manager_a)
    page = client.get(reverse("inbox:list")).content.decode()
    assert page.index("Note 2") < page.index("Note 1") < page.index("Note 0")
    assert page.count(">New</strong>") == 3
    assert world.site_a.name in page and "Body of note 1." in page
    assert 'href="/assessments/1/items/EMP-02/"' in page  # the link within the service
    assert header_count(page) is None  # the count already cleared on this page
    assert not InboxMessage.objects.filter(user=world.manager_a, read_at__isnull=True).exists()
    page = client.get(reverse("inbox:list")).content.decode()
    assert page.count(">New</strong>") == 0 and "Note 2" in page


def test_the_inbox_is_a_page_at_a_time_and_marks_only_what_was_shown(client, world):
    messages_for(world.manager_a, 30)
    client.force_login(world.manager_a)
    client.get(reverse("inbox:list"))
    assert InboxMessage.objects.filter(user=world.manager_a, read_at__isnull=True).count() == 5
    page = client.get(reverse("inbox:list"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in page and page.count(">New</strong>") == 5


def test_the_inbox_shows_only_the_persons_own_messages(client, world):
    messages_for(world.rep_a, 2)
    client.force_login(world.manager_a)
    page = client.get(reverse("inbox:list")).content.decode()
    assert "Note 0" not in page and "Nothing yet" in page
    assert InboxMessage.objects.filter(user=world.rep_a, read_at__isnull=True).count() == 2


def test_messages_older_than_90_days_are_deleted_nightly(world):
    old = messages_for(world.manager_a, 2)
    InboxMessage.objects.filter(pk=old[0].pk).update(created_at=timezone.now() - datetime.timedelta(days=91))
    InboxMessage.objects.filter(pk=old[1].pk).update(created_at=timezone.now() - datetime.timedelta(days=89))
    assert inbox_purge() == 1
    assert list(InboxMessage.objects.values_list("pk", flat=True)) == [old[1].pk]
    schedule = {entry["task"]: entry for entry in app.conf.beat_schedule.values()}
    assert "inbox.purge" in schedule and "checklists.send_reminders" in schedule and "inbox.send_digests" in schedule
