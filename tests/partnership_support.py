"""Helpers for the partnership tests: answer items and sign sections through the real services."""

from __future__ import annotations

from django.utils import timezone

from checklists.models import Assessment, Evidence, Item, Response, Section, SectionFigures
from checklists.selectors.readiness import readiness_for
from checklists.services.evidence import evidence_add_link
from checklists.services.readiness import readiness_rebuild
from checklists.services.responses import response_save
from checklists.services.signoffs import signoff_acknowledge, signoff_management
from phb_readiness.sites.models import SiteRole


def answer(
    response: Response,
    user,
    status: str = Response.Status.IN_PLACE,
    narrative: str = "Agreed.",
    *,
    with_evidence: bool = True,
) -> Response:
    """Answer an item through the service. An item that expects evidence is in place only with current evidence, so
    answering it "in place" attaches a link first (unless `with_evidence` is off or it has evidence in force)."""
    if status == Response.Status.IN_PLACE and with_evidence:
        give_evidence(response, user)
    data = {"status": status, "narrative": narrative}
    if status == Response.Status.NOT_APPLICABLE:
        data["not_applicable_reason"] = "Does not apply here."
    return response_save(response=response, user=user, data=data, base_version=response.version)


def give_evidence(response: Response, user, **dates) -> Evidence | None:
    """A link as evidence, when the item expects evidence and has none in force (`dates`: `dated`, `valid_until`,
    for a link given whatever it already has)."""
    item = Item.objects.only("evidence_expected").get(pk=response.item_id)
    if not dates and (
        not item.evidence_expected or Evidence.objects.in_force(timezone.localdate()).filter(response=response).exists()
    ):
        return None
    return evidence_add_link(
        response=response, user=user, url=f"https://intranet.example.nhs.uk/evidence/{response.pk}", **dates
    )


def evidence_rows(assessment: Assessment, user) -> list[Evidence]:
    """A link as evidence on every item of the assessment that expects evidence, written without the services (for
    tests that write rows directly; stored readiness must then be rebuilt, as `stored_sections` does)."""
    responses = assessment.responses.filter(item__evidence_expected=True)
    return Evidence.objects.bulk_create(
        Evidence(
            response=r,
            kind=Evidence.Kind.LINK,
            title="Minutes",
            url=f"https://intranet.example.nhs.uk/minutes/{r.pk}",
            uploaded_by=user,
        )
        for r in responses
    )


def answer_all(assessment: Assessment, user) -> None:
    for response in assessment.responses.select_related("item"):
        answer(response, user)


def first_section(assessment: Assessment) -> Section:
    return Section.objects.filter(framework=assessment.framework).order_by("position").first()


def first_response(assessment: Assessment, section: Section | None = None) -> Response:
    section = section or first_section(assessment)
    return (
        Response.objects.select_related("item", "assessment")
        .filter(assessment=assessment, item__section=section)
        .order_by("item__position")
        .first()
    )


def response_for(assessment: Assessment, code: str) -> Response:
    return Response.objects.select_related("item", "assessment").get(assessment=assessment, item__code=code)


def sign_section(assessment: Assessment, section: Section, *, manager, rep) -> None:
    signoff_management(assessment=assessment, section=section, user=manager, role=SiteRole.MANAGER, statement="Signed.")
    signoff_acknowledge(
        assessment=assessment, section=section, user=rep, role=SiteRole.UNION_REP, statement="Acknowledged."
    )


def sign_all(assessment: Assessment, *, manager, rep, skip: set[str] = frozenset()) -> None:
    for section in Section.objects.filter(framework=assessment.framework).order_by("position"):
        if section.code not in skip:
            sign_section(assessment, section, manager=manager, rep=rep)


def ready_to_submit(assessment: Assessment, *, manager, rep) -> None:
    answer_all(assessment, manager)
    sign_all(assessment, manager=manager, rep=rep)


def stored_sections(assessment: Assessment) -> list[SectionFigures]:
    """The assessment's sections as stored, recomputed first: for tests that write rows without the services (which
    keep stored readiness current), and must then rebuild it, as an operator would with `readiness_rebuild`."""
    readiness_rebuild()
    return readiness_for(assessment).section_figures


def item_codes(assessment: Assessment) -> list[str]:
    return list(Item.objects.filter(section__framework=assessment.framework).values_list("code", flat=True))


def queries_for_get(client, url: str) -> int:
    """How many queries one GET of a page runs (the page must answer 200), on a warm session: the first request
    after sign-in also writes the session's idle expiry, which later ones do at most once a minute."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)
