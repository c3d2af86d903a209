"""Answers carried forward from the last round: an import that changes one makes it this round's answer; those the
spreadsheet leaves as they are are listed, and confirmed as this round's only when the person ticks to confirm them."""

import pytest

from checklists.models import Response
from phb_readiness.audit.models import AuditEvent
from tests.import_support import export_xlsx, preview_url, set_cells, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def carried(world):
    """Three answers carried forward into site A's assessment."""
    responses = list(
        world.assessment_a.responses.select_related("item").order_by("item__section__position", "item__position")[:3]
    )
    Response.objects.filter(pk__in=[r.pk for r in responses]).update(carried_forward=True)
    return responses


def _preview(client, world, carried):
    client.force_login(world.manager_a)
    data = set_cells(export_xlsx(client), carried[0].item.code, Status="In progress")
    preview = client.get(preview_url(upload(client, world.assessment_a.pk, data)))
    page = preview.content.decode()
    assert 'id="carried"' in page and "Confirm these 2 answers as this round" in page
    return preview


def test_confirming_with_the_box_ticked_confirms_the_unchanged_carried_answers(client, world, carried):
    preview = _preview(client, world, carried)
    client.post(preview.wsgi_request.path, {"confirm_carried": "on"})
    assert not Response.objects.filter(pk__in=[r.pk for r in carried], carried_forward=True).exists()
    confirmed = AuditEvent.objects.filter(action="response.confirm").values_list("object_id", flat=True)
    assert set(confirmed) == {str(carried[1].pk), str(carried[2].pk)}
    assert AuditEvent.objects.get(action="response.update").object_id == str(carried[0].pk)


def test_without_the_box_only_the_changed_answer_stops_being_carried(client, world, carried):
    preview = _preview(client, world, carried)
    client.post(preview.wsgi_request.path)
    still = Response.objects.filter(pk__in=[r.pk for r in carried], carried_forward=True)
    assert set(still.values_list("pk", flat=True)) == {carried[1].pk, carried[2].pk}
    assert not AuditEvent.objects.filter(action="response.confirm").exists()
