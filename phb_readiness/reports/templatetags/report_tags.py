from django import template

from phb_readiness.reports.selectors import may_review_nationally

register = template.Library()


@register.simple_tag
def may_review(user) -> bool:
    """Whether the national overview is for this person (their reviewer scope is cached on the user)."""
    return may_review_nationally(user)


@register.filter
def person(user) -> str:
    """A person's full name, or their username; empty for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()
