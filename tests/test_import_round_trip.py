"""A site's spreadsheet goes out, is edited, and comes back in: the preview lists every change, old beside new, and
confirming it writes exactly those changes, each audited as an edit on the item's page would be."""

import datetime

import pytest
from django.urls import reverse

from checklists.models import ChecklistImport, Response
from phb_readiness.audit.models import AuditEvent
from tests.import_support import export_xlsx, preview_url, set_cells, upload
from tests.partnership_support import response_for

pytestmark = pytest.mark.django_db


def test_an_edited_export_imports_exactly_its_changes_after_a_preview(client, world):
    a = world.assessment_a
    world.contributor_a.first_name, world.contributor_a.last_name = "Chris", "Contributor"
    world.contributor_a.save()
    first, second = list(a.responses.select_related("item").order_by("item__section__position", "item__position"))[:2]
    client.force_login(world.manager_a)
    data = export_xlsx(client)
    data = set_cells(
        data,
        first.item.code,
        Status="In progress",
        Narrative="Policy drafted with the staff side",
        Owner="Chris Contributor",
        Due_date=datetime.date(2010, 3, 31),  # written as a date cell
    )
    data = set_cells(data, second.item.code, Status="Not in place", Owner=world.contributor_a.email)
    before_events = AuditEvent.objects.count()

    preview = client.get(preview_url(upload(client, a.pk, data)))

    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Check the changes before you import them" in page
    assert page.count(f'data-item="{first.item.code}"') == 4  # status, narrative, owner, due date
    assert page.count(f'data-item="{second.item.code}"') == 2
    assert "Not started" in page and "In progress" in page and "31 Mar 2010" in page
    assert Response.objects.get(pk=first.pk).status == Response.Status.NOT_STARTED  # nothing written yet
    assert AuditEvent.objects.count() == before_events

    confirm = client.post(preview.wsgi_request.path)

    assert confirm.status_code == 302 and confirm["Location"] == reverse("checklists:assessment", args=[a.pk])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.narrative, first.owner, first.due_date, first.version) == (
        Response.Status.IN_PROGRESS,
        "Policy drafted with the staff side",
        world.contributor_a,
        datetime.date(2010, 3, 31),
        2,
    )
    assert (second.status, second.owner, second.version) == (Response.Status.NOT_IN_PLACE, world.contributor_a, 2)
    changed = Response.objects.filter(assessment=a).exclude(version=1)
    assert set(changed.values_list("pk", flat=True)) == {first.pk, second.pk}
    updates = AuditEvent.objects.filter(action="response.update", id__gt=0).order_by("id")
    by_object = {e.object_id: e for e in updates}
    assert set(by_object) == {str(first.pk), str(second.pk)}
    assert by_object[str(first.pk)].actor == world.manager_a
    assert set(by_object[str(first.pk)].after) == {"status", "narrative", "owner", "due_date", "version"}
    assert by_object[str(second.pk)].before == {"status": "not_started", "owner": None, "version": 1}
    imported = AuditEvent.objects.get(action="checklist.import")
    assert imported.site == world.site_a and imported.after["applied"] == [first.item.code, second.item.code]
    assert not ChecklistImport.objects.exists()  # confirmed once, then forgotten


def test_an_unchanged_export_changes_nothing(client, world):
    client.force_login(world.manager_a)
    answer = upload(client, world.assessment_a.pk, export_xlsx(client))
    assert answer.status_code == 200
    assert "changes nothing" in answer.content.decode()
    assert not ChecklistImport.objects.exists()
    assert not Response.objects.filter(assessment=world.assessment_a, version__gt=1).exists()


def test_the_blank_template_fills_in_unanswered_items(client, world):
    a = world.assessment_a
    item = response_for(a, a.responses.select_related("item").first().item.code)
    client.force_login(world.contributor_a)
    data = set_cells(export_xlsx(client, template=True), item.item.code, Status="In progress", Narrative="Started.")
    preview = client.get(preview_url(upload(client, a.pk, data)))
    assert 'id="conflicts"' not in preview.content.decode()
    client.post(preview.wsgi_request.path)
    item.refresh_from_db()
    assert (item.status, item.narrative) == (Response.Status.IN_PROGRESS, "Started.")
