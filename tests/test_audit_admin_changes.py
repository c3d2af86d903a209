"""Changes made in the Django admin reach the hash-chained audit trail: who, what, which site; the chain holds."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from checklists.models import Assessment
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_record, audit_verify
from phb_readiness.reports.models import Report
from phb_readiness.sites.models import PilotSite, Region
from tests.factories import PilotSiteFactory
from tests.mfa_support import sign_in_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, world, settings):
    settings.PHB_MFA_ENFORCED = True  # the administrator signs in with two-step verification, as in production
    sign_in_verified(client, world.admin)
    return client


class _FormFields(HTMLParser):
    """The values a browser would send from the admin's change form (inputs, selects, textareas)."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type", "text") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(a.get("value") or ("on" if a.get("type") == "checkbox" else ""))
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _change_form(client, url: str) -> dict[str, list[str]]:
    page = client.get(url)
    assert page.status_code == 200
    parser = _FormFields()
    parser.feed(page.content.decode())
    return parser.data


def _events(action: str):
    return list(AuditEvent.objects.filter(action=action).select_related("actor", "site").order_by("id"))


def _chain_holds() -> None:
    report = audit_verify()
    assert report.ok, report.reason
    assert report.checked == AuditEvent.objects.count()


def test_renaming_a_site_in_the_admin_is_in_the_trail(admin_client, world):
    url = reverse("admin:sites_pilotsite_change", args=[world.site_a.pk])
    data = _change_form(admin_client, url)
    assert data["name"] == ["Site A Primary Care Trust"] and data["memberships-TOTAL_FORMS"] == ["3"]
    data["name"] = ["Site A Integrated Care Board"]
    page = admin_client.post(url, data)
    assert page.status_code == 302, page.content.decode()[:2000]
    world.site_a.refresh_from_db()
    assert world.site_a.name == "Site A Integrated Care Board"

    [event] = _events("admin.change")
    assert (event.actor, event.actor_label, event.site) == (world.admin, "admin", world.site_a)
    assert (event.object_type, event.object_id) == ("sites.pilotsite", str(world.site_a.pk))
    assert "Site A Integrated Care Board (SITE-A)" in event.summary and "Changed Name" in event.summary
    _chain_holds()


def _empty_draft(world, site, label="Readiness review, 2010/11 Q1") -> Assessment:
    """A draft with no answers yet: the admin refuses to delete one with answers (ResponseAdmin is read-only)."""
    return Assessment.objects.create(site=site, framework=world.assessment_a.framework, round_label=label)


def test_changing_an_assessment_in_the_admin_is_in_the_trail(admin_client, world):
    assessment = world.assessment_a
    url = reverse("admin:checklists_assessment_change", args=[assessment.pk])
    data = _change_form(admin_client, url)
    data["round_label"] = ["Readiness review, 2009/10 Q4 (corrected)"]
    page = admin_client.post(url, data)
    assert page.status_code == 302, page.content.decode()[:2000]
    [event] = _events("admin.change")
    assert (event.actor, event.site) == (world.admin, world.site_a)
    assert (event.object_type, event.object_id) == ("checklists.assessment", str(assessment.pk))
    assert "SITE-A: Readiness review, 2009/10 Q4 (corrected)" in event.summary and "Round label" in event.summary
    _chain_holds()


def test_deleting_a_draft_assessment_in_the_admin_is_in_the_trail(admin_client, world):
    assessment = _empty_draft(world, world.site_a)
    page = admin_client.post(reverse("admin:checklists_assessment_delete", args=[assessment.pk]), {"post": "yes"})
    assert page.status_code == 302
    assert not Assessment.objects.filter(pk=assessment.pk).exists()

    [event] = _events("admin.delete")
    assert (event.actor, event.site) == (world.admin, world.site_a)
    assert (event.object_type, event.object_id) == ("checklists.assessment", str(assessment.pk))
    assert event.summary == "Deleted assessment “SITE-A: Readiness review, 2010/11 Q1” in the admin"
    _chain_holds()


def test_a_refused_deletion_leaves_no_event(admin_client, world):
    assessment = world.assessment_a  # has answers, which the admin may not delete
    page = admin_client.post(reverse("admin:checklists_assessment_delete", args=[assessment.pk]), {"post": "yes"})
    assert page.status_code == 403
    assert Assessment.objects.filter(pk=assessment.pk).exists() and assessment.responses.exists()
    assert _events("admin.delete") == []
    _chain_holds()


def test_deleting_several_assessments_at_once_records_each(admin_client, world):
    # "Delete selected" logs more than one deletion with bulk_create, which sends no post_save.
    drafts = [_empty_draft(world, world.site_a), _empty_draft(world, world.site_b)]
    page = admin_client.post(
        reverse("admin:checklists_assessment_changelist"),
        {"action": "delete_selected", "_selected_action": [str(a.pk) for a in drafts], "post": "yes"},
    )
    assert page.status_code == 302
    assert not Assessment.objects.filter(pk__in=[a.pk for a in drafts]).exists()
    events = _events("admin.delete")
    assert sorted((e.object_id, e.site_id, e.actor_id) for e in events) == sorted(
        (str(a.pk), a.site_id, world.admin.pk) for a in drafts
    )
    _chain_holds()


def test_adding_a_region_and_deleting_a_report_are_in_the_trail(admin_client, world):
    page = admin_client.post(reverse("admin:sites_region_add"), {"code": "SW", "name": "South West"})
    assert page.status_code == 302
    region = Region.objects.get(code="SW")
    [added] = _events("admin.add")
    assert (added.actor, added.site, added.object_type, added.object_id) == (
        world.admin,
        None,
        "sites.region",
        str(region.pk),
    )

    report = Report.objects.create(
        kind=Report.Kind.SITE, assessment=world.assessment_a, site=world.site_a, requested_by=world.manager_a
    )
    page = admin_client.post(reverse("admin:reports_report_delete", args=[report.pk]), {"post": "yes"})
    assert page.status_code == 302 and not Report.objects.filter(pk=report.pk).exists()
    [deleted] = _events("admin.delete")
    assert (deleted.actor, deleted.site, deleted.object_type) == (world.admin, world.site_a, "reports.report")
    _chain_holds()


def test_a_site_deleted_in_the_admin_is_named_but_not_linked(admin_client, world):
    # The deletion is logged while the site still exists; linking the event to it would protect it from deletion.
    site = PilotSiteFactory(code="SITE-NEW", name="New Primary Care Trust", region=world.site_a.region)
    page = admin_client.post(reverse("admin:sites_pilotsite_delete", args=[site.pk]), {"post": "yes"})
    assert page.status_code == 302
    assert not PilotSite.objects.filter(pk=site.pk).exists()
    [event] = _events("admin.delete")
    assert (event.actor, event.site, event.object_type, event.object_id) == (
        world.admin,
        None,
        "sites.pilotsite",
        str(site.pk),
    )
    assert "New Primary Care Trust (SITE-NEW)" in event.summary
    _chain_holds()


def test_other_callers_still_name_the_object_by_the_instance(world):
    event = audit_record(action="test.event", actor=world.manager_a, obj=world.site_a, site=world.site_a)
    assert (event.object_type, event.object_id) == ("sites.pilotsite", str(world.site_a.pk))
    named = audit_record(action="test.event", object_type="sites.region", object_id="42")
    assert (named.object_type, named.object_id, named.actor_label) == ("sites.region", "42", "system")
