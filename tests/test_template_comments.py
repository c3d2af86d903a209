"""Django's {# #} comments end at the end of their line: one that runs on is printed on the page as text (the
reports list showed one). Longer comments take {% comment %}."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS_ON = re.compile(r"\{#(?:(?!#\}).)*$", re.M)


def test_no_single_line_comment_runs_onto_the_next_line():
    templates = [
        path
        for folder in ("templates", "checklists", "phb_readiness")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".html", ".txt"} and "templates" in path.parts
    ]
    assert len(templates) > 30
    broken = [
        f"{path.relative_to(ROOT)}:{path.read_text()[: match.start()].count(chr(10)) + 1}"
        for path in templates
        for match in RUNS_ON.finditer(path.read_text())
    ]
    assert broken == []
