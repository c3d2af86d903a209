"""The rules of an answer: which fields people change, what a valid answer is, how long a text may be."""

from __future__ import annotations

from checklists.models import Item, Response
from phb_readiness.sites.models import Membership

# What a new round copies forward from the last round's responses.
CARRIED_FIELDS = ("status", "narrative", "not_applicable_reason", "owner_id", "due_date")
# The fields of a response that people change (the rest is bookkeeping: version, who, when).
EDITABLE_FIELDS = ("status", "narrative", "not_applicable_reason", "owner", "due_date")
# The roles of the people who may own an item.
OWNER_ROLES = (Membership.Role.MANAGER, Membership.Role.CONTRIBUTOR)
# The longest comment, concern, statement or reason, in characters.
BODY_MAX = 5000


def response_rule_errors(*, item: Item, values: dict) -> dict[str, str]:
    """The answer rules, as messages that say what to fix, keyed by field."""
    errors: dict[str, str] = {}
    status = values.get("status")
    if status == Response.Status.NOT_APPLICABLE and not (values.get("not_applicable_reason") or "").strip():
        errors["not_applicable_reason"] = "Enter the reason this item does not apply to your site"
    if (
        status == Response.Status.IN_PLACE
        and item.kind == Item.Kind.DESCRIBE
        and not (values.get("narrative") or "").strip()
    ):
        errors["narrative"] = "Describe the process before you mark this item as in place"
    return errors


def field_label(name: str) -> str:
    """A response field's name as people read it."""
    return {"not_applicable_reason": "reason not applicable", "due_date": "due date"}.get(name, name)
