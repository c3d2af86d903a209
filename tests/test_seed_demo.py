"""Demo data: three fictional sites in two regions, the documented accounts, idempotent, never in production."""

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command

from checklists.models import Assessment, Comment, Evidence, Response
from phb_readiness.sites.models import PilotSite

ACCOUNTS = ["demo-manager", "demo-contributor", "demo-manager-2", "demo-rep", "demo-reviewer", "demo-admin"]


@pytest.fixture
def seeded(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")


def test_demo_sites_assessments_and_activity(seeded):
    assert set(PilotSite.objects.values_list("code", flat=True)) == {"DEMO-A", "DEMO-B", "DEMO-C"}
    assert PilotSite.objects.values("region").distinct().count() == 2
    states = {a.site.code: a.state for a in Assessment.objects.select_related("site")}
    assert len(set(states.values())) == 3
    assert Response.objects.exclude(narrative="").exists()
    assert Evidence.objects.exists() and Comment.objects.filter(is_concern=False).exists()
    assert Comment.objects.open_concerns().filter(response__assessment__site__code="DEMO-C").count() == 1


def test_the_demo_history_is_in_the_audit_trail(seeded):
    from phb_readiness.audit.models import AuditEvent
    from phb_readiness.audit.services import audit_verify

    for code in ("DEMO-A", "DEMO-B", "DEMO-C"):
        actions = set(AuditEvent.objects.filter(site__code=code).values_list("action", flat=True))
        assert {"assessment.create", "response.update", "signoff.management", "signoff.staff_side"} <= actions
    assert audit_verify().ok


def test_demo_a_can_be_signed_and_submitted(seeded):
    """The partnership journey after `make run`: only DEMO-A's last section's sign-offs stand before submission."""
    from checklists.selectors.review import submit_blockers
    from checklists.services.assessments import assessment_submit
    from checklists.services.signoffs import signoff_acknowledge, signoff_management
    from phb_readiness.sites.models import SiteRole

    assessment = Assessment.objects.get(site__code="DEMO-A")
    last = assessment.framework.sections.order_by("-position").first()
    assert {(b.kind, b.section_code) for b in submit_blockers(assessment=assessment)} == {("signoff", last.code)}
    assert assessment.responses.filter(item__section=last, item__mandatory=False, status="not_started").exists()

    manager = get_user_model().objects.get(username="demo-manager")
    rep = get_user_model().objects.get(username="demo-rep")
    signoff_management(assessment=assessment, section=last, user=manager, role=SiteRole.MANAGER, statement="Signed.")
    signoff_acknowledge(assessment=assessment, section=last, user=rep, role=SiteRole.UNION_REP, statement="Agreed.")
    assert assessment_submit(assessment=assessment, user=manager).state == Assessment.State.SUBMITTED


@pytest.mark.parametrize("username", ACCOUNTS)
def test_every_demo_account_signs_in_with_the_documented_password(seeded, username):
    assert authenticate(username=username, password="demo-pass-2009") is not None


def test_a_second_run_keeps_what_users_did(seeded, capsys):
    response = Response.objects.filter(assessment__site__code="DEMO-A").first()
    response.narrative = "Changed by a user"
    response.save()
    call_command("seed_demo")
    response.refresh_from_db()
    assert response.narrative == "Changed by a user"
    assert PilotSite.objects.count() == 3
    assert "demo-manager" in capsys.readouterr().out


def test_refuses_to_run_without_debug(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo")
    assert not PilotSite.objects.exists()


def test_no_demo_section_reads_green_while_its_evidence_has_expired_or_a_concern_on_it_is_open(seeded):
    """The demo tells a true story: DEMO-C was returned because its insurance certificates expired, so its Liability
    section is not green; and no section anywhere is green over expired evidence or an open concern."""
    from django.utils import timezone

    from checklists.models import Rag
    from phb_readiness.audit.models import AuditEvent

    today = timezone.localdate()
    expired = Evidence.objects.lapsed(today)
    assert set(expired.values_list("response__assessment__site__code", flat=True)) == {"DEMO-C"}
    assert set(expired.values_list("response__item__section__code", flat=True)) == {"LIA"}
    assert AuditEvent.objects.filter(action="evidence.lapsed", site__code="DEMO-C").count() == expired.count()
    for assessment in Assessment.objects.select_related("readiness", "site"):
        for section in assessment.readiness.section_figures:
            if section.rag != Rag.GREEN:
                continue
            where = {"response__assessment": assessment, "response__item__section_id": section.section_id}
            assert not expired.filter(**where).exists(), (assessment.site.code, section.code)
            assert not Comment.objects.open_concerns().filter(**where).exists(), (assessment.site.code, section.code)
    lia = next(s for s in Assessment.objects.get(site__code="DEMO-C").readiness.section_figures if s.code == "LIA")
    assert lia.rag != Rag.GREEN and lia.percent_in_place < 100 and lia.unevidenced >= 1


def test_the_stored_readiness_of_the_demo_agrees_with_its_rows(seeded):
    call_command("readiness_rebuild", "--check")
