"""Writes of activity: when a person last looked at a site's activity."""

from __future__ import annotations

import datetime

from django.utils import timezone

from checklists.models import SiteVisit
from phb_readiness.sites.models import PilotSite


def site_visit_touch(*, user, site: PilotSite) -> datetime.datetime | None:
    """Record that the person looked at the site's activity now; when they had last looked, if ever."""
    now = timezone.now()
    visits = SiteVisit.objects.filter(user=user, site=site)
    previous = visits.values_list("last_seen_at", flat=True).first()
    if previous is None:
        SiteVisit.objects.get_or_create(user=user, site=site, defaults={"last_seen_at": now})
    else:
        visits.update(last_seen_at=now)
    return previous
