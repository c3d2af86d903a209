"""Staff-side observers: union officers who watch a region (or the whole programme) without taking part in it.

They see every site of their scope, comment and raise concerns there, and ask for reports; they never edit answers,
sign, acknowledge, return or accept. The permission matrix checks every URL for them; these tests check the rules
behind it.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse

from checklists.models import Comment
from checklists.services.comments import comment_create
from checklists.services.notifications import reviewers_of
from checklists.services.review import assessment_accept, assessment_return
from checklists.services.signoffs import signoff_acknowledge
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import PilotSite, ReviewerScope, SiteRole, role_at
from tests.factories import PilotSiteFactory, ReviewerScopeFactory
from tests.partnership_support import first_response, first_section

pytestmark = pytest.mark.django_db


def test_a_regional_observer_sees_the_sites_of_their_region_only(world):
    visible = set(PilotSite.objects.visible_to(world.observer).values_list("code", flat=True))
    assert visible == {"SITE-A", "SITE-B"}
    assert not PilotSite.objects.visible_to(world.observer_other).filter(code="SITE-A").exists()


def test_a_national_observer_sees_every_site(world):
    national = ReviewerScopeFactory(user__username="observer-national", region=None, role=ReviewerScope.Role.OBSERVER)
    PilotSiteFactory(code="SITE-Z", region=world.site_b.region)
    assert PilotSite.objects.visible_to(national.user).count() == PilotSite.objects.count()


def test_an_observer_holds_the_observer_role_at_each_site_in_scope(world):
    assert role_at(world.observer, world.site_a) == SiteRole.OBSERVER
    assert role_at(world.observer_other, world.site_a) is None


def test_an_observer_comments_and_raises_a_concern_under_their_own_role(client, world):
    client.force_login(world.observer)
    code = first_response(world.assessment_a).item.code
    url = reverse("partnership:concern_create", args=[world.assessment_a.pk, code])
    assert client.post(url, {"body": "Staff at two sites report the same gap."}).status_code == 302
    concern = Comment.objects.get()
    assert (concern.is_concern, concern.author_role) == (True, SiteRole.OBSERVER)
    assert AuditEvent.objects.filter(action="concern.raise", object_id=str(concern.pk)).exists()


def test_an_observer_cannot_edit_an_answer(client, world):
    client.force_login(world.observer)
    response = first_response(world.assessment_a)
    url = reverse("checklists:item", args=[world.assessment_a.pk, response.item.code])
    assert client.post(url, {"status": "in_place", "version": response.version}).status_code == 403
    response.refresh_from_db()
    assert response.status == "not_started"


def test_an_observer_cannot_acknowledge_a_sign_off(world):
    with pytest.raises(PermissionDenied):
        signoff_acknowledge(
            assessment=world.assessment_a,
            section=first_section(world.assessment_a),
            user=world.observer,
            role=SiteRole.OBSERVER,
            statement="Seen.",
        )


@pytest.mark.parametrize("decide", ["return", "accept"])
def test_an_observer_cannot_return_or_accept(world, decide):
    with pytest.raises(PermissionDenied):
        if decide == "return":
            assessment_return(assessment=world.assessment_a, user=world.observer, role=SiteRole.OBSERVER, reasons="No.")
        else:
            assessment_accept(assessment=world.assessment_a, user=world.observer, role=SiteRole.OBSERVER)


def test_the_overview_shows_an_observer_their_region_only(client, world):
    client.force_login(world.observer_other)  # London: neither site A nor site B
    page = client.get(reverse("reports:overview"))
    assert page.status_code == 200
    assert "SITE-A" not in page.content.decode()
    client.force_login(world.observer)
    assert "SITE-A" in client.get(reverse("reports:overview")).content.decode()


def test_observers_are_not_asked_to_review(world):
    assert world.observer not in reviewers_of(world.site_a)
    assert world.reviewer in reviewers_of(world.site_a)


def test_an_observer_concern_notifies_the_site_not_the_observer_as_reviewer(world, mailoutbox):
    comment_create(
        response=first_response(world.assessment_a),
        user=world.observer,
        role=SiteRole.OBSERVER,
        body="Pensions unconfirmed.",
        is_concern=True,
    )
    recipients = {address for message in mailoutbox for address in message.to}
    assert world.observer.email not in recipients


def test_granting_the_role_is_audited_with_the_role(world):
    scope = ReviewerScopeFactory(user__username="observer-new", region=None, role=ReviewerScope.Role.OBSERVER)
    event = AuditEvent.objects.filter(object_id=str(scope.pk)).order_by("-id").first()
    assert event is not None and "Staff-side observer" in event.summary


def test_the_demo_data_has_one_regional_observer(db, settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    observers = ReviewerScope.objects.filter(role=ReviewerScope.Role.OBSERVER).select_related("region", "user")
    assert [(s.user.username, s.region.code) for s in observers] == [("demo-observer", "NW")]
