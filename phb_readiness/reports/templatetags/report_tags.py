from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.timezone import localtime

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


STATE_TAGS = {"accepted": "govuk-tag--green", "submitted": "govuk-tag--blue", "returned": "govuk-tag--orange"}
_MUTED = SafeString('<span class="app-muted">–</span>')


def _rag(rag: str) -> SafeString:
    if not rag:
        return _MUTED
    return format_html('<strong class="app-rag app-rag--{}">{}</strong>', rag, rag.capitalize())


@register.simple_tag
def overview_rows(rows, may_request_site: bool) -> SafeString:
    """The national overview's rows, built here rather than as template code (a page of 50 sites has 500 cells).
    Every value is escaped by format_html; each link is reversed once and filled in per row."""
    assessment_url = reverse("checklists:assessment", args=[0]).replace("/0/", "/{}/")
    xlsx_url = reverse("reports:site_checklist_xlsx", args=["CODE"]).replace("/CODE/", "/{}/")
    pdf_url = reverse("reports:request_site", args=[0]).replace("/0/", "/{}/")
    return format_html_join(
        "\n", "{}", ((_overview_row(row, may_request_site, assessment_url, xlsx_url, pdf_url),) for row in rows)
    )


def _overview_row(row, may_request_site: bool, assessment_url: str, xlsx_url: str, pdf_url: str) -> SafeString:
    site, assessment = row.site, row.assessment
    if assessment is None:
        name, state, actions = (
            format_html("{}", site.name),
            SafeString('<span class="app-muted">No assessment</span>'),
            "",
        )
    else:
        name = format_html('<a class="govuk-link" href="{}">{}</a>', assessment_url.format(assessment.pk), site.name)
        state = format_html(
            '<strong class="govuk-tag {}">{}</strong>',
            STATE_TAGS.get(assessment.state, "govuk-tag--grey"),
            assessment.get_state_display(),
        )
        actions = format_html(
            '<a class="govuk-link" href="{}"><span class="govuk-visually-hidden">Checklist of {} as </span>XLSX</a>',
            xlsx_url.format(quote(site.code, safe="")),
            site.name,
        )
        if may_request_site:
            actions += format_html(
                ' <button type="submit" form="site-report-requests" formaction="{}"'
                ' class="app-link-button govuk-link app-overview__pdf"><span class="govuk-visually-hidden">Ask for a'
                ' </span>PDF<span class="govuk-visually-hidden"> report of {}</span></button>',
                pdf_url.format(assessment.pk),
                site.name,
            )
    percent = format_html('<span class="app-overview__pct">{}%</span>', row.percent) if row.percent is not None else ""
    cells = format_html_join(
        "",
        '<td class="govuk-table__cell app-overview__cell">{}</td>',
        (
            (
                format_html('{}<span class="app-overview__pct">{}%</span>', _rag(c.rag), c.percent_in_place)
                if c
                else _MUTED,
            )
            for c in row.cells
        ),
    )
    changed = (
        format_html(
            '<time datetime="{}">{}</time>',
            row.last_change.isoformat(),
            date_format(localtime(row.last_change), "j M Y"),
        )
        if row.last_change
        else "–"
    )
    return format_html(
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header app-overview__site">{name}'
        ' <span class="app-muted govuk-body-s">{code}, {region}</span><br>{state}</th>'
        '<td class="govuk-table__cell">{rag}{percent}</td>{cells}'
        '<td class="govuk-table__cell govuk-table__cell--numeric">{concerns}</td>'
        '<td class="govuk-table__cell app-nowrap">{changed}</td>'
        '<td class="govuk-table__cell app-overview__actions">{actions}</td></tr>',
        name=name,
        code=site.code,
        region=site.region.name,
        state=state,
        rag=_rag(row.rag),
        percent=percent,
        cells=cells,
        concerns=row.open_concerns,
        changed=changed,
        actions=actions,
    )
