"""What an import costs in queries. Uploading and previewing cost the same whatever the number of rows and changes;
confirming writes each changed item through the response service, so it grows by the same number of queries per
changed item (the save's lock, update, audit and readiness refresh), asserted here for fixed numbers of changes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.import_support import edited, export_xlsx, preview_url, row_of, upload
from tests.query_counts import assert_query_count

pytestmark = pytest.mark.django_db

# session (1), the person with their reviewer scope (1), the assessment with the role and readiness (1); the responses
# with their items and owners (1), the site's managers and contributors (1), expired imports deleted (1), the pending
# import stored (1)
UPLOAD = 7
# session, person, assessment (3); the pending import (1)
PREVIEW = 4
# session, person, assessment (3); the pending import (1); the assessment locked (1); the changed responses with
# their items (1); the import's own audit event (the chain's end read, the event inserted: 2); the pending import
# deleted (1)
CONFIRM_BASE = 9
# per changed item, the response service: the assessment's lock (1), the conditional update (1), the section's facts
# read and stored readiness written (2), the audit chain's end read and the event inserted (2)
PER_CHANGE = 6


def _file_changing(client, world, count: int) -> bytes:
    codes = list(
        world.assessment_a.responses.order_by("item__section__position", "item__position").values_list(
            "item__code", flat=True
        )[:count]
    )

    def edit(book):
        sheet = book["Checklist"]
        for code in codes:
            sheet.cell(row=row_of(sheet, code), column=6, value="In progress")

    return edited(export_xlsx(client), edit)


@pytest.mark.parametrize("changes", [1, 12])
def test_upload_and_preview_cost_the_same_whatever_the_changes(client, world, changes):
    client.force_login(world.manager_a)
    data = _file_changing(client, world, changes)
    client.get(reverse("checklists:assessment", args=[world.assessment_a.pk]))  # the session's idle expiry written
    with assert_query_count(UPLOAD, f"upload with {changes} changes"):
        url = preview_url(upload(client, world.assessment_a.pk, data))
    with assert_query_count(PREVIEW, f"preview of {changes} changes"):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("changes", [1, 3])
def test_confirm_costs_a_fixed_number_of_queries_per_changed_item(client, world, changes):
    client.force_login(world.manager_a)
    url = preview_url(upload(client, world.assessment_a.pk, _file_changing(client, world, changes)))
    client.get(url)
    with assert_query_count(CONFIRM_BASE + PER_CHANGE * changes, f"confirm of {changes} changes"):
        assert client.post(url).status_code == 302
