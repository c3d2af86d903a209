"""Writes of answers: saving a response, once nobody else saved it since the version it was based on."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from checklists.models import Response
from checklists.rules.access import Need, can
from checklists.rules.answers import EDITABLE_FIELDS, OWNER_ROLES, field_label, response_rule_errors
from checklists.services.checks import AssessmentNotEditable, role_needed
from checklists.services.readiness import assessment_locked, change_record
from phb_readiness.audit.services import audit_event
from phb_readiness.sites.models import Membership, SiteRole


class ResponseConflict(Exception):
    """Someone else saved the response after the version this save was based on. Nothing was written."""

    def __init__(self, current: Response):
        self.current = current
        super().__init__(f"{current.item.code} was changed by someone else (now version {current.version}).")


def _plain(value):
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def response_save(*, response: Response, user, data: dict, base_version: int, role: SiteRole | None = None) -> Response:
    """Save the changed fields of a response, if nobody else saved it since `base_version`.

    `role` is the person's role at the site when the caller has just read it (the view has); otherwise it is read
    here. `response` needs its item, owner and updated_by loaded.

    Raises ResponseConflict (carrying the current row) on a lost update, AssessmentNotEditable once submitted,
    PermissionDenied for roles that may not edit (or a non-manager assigning an owner), ValidationError for
    answers that break the rules.
    """
    owner_id = _plain(data["owner"]) if "owner" in data else None
    # Whether a newly chosen owner may own items here is read with the lock (one query, not two).
    owner_check = (
        {
            "owner_allowed": Exists(
                Membership.objects.filter(
                    site=OuterRef("site_id"), user_id=owner_id, user__is_active=True, role__in=OWNER_ROLES
                )
            )
        }
        if owner_id is not None and owner_id != response.owner_id
        else {}
    )
    assessment = assessment_locked(response.assessment_id, **owner_check)
    if not assessment.is_editable:
        raise AssessmentNotEditable(assessment)
    if role is None:
        role = role_needed(user, assessment, Need.EDIT)
    elif not can(role, Need.EDIT):
        raise PermissionDenied("Your role does not allow this.")
    # A row read at base_version is still the current one unless the conditional UPDATE below finds otherwise:
    # every change to a response comes through here and raises its version. Anything else is read again, locked.
    current = (
        response
        if response.version == base_version
        else Response.objects.select_for_update(of=("self",))
        .select_related("item", "owner", "updated_by")
        .get(pk=response.pk)
    )

    values = {name: _plain(data[name]) if name == "owner" else data[name] for name in EDITABLE_FIELDS if name in data}
    if values.get("status", current.status) != Response.Status.NOT_APPLICABLE:
        values["not_applicable_reason"] = ""
    changes = {
        name: value
        for name, value in values.items()
        if value != (current.owner_id if name == "owner" else getattr(current, name))
    }
    if not changes:
        return current
    if current.version != base_version:
        raise ResponseConflict(current)
    if "owner" in changes:
        if role != SiteRole.MANAGER:
            raise PermissionDenied("Only a pilot manager can assign an owner.")
        if changes["owner"] is not None and not getattr(assessment, "owner_allowed", False):
            raise ValidationError({"owner": "Choose a manager or contributor of this site as the owner"})
    merged = {name: getattr(current, name) for name in EDITABLE_FIELDS if name != "owner"} | values
    errors = response_rule_errors(item=current.item, values=merged)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    columns = {("owner_id" if name == "owner" else name): value for name, value in changes.items()}
    # A change is this round's answer: it is no longer one carried forward unconfirmed.
    updated = Response.objects.filter(pk=current.pk, version=base_version).update(
        **columns, carried_forward=False, version=F("version") + 1, updated_by=user, updated_at=now
    )
    if not updated:  # a concurrent save won between our read and our write
        raise ResponseConflict(Response.objects.select_related("item", "owner", "updated_by").get(pk=current.pk))

    before = {name: _plain(getattr(current, name)) for name in changes} | {"version": current.version}
    after = dict(changes) | {"version": current.version + 1}
    event = audit_event(
        action="response.update",
        actor=user,
        obj=current,
        site=assessment.site,
        summary=f"{current.item.code}: changed {', '.join(field_label(name) for name in changes)}",
        before=before,
        after=after,
    )
    change_record(assessment=assessment, section_id=current.item.section_id, events=[event], cause=current.item.code)
    # The row as saved, without reading it back: the update changed exactly these columns.
    for name, value in columns.items():
        setattr(current, name, value)
    current.carried_forward = False
    current.version += 1
    current.updated_by = user
    current.updated_at = now
    return current


@transaction.atomic
def response_confirm(*, response: Response, user, base_version: int, role: SiteRole | None = None) -> Response:
    """Confirm that an answer carried forward from the last round still holds, unchanged, in this one.

    Raises ResponseConflict if the response changed since `base_version`, AssessmentNotEditable once submitted,
    PermissionDenied for roles that may not edit. Confirming an answer that is not carried forward does nothing.
    """
    assessment = assessment_locked(response.assessment_id)
    if not assessment.is_editable:
        raise AssessmentNotEditable(assessment)
    if role is None:
        role = role_needed(user, assessment, Need.EDIT)
    elif not can(role, Need.EDIT):
        raise PermissionDenied("Your role does not allow this.")
    if not response.carried_forward and response.version == base_version:
        return response
    now = timezone.now()
    updated = Response.objects.filter(pk=response.pk, version=base_version, carried_forward=True).update(
        carried_forward=False, version=F("version") + 1, updated_by=user, updated_at=now
    )
    if not updated:
        current = Response.objects.select_related("item", "owner", "updated_by").get(pk=response.pk)
        if current.version != base_version:
            raise ResponseConflict(current)
        return current  # confirmed already
    event = audit_event(
        action="response.confirm",
        actor=user,
        obj=response,
        site=assessment.site,
        summary=f"{response.item.code}: confirmed the answer carried forward from the last round",
        before={"carried_forward": True, "version": base_version},
        after={"carried_forward": False, "version": base_version + 1},
    )
    change_record(assessment=assessment, section_id=response.item.section_id, events=[event], cause=response.item.code)
    response.carried_forward = False
    response.version = base_version + 1
    response.updated_by = user
    response.updated_at = now
    return response
