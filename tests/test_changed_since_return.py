"""What changed since a return: the review page shows, for each queried item and for the whole assessment, every
answer's status, narrative, owner, due date and evidence as returned beside as now."""

import datetime

import pytest

from checklists.models import Response
from checklists.rules.review import FieldChange, snapshot_changes
from checklists.selectors.review import review_page
from checklists.services.assessments import assessment_submit
from checklists.services.evidence import evidence_add_link, evidence_remove
from checklists.services.responses import response_save
from tests.partnership_support import response_for, sign_section
from tests.review_support import answer_queries, returned_with_queries, review_url, two_codes

pytestmark = pytest.mark.django_db


def test_old_beside_new_for_every_field_and_evidence(client, world):
    codes = two_codes(world.assessment_a)
    a = returned_with_queries(world, codes)
    queried = response_for(a, codes[0])
    before = list(queried.evidence.all())
    response_save(
        response=queried,
        user=world.manager_a,
        data={
            "status": Response.Status.IN_PROGRESS,
            "narrative": "Agreed at the March forum; minutes attached.",
            "owner": world.contributor_a.pk,
            "due_date": datetime.date(2031, 5, 1),
        },
        base_version=queried.version,
    )
    evidence_add_link(response=queried, user=world.manager_a, url="https://example.org/minutes", title="March minutes")
    for evidence in before:
        evidence_remove(evidence=evidence, user=world.manager_a)

    changes = {c.code: c for c in review_page(a).changes}
    assert set(changes) == {codes[0]}  # nothing else changed
    rows = changes[codes[0]].rows
    labels = [row.label for row in rows]
    assert labels[:4] == ["Status", "Narrative", "Owner", "Due date"]
    assert rows[0] == FieldChange("Status", "In place", "In progress")
    assert rows[1].old == "Agreed." and rows[1].new == "Agreed at the March forum; minutes attached."
    assert rows[2].old == "" and rows[2].new == (world.contributor_a.get_full_name() or "contributor-a")
    assert rows[3] == FieldChange("Due date", "", "1 May 2031")
    assert FieldChange("Evidence added", "", "March minutes") in rows
    assert [r for r in rows if r.label == "Evidence removed"] == [
        FieldChange("Evidence removed", e.title, "") for e in before
    ]

    answer_queries(world, a)
    sign_section(a, queried.item.section, manager=world.manager_a, rep=world.rep_a)
    answer_again = response_for(a, codes[0])
    response_save(
        response=answer_again, user=world.manager_a, data={"status": "in_place"}, base_version=answer_again.version
    )
    sign_section(a, queried.item.section, manager=world.manager_a, rep=world.rep_a)
    assessment_submit(assessment=a, user=world.manager_a)
    client.force_login(world.reviewer)
    page = client.get(review_url(a)).content.decode()
    assert "Changed since the return of" in page and 'id="changes-table"' in page
    assert "Agreed at the March forum; minutes attached." in page and "March minutes" in page
    assert f'id="queried-{codes[1]}"' in page and "Nothing in this item's answer has changed." in page


def test_the_rule_ignores_items_that_did_not_change():
    same = {"code": "X-1", "status": "in_place", "narrative": "A", "owner": None, "due_date": None, "evidence": []}
    assert snapshot_changes({"1": same}, {"1": dict(same)}) == []
    moved = {**same, "evidence": [[7, "Policy"]]}
    (change,) = snapshot_changes({"1": same}, {"1": moved})
    assert (change.code, change.evidence_added, change.evidence_removed, change.fields) == ("X-1", ("Policy",), (), ())
