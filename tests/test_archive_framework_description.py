"""A site archive names its framework version; restoring it where that version is loaded needs the version to ask the
same questions, not to be described the same way."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from checklists.models import Framework, Item, Section
from phb_readiness.sites.models import PilotSite
from tests.archive_support import empty_database

pytestmark = pytest.mark.django_db


def describe_as_first_loaded(framework: Framework) -> None:
    """The version as an installation loaded it before its items said where they come from."""
    Item.objects.filter(section__framework=framework).update(provenance="", mandatory_reason="", evidence_reason="")
    Section.objects.filter(framework=framework, code="SSC").update(title="Staff-side conditions")
    Framework.objects.filter(pk=framework.pk).update(content_sha256="0" * 64)


def test_an_archive_from_before_the_description_restores_where_it_is_described(world, tmp_path):
    describe_as_first_loaded(world.assessment_a.framework)
    archive = tmp_path / "site-a.zip"
    call_command("export_site", "SITE-A", str(archive))
    empty_database()
    call_command("load_framework")

    call_command("import_site", str(archive))

    restored = PilotSite.objects.get(code="SITE-A").assessments.get()
    assert Framework.objects.count() == 1
    assert restored.responses.count() == 61
    assert restored.framework.sections.get(code="SSC").title == "Conditions of the UNISON 2009 conference motion"


def test_an_archive_whose_version_asks_something_else_is_refused(world, tmp_path):
    archive = tmp_path / "site-a.zip"
    call_command("export_site", "SITE-A", str(archive))
    empty_database()
    call_command("load_framework")
    # As if another file of the same version, asking differently, had been loaded here.
    Item.objects.filter(code="EMP-01").update(question="Have pilots thought about the workforce?")
    Framework.objects.update(content_sha256="1" * 64)

    with pytest.raises(CommandError, match="differs from the archive's"):
        call_command("import_site", str(archive))
    assert not PilotSite.objects.filter(code="SITE-A").exists()
