"""Two rounds of a site side by side: each item's status, narrative, owner and evidence in both, changes marked.

Four queries whatever the number of items or rounds: the site's rounds, both rounds' responses (with their items
and owners), both rounds' current evidence, and the figures stored for both. Items are matched by code, so rounds
against different framework versions still line up; an item in one round only shows as added or removed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from checklists.models import Assessment, Evidence, Readiness, Response
from phb_readiness.sites.models import PilotSite

COMPARED_FIELDS = ("status", "narrative", "owner", "evidence")


@dataclass
class Side:
    """One round's answer to an item (None: the item is not in that round)."""

    response: Response
    owner: str
    evidence: list[str]

    def value(self, name: str):
        if name == "status":
            return self.response.status
        if name == "narrative":
            return " ".join((self.response.narrative or "").split())  # whitespace alone is no change
        if name == "owner":
            return self.owner
        return sorted(self.evidence)


@dataclass
class CompareRow:
    code: str
    question: str
    section: str
    older: Side | None
    newer: Side | None
    changed: list[str] = field(default_factory=list)  # the names in COMPARED_FIELDS that differ

    @property
    def sides(self) -> tuple[Side | None, Side | None]:
        return self.older, self.newer

    @property
    def is_changed(self) -> bool:
        return bool(self.changed) or self.older is None or self.newer is None

    @property
    def change_label(self) -> str:
        if self.older is None:
            return "New item"
        if self.newer is None:
            return "Removed item"
        return "Changed: " + ", ".join(self.changed) if self.changed else "No change"


@dataclass
class Comparison:
    older: Assessment
    newer: Assessment
    older_readiness: Readiness | None
    newer_readiness: Readiness | None
    rows: list[CompareRow]

    @property
    def changed_count(self) -> int:
        return sum(1 for row in self.rows if row.is_changed)


def site_rounds(*, site: PilotSite) -> list[Assessment]:
    """The site's rounds, newest first (one query)."""
    return list(
        Assessment.objects.filter(site=site)
        .select_related("framework")
        .only("id", "site_id", "round_label", "state", "created_at", "carried_forward_from_id", "framework__version")
        .order_by("-created_at", "-id")
    )


def default_pair(rounds: list[Assessment]) -> tuple[Assessment, Assessment] | None:
    """The round before the latest and the latest (rounds newest first); None while there is only one."""
    return (rounds[1], rounds[0]) if len(rounds) > 1 else None


def _person(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def compare_rounds(*, older: Assessment, newer: Assessment) -> Comparison:
    """The two rounds item by item, in the newer round's order (items only in the older one after them)."""
    pair = (older.pk, newer.pk)
    responses = (
        Response.objects.filter(assessment_id__in=pair)
        .select_related("item__section", "owner")
        .only(
            "id",
            "assessment_id",
            "status",
            "narrative",
            "not_applicable_reason",
            "carried_forward",
            "item__code",
            "item__question",
            "item__position",
            "item__section__code",
            "item__section__title",
            "item__section__position",
            "owner__username",
            "owner__first_name",
            "owner__last_name",
        )
        .order_by("item__section__position", "item__position")
    )
    titles: dict[int, list[str]] = {}
    for response_id, title in (
        Evidence.objects.current().filter(response__assessment_id__in=pair).values_list("response_id", "title")
    ):
        titles.setdefault(response_id, []).append(title)
    figures = {r.assessment_id: r for r in Readiness.objects.filter(assessment_id__in=pair)}

    rows: dict[str, CompareRow] = {}
    sides: dict[tuple[int, str], Side] = {}
    ordered: list[Response] = list(responses)
    for r in ordered:
        sides[(r.assessment_id, r.item.code)] = Side(response=r, owner=_person(r.owner), evidence=titles.get(r.pk, []))
    for r in ordered:
        code = r.item.code
        if code in rows or (r.assessment_id == older.pk and (newer.pk, code) in sides):
            continue
        row = CompareRow(
            code=code,
            question=r.item.question,
            section=r.item.section.title,
            older=sides.get((older.pk, code)),
            newer=sides.get((newer.pk, code)),
        )
        if row.older is not None and row.newer is not None:
            row.changed = [name for name in COMPARED_FIELDS if row.older.value(name) != row.newer.value(name)]
        rows[code] = row
    in_newer = [row for row in rows.values() if row.newer is not None]
    older_only = [row for row in rows.values() if row.newer is None]
    return Comparison(
        older=older,
        newer=newer,
        older_readiness=figures.get(older.pk),
        newer_readiness=figures.get(newer.pk),
        rows=in_newer + older_only,
    )
