"""Two-party sign-off per section: management first with a statement, then the staff side acknowledges or declines."""

import pytest
from django.contrib.admin.sites import site as admin_site
from django.urls import reverse

from checklists.models import Comment, SignOff
from checklists.rules.readiness import SignOffState
from checklists.selectors.readiness import section_readiness
from checklists.services.checks import PartnershipError
from checklists.services.comments import comment_create
from checklists.services.signoffs import signoff_management
from phb_readiness.audit.models import AuditEvent
from phb_readiness.sites.models import SiteRole
from tests.partnership_support import answer, first_response, first_section, queries_for_get, sign_section

pytestmark = pytest.mark.django_db


def signoff_url(assessment, section):
    return reverse("partnership:signoff", args=[assessment.pk, section.code])


def state_of(assessment, section):
    return section_readiness(assessment, section).signoff


def test_manager_signs_then_rep_acknowledges(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    client.force_login(world.manager_a)
    reply = client.post(signoff_url(a, section), {"action": "sign", "statement": "Complete and agreed."})
    assert reply.status_code == 302
    management = SignOff.objects.get()
    assert (management.kind, management.signed_by, management.signer_role) == ("management", world.manager_a, "manager")
    assert management.content_sha256 == section_readiness(a, section).content_sha256
    assert state_of(a, section) == SignOffState.MANAGEMENT_ONLY

    client.force_login(world.rep_a)
    page = client.get(signoff_url(a, section)).content.decode()
    assert "Acknowledge for the staff side" in page and "Decline and raise a concern" in page
    client.post(signoff_url(a, section), {"action": "acknowledge", "statement": "Staff side agrees."})
    assert state_of(a, section) == SignOffState.COMPLETE
    assert list(AuditEvent.objects.filter(action__startswith="signoff.").values_list("action", flat=True)) == [
        "signoff.management",
        "signoff.staff_side",
    ]


def test_the_statement_is_required(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    client.force_login(world.manager_a)
    reply = client.post(signoff_url(a, section), {"action": "sign", "statement": " "})
    assert reply.status_code == 200
    assert "Enter statement." in reply.content.decode()
    assert not SignOff.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("contributor_a", 403), ("rep_a", 403), ("reviewer", 403), ("manager_b", 404)]
)
def test_only_a_manager_signs_for_management(client, world, persona, status):
    a, section = world.assessment_a, first_section(world.assessment_a)
    client.force_login(getattr(world, persona))
    assert client.post(signoff_url(a, section), {"action": "sign", "statement": "Yes."}).status_code == status
    assert not SignOff.objects.exists()


@pytest.mark.parametrize("persona", ["manager_a", "contributor_a", "reviewer"])
def test_only_a_union_rep_acknowledges(client, world, persona):
    a, section = world.assessment_a, first_section(world.assessment_a)
    signoff_management(assessment=a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="S")
    client.force_login(getattr(world, persona))
    assert client.post(signoff_url(a, section), {"action": "acknowledge", "statement": "Yes."}).status_code == 403
    assert state_of(a, section) == SignOffState.MANAGEMENT_ONLY


def test_open_concerns_block_management_sign_off(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    comment_create(response=first_response(a), user=world.rep_a, role=SiteRole.UNION_REP, body="Wait.", is_concern=True)
    client.force_login(world.manager_a)
    page = client.get(signoff_url(a, section)).content.decode()
    assert "must be answered and closed before you can sign it off" in page
    reply = client.post(signoff_url(a, section), {"action": "sign", "statement": "Complete."})
    assert "1 open concern(s)" in reply.content.decode()
    assert not SignOff.objects.exists()


def test_the_rep_can_acknowledge_only_after_management(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    client.force_login(world.rep_a)
    reply = client.post(signoff_url(a, section), {"action": "acknowledge", "statement": "Yes."})
    assert "Management has not signed this section yet." in reply.content.decode()
    assert not SignOff.objects.exists()


def test_declining_opens_a_concern_in_the_reps_name_on_the_chosen_item(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    signoff_management(assessment=a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="S")
    chosen = a.responses.filter(item__section=section).order_by("-item__position").first()
    client.force_login(world.rep_a)
    reply = client.post(
        signoff_url(a, section), {"action": "decline", "reason": "No consultation happened.", "response": chosen.pk}
    )
    assert reply.status_code == 302
    concern = Comment.objects.get()
    assert (concern.author, concern.response, concern.concern_state) == (world.rep_a, chosen, "open")
    assert "No consultation happened." in concern.body
    assert state_of(a, section) == SignOffState.MANAGEMENT_ONLY
    assert SignOff.objects.count() == 1


def test_declining_needs_a_reason_and_an_item_of_the_section(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    signoff_management(assessment=a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="S")
    other_section_response = a.responses.exclude(item__section=section).first()
    client.force_login(world.rep_a)
    reply = client.post(
        signoff_url(a, section), {"action": "decline", "reason": "", "response": other_section_response.pk}
    )
    page = reply.content.decode()
    assert "Enter reason for declining." in page and "Choose an item of this section." in page
    assert not Comment.objects.exists()


def test_a_change_to_covered_content_supersedes_both_sign_offs(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    sign_section(a, section, manager=world.manager_a, rep=world.rep_a)
    assert state_of(a, section) == SignOffState.COMPLETE
    answer(first_response(a, section), world.contributor_a, narrative="Changed after signing.")
    assert state_of(a, section) == SignOffState.SUPERSEDED
    assert SignOff.objects.count() == 2  # nothing edited or deleted
    superseded = AuditEvent.objects.filter(action="signoff.superseded")
    assert sorted(superseded.values_list("object_id", flat=True)) == sorted(str(s.pk) for s in SignOff.objects.all())
    answer(first_response(a, section), world.contributor_a, narrative="Changed again.")
    assert superseded.count() == 2  # recorded once, when the change happened

    client.force_login(world.manager_a)
    page = client.get(reverse("partnership:register", args=[a.pk])).content.decode()
    assert page.count("The section&#x27;s content changed after this was signed.") == 2
    client.post(signoff_url(a, section), {"action": "sign", "statement": "Signed again."})
    assert state_of(a, section) == SignOffState.MANAGEMENT_ONLY


def test_a_second_management_sign_off_of_the_same_content_is_refused(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    signoff_management(assessment=a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="S")
    with pytest.raises(PartnershipError, match="already signed for management"):
        signoff_management(
            assessment=a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="Again"
        )
    assert SignOff.objects.count() == 1


def test_nobody_can_change_a_sign_off(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    signoff_management(assessment=a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="S")
    signoff = SignOff.objects.get()
    model_admin = admin_site._registry[SignOff]
    request = type("Request", (), {"user": world.admin})()
    assert not model_admin.has_change_permission(request, signoff)
    assert not model_admin.has_delete_permission(request, signoff)
    assert not model_admin.has_add_permission(request)
    client.force_login(world.admin)
    change_url = reverse("admin:checklists_signoff_change", args=[signoff.pk])
    client.post(change_url, {"statement": "Rewritten"})
    client.post(reverse("admin:checklists_signoff_delete", args=[signoff.pk]), {"post": "yes"})
    signoff.refresh_from_db()
    assert signoff.statement == "S"
    from checklists.urls import partnership_urlpatterns as urlpatterns

    names = {p.name for p in urlpatterns}
    assert {"signoff", "register"} <= names  # sign and list only: no view edits or deletes a sign-off
    assert not any(word in name for name in names for word in ("edit", "delete", "change", "update"))


def test_the_task_list_shows_each_sections_sign_off_state_and_the_right_action(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    client.force_login(world.manager_a)
    page = client.get(reverse("checklists:assessment", args=[a.pk])).content.decode()
    assert page.count("Not signed off") >= 7 and "Sign off for management" in page
    signoff_management(assessment=a, section=section, user=world.manager_a, role=SiteRole.MANAGER, statement="S")
    client.force_login(world.rep_a)
    page = client.get(reverse("checklists:assessment", args=[a.pk])).content.decode()
    assert "Awaiting staff-side acknowledgement" in page and "Acknowledge or decline" in page
    client.force_login(world.contributor_a)
    page = client.get(reverse("checklists:assessment", args=[a.pk])).content.decode()
    assert "Sign off for management" not in page and "Acknowledge or decline" not in page


def test_the_register_lists_every_sign_off_in_a_fixed_number_of_queries(client, world):
    a = world.assessment_a
    client.force_login(world.reviewer)
    url = reverse("partnership:register", args=[a.pk])
    sign_section(a, first_section(a), manager=world.manager_a, rep=world.rep_a)
    few = queries_for_get(client, url)
    from tests.partnership_support import sign_all

    sign_all(a, manager=world.manager_a, rep=world.rep_a, skip={first_section(a).code})
    assert queries_for_get(client, url) == few <= 15
    assert client.get(url).content.decode().count("Current</strong>") == SignOff.objects.count()


def test_new_evidence_supersedes_the_sign_offs_too(world):
    from checklists.services.evidence import evidence_add_link

    a, section = world.assessment_a, first_section(world.assessment_a)
    sign_section(a, section, manager=world.manager_a, rep=world.rep_a)
    evidence_add_link(response=first_response(a, section), user=world.contributor_a, url="https://example.org/minutes")
    assert state_of(a, section) == SignOffState.SUPERSEDED
    event = AuditEvent.objects.filter(action="signoff.superseded").first()
    assert event.actor == world.contributor_a and event.site == world.site_a


def test_the_sign_off_page_runs_a_fixed_number_of_queries(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    client.force_login(world.rep_a)
    few = queries_for_get(client, signoff_url(a, section))
    for _ in range(3):
        sign_section(a, section, manager=world.manager_a, rep=world.rep_a)
        answer(first_response(a, section), world.manager_a, narrative=f"Version {SignOff.objects.count()}")
    comment_create(
        response=first_response(a, section), user=world.rep_a, role=SiteRole.UNION_REP, body="Hm", is_concern=True
    )
    assert queries_for_get(client, signoff_url(a, section)) == few <= 16


def test_the_task_list_shows_each_sections_latest_change_without_extra_queries(client, world):
    a, section = world.assessment_a, first_section(world.assessment_a)
    client.force_login(world.manager_a)
    url = reverse("checklists:assessment", args=[a.pk])
    client.get(url)
    before = queries_for_get(client, url)
    response = answer(first_response(a, section), world.contributor_a)
    page = client.get(url).content.decode()
    assert page.count("Last change ") == 1 and f">{response.item.code}</a></span>" in page
    assert queries_for_get(client, url) == before
