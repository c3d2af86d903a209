"""Reads of a person's sites: the sites they work on, and how far each assessment has got."""

from __future__ import annotations

from django.db.models import Prefetch

from checklists.models import Assessment
from phb_readiness.sites.models import Membership, PilotSite, reviewer_scope_of


def home_for(*, user) -> dict:
    """The sites a person works on (with their role, and their assessments with the stored readiness of each) and
    whether they review."""
    memberships = {m.site_id: m for m in Membership.objects.filter(user=user).only("site_id", "role")}
    scope = reviewer_scope_of(user)
    sites = (
        PilotSite.objects.visible_to(user)
        .filter(id__in=list(memberships))
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "assessments",
                queryset=Assessment.objects.select_related("framework", "readiness").order_by("-created_at"),
            )
        )
    )
    rows = [{"site": site, "membership": memberships[site.id]} for site in sites]
    return {"site_rows": rows, "reviewer_scope": scope, "is_admin": user.is_superuser}
