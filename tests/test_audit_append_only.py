"""On PostgreSQL a trigger refuses UPDATE and DELETE on the audit trail and on sign-offs, whoever asks."""

import pytest
from django.db import IntegrityError, connection, transaction

from checklists.models import SignOff
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_record, audit_verify

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only triggers exist on PostgreSQL only (set DATABASE_URL)")


@pytest.fixture
def signoff(world):
    section = world.assessment_a.framework.sections.first()
    return SignOff.objects.create(
        assessment=world.assessment_a,
        section=section,
        kind=SignOff.Kind.MANAGEMENT,
        signed_by=world.manager_a,
        signer_role="manager",
        statement="Signed for management.",
        content_sha256="0" * 64,
    )


def refused(callable_) -> str:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        callable_()
    return str(error.value)


def test_audit_events_cannot_be_updated_or_deleted(db):
    event = audit_record(action="test.event", summary="original")
    assert "append-only: UPDATE refused" in refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(summary="x"))
    assert "append-only: DELETE refused" in refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())

    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET summary = 'x'")

    assert "audit_auditevent is append-only" in refused(raw_update)
    assert AuditEvent.objects.get(pk=event.pk).summary == "original"
    assert audit_verify().ok


def test_signoffs_cannot_be_updated_or_deleted(signoff):
    assert "append-only" in refused(lambda: SignOff.objects.filter(pk=signoff.pk).update(statement="changed"))
    assert "append-only" in refused(lambda: signoff.delete())
    signoff.refresh_from_db()
    assert signoff.statement == "Signed for management."


def test_appending_still_works(signoff, world):
    before = AuditEvent.objects.count()
    audit_record(action="test.event", summary="another")
    assert AuditEvent.objects.count() == before + 1


@pytest.mark.django_db(transaction=True)
def test_the_refusal_holds_outside_any_test_transaction(transactional_db):
    event = audit_record(action="test.event", summary="committed")
    with pytest.raises(IntegrityError):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()
