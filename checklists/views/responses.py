"""The item page: an item's question and guidance, its answer form, and saving it (in place with htmx)."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_http_methods

from checklists.forms.evidence import EvidenceFileForm, EvidenceLinkForm
from checklists.forms.responses import ResponseForm
from checklists.models import Assessment, Response, SectionFigures
from checklists.rules.access import Need, can
from checklists.rules.answers import field_label
from checklists.selectors.access import get_response_for
from checklists.selectors.responses import ItemPage, item_page_for, response_changes_since, site_owners
from checklists.selectors.review import queries_for_response
from checklists.selectors.signoffs import signed_section
from checklists.services.checks import AssessmentNotEditable
from checklists.services.responses import ResponseConflict, response_confirm, response_save
from phb_readiness.sites.models import SiteRole


@dataclass
class Conflict:
    """Someone else's save that came between: who, when, what they changed, their values, and what we both changed."""

    current: Response
    changed: list[str]
    both_changed: list[str]

    @property
    def changed_labels(self) -> list[str]:
        return [field_label(name) for name in self.changed]

    @property
    def both_changed_labels(self) -> list[str]:
        return [field_label(name) for name in self.both_changed]


def _as_audited(value):
    value = getattr(value, "pk", value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def merge_after_conflict(form: ResponseForm, current: Response, base_values: dict) -> tuple[QueryDict, list[str]]:
    """The form data to show after a conflict: their value where this person left a field as it was, this
    person's own value where both changed it. Returns the data and the fields both changed."""
    data = form.data.copy()
    data["base_version"] = str(current.version)
    both: list[str] = []
    for name, base in base_values.items():
        if name not in form.fields:
            continue
        if _as_audited(form.cleaned_data.get(name)) not in (base, "" if base is None else base):
            both.append(name)
            continue
        theirs = getattr(current, name)
        if name == "due_date":
            for i, part in enumerate((theirs.day, theirs.month, theirs.year) if theirs else ("", "", "")):
                data[f"due_date_{i}"] = str(part)
        else:
            data[name] = "" if theirs is None else str(getattr(theirs, "pk", theirs))
    return data, both


def superseded_message(section: SectionFigures) -> str:
    return (
        f"Your change superseded the sign-off of {section.title}. The people who signed it have been told; "
        "the section needs to be signed again."
    )


def response_form(
    request: HttpRequest, assessment: Assessment, role: SiteRole, response: Response, data=None, *, warn: bool = True
):
    """The answer form; with `warn`, it says above its Save button when a save would supersede the section's current
    sign-off (read from the assessment's stored readiness, no query)."""
    return ResponseForm(
        data,
        initial=None if data is not None else ResponseForm.initial_for(response),
        item=response.item,
        owners=site_owners(site=assessment.site),
        can_assign_owner=can(role, Need.MANAGE),
        current_owner=response.owner,
        response_pk=response.pk,
        signed_section=signed_section(assessment, response.item.section_id) if warn else None,
    )


def render_item_page(
    request: HttpRequest,
    *,
    assessment: Assessment,
    role: SiteRole,
    page: ItemPage,
    form: ResponseForm | None = None,
    upload_form: EvidenceFileForm | None = None,
    link_form: EvidenceLinkForm | None = None,
    conflict: Conflict | None = None,
    saved: bool = False,
    superseded: SectionFigures | None = None,
    partial: bool = False,
) -> HttpResponse:
    can_edit = can(role, Need.EDIT) and assessment.is_editable
    if can_edit and form is None:
        # After a save the view's copy of the readiness is the one from before it: nothing left to warn of.
        form = response_form(request, assessment, role, page.response, warn=not saved)
    response = page.response
    context = {
        "assessment": assessment,
        "role": role,
        "page": page,
        "response": response,
        "item": response.item,
        "section": response.item.section,
        "source_title": assessment.framework.source_title(response.item.source_key),
        "form": form if can_edit else None,
        "upload_form": (upload_form or EvidenceFileForm()) if can_edit else None,
        "link_form": (link_form or EvidenceLinkForm()) if can_edit else None,
        "can_edit": can_edit,
        "can_manage": can(role, Need.MANAGE),
        "superseded": superseded,
        "conflict": conflict,
        "saved": saved,
        "partial": partial,
        "due_date_past": response.due_date is not None and response.due_date < timezone.localdate(),
        # Read only when the full page is drawn (not for a partial save's reply).
        "review_queries": SimpleLazyObject(lambda: queries_for_response(assessment=assessment, response=response)),
        "has_errors": bool(
            (form is not None and form.is_bound and form.errors)
            or (upload_form is not None and upload_form.errors)
            or (link_form is not None and link_form.errors)
        ),
    }
    template = "checklists/item.html#response-form" if partial else "checklists/item.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def item_view(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """An item's question and guidance, and the form to answer it; saves in place with htmx or by POST-redirect-GET."""
    response, role = get_response_for(request.user, pk, code, Need.EDIT if request.method == "POST" else Need.VIEW)
    assessment, page = response.assessment, item_page_for(response=response)
    if request.method == "GET":
        return render_item_page(request, assessment=assessment, role=role, page=page)

    if "confirm_carried" in request.POST:
        return confirm_carried(request, assessment=assessment, role=role, response=page.response)
    partial = bool(request.htmx)
    form = response_form(request, assessment, role, page.response, data=request.POST)
    if not form.is_valid():
        return render_item_page(request, assessment=assessment, role=role, page=page, form=form, partial=partial)
    version_before = page.response.version  # the service updates the row it is given in place
    try:
        saved = response_save(
            response=page.response,
            user=request.user,
            data=form.service_data(),
            base_version=form.cleaned_data["base_version"],
            role=role,
        )
    except AssessmentNotEditable as exc:
        messages.error(request, str(exc))
        return redirect("checklists:item", pk=assessment.pk, code=code)
    except ResponseConflict as exc:
        # Nothing was written. Show their saved answer; keep this person's own changes in the form, on the new version.
        base_values = response_changes_since(response=exc.current, version=form.cleaned_data["base_version"])
        data, both = merge_after_conflict(form, exc.current, base_values)
        conflict = Conflict(current=exc.current, changed=list(base_values), both_changed=both)
        exc.current.item = page.response.item
        page.response = exc.current
        form = response_form(request, assessment, role, exc.current, data=data)
        return render_item_page(
            request, assessment=assessment, role=role, page=page, form=form, conflict=conflict, partial=partial
        )
    except ValidationError as exc:
        form.add_error(None, exc)
        return render_item_page(request, assessment=assessment, role=role, page=page, form=form, partial=partial)

    # The section's sign-off as it was before this save (the view's copy of the readiness): a change superseded it.
    superseded = signed_section(assessment, page.response.item.section_id) if saved.version != version_before else None
    if partial:
        saved.item = page.response.item
        page.response = saved
        return render_item_page(
            request, assessment=assessment, role=role, page=page, saved=True, superseded=superseded, partial=True
        )
    messages.success(request, f"{code} saved (version {saved.version}).")
    if superseded is not None:
        messages.warning(request, superseded_message(superseded))
    if saved.due_date is not None and saved.due_date < timezone.localdate():
        messages.warning(request, f"The due date of {code}, {saved.due_date:%-d %B %Y}, is in the past.")
    return redirect("checklists:item", pk=assessment.pk, code=code)


def confirm_carried(
    request: HttpRequest, *, assessment: Assessment, role: SiteRole, response: Response
) -> HttpResponse:
    """The "Confirm unchanged" button: the answer carried forward from the last round holds in this one."""
    try:
        base_version = int(request.POST.get("base_version", ""))
    except ValueError:
        base_version = 0
    try:
        response_confirm(response=response, user=request.user, base_version=base_version, role=role)
    except AssessmentNotEditable as exc:
        messages.error(request, str(exc))
    except ResponseConflict as exc:
        messages.error(request, f"{exc} Check the answer below, then confirm it or change it.")
    else:
        messages.success(request, f"{response.item.code}: the answer carried forward is confirmed for this round.")
    return redirect("checklists:item", pk=assessment.pk, code=response.item.code)
