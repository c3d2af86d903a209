"""Template helpers of the checklist pages."""

from django import template

from checklists.models import STATUS_TAG_CLASSES

register = template.Library()


@register.filter
def status_tag_class(status: str) -> str:
    return STATUS_TAG_CLASSES.get(status, "govuk-tag--grey")
