"""Template helpers of the partnership features: safe links in plain text, role checks, an item's comments."""

from __future__ import annotations

from django import template
from django.utils.html import urlize
from django.utils.safestring import SafeString, mark_safe

from checklists.access import Need, can
from checklists.models import Response
from checklists.partnership_selectors import comments_for

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
    return comments_for(response)
