"""The guidance as data: every checklist question word for word, idempotent loads, immutable published versions."""

import re
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from checklists.models import Framework, Item, Section
from checklists.services.frameworks import DEFAULT_FRAMEWORK_FILE, FrameworkFileError, framework_load

# The 15 questions of the guidance's "Checklist", one a line, copied word for word from the 2009 DH/SPF document.
GUIDANCE_QUESTIONS = Path(__file__).resolve().parent / "data" / "guidance_questions.txt"


def checklist_questions_from_the_guidance() -> list[str]:
    return [line.strip() for line in GUIDANCE_QUESTIONS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_checklist_question_is_in_the_framework_word_for_word(framework):
    questions = checklist_questions_from_the_guidance()
    assert len(questions) == 15
    assert all(q.endswith("?") for q in questions)
    stored = set(Item.objects.values_list("question", flat=True))
    assert [q for q in questions if q not in stored] == []
    quoted = set(Item.objects.filter(source_section__startswith="Checklist:").values_list("question", flat=True))
    assert quoted == set(questions)


def test_the_fifteen_checklist_questions_are_in_the_two_checklist_sections(framework):
    quoted = Item.objects.filter(source_section__startswith="Checklist:")
    assert quoted.count() == 15
    assert set(quoted.values_list("section__title", flat=True)) == {
        "Employment issues",
        "Delivering personal health budgets",
    }


def test_framework_has_sections_items_and_sources(framework):
    assert framework.published
    assert 45 <= Item.objects.filter(section__framework=framework).count() <= 70
    assert list(Section.objects.filter(framework=framework).values_list("code", flat=True)) == [
        "EMP",
        "DEL",
        "REG",
        "LIA",
        "TRN",
        "LDR",
        "SSC",
    ]
    for item in Item.objects.filter(section__framework=framework):
        assert re.fullmatch(r"[A-Z]{3}-\d{2}", item.code)
        assert item.guidance and item.source_section
        assert item.source_key in {s["key"] for s in framework.sources}
    assert Item.objects.filter(section__code="SSC", source_key="UNISON-2009").count() >= 10


def test_loading_twice_changes_nothing(framework):
    again = framework_load(path=DEFAULT_FRAMEWORK_FILE)
    assert not again.created
    assert again.framework == framework
    assert Framework.objects.count() == 1


def test_changing_a_published_version_is_refused_with_advice(framework, tmp_path):
    changed = tmp_path / "changed.toml"
    shutil.copy(DEFAULT_FRAMEWORK_FILE, changed)
    # The question and its quoted passage together, as an editor would change both.
    changed.write_text(changed.read_text().replace("Have pilots considered", "Have the pilots considered"))
    with pytest.raises(CommandError, match="raise the version"):
        call_command("load_framework", str(changed))
    assert Item.objects.filter(question__startswith="Have the pilots").count() == 0


def test_a_new_version_loads_beside_the_old(framework, tmp_path):
    changed = tmp_path / "v2.toml"
    text = DEFAULT_FRAMEWORK_FILE.read_text().replace('version = "2009.1"', 'version = "2010.1"', 1)
    changed.write_text(text)
    framework_load(path=changed)
    assert Framework.objects.count() == 2


@pytest.mark.parametrize(
    ("mutation", "message"),
    [
        (lambda t: t.replace('kind = "readiness"', 'kind = "maybe"', 1), "use readiness or describe"),
        (lambda t: t.replace('source = "DH-SPF-2009"', 'source = "NOPE"', 1), "unknown source"),
        (lambda t: t.replace('code = "EMP-02"', 'code = "EMP-01"', 1), "used twice"),
        (lambda t: t + "\n[[[broken", "not valid TOML"),
    ],
)
def test_bad_files_get_a_clear_message(db, tmp_path, mutation, message):
    bad = tmp_path / "bad.toml"
    bad.write_text(mutation(DEFAULT_FRAMEWORK_FILE.read_text()))
    with pytest.raises(FrameworkFileError, match=message):
        framework_load(path=bad)
    assert Framework.objects.count() == 0


def test_command_reports_what_it_loaded(db, capsys):
    call_command("load_framework")
    assert "7 sections, 61 items" in capsys.readouterr().out
