"""The overview as CSV and XLSX, and a site's full checklist as XLSX."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from checklists.models import Response
from checklists.services.comments import comment_create
from phb_readiness.sites.models import SiteRole

pytestmark = pytest.mark.django_db


def test_overview_as_csv(client, world):
    client.force_login(world.reviewer)
    response = client.get(reverse("reports:overview"), {"format": "csv", "sort": "site"})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Site code", "Site", "Region"]
    assert "EMP RAG" in rows[0] and "SSC % in place" in rows[0]
    assert [r[0] for r in rows[1:]] == ["SITE-A", "SITE-B"]


def test_overview_as_xlsx_keeps_the_filters(client, world):
    client.force_login(world.reviewer)
    response = client.get(reverse("reports:overview"), {"format": "xlsx", "rag": "amber", "region": "NW"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Site code"
    assert [row[0] for row in values[1:]] == ["SITE-A", "SITE-B"]
    assert values[1][5] == "Amber"


def test_site_checklist_as_xlsx(client, world):
    response = world.assessment_a.responses.select_related("item").order_by("item__position").first()
    response.status = Response.Status.IN_PLACE
    response.narrative = '=HYPERLINK("http://evil.example")'
    response.save()
    comment_create(
        response=response, user=world.rep_a, role=SiteRole.UNION_REP, body="Pensions not confirmed.", is_concern=True
    )
    client.force_login(world.rep_a)
    answer = client.get(reverse("reports:site_checklist_xlsx", args=["SITE-A"]))
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    checklist = list(book["Checklist"].values)
    assert len(checklist) == 1 + 61
    row = next(r for r in checklist if r[1] == response.item.code)
    assert row[5] == "In place"
    assert row[6] == '\'=HYPERLINK("http://evil.example")'  # written as text, never run as a formula
    assert row[12] == 1  # open concerns
    assert "Concern (open) by" in row[13] and "Union rep" in row[13] and "Pensions not confirmed." in row[13]
    assert len(list(book["Summary"].values)) == 1 + 7


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("reviewer", 200), ("manager_a", 200), ("contributor_a", 200), ("manager_b", 404), ("outsider", 404)],
)
def test_site_checklist_access(client, world, persona, expected):
    client.force_login(getattr(world, persona))
    assert client.get(reverse("reports:site_checklist_xlsx", args=["SITE-A"])).status_code == expected
    assert client.get(reverse("reports:site_checklist_xlsx", args=["NO-SUCH"])).status_code == 404
