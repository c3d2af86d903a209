"""An item changed in the service after the spreadsheet was written is a conflict: shown, and left alone unless the
person ticks it to be overwritten. An item changed after the preview stops the whole import: nothing is written."""

import pytest

from checklists.models import Response
from phb_readiness.audit.models import AuditEvent
from tests.import_support import export_xlsx, preview_url, set_cells, upload
from tests.partnership_support import answer

pytestmark = pytest.mark.django_db


def _two_items(assessment):
    return list(assessment.responses.select_related("item").order_by("item__section__position", "item__position"))[:2]


def _export_then_edit_in_the_app(client, world):
    """The manager exports, edits two items in the file; meanwhile a contributor changes the first in the service."""
    first, second = _two_items(world.assessment_a)
    client.force_login(world.manager_a)
    data = export_xlsx(client)
    data = set_cells(data, first.item.code, Status="Not in place", Narrative="From the spreadsheet.")
    data = set_cells(data, second.item.code, Status="In progress")
    answer(first, world.contributor_a, status=Response.Status.IN_PROGRESS, narrative="Changed in the service.")
    return first, second, data


def test_an_item_changed_since_the_export_is_shown_as_a_conflict_and_left_alone(client, world):
    first, second, data = _export_then_edit_in_the_app(client, world)

    preview = client.get(preview_url(upload(client, world.assessment_a.pk, data)))

    page = preview.content.decode()
    assert 'id="conflicts"' in page and f'id="overwrite-{first.item.code}"' in page
    assert "Changed in the service." in page and "From the spreadsheet." in page  # now beside the file's answer
    assert "version 1 in the file, 2 now" in page
    client.post(preview.wsgi_request.path)  # nothing ticked
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.narrative, first.version) == ("Changed in the service.", 2)
    assert second.status == Response.Status.IN_PROGRESS
    assert AuditEvent.objects.get(action="checklist.import").after["left_alone"] == [first.item.code]


def test_a_ticked_conflict_is_overwritten_with_the_spreadsheets_answer(client, world):
    first, _second, data = _export_then_edit_in_the_app(client, world)
    preview = client.get(preview_url(upload(client, world.assessment_a.pk, data)))

    client.post(preview.wsgi_request.path, {"overwrite": [first.item.code]})

    first.refresh_from_db()
    assert (first.status, first.narrative, first.version) == (Response.Status.NOT_IN_PLACE, "From the spreadsheet.", 3)
    event = AuditEvent.objects.filter(action="response.update", object_id=str(first.pk)).latest("id")
    assert event.before["narrative"] == "Changed in the service." and event.actor == world.manager_a


def test_a_change_after_the_preview_stops_the_whole_import(client, world):
    first, second = _two_items(world.assessment_a)
    client.force_login(world.manager_a)
    data = set_cells(export_xlsx(client), first.item.code, Status="In progress")
    data = set_cells(data, second.item.code, Status="In progress")
    preview = client.get(preview_url(upload(client, world.assessment_a.pk, data)))
    answer(second, world.contributor_a, status=Response.Status.NOT_IN_PLACE, narrative="Meanwhile.")

    confirm = client.post(preview.wsgi_request.path)

    assert confirm.status_code == 409
    assert f"{second.item.code} was changed by someone else after your preview" in confirm.content.decode()
    first.refresh_from_db()
    assert (first.status, first.version) == (Response.Status.NOT_STARTED, 1)  # the first item was rolled back too
    assert not AuditEvent.objects.filter(action="checklist.import").exists()


def test_a_blank_template_row_over_an_answered_item_is_a_conflict(client, world):
    first, _second = _two_items(world.assessment_a)
    answer(first, world.contributor_a, status=Response.Status.IN_PROGRESS, narrative="Answered here.")
    client.force_login(world.manager_a)
    data = set_cells(export_xlsx(client, template=True), first.item.code, Status="Not in place")

    preview = client.get(preview_url(upload(client, world.assessment_a.pk, data)))

    assert "version blank in the file, 2 now" in preview.content.decode()
    client.post(preview.wsgi_request.path)
    first.refresh_from_db()
    assert (first.status, first.narrative) == (Response.Status.IN_PROGRESS, "Answered here.")
