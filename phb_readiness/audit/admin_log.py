"""Every add, change and deletion made in the Django admin also goes into the hash-chained audit trail.

The admin writes a LogEntry for each of them; a post_save receiver on LogEntry turns each into an event
("admin.add", "admin.change", "admin.delete") by the same person, naming the object by its content type and id.

Two details of the admin (Django 5.1+) shape this:

- A deletion is logged *before* the object is deleted, so for a few moments it can still be read. The site of a
  deleted object is taken from it all the same (an assessment's site outlives the assessment), except when the
  object is the site itself: the event would then protect the site it reports deleted (AuditEvent.site is PROTECT).
- "Delete selected" with more than one object writes its LogEntries with bulk_create, which sends no post_save.
  `LogEntryManager.log_actions` is wrapped so that the entries it returns without a post_save are recorded too.
"""

from __future__ import annotations

import functools

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry, LogEntryManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models.signals import post_save

from phb_readiness.audit.services import audit_record
from phb_readiness.sites.models import PilotSite

ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}
VERBS = {ADDITION: "Added", CHANGE: "Changed", DELETION: "Deleted"}
_RECORDED = "_phb_audit_recorded"


def _object_id(entry: LogEntry) -> str:
    # log_actions() sets the object's own pk (an int for most models) on the entry it saves.
    return "" if entry.object_id is None else str(entry.object_id)


def _edited_object(entry: LogEntry):
    if entry.content_type_id is None or not _object_id(entry):
        return None
    try:
        return entry.get_edited_object()
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError, AttributeError):
        return None  # gone, or an id its model cannot read: name it by content type and id only


def _site_of(entry: LogEntry, obj) -> PilotSite | None:
    if obj is None:
        return None
    if isinstance(obj, PilotSite):
        return None if entry.action_flag == DELETION else obj
    try:
        site = getattr(obj, "site", None)
        if site is None:
            site = getattr(getattr(obj, "assessment", None), "site", None)
    except ObjectDoesNotExist:
        return None
    return site if isinstance(site, PilotSite) else None


def record_log_entry(entry: LogEntry) -> None:
    action = ACTIONS.get(entry.action_flag)
    if action is None or getattr(entry, _RECORDED, False):
        return
    setattr(entry, _RECORDED, True)
    content_type = ContentType.objects.get_for_id(entry.content_type_id) if entry.content_type_id else None
    object_type = f"{content_type.app_label}.{content_type.model}" if content_type is not None else ""
    noun = content_type.name if content_type is not None else "object"
    message = entry.get_change_message()
    summary = f"{VERBS[entry.action_flag]} {noun} “{entry.object_repr}” in the admin"
    if message and entry.action_flag == CHANGE:
        summary = f"{summary}: {message}"
    audit_record(
        action=action,
        actor=entry.user,
        site=_site_of(entry, _edited_object(entry)),
        summary=summary,
        object_type=object_type[:64],
        object_id=_object_id(entry)[:64],
    )


def on_log_entry_saved(sender, instance: LogEntry, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        record_log_entry(instance)


def _recording_bulk_entries(log_actions):
    @functools.wraps(log_actions)
    def wrapper(self, *args, **kwargs):
        result = log_actions(self, *args, **kwargs)
        for entry in [result] if isinstance(result, LogEntry) else (result or []):
            if isinstance(entry, LogEntry):
                record_log_entry(entry)  # does nothing for an entry post_save has already recorded
        return result

    wrapper.phb_audited = True
    return wrapper


def connect() -> None:
    post_save.connect(on_log_entry_saved, sender=LogEntry, dispatch_uid="phb_audit_admin_log_entry")
    if not getattr(LogEntryManager.log_actions, "phb_audited", False):
        LogEntryManager.log_actions = _recording_bulk_entries(LogEntryManager.log_actions)
