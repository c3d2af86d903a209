"""The one access helper for assessments and sites: the object and the person's role, or 404 / 403.

Unknown and forbidden look the same (404) to anyone who may not see the site at all; a person who may see it but
whose role does not allow the action gets 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from checklists.models import Assessment, Response
from checklists.rules.access import Need, can
from phb_readiness.sites.models import PilotSite, SiteRole, membership_role_of, role_at, role_from


def assessments_visible_to(user) -> QuerySet[Assessment]:
    return Assessment.objects.filter(site__in=PilotSite.objects.visible_to(user))


def get_assessment_for(user, pk: int, need: Need = Need.VIEW) -> tuple[Assessment, SiteRole]:
    """The assessment with this pk (its site, framework and stored readiness loaded) if the person may see it, and
    their role at its site.

    Whether they may see it is their role there (role_from: a membership, a reviewer scope that covers the site's
    region, or administrator), which is the rule PilotSite.objects.visible_to applies to lists
    (tests/test_access_scope.py holds them equal): one lookup by pk, not a scoped subquery, on every page and save.
    """
    assessment = (
        Assessment.objects.select_related("site__region", "framework", "readiness")
        .annotate(membership_role=membership_role_of(user))
        .filter(pk=pk)
        .first()
        if getattr(user, "is_authenticated", False)
        else None
    )
    role = role_from(user, assessment.site, membership_role=assessment.membership_role) if assessment else None
    if role is None:
        raise Http404("No such assessment.")
    if not can(role, need):
        raise PermissionDenied(f"Your role ({role.label}) cannot do this.")
    return assessment, role


def get_response_for(user, pk: int, code: str, need: Need = Need.VIEW) -> tuple[Response, SiteRole]:
    """The response to item `code` of assessment `pk` (its assessment, item and people loaded) if the person may
    see it, and their role at the site; 404 for an unknown item too. Two simple queries: one query joining all of
    it took PostgreSQL longer to plan than the two take to run."""
    assessment, role = get_assessment_for(user, pk, need)
    response = (
        Response.objects.filter(assessment=assessment, item__code=code)
        .select_related("item__section", "owner", "updated_by")
        .first()
    )
    if response is None:
        raise Http404("No such item.")
    response.assessment = assessment
    return response, role


def site_for(user, code: str) -> tuple[PilotSite, SiteRole]:
    """A site the person may see, and their role there; 404 otherwise (unknown and forbidden look the same)."""
    site = PilotSite.objects.visible_to(user).select_related("region").filter(code=code).first()
    role = role_at(user, site) if site is not None else None
    if site is None or role is None:
        raise Http404("No such site.")
    return site, role
