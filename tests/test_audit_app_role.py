"""On PostgreSQL the app runs as a role that owns no table (`manage.py grant_app_role`): on the audit trail and the
sign-offs it may SELECT and INSERT, and cannot UPDATE, DELETE, TRUNCATE or lift the triggers with ALTER TABLE."""

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from checklists.models import Response, SignOff
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def test_elsewhere_than_postgresql_the_command_says_so(db):
    if connection.vendor == "postgresql":
        pytest.skip("on PostgreSQL the command grants")
    with pytest.raises(CommandError, match="grant_app_role is for PostgreSQL; this database is sqlite"):
        call_command("grant_app_role", "phb_app")


@pytest.fixture
def app_role(db) -> str:
    """A NOLOGIN role made for the test (rolled back with it), granted by the command, twice: it is idempotent."""
    if connection.vendor != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's (set DATABASE_URL)")
    role = f"phb_app_test_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
    out = StringIO()
    call_command("grant_app_role", role, stdout=out)
    call_command("grant_app_role", role, stdout=out)
    assert "SELECT and INSERT only on audit_auditevent, checklists_signoff" in out.getvalue()
    return role


@contextmanager
def acting_as(role: str) -> Iterator[None]:
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {role}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")


def refused(sql: str, params: list | None = None) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(error.value)


@pytest.fixture
def signoff(world) -> SignOff:
    return SignOff.objects.create(
        assessment=world.assessment_a,
        section=world.assessment_a.framework.sections.first(),
        kind=SignOff.Kind.MANAGEMENT,
        signed_by=world.manager_a,
        signer_role="manager",
        statement="Signed for management.",
        content_sha256="0" * 64,
    )


def test_the_app_role_cannot_rewrite_the_audit_trail(app_role, world):
    event = audit_record(action="test.event", summary="original")
    with acting_as(app_role):
        assert "permission denied" in refused("UPDATE audit_auditevent SET summary = 'x' WHERE id = %s", [event.id])
        assert "permission denied" in refused("DELETE FROM audit_auditevent WHERE id = %s", [event.id])
        assert "permission denied" in refused("TRUNCATE audit_auditevent")
        assert "must be owner" in refused("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_auditevent_append_only")
        assert "must be owner" in refused("ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")
        assert "permission denied" in refused("SET LOCAL session_replication_role = replica")
    assert AuditEvent.objects.get(pk=event.pk).summary == "original"


def test_the_app_role_can_append_to_the_audit_trail(app_role, world):
    with acting_as(app_role):
        event = audit_record(action="test.event", summary="appended by the app", site=world.site_a)
        assert AuditEvent.objects.latest("id") == event
    assert audit_verify().ok


def test_the_app_role_cannot_change_or_remove_sign_offs(app_role, signoff):
    with acting_as(app_role):
        assert "permission denied" in refused(
            "UPDATE checklists_signoff SET statement = 'x' WHERE id = %s", [signoff.id]
        )
        assert "permission denied" in refused("DELETE FROM checklists_signoff WHERE id = %s", [signoff.id])
        assert "permission denied" in refused("TRUNCATE checklists_signoff CASCADE")
        assert "must be owner" in refused("ALTER TABLE checklists_signoff DISABLE TRIGGER ALL")
        assert SignOff.objects.filter(pk=signoff.pk).exists()


def test_the_app_role_can_sign_and_change_other_rows(app_role, signoff, world):
    with acting_as(app_role):
        SignOff.objects.create(
            assessment=signoff.assessment,
            section=signoff.section,
            kind=SignOff.Kind.STAFF_SIDE,
            signed_by=world.rep_a,
            signer_role="union_rep",
            statement="Acknowledged.",
            content_sha256="0" * 64,
        )
        assert Response.objects.filter(assessment=world.assessment_a).update(narrative="changed by the app") > 0
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM django_session")


def test_the_command_refuses_an_unknown_a_superuser_or_an_owning_role(db):
    if connection.vendor != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's (set DATABASE_URL)")
    with pytest.raises(CommandError, match="There is no role 'phb_nobody_here'"):
        call_command("grant_app_role", "phb_nobody_here")
    suffix = secrets.token_hex(4)
    superuser, member = f"phb_test_super_{suffix}", f"phb_test_member_{suffix}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
        cursor.execute(f"CREATE ROLE {superuser} SUPERUSER NOLOGIN")
        cursor.execute(f"CREATE ROLE {member} NOLOGIN IN ROLE {owner}")
    with pytest.raises(CommandError, match=f"{superuser} is a superuser"):
        call_command("grant_app_role", superuser)
    with pytest.raises(CommandError, match=f"{member} owns .* the app's role must own no table"):
        call_command("grant_app_role", member)
