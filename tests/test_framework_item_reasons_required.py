"""The loader refuses an item that does not say where it comes from or why it is mandatory and expects evidence."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from checklists.models import Framework, Item
from checklists.services.frameworks import FrameworkFileError, framework_load

pytestmark = pytest.mark.django_db

ITEM = {
    "code": '"TST-01"',
    "question": '"Is the thing in place?"',
    "guidance": '"Say how."',
    "source": '"DOC"',
    "source_section": '"Part one"',
    "kind": '"readiness"',
    "mandatory": "true",
    "evidence_expected": "false",
    "provenance": '"requirement"',
    "source_passage": '"The thing should be in place."',
    "mandatory_reason": '"Mandatory because the document says it should be."',
    "evidence_reason": '"No evidence is expected: the narrative is enough."',
}


def framework_file(tmp_path: Path, **changes: str | None) -> Path:
    """A one-item framework file; a change of None leaves the key out."""
    fields = {**ITEM, **changes}
    item = "\n".join(f"{key} = {value}" for key, value in fields.items() if value is not None)
    path = tmp_path / "small.toml"
    path.write_text(
        '[framework]\nslug = "small"\nname = "Small"\nversion = "1"\n\n'
        '[[sources]]\nkey = "DOC"\nfile = "doc.txt"\ntitle = "A document"\n\n'
        '[[sections]]\ncode = "TST"\ntitle = "Tests"\n\n'
        f"[[sections.items]]\n{item}\n",
        encoding="utf-8",
    )
    return path


def test_a_complete_item_loads_with_its_provenance_and_reasons(tmp_path):
    framework_load(path=framework_file(tmp_path))
    item = Item.objects.get(code="TST-01")
    assert item.provenance == Item.Provenance.REQUIREMENT
    assert item.source_passage == "The thing should be in place."
    assert item.mandatory_reason.startswith("Mandatory because")
    assert item.evidence_reason.startswith("No evidence is expected")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"provenance": None}, "item TST-01 has no provenance: say where it comes from"),
        ({"provenance": '""'}, "item TST-01 has no provenance"),
        ({"mandatory_reason": None}, "item TST-01 has no mandatory_reason: say why it is mandatory or optional"),
        ({"evidence_reason": '"  "'}, "item TST-01 has no evidence_reason: say why it expects evidence or does not"),
        ({"source_passage": None}, "item TST-01 has no source_passage: quote the passage"),
        ({"provenance": '"folklore"'}, "item TST-01 has provenance 'folklore'; use question, requirement"),
        ({"provenance": '"question"'}, "item TST-01 is a question of the guidance, so its question must be"),
    ],
)
def test_an_item_without_its_provenance_or_reasons_is_refused_by_name(tmp_path, change, message):
    with pytest.raises(FrameworkFileError, match=message):
        framework_load(path=framework_file(tmp_path, **change))
    assert Framework.objects.count() == 0


def test_the_command_names_the_item_and_loads_nothing(tmp_path):
    with pytest.raises(CommandError, match="item TST-01 has no mandatory_reason"):
        call_command("load_framework", str(framework_file(tmp_path, mandatory_reason=None)))
    assert Framework.objects.count() == 0


def test_an_item_added_by_this_service_may_have_no_source_passage(tmp_path):
    framework_load(path=framework_file(tmp_path, provenance='"service"', source_passage=None))
    assert Item.objects.get(code="TST-01").get_provenance_display() == "Added by this service"


def test_a_guidance_question_quotes_itself(tmp_path):
    framework_load(path=framework_file(tmp_path, provenance='"question"', source_passage='"Is the thing in place?"'))
    assert Item.objects.get(code="TST-01").provenance == Item.Provenance.QUESTION
