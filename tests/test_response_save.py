"""response_save: optimistic versions, the answer rules, who may assign owners, frozen assessments, the audit trail."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from checklists.models import Assessment, Response
from checklists.services.checks import AssessmentNotEditable
from checklists.services.responses import ResponseConflict, response_save
from phb_readiness.audit.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _response(world, code="EMP-01") -> Response:
    return world.assessment_a.responses.select_related("item").get(item__code=code)


def test_save_changes_fields_bumps_the_version_and_records_before_and_after(world):
    response = _response(world)
    saved = response_save(
        response=response,
        user=world.contributor_a,
        data={"status": "in_progress", "narrative": "Workforce plan drafted"},
        base_version=1,
    )
    assert (saved.status, saved.narrative, saved.version, saved.updated_by) == (
        "in_progress",
        "Workforce plan drafted",
        2,
        world.contributor_a,
    )
    event = AuditEvent.objects.filter(action="response.update").get()
    assert event.before == {"status": "not_started", "narrative": "", "version": 1}
    assert event.after == {"status": "in_progress", "narrative": "Workforce plan drafted", "version": 2}
    assert event.actor == world.contributor_a and event.site == world.site_a


def test_a_save_based_on_an_old_version_overwrites_nothing(world):
    response = _response(world)
    response_save(response=response, user=world.manager_a, data={"narrative": "Manager's text"}, base_version=1)
    with pytest.raises(ResponseConflict) as raised:
        response_save(response=response, user=world.contributor_a, data={"narrative": "My text"}, base_version=1)
    assert raised.value.current.version == 2
    assert raised.value.current.narrative == "Manager's text"
    response.refresh_from_db()
    assert response.narrative == "Manager's text" and response.version == 2
    assert AuditEvent.objects.filter(action="response.update").count() == 1


def test_resaving_the_same_values_is_not_a_conflict_and_changes_nothing(world):
    response = _response(world)
    response_save(response=response, user=world.manager_a, data={"narrative": "Same"}, base_version=1)
    again = response_save(response=response, user=world.contributor_a, data={"narrative": "Same"}, base_version=1)
    assert again.version == 2


def test_the_version_check_is_in_the_update_itself(world):
    """Two saves read version 1; the conditional UPDATE lets only one of them write."""
    response = _response(world)
    assert Response.objects.filter(pk=response.pk, version=1).update(version=2) == 1
    with pytest.raises(ResponseConflict):
        response_save(response=response, user=world.manager_a, data={"narrative": "Late"}, base_version=1)


def test_not_applicable_needs_a_reason(world):
    with pytest.raises(ValidationError) as raised:
        response_save(
            response=_response(world), user=world.manager_a, data={"status": "not_applicable"}, base_version=1
        )
    assert "not_applicable_reason" in raised.value.message_dict
    saved = response_save(
        response=_response(world),
        user=world.manager_a,
        data={"status": "not_applicable", "not_applicable_reason": "No staff transfer in this pilot"},
        base_version=1,
    )
    assert saved.status == "not_applicable"


def test_leaving_not_applicable_clears_the_reason(world):
    response = _response(world)
    response_save(
        response=response,
        user=world.manager_a,
        data={"status": "not_applicable", "not_applicable_reason": "None"},
        base_version=1,
    )
    saved = response_save(response=response, user=world.manager_a, data={"status": "in_progress"}, base_version=2)
    assert saved.not_applicable_reason == ""


def test_a_describe_item_needs_a_narrative_before_in_place(world):
    response = world.assessment_a.responses.select_related("item").filter(item__kind="describe").first()
    with pytest.raises(ValidationError) as raised:
        response_save(response=response, user=world.manager_a, data={"status": "in_place"}, base_version=1)
    assert "narrative" in raised.value.message_dict
    saved = response_save(
        response=response,
        user=world.manager_a,
        data={"status": "in_place", "narrative": "Staff raise concerns through the pilot board."},
        base_version=1,
    )
    assert saved.status == "in_place"


def test_a_due_date_in_the_past_is_allowed(world):
    past = datetime.date(2010, 3, 31)
    saved = response_save(response=_response(world), user=world.manager_a, data={"due_date": past}, base_version=1)
    assert saved.due_date == past and saved.is_overdue


def test_only_a_manager_assigns_an_owner_and_only_to_a_site_member(world):
    response = _response(world)
    with pytest.raises(PermissionDenied):
        response_save(response=response, user=world.contributor_a, data={"owner": world.contributor_a}, base_version=1)
    with pytest.raises(ValidationError):
        response_save(response=response, user=world.manager_a, data={"owner": world.manager_b}, base_version=1)
    with pytest.raises(ValidationError):
        response_save(response=response, user=world.manager_a, data={"owner": world.rep_a}, base_version=1)
    saved = response_save(response=response, user=world.manager_a, data={"owner": world.contributor_a}, base_version=1)
    assert saved.owner == world.contributor_a
    assert AuditEvent.objects.get(action="response.update").after["owner"] == world.contributor_a.pk


@pytest.mark.parametrize("persona", ["rep_a", "reviewer", "manager_b", "admin"])
def test_people_who_may_not_edit_cannot_save(world, persona):
    with pytest.raises(PermissionDenied):
        response_save(response=_response(world), user=getattr(world, persona), data={"narrative": "x"}, base_version=1)
    assert _response(world).version == 1


def test_outsider_cannot_save(world):
    with pytest.raises(PermissionDenied):
        response_save(response=_response(world), user=UserFactory(), data={"narrative": "x"}, base_version=1)


@pytest.mark.parametrize("state", [Assessment.State.SUBMITTED, Assessment.State.ACCEPTED])
def test_submitted_and_accepted_assessments_are_frozen(world, state):
    Assessment.objects.filter(pk=world.assessment_a.pk).update(state=state)
    with pytest.raises(AssessmentNotEditable):
        response_save(response=_response(world), user=world.manager_a, data={"narrative": "x"}, base_version=1)


def test_a_returned_assessment_is_editable_again(world):
    Assessment.objects.filter(pk=world.assessment_a.pk).update(state="returned", return_reasons="Add evidence")
    saved = response_save(response=_response(world), user=world.manager_a, data={"narrative": "More"}, base_version=1)
    assert saved.version == 2


def test_a_save_that_keeps_the_owner_does_not_look_the_choices_up(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.partnership_support import first_response

    response = first_response(world.assessment_a)
    response = response_save(
        response=response, user=world.manager_a, data={"owner": world.contributor_a}, base_version=response.version
    )
    url = reverse("checklists:item", args=[world.assessment_a.pk, response.item.code])
    client.force_login(world.manager_a)
    client.get(url)
    data = {
        "status": "in_progress",
        "narrative": "Drafting.",
        "owner": str(world.contributor_a.pk),
        "base_version": response.version,
    }
    with CaptureQueriesContext(connection) as queries:
        assert client.post(url, data).status_code == 302
    owner_lookups = [q for q in queries if 'FROM "auth_user"' in q["sql"] and "memberships" in q["sql"].lower()]
    assert owner_lookups == []
