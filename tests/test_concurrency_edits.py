"""No lost data on PostgreSQL: simultaneous edits of one item, simultaneous submissions, and an audit chain that
stays whole while many people write at once."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection, transaction

from checklists.models import Assessment, Response, SignOff
from checklists.services.assessments import assessment_submit
from checklists.services.checks import AssessmentNotEditable
from checklists.services.readiness import readiness_rebuild
from checklists.services.responses import ResponseConflict, response_save
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_record, audit_verify
from phb_readiness.sites.models import Membership, SiteRole
from tests.factories import MembershipFactory
from tests.partnership_support import evidence_rows, stored_sections

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL); SQLite serialises every writer anyway")


def at_once(calls: list[Callable[[], object]]) -> list[object]:
    """Run the calls in threads released together; each returns its result or the exception it raised."""
    start = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        try:
            start.wait(timeout=10)
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test looks at
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_simultaneous_edits_of_one_item_one_wins_the_others_get_a_conflict(world):
    response = world.assessment_a.responses.select_related("item").order_by("id").first()
    editors = [world.manager_a, world.contributor_a] + [
        MembershipFactory(site=world.site_a, role=Membership.Role.CONTRIBUTOR).user for _ in range(4)
    ]

    def edit(user) -> Callable[[], object]:
        return lambda: response_save(
            response=response,
            user=user,
            data={"status": Response.Status.IN_PROGRESS, "narrative": f"Written by {user.username}."},
            base_version=response.version,
        )

    results = at_once([edit(user) for user in editors])

    saved = [r for r in results if isinstance(r, Response)]
    conflicts = [r for r in results if isinstance(r, ResponseConflict)]
    assert len(saved) == 1, results
    assert len(conflicts) == len(editors) - 1, results
    response.refresh_from_db()
    assert response.version == 2
    assert response.narrative == saved[0].narrative
    assert all(conflict.current.version == 2 for conflict in conflicts)
    assert AuditEvent.objects.filter(action="response.update", object_id=str(response.pk)).count() == 1
    assert audit_verify().ok


def ready_to_submit(world) -> Assessment:
    assessment = world.assessment_a
    assessment.responses.update(status=Response.Status.IN_PLACE, narrative="Done and agreed.")
    evidence_rows(assessment, world.manager_a)  # in place counts only with the evidence an item expects
    for section in stored_sections(assessment):
        for kind, user, role in [
            (SignOff.Kind.MANAGEMENT, world.manager_a, SiteRole.MANAGER),
            (SignOff.Kind.STAFF_SIDE, world.rep_a, SiteRole.UNION_REP),
        ]:
            SignOff.objects.create(
                assessment=assessment,
                section_id=section.section_id,
                kind=kind,
                signed_by=user,
                signer_role=role,
                statement="Signed.",
                content_sha256=section.content_sha256,
            )
    readiness_rebuild()
    return assessment


def test_simultaneous_submissions_submit_once(world):
    assessment = ready_to_submit(world)
    second_manager = MembershipFactory(site=world.site_a, role=Membership.Role.MANAGER).user

    results = at_once(
        [
            lambda user=user: assessment_submit(assessment=assessment, user=user)
            for user in (world.manager_a, second_manager)
        ]
    )

    submitted = [r for r in results if isinstance(r, Assessment)]
    refused = [r for r in results if isinstance(r, AssessmentNotEditable)]
    assert len(submitted) == 1 and len(refused) == 1, results
    assessment.refresh_from_db()
    assert assessment.state == Assessment.State.SUBMITTED
    assert AuditEvent.objects.filter(action="assessment.submit").count() == 1


def test_an_edit_racing_a_submission_either_lands_before_it_or_is_refused(world):
    assessment = ready_to_submit(world)
    response = assessment.responses.order_by("id").first()

    results = at_once(
        [
            lambda: assessment_submit(assessment=assessment, user=world.manager_a),
            lambda: response_save(
                response=response,
                user=world.contributor_a,
                data={"narrative": "A late change."},
                base_version=response.version,
            ),
        ]
    )

    submit_result, edit_result = results
    assert isinstance(submit_result, Assessment | Exception) and isinstance(edit_result, Response | Exception)
    assessment.refresh_from_db()
    response.refresh_from_db()
    if isinstance(edit_result, AssessmentNotEditable):
        assert assessment.state == Assessment.State.SUBMITTED
        assert response.narrative == "Done and agreed."
    else:
        assert isinstance(edit_result, Response), results
        assert response.narrative == "A late change."
    assert audit_verify().ok


def test_the_audit_chain_stays_whole_under_many_simultaneous_writers(world):
    responses = list(world.assessment_a.responses.order_by("id")[:12])
    calls = [
        lambda response=response: response_save(
            response=response,
            user=world.contributor_a,
            data={"status": Response.Status.IN_PROGRESS, "narrative": f"Item {response.pk}"},
            base_version=response.version,
        )
        for response in responses
    ]
    results = at_once(calls)
    assert all(isinstance(r, Response) for r in results), results
    report = audit_verify()
    assert report.ok, report
    assert AuditEvent.objects.filter(action="response.update").count() == len(responses)


def test_writers_of_different_sites_append_to_one_linear_chain(world):
    """Nothing serialises these writers but the chain itself: each reads the end, and a lost race is retried."""

    def write(n: int) -> Callable[[], object]:
        def call() -> object:
            with transaction.atomic():
                return audit_record(
                    action="test.append", summary=f"writer {n}", site=world.site_a if n % 2 else world.site_b
                )

        return call

    results = at_once([write(n) for n in range(8)])
    assert all(isinstance(r, AuditEvent) for r in results), results
    assert AuditEvent.objects.filter(action="test.append").count() == 8
    report = audit_verify()
    assert report.ok, report
