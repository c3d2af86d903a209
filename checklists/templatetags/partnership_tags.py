"""Template helpers of the partnership features: safe links in plain text, role checks, an item's comments."""

from __future__ import annotations

from django import template
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

from checklists.forms.comments import AnswerForm, CommentForm
from checklists.models import Response
from checklists.rules.access import Need, can
from checklists.rules.readiness import SignOffState
from checklists.selectors import activity, comments, responses

register = template.Library()


@register.filter(needs_autoescape=True)
def safe_links(text: str, autoescape: bool = True) -> SafeString:
    """Plain text, escaped, with http(s) addresses turned into links that pass no referrer trust or opener."""
    # urlize escapes everything that is not a link; user text cannot contain a literal rel="nofollow" after that.
    html = urlize(text or "", nofollow=True, autoescape=autoescape)
    return mark_safe(html.replace(' rel="nofollow"', ' rel="nofollow noopener"'))  # noqa: S308


@register.filter
def role_can(role, need: str) -> bool:
    return can(role, Need(need))


@register.simple_tag
def item_comments(response: Response) -> list:
    return comments.comments_for(response)


@register.simple_tag
def partnership_form(kind: str, prefix_id: int | None = None):
    """An empty form for the item panel (its pages re-render a bound one with errors)."""
    if kind == "answer":
        return AnswerForm(auto_id=f"id_concern_{prefix_id}_%s")
    return CommentForm(concern=kind == "concern", auto_id=f"id_{kind}_%s")


@register.simple_tag
def latest_activity(site) -> list:
    return activity.latest_activity(site=site)


@register.simple_tag
def task_list_url(assessment_id: int) -> str:
    return responses.task_list_url(assessment_id) or ""


SIGNOFF_TAG = {
    SignOffState.NONE: "govuk-tag--grey",
    SignOffState.MANAGEMENT_ONLY: "govuk-tag--yellow",
    SignOffState.COMPLETE: "govuk-tag--green",
    SignOffState.SUPERSEDED: "govuk-tag--orange",
}
CONCERN_TAG = {"open": "govuk-tag--red", "answered": "govuk-tag--yellow", "closed": "govuk-tag--green"}


@register.filter
def signoff_tag(state) -> str:
    return SIGNOFF_TAG.get(state, "govuk-tag--grey")


@register.filter
def concern_tag(state: str) -> str:
    return CONCERN_TAG.get(state, "govuk-tag--grey")


@register.filter
def person(user) -> str:
    """A person's full name, or their username; empty for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
