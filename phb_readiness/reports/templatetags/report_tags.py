from html import escape
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

from phb_readiness.dates import short_date
from phb_readiness.reports.selectors import may_see_programme

register = template.Library()


@register.simple_tag
def may_review(user) -> bool:
    """Whether the national overview is for this person (their scope is read with the user)."""
    return may_see_programme(user)


@register.filter
def person(user) -> str:
    """A person's full name, or their username; empty for nobody."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


STATE_TAGS = {"accepted": "govuk-tag--green", "submitted": "govuk-tag--blue", "returned": "govuk-tag--orange"}
_MUTED = '<span class="app-muted">–</span>'


def _rag(rag: str) -> str:
    return f'<strong class="app-rag app-rag--{rag}">{rag.capitalize()}</strong>' if rag else _MUTED


def _cell(cell) -> str:
    if cell is None:
        return f'<td class="govuk-table__cell app-overview__cell">{_MUTED}</td>'
    return (
        f'<td class="govuk-table__cell app-overview__cell">{_rag(cell.rag)}'
        f'<span class="app-overview__pct">{cell.percent_in_place}%</span></td>'
    )


@register.simple_tag
def overview_rows(rows, may_request_site: bool) -> SafeString:
    """The national overview's rows, built here rather than as template code (a page of 50 sites has 500 cells).

    Plain f-strings, for speed (format_html costs a lazy-escape call a value): every value that is not the app's
    own (names, codes, display labels) goes through `escape`; ratings are one of three known words and numbers are
    ints. Each link is reversed once and filled in per row.
    """
    urls = (
        reverse("checklists:assessment", args=[0]).replace("/0/", "/{}/"),
        reverse("reports:site_checklist_xlsx", args=["CODE"]).replace("/CODE/", "/{}/"),
        reverse("reports:request_site", args=[0]).replace("/0/", "/{}/"),
    )
    return SafeString("\n".join(_overview_row(row, may_request_site, *urls) for row in rows))


def _overview_row(row, may_request_site: bool, assessment_url: str, xlsx_url: str, pdf_url: str) -> str:
    site, assessment = row.site, row.assessment
    name = escape(site.name)
    if assessment is None:
        title, state, actions = name, '<span class="app-muted">No assessment</span>', ""
    else:
        title = f'<a class="govuk-link" href="{assessment_url.format(assessment.pk)}">{name}</a>'
        tag = STATE_TAGS.get(assessment.state, "govuk-tag--grey")
        state = f'<strong class="govuk-tag {tag}">{escape(assessment.get_state_display())}</strong>'
        actions = (
            f'<a class="govuk-link" href="{escape(xlsx_url.format(quote(site.code, safe="")))}">'
            f'<span class="govuk-visually-hidden">Checklist of {name} as </span>XLSX</a>'
        )
        if may_request_site:
            actions += (
                f' <button type="submit" form="site-report-requests" formaction="{pdf_url.format(assessment.pk)}"'
                ' class="app-link-button govuk-link app-overview__pdf"><span class="govuk-visually-hidden">Ask for a'
                f' </span>PDF<span class="govuk-visually-hidden"> report of {name}</span></button>'
            )
    percent = f'<span class="app-overview__pct">{row.percent}%</span>' if row.percent is not None else ""
    changed = (
        f'<time datetime="{row.last_change.isoformat()}">{short_date(localtime(row.last_change))}</time>'
        if row.last_change
        else "–"
    )
    return (
        f'<tr class="govuk-table__row"><th scope="row" class="govuk-table__header app-overview__site">{title}'
        f' <span class="app-muted govuk-body-s">{escape(site.code)}, {escape(site.region.name)}</span><br>{state}</th>'
        f'<td class="govuk-table__cell">{_rag(row.rag)}{percent}</td>{"".join(_cell(c) for c in row.cells)}'
        f'<td class="govuk-table__cell govuk-table__cell--numeric">{int(row.open_concerns)}</td>'
        f'<td class="govuk-table__cell app-nowrap">{changed}</td>'
        f'<td class="govuk-table__cell app-overview__actions">{actions}</td></tr>'
    )
