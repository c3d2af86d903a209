"""An installation that loaded version 2009.1 before its items carried provenance and reasons: loading the file
again describes the same version in place, and the assessments made against it keep their answers and meaning."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from checklists.models import Framework, Item, Readiness, Response, Section
from checklists.selectors.frameworks import framework_structure
from checklists.services.frameworks import DEFAULT_FRAMEWORK_FILE, framework_load
from checklists.services.readiness import readiness_rebuild
from phb_readiness.audit.models import AuditEvent
from tests.partnership_support import answer, response_for

pytestmark = pytest.mark.django_db

OLD_TITLE = "Staff-side conditions"
NEW_TITLE = "Conditions of the UNISON 2009 conference motion"


def as_first_loaded(framework: Framework) -> None:
    """The version as installations have it: no provenance or reasons, the motion's section under its old title, and
    stored readiness that says so."""
    Item.objects.filter(section__framework=framework).update(
        provenance="", source_passage="", mandatory_reason="", evidence_reason=""
    )
    Section.objects.filter(framework=framework, code="SSC").update(title=OLD_TITLE)
    Framework.objects.filter(pk=framework.pk).update(content_sha256="0" * 64)
    readiness_rebuild()


def test_loading_again_describes_the_loaded_version_in_place(world, capsys):
    framework = world.assessment_a.framework
    answer(response_for(world.assessment_a, "SSC-01"), world.manager_a)
    as_first_loaded(framework)
    items_before = dict(Item.objects.values_list("code", "pk"))
    responses_before = list(Response.objects.order_by("pk").values_list("pk", "item_id", "status", "version"))
    stored = Readiness.objects.get(assessment=world.assessment_a)
    assert [s["title"] for s in stored.sections if s["code"] == "SSC"] == [OLD_TITLE]

    call_command("load_framework")

    assert "updated its description (what it asks is unchanged)" in capsys.readouterr().out
    assert Framework.objects.count() == 1
    assert dict(Item.objects.values_list("code", "pk")) == items_before
    assert list(Response.objects.order_by("pk").values_list("pk", "item_id", "status", "version")) == responses_before
    assert Item.objects.filter(provenance="").count() == 0
    assert Item.objects.get(code="EMP-01").provenance == Item.Provenance.QUESTION
    assert Section.objects.get(code="SSC").title == NEW_TITLE
    for row in Readiness.objects.all():
        assert [s["title"] for s in row.sections if s["code"] == "SSC"] == [NEW_TITLE]
    assert readiness_rebuild(fix=False)[1] == []  # the stored rows agree with a recount

    event = AuditEvent.objects.get(action="framework.described")
    assert event.before["titles"] == {"SSC": OLD_TITLE} and event.after["titles"] == {"SSC": NEW_TITLE}
    assert len(event.after["items"]) == 61


def test_the_pages_read_the_new_description_at_once(world):
    framework = world.assessment_a.framework
    as_first_loaded(framework)
    framework.refresh_from_db()
    assert framework_structure(framework).items[0].provenance == ""  # memoised under the hash it had

    framework_load(path=DEFAULT_FRAMEWORK_FILE)

    framework.refresh_from_db()
    assert framework_structure(framework).items[0].provenance == Item.Provenance.QUESTION


def test_once_described_a_second_load_changes_nothing(world):
    as_first_loaded(world.assessment_a.framework)
    assert framework_load(path=DEFAULT_FRAMEWORK_FILE).described
    again = framework_load(path=DEFAULT_FRAMEWORK_FILE)
    assert not again.created and not again.described
    assert AuditEvent.objects.filter(action="framework.described").count() == 1
