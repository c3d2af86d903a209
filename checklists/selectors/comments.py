"""Reads of comments and concerns: an item's comments, a site's concerns."""

from __future__ import annotations

from checklists.models import Comment, Response
from phb_readiness.sites.models import PilotSite


def comments_for(response: Response) -> list[Comment]:
    return list(
        Comment.objects.filter(response=response)
        .select_related("author", "answered_by", "closed_by")
        .order_by("created_at", "id")
    )


def concerns_for_site(*, site: PilotSite, show_closed: bool = False) -> list[Comment]:
    """A site's concerns, oldest first: the longest-waiting at the top."""
    concerns = Comment.objects.concerns().filter(response__assessment__site=site)
    if not show_closed:
        concerns = concerns.exclude(concern_state=Comment.ConcernState.CLOSED)
    return list(
        concerns.select_related("author", "answered_by", "response__item", "response__assessment").order_by(
            "created_at", "id"
        )
    )
