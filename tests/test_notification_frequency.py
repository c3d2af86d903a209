"""Each person chooses, per kind, each e-mail as it happens, a weekly digest grouped by site, or none; whatever the
choice, the inbox holds every message."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from checklists.models import NotificationPreference
from checklists.services.comments import comment_create
from phb_readiness.audit.models import AuditEvent
from phb_readiness.inbox.models import InboxMessage
from phb_readiness.inbox.services import digests_send
from phb_readiness.sites.models import Membership, SiteRole
from tests.factories import MembershipFactory
from tests.partnership_support import first_response
from tests.reminders_support import days, inbox_of, owned_item, run_job, today

pytestmark = pytest.mark.django_db
Category = NotificationPreference.Category


def choose(user, category: str, frequency: str) -> None:
    NotificationPreference.objects.update_or_create(user=user, category=category, defaults={"frequency": frequency})


def raise_concern(world, site_assessment=None):
    return comment_create(
        response=first_response(site_assessment or world.assessment_a),
        user=world.rep_a,
        role=SiteRole.UNION_REP,
        body="Pensions?",
        is_concern=True,
    )


def test_immediate_is_the_default_for_every_kind(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        raise_concern(world)
    owned_item(world.assessment_a, world.manager_a, today() + days(1))
    run_job(django_capture_on_commit_callbacks)
    assert [m.subject.split(" ")[0] for m in mail.outbox] == ["Concern", "Due"]


def test_none_sends_no_e_mail_but_the_inbox_has_it(world, django_capture_on_commit_callbacks):
    choose(world.manager_a, Category.CONCERNS, "none")
    choose(world.manager_a, Category.DUE_SOON, "none")
    with django_capture_on_commit_callbacks(execute=True):
        raise_concern(world)
    owned_item(world.assessment_a, world.manager_a, today() + days(1))
    run_job(django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert [(m.kind, m.email) for m in inbox_of(world.manager_a)] == [
        ("concern.raised", "none"),
        ("reminder.due_1", "none"),
    ]
    assert digests_send() == 0  # and no digest either


def test_digest_sends_one_e_mail_a_week_grouped_by_site(world, django_capture_on_commit_callbacks):
    # the manager of site A also manages site B
    MembershipFactory(site=world.site_b, role=Membership.Role.MANAGER, user=world.manager_a)
    MembershipFactory(site=world.site_b, role=Membership.Role.UNION_REP, user=world.rep_a)
    choose(world.manager_a, Category.CONCERNS, "digest")
    choose(world.manager_a, Category.DUE_SOON, "digest")
    with django_capture_on_commit_callbacks(execute=True):
        raise_concern(world)
        raise_concern(world, world.assessment_b)
    owned_item(world.assessment_a, world.manager_a, today() + days(7))
    run_job(django_capture_on_commit_callbacks)
    assert [m for m in mail.outbox if world.manager_a.email in m.to] == []  # nothing yet for the manager of A
    mail.outbox.clear()

    assert digests_send() == 1
    (digest,) = mail.outbox
    assert digest.to == [world.manager_a.email]
    assert digest.subject.endswith("your weekly digest")
    body = digest.body
    assert "3 notifications" in body
    # grouped: site A's heading, its two messages, then site B's heading and its one
    a, b = body.index(world.site_a.name + "\n"), body.index(world.site_b.name + "\n")
    assert a < b
    assert body.count("Concern raised on") == 2 and "Due in 7 days" in body[a:b]
    assert reverse("partnership:preferences") in body
    assert digests_send() == 0  # sent once
    assert not InboxMessage.objects.filter(email="digest", emailed_at__isnull=True).exists()


def test_the_settings_page_offers_three_choices_per_kind_and_saves_them(client, world):
    client.force_login(world.rep_a)
    page = client.get(reverse("partnership:preferences")).content.decode()
    for category in Category:
        assert re.search(rf'name="{category.value}"[^>]+value="immediate"\s+checked', page)
        assert f'name="{category.value}"' in page
    choices = dict.fromkeys(Category.values, "immediate") | {"signoff_waiting": "digest", "review": "none"}
    assert client.post(reverse("partnership:preferences"), choices).status_code == 302
    saved = dict(NotificationPreference.objects.filter(user=world.rep_a).values_list("category", "frequency"))
    assert saved == choices
    page = client.get(reverse("partnership:preferences")).content.decode()
    assert re.search(r'name="signoff_waiting"[^>]+value="digest"\s+checked', page)
    assert AuditEvent.objects.filter(action="notifications.preferences").count() == 1


def test_a_choice_left_out_is_a_form_error(client, world):
    client.force_login(world.rep_a)
    choices = dict.fromkeys(Category.values, "immediate")
    del choices["overdue"]
    reply = client.post(reverse("partnership:preferences"), choices | {"review": "weekly"})
    page = reply.content.decode()
    assert reply.status_code == 200 and "<title>Error: " in page
    assert "govuk-error-summary" in page and 'href="#id_overdue' in page
    assert not NotificationPreference.objects.filter(user=world.rep_a).exists()
