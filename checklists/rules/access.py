"""Who may do what: the needs of each action and the site roles that have them."""

from __future__ import annotations

from enum import StrEnum

from phb_readiness.sites.models import SiteRole


class Need(StrEnum):
    VIEW = "view"  # read the whole assessment
    EDIT = "edit"  # change responses, add evidence
    MANAGE = "manage"  # assign owners, sign off for management, submit, answer concerns
    COMMENT = "comment"
    RAISE_CONCERN = "raise_concern"
    ACKNOWLEDGE = "acknowledge"  # staff-side acknowledgement of a sign-off
    REVIEW = "review"  # accept or return a submitted assessment
    REQUEST_REPORT = "request_report"


M, C, U, R, A = SiteRole.MANAGER, SiteRole.CONTRIBUTOR, SiteRole.UNION_REP, SiteRole.REVIEWER, SiteRole.ADMIN
OBS = SiteRole.OBSERVER
# A staff-side observer watches across sites: reads, comments, raises concerns and asks for reports. The staff-side
# acknowledgement of a sign-off stays with the site's own union rep, who took part in the work it covers.
ALLOWED: dict[Need, frozenset[SiteRole]] = {
    Need.VIEW: frozenset({M, C, U, R, OBS, A}),
    Need.EDIT: frozenset({M, C}),
    Need.MANAGE: frozenset({M}),
    Need.COMMENT: frozenset({M, C, U, R, OBS}),
    Need.RAISE_CONCERN: frozenset({U, R, OBS}),
    Need.ACKNOWLEDGE: frozenset({U}),
    Need.REVIEW: frozenset({R}),
    Need.REQUEST_REPORT: frozenset({M, U, R, OBS}),
}


def can(role: SiteRole | None, need: Need) -> bool:
    return role is not None and role in ALLOWED[need]
