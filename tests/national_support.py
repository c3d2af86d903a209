"""Many pilot sites made in bulk for the national report's tests, with their stored readiness rebuilt."""

from __future__ import annotations

from checklists.models import Assessment, Comment, Item, Readiness, Response
from checklists.services.readiness import readiness_rebuild
from phb_readiness.sites.models import PilotSite, Region, SiteRole
from tests.factories import UserFactory

STATUSES = [Response.Status.IN_PLACE, Response.Status.IN_PROGRESS, Response.Status.NOT_STARTED]


def many_sites(framework, count: int, *, start: int = 0) -> list[PilotSite]:
    """Sites in five regions, each with an assessment answered in part and one open concern, made in bulk (past the
    services that keep readiness stored), then their readiness rebuilt as an operator would."""
    regions = [Region.objects.get_or_create(code=f"R{n}", defaults={"name": f"Region {n}"})[0] for n in range(5)]
    sites = PilotSite.objects.bulk_create(
        PilotSite(code=f"BULK-{n:03d}", name=f"Bulk {n:03d} Primary Care Trust", region=regions[n % 5])
        for n in range(start, start + count)
    )
    assessments = Assessment.objects.bulk_create(
        Assessment(site=site, framework=framework, round_label="Readiness review, 2009/10 Q4") for site in sites
    )
    items = list(Item.objects.filter(section__framework=framework))
    Response.objects.bulk_create(
        Response(assessment=a, item=item, status=STATUSES[(a.id + i) % 3])
        for a in assessments
        for i, item in enumerate(items)
    )
    rep = UserFactory(username=f"bulk-rep-{start}")
    first = {r.assessment_id: r for r in Response.objects.filter(assessment__in=assessments, item=items[0])}
    Comment.objects.bulk_create(
        Comment(
            response=first[a.id],
            author=rep,
            author_role=SiteRole.UNION_REP,
            body=f"Concern at {a.site.code}",
            is_concern=True,
            concern_state=Comment.ConcernState.OPEN,
        )
        for a in assessments
    )
    readiness_rebuild()
    return sites


def make_green(site: PilotSite) -> None:
    """Store a site's latest readiness as green throughout: what the report shows of a site that is ready (reaching
    it through the services takes every item in place and both sides' sign-offs)."""
    readiness = Readiness.objects.get(site=site, is_latest=True)
    sections = [
        entry
        | {
            "rag": "green",
            "signoff": "complete",
            "in_place": entry["applicable"],
            "mandatory_not_in_place": 0,
            "open_concerns": 0,
        }
        for entry in readiness.sections
    ]
    Readiness.objects.filter(pk=readiness.pk).update(
        rag="green",
        rag_rank=2,
        open_concerns=0,
        mandatory_not_in_place=0,
        in_place=readiness.applicable,
        percent_in_place=100,
        sections_signed=len(sections),
        sections=sections,
    )
