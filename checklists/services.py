"""Writes to assessments. Views call these; they check state, change rows and record the audit event."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from checklists import notifications
from checklists.access import Need, can
from checklists.models import Assessment, Evidence, Framework, Item, Response, SignOff
from phb_readiness.audit.services import audit_record
from phb_readiness.sites.models import Membership, PilotSite, SiteRole, role_at

CARRIED_FIELDS = ("status", "narrative", "not_applicable_reason", "owner_id", "due_date")


@transaction.atomic
def assessment_create(
    *,
    site: PilotSite,
    framework: Framework,
    round_label: str,
    user=None,
    carry_forward_from: Assessment | None = None,
) -> Assessment:
    """Start an assessment with one response per item; a new round copies the last answers forward."""
    assessment = Assessment.objects.create(
        site=site,
        framework=framework,
        round_label=round_label,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        carried_forward_from=carry_forward_from,
    )
    previous: dict[str, Response] = {}
    if carry_forward_from is not None:
        previous = {r.item.code: r for r in carry_forward_from.responses.select_related("item")}
    responses = []
    for item in Item.objects.filter(section__framework=framework).only("id", "code"):
        response = Response(assessment=assessment, item=item)
        if item.code in previous:
            for name in CARRIED_FIELDS:
                setattr(response, name, getattr(previous[item.code], name))
        responses.append(response)
    Response.objects.bulk_create(responses)
    audit_record(
        action="assessment.create",
        actor=user,
        obj=assessment,
        site=site,
        summary=f"Started {round_label} against {framework}",
        after={
            "round_label": round_label,
            "framework": framework.pk,
            "carried_forward_from": carry_forward_from and carry_forward_from.pk,
        },
    )
    return assessment


# --- Completing the checklist: responses, evidence, submission (issue 3) ------------------------------------------

OWNER_ROLES = (Membership.Role.MANAGER, Membership.Role.CONTRIBUTOR)
EDITABLE_FIELDS = ("status", "narrative", "not_applicable_reason", "owner", "due_date")


class AssessmentNotEditable(Exception):
    """The assessment is with the reviewers (submitted) or accepted: its answers are frozen."""

    def __init__(self, assessment: Assessment):
        self.assessment = assessment
        super().__init__(
            f"This assessment is {assessment.get_state_display().lower()}, so its answers cannot be changed."
        )


class ResponseConflict(Exception):
    """Someone else saved the response after the version this save was based on. Nothing was written."""

    def __init__(self, current: Response):
        self.current = current
        super().__init__(f"{current.item.code} was changed by someone else (now version {current.version}).")


class SubmitBlocked(Exception):
    def __init__(self, blockers: list):
        self.blockers = blockers
        super().__init__(f"The assessment cannot be submitted yet: {len(blockers)} thing(s) to resolve.")


def _role_for(user, assessment: Assessment, need) -> SiteRole:
    role = role_at(user, assessment.site)
    if not can(role, need):
        raise PermissionDenied("Your role does not allow this.")
    return role


def response_rule_errors(*, item: Item, values: dict) -> dict[str, str]:
    """The answer rules (DESIGN.md §2), as messages that say what to fix, keyed by field."""
    errors: dict[str, str] = {}
    status = values.get("status")
    if status == Response.Status.NOT_APPLICABLE and not (values.get("not_applicable_reason") or "").strip():
        errors["not_applicable_reason"] = "Enter the reason this item does not apply to your site"
    if (
        status == Response.Status.IN_PLACE
        and item.kind == Item.Kind.DESCRIBE
        and not (values.get("narrative") or "").strip()
    ):
        errors["narrative"] = "Describe the process before you mark this item as in place"
    return errors


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
    # Whether the item's section has any sign-off is read with the lock: sign-offs take the same lock, so none can
    # appear before this save commits, and an unsigned section needs no supersession check.
    assessment = (
        Assessment.objects.select_for_update()
        .select_related("site")
        .annotate(
            section_signed=Exists(
                SignOff.objects.filter(assessment=OuterRef("pk"), section_id=response.item.section_id)
            )
        )
        .get(pk=response.assessment_id)
    )
    if not assessment.is_editable:
        raise AssessmentNotEditable(assessment)
    if role is None:
        role = _role_for(user, assessment, Need.EDIT)
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

    values = {name: data[name] for name in EDITABLE_FIELDS if name in data}
    if values.get("status", current.status) != Response.Status.NOT_APPLICABLE:
        values["not_applicable_reason"] = ""
    changes = {
        name: value
        for name, value in values.items()
        if _plain(value) != (current.owner_id if name == "owner" else getattr(current, name))
    }
    if not changes:
        return current
    if current.version != base_version:
        raise ResponseConflict(current)
    if "owner" in changes:
        if role != SiteRole.MANAGER:
            raise PermissionDenied("Only a pilot manager can assign an owner.")
        owner = changes["owner"]
        if (
            owner is not None
            and not Membership.objects.filter(site=assessment.site, user=owner, role__in=OWNER_ROLES).exists()
        ):
            raise ValidationError({"owner": "Choose a manager or contributor of this site as the owner"})
    merged = {name: getattr(current, name) for name in EDITABLE_FIELDS} | values
    errors = response_rule_errors(item=current.item, values=merged)
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    updated = Response.objects.filter(pk=current.pk, version=base_version).update(
        **changes, version=F("version") + 1, updated_by=user, updated_at=now
    )
    if not updated:  # a concurrent save won between our read and our write
        raise ResponseConflict(Response.objects.select_related("item", "owner", "updated_by").get(pk=current.pk))

    before = {name: _plain(getattr(current, name)) for name in changes} | {"version": current.version}
    after = {name: _plain(value) for name, value in changes.items()} | {"version": current.version + 1}
    audit_record(
        action="response.update",
        actor=user,
        obj=current,
        site=assessment.site,
        summary=f"{current.item.code}: changed {', '.join(field_label(name) for name in changes)}",
        before=before,
        after=after,
    )
    if assessment.section_signed:
        _content_changed(response=current, assessment=assessment, user=user)
    # The row as saved, without reading it back: the update changed exactly these fields.
    for name, value in changes.items():
        setattr(current, name, value)
    current.version += 1
    current.updated_by = user
    current.updated_at = now
    return current


def _content_changed(*, response: Response, assessment: Assessment, user) -> None:
    """A response or its evidence changed: record any section sign-off this supersedes (partnership feature).
    `response` needs its item loaded."""
    from checklists.partnership import signoffs_supersede  # partnership builds on these services

    signoffs_supersede(
        assessment=assessment, section_id=response.item.section_id, item_code=response.item.code, actor=user
    )


def field_label(name: str) -> str:
    return {"not_applicable_reason": "reason not applicable", "due_date": "due date"}.get(name, name)


def _evidence_target(*, response: Response, user, need) -> tuple[Assessment, SiteRole]:
    # Locked like a response save, so evidence cannot change under a submission that is checking the content.
    assessment = (
        Assessment.objects.select_for_update(of=("self",)).select_related("site").get(pk=response.assessment_id)
    )
    if not assessment.is_editable:
        raise AssessmentNotEditable(assessment)
    return assessment, _role_for(user, assessment, need)


@transaction.atomic
def evidence_add_file(*, response: Response, user, uploaded_file, title: str = "") -> Evidence:
    """Store an uploaded file privately as evidence, after checking what it really is."""
    from checklists.evidence import display_filename, file_sha256, validate_upload

    assessment, _ = _evidence_target(response=response, user=user, need=Need.EDIT)
    detected = validate_upload(uploaded_file, max_bytes=settings.EVIDENCE_MAX_BYTES)
    original = display_filename(uploaded_file.name)
    evidence = Evidence(
        response=response,
        kind=Evidence.Kind.FILE,
        title=(title or "").strip()[:200] or original,
        original_filename=original,
        size=uploaded_file.size,
        content_type=detected.content_type,
        sha256=file_sha256(uploaded_file),
        uploaded_by=user,
    )
    evidence.file.save("upload", uploaded_file, save=False)
    try:
        evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    audit_record(
        action="evidence.add",
        actor=user,
        obj=evidence,
        site=assessment.site,
        summary=f"{response.item.code}: added file {original} ({evidence.size} bytes)",
        after={
            "response": response.pk,
            "title": evidence.title,
            "file": original,
            "content_type": evidence.content_type,
            "size": evidence.size,
            "sha256": evidence.sha256,
        },
    )
    _content_changed(response=response, assessment=assessment, user=user)
    return evidence


@transaction.atomic
def evidence_add_link(*, response: Response, user, url: str, title: str = "") -> Evidence:
    """Record a link (http or https only) as evidence."""
    assessment, _ = _evidence_target(response=response, user=user, need=Need.EDIT)
    url = (url or "").strip()
    URLValidator(schemes=["http", "https"], message="Enter a web address that starts with http:// or https://")(url)
    evidence = Evidence.objects.create(
        response=response,
        kind=Evidence.Kind.LINK,
        title=(title or "").strip()[:200] or url[:200],
        url=url,
        uploaded_by=user,
    )
    audit_record(
        action="evidence.add",
        actor=user,
        obj=evidence,
        site=assessment.site,
        summary=f"{response.item.code}: added link {url[:200]}",
        after={"response": response.pk, "title": evidence.title, "url": url},
    )
    _content_changed(response=response, assessment=assessment, user=user)
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence, user) -> Evidence:
    """Withdraw evidence: people remove their own, managers any of their site's. The row and file are kept."""
    evidence = Evidence.objects.select_for_update(of=("self",)).select_related("response__item").get(pk=evidence.pk)
    assessment, role = _evidence_target(response=evidence.response, user=user, need=Need.EDIT)
    if role != SiteRole.MANAGER and evidence.uploaded_by_id != user.pk:
        raise PermissionDenied("You can remove only evidence you added; ask a pilot manager to remove this.")
    if evidence.removed_at is not None:
        return evidence
    evidence.removed_at = timezone.now()
    evidence.removed_by = user
    evidence.save(update_fields=["removed_at", "removed_by"])
    audit_record(
        action="evidence.remove",
        actor=user,
        obj=evidence,
        site=assessment.site,
        summary=f"{evidence.response.item.code}: removed {evidence.title}",
        before={"title": evidence.title, "sha256": evidence.sha256, "url": evidence.url, "removed": False},
        after={"removed": True},
    )
    _content_changed(response=evidence.response, assessment=assessment, user=user)
    return evidence


@transaction.atomic
def assessment_submit(*, assessment: Assessment, user) -> Assessment:
    """Submit an assessment for review; only a pilot manager, only when nothing blocks it."""
    from checklists.selectors import submit_blockers

    assessment = Assessment.objects.select_for_update(of=("self",)).select_related("site").get(pk=assessment.pk)
    _role_for(user, assessment, Need.MANAGE)
    if not assessment.is_editable:
        raise AssessmentNotEditable(assessment)
    blockers = submit_blockers(assessment=assessment)
    if blockers:
        raise SubmitBlocked(blockers)
    before = assessment.state
    assessment.state = Assessment.State.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.save(update_fields=["state", "submitted_at", "updated_at"])
    audit_record(
        action="assessment.submit",
        actor=user,
        obj=assessment,
        site=assessment.site,
        summary=f"Submitted {assessment.round_label} for review",
        before={"state": before},
        after={"state": assessment.state, "submitted_at": assessment.submitted_at},
    )
    notifications.notify(notifications.Event.ASSESSMENT_SUBMITTED, assessment.pk, actor=user)
    return assessment
