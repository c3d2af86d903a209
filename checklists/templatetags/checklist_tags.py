"""Template helpers of the checklist pages."""

from __future__ import annotations

from html import escape

from django import template
from django.utils.safestring import SafeString

from checklists.models import Response, status_tag_class
from phb_readiness.dates import short_date

register = template.Library()
register.filter("status_tag_class", status_tag_class)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@register.simple_tag
def task_list_item(row) -> SafeString:
    """One item of the task list (GOV.UK task list pattern), built here rather than in template tags: the 61 rows
    of a checklist were half of the page's time as template code. Plain f-strings, for speed: every value that is
    not the app's own (question, owner's name, labels) goes through `escape`; codes and numbers are the app's."""
    r = row.response
    code = escape(r.item.code)
    hint = [f"Owner: {escape(r.owner.get_full_name() or r.owner.get_username())}" if r.owner else "No owner"]
    if r.due_date:
        overdue = ' <strong class="govuk-tag govuk-tag--red app-tag--small">Overdue</strong>' if r.is_overdue else ""
        hint.append(f"Due {short_date(r.due_date)}{overdue}")
    hint.append(_plural(row.evidence_count, "evidence item"))
    if row.expired_on:
        expired = f"Expired on {short_date(row.expired_on)}"
        expired = f'<strong class="govuk-tag govuk-tag--grey app-tag--small">{expired}</strong>'
        hint.append(f'<span class="app-item-tags">{expired}</span>')  # one line: the date never breaks
    if row.evidence_missing:  # in place only with evidence: missing where it is claimed, expected elsewhere
        claimed = r.status == Response.Status.IN_PLACE
        missing = '<strong class="govuk-tag govuk-tag--red app-tag--small">Evidence missing</strong>'
        hint.append(missing if claimed else "Evidence expected")
    hint.append(_plural(row.comment_count, "comment"))
    if row.open_concerns:
        hint.append(f'<span class="app-concern-marker">{_plural(row.open_concerns, "open concern")}</span>')
    if row.open_queries:
        asked = "A query" if row.open_queries == 1 else f"{row.open_queries} queries"
        hint.append(f'<strong class="govuk-tag govuk-tag--orange app-tag--small">{asked} from the reviewer</strong>')
    if not r.item.mandatory:
        hint.append("Optional")
    if r.carried_forward:
        hint.append(
            '<strong class="govuk-tag govuk-tag--yellow app-tag--small">Carried forward, not yet confirmed</strong>'
        )
    return SafeString(
        '<li class="govuk-task-list__item govuk-task-list__item--with-link">'
        '<div class="govuk-task-list__name-and-hint">'
        f'<a class="govuk-link govuk-task-list__link" href="{escape(row.url)}"'
        f' aria-describedby="item-{code}-hint item-{code}-status">'
        f'<span class="app-nowrap">{code}</span> {escape(r.item.question)}</a>'
        f'<div id="item-{code}-hint" class="govuk-task-list__hint">{" · ".join(hint)}</div></div>'
        f'<div class="govuk-task-list__status" id="item-{code}-status">'
        f'<strong class="govuk-tag {r.status_tag_class}">{escape(r.get_status_display())}</strong></div></li>'
    )
