"""Where every item of the shipped framework comes from: the guidance's questions word for word, its other
requirements, the UNISON 2009 motion, or this service; each with the passage it quotes and its reasons."""

from __future__ import annotations

import re
import tomllib

import pytest

from checklists.models import Item, Section
from checklists.services.frameworks import DEFAULT_FRAMEWORK_FILE

pytestmark = pytest.mark.django_db

SOURCES = DEFAULT_FRAMEWORK_FILE.parent / "sources"
GUIDANCE_QUESTIONS = [f"EMP-0{n}" for n in range(1, 7)] + [f"DEL-0{n}" for n in range(1, 10)]


def words(text: str) -> str:
    """Text as a reader sees it: runs of white space as one space, list bullets dropped."""
    return re.sub(r"\s+", " ", re.sub(r"(?m)^\s*[-·]\s*", "", text)).strip()


def source_text(framework, key: str) -> str:
    entry = next(s for s in framework.sources if s["key"] == key)
    return words((SOURCES / entry["file"]).read_text(encoding="utf-8"))


def test_every_item_says_where_it_comes_from_and_why(framework):
    items = Item.objects.filter(section__framework=framework)
    assert items.count() == 61
    for item in items:
        assert item.provenance in Item.Provenance.values, item.code
        assert item.mandatory_reason.strip() and item.evidence_reason.strip(), item.code
        if item.provenance != Item.Provenance.SERVICE:
            assert item.source_passage.strip(), item.code


def test_the_reasons_agree_with_what_the_item_asks(framework):
    for item in Item.objects.filter(section__framework=framework):
        assert item.mandatory_reason.startswith("Mandatory" if item.mandatory else "Optional"), item.code
        assert item.evidence_reason.startswith("Evidence is expected" if item.evidence_expected else "No evidence"), (
            item.code
        )


def test_exactly_the_checklist_questions_are_marked_as_the_guidance_questions(framework):
    questions = Item.objects.filter(section__framework=framework, provenance=Item.Provenance.QUESTION)
    assert sorted(questions.values_list("code", flat=True)) == sorted(GUIDANCE_QUESTIONS)


def test_each_guidance_question_appears_word_for_word_in_the_guidance(framework):
    guidance = source_text(framework, "DH-SPF-2009")
    for item in Item.objects.filter(code__in=GUIDANCE_QUESTIONS):
        assert item.source_passage == item.question, item.code
        assert f" {item.question} " in f" {guidance} ", item.code


def test_every_quoted_passage_is_in_its_source_word_for_word(framework):
    texts = {s["key"]: source_text(framework, s["key"]) for s in framework.sources}
    for item in Item.objects.filter(section__framework=framework).exclude(source_passage=""):
        assert words(item.source_passage) in texts[item.source_key], item.code


def test_the_motion_conditions_come_from_the_motion_and_the_rest_from_the_guidance(framework):
    for item in Item.objects.filter(section__framework=framework):
        motion = item.provenance == Item.Provenance.MOTION
        assert (item.source_key == "UNISON-2009") == motion, item.code
        assert (item.section.code == "SSC") == motion, item.code


def test_the_section_built_from_the_motion_is_named_for_it(framework):
    section = Section.objects.get(framework=framework, code="SSC")
    assert section.title == "Conditions of the UNISON 2009 conference motion"
    assert not Section.objects.filter(title__icontains="staff-side conditions").exists()
    file = tomllib.loads(DEFAULT_FRAMEWORK_FILE.read_text(encoding="utf-8"))
    assert "Staff-side conditions" not in [s["title"] for s in file["sections"]]
