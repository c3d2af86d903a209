"""The checks every write shares, and the errors they raise for the pages to show."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from checklists.models import Assessment
from checklists.rules.access import can
from checklists.rules.answers import BODY_MAX
from phb_readiness.sites.models import SiteRole, role_at

FROZEN = "This assessment has been accepted and is frozen. Start a new round to make changes."


class PartnershipError(Exception):
    """A step that cannot happen in the current state; the message tells the person why."""


class AssessmentNotEditable(Exception):
    """The assessment is with the reviewers (submitted) or accepted: its answers are frozen."""

    def __init__(self, assessment: Assessment):
        self.assessment = assessment
        super().__init__(
            f"This assessment is {assessment.get_state_display().lower()}, so its answers cannot be changed."
        )


def require(condition: bool, message: str) -> None:
    """A step that cannot happen in the current state: PartnershipError with the reason."""
    if not condition:
        raise PartnershipError(message)


def allow(condition: bool, message: str) -> None:
    """A step the person's role does not allow: PermissionDenied with the reason."""
    if not condition:
        raise PermissionDenied(message)


def clean_text(text: str, what: str) -> str:
    """A text someone wrote, stripped; PartnershipError if it is empty or too long."""
    text = (text or "").strip()
    require(bool(text), f"Enter {what}.")
    require(len(text) <= BODY_MAX, f"{what[0].upper()}{what[1:]} must be {BODY_MAX} characters or fewer.")
    return text


def role_needed(user, assessment: Assessment, need) -> SiteRole:
    """The person's role at the assessment's site, if it allows `need`; PermissionDenied otherwise."""
    role = role_at(user, assessment.site)
    if not can(role, need):
        raise PermissionDenied("Your role does not allow this.")
    return role
