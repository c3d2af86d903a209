"""The database itself refuses impossible rows, whatever code writes them."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from checklists.models import Assessment, Comment, Evidence, Item, Response, SignOff
from phb_readiness.reports.models import Report
from phb_readiness.sites.models import Membership
from tests.factories import MembershipFactory, UserFactory


def refused(fn) -> bool:
    try:
        with transaction.atomic():
            fn()
    except IntegrityError:
        return True
    return False


def test_one_response_per_assessment_and_item(world):
    response = world.assessment_a.responses.first()
    assert refused(lambda: Response.objects.create(assessment=world.assessment_a, item=response.item))


def test_not_applicable_needs_a_reason(world):
    response = world.assessment_a.responses.first()
    assert refused(lambda: Response.objects.filter(pk=response.pk).update(status="not_applicable"))
    Response.objects.filter(pk=response.pk).update(status="not_applicable", not_applicable_reason="No such staff")


def test_states_and_statuses_must_be_known(world):
    response = world.assessment_a.responses.first()
    assert refused(lambda: Response.objects.filter(pk=response.pk).update(status="done"))
    assert refused(lambda: Assessment.objects.filter(pk=world.assessment_a.pk).update(state="finished"))
    assert refused(lambda: Response.objects.filter(pk=response.pk).update(version=0))


def test_a_returned_assessment_carries_reasons(world):
    assert refused(lambda: Assessment.objects.filter(pk=world.assessment_a.pk).update(state="returned"))


def test_one_role_per_person_per_site(world):
    assert refused(lambda: MembershipFactory(user=world.manager_a, site=world.site_a, role=Membership.Role.UNION_REP))


def test_evidence_is_a_file_with_a_hash_or_a_link(world):
    response = world.assessment_a.responses.first()
    assert refused(
        lambda: Evidence.objects.create(response=response, kind="link", title="x", uploaded_by=world.manager_a)
    )
    Evidence.objects.create(
        response=response,
        kind="link",
        title="Policy",
        url="https://example.org/p",
        uploaded_by=world.manager_a,
    )


def test_a_concern_has_a_state_and_a_comment_has_none(world):
    response = world.assessment_a.responses.first()
    assert refused(
        lambda: Comment.objects.create(
            response=response, author=world.rep_a, author_role="union_rep", body="x", is_concern=True
        )
    )
    assert refused(
        lambda: Comment.objects.create(
            response=response, author=world.rep_a, author_role="union_rep", body="x", concern_state="open"
        )
    )


def test_a_report_subject_matches_its_kind(world):
    assert refused(lambda: Report.objects.create(kind="site", requested_by=world.reviewer))
    assert refused(lambda: Report.objects.create(kind="national", site=world.site_a))


def test_deleting_what_others_depend_on_is_refused(world):
    with pytest.raises(ProtectedError):
        world.site_a.delete()
    with pytest.raises(ProtectedError):
        Item.objects.first().delete()
    SignOff.objects.create(
        assessment=world.assessment_a,
        kind="management",
        signed_by=world.manager_a,
        signer_role="manager",
        statement="Signed",
        content_sha256="0" * 64,
    )
    with pytest.raises(ProtectedError):
        world.assessment_a.delete()
    assert UserFactory()  # people without records can still be removed
