"""Template helpers of the checklist pages."""

from __future__ import annotations

from django import template
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from checklists.models import status_tag_class

register = template.Library()
register.filter("status_tag_class", status_tag_class)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@register.simple_tag
def task_list_item(row) -> SafeString:
    """One item of the task list (GOV.UK task list pattern), built here rather than in template tags: the 61 rows
    of a checklist were half of the page's time as template code. Every value is escaped by format_html."""
    r = row.response
    code = r.item.code
    hint = [format_html("Owner: {}", r.owner.get_full_name() or r.owner.get_username()) if r.owner else "No owner"]
    if r.due_date:
        overdue = ' <strong class="govuk-tag govuk-tag--red app-tag--small">Overdue</strong>' if r.is_overdue else ""
        hint.append(format_html("Due {}{}", date_format(r.due_date, "j M Y"), SafeString(overdue)))
    hint.append(_plural(row.evidence_count, "evidence item"))
    hint.append(_plural(row.comment_count, "comment"))
    if row.open_concerns:
        hint.append(
            format_html('<span class="app-concern-marker">{}</span>', _plural(row.open_concerns, "open concern"))
        )
    if not r.item.mandatory:
        hint.append("Optional")
    return format_html(
        '<li class="govuk-task-list__item govuk-task-list__item--with-link">'
        '<div class="govuk-task-list__name-and-hint">'
        '<a class="govuk-link govuk-task-list__link" href="{url}"'
        ' aria-describedby="item-{code}-hint item-{code}-status">'
        '<span class="app-nowrap">{code}</span> {question}</a>'
        '<div id="item-{code}-hint" class="govuk-task-list__hint">{hint}</div></div>'
        '<div class="govuk-task-list__status" id="item-{code}-status">'
        '<strong class="govuk-tag {tag}">{status}</strong></div></li>',
        url=row.url,
        code=code,
        question=r.item.question,
        hint=format_html_join(" · ", "{}", ((part,) for part in hint)),
        tag=r.status_tag_class,
        status=r.get_status_display(),
    )
