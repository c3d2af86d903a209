"""A complete archive of one pilot site, and its restoration into a database that does not hold the site.

The archive is a zip file:

- `manifest.json`: format, version, site code, when, counts, the SHA-256 of `data.json` and of every file, and the
  id of the audit key the site's events were hashed under;
- `manifest.sig`: an HMAC-SHA256 of the manifest's bytes under the installation's archive key
  (`phb_readiness.keys.service_key("archive")`). The manifest names every other entry by its SHA-256, so the one
  signature covers the whole archive, and is written before the files without holding them;
- `data.json`: the site's region, the site, the people it refers to (by username), its memberships, the framework
  versions its assessments use (a full copy), assessments, responses, evidence metadata, comments and concerns,
  sign-offs, report metadata, site visits and every audit event of the site (with its original hashes);
- `files/<sha256>`: each evidence file and report PDF, named by its SHA-256.

Files are read from and written to the file store through Django's storage API (a local directory or an S3-compatible
bucket) and copied into and out of the zip in chunks, one entry at a time: an archive of any size needs little memory.

Restoring refuses an archive that is not signed with this installation's archive key (unless the operator trusts it
explicitly), that does not match its manifest, or whose audit events do not match their original hashes; it reads
and checks everything before it writes anything. Rows refer to each other by their ids in the source database; people
by username (created with the archived name, e-mail and active flag only: never staff, never superuser, no usable
password); framework sections and items by code. Restoring creates new ids. Audit events are appended to the
target's hash chain with their original time, actor and content, after a `site.import` event naming the archive.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.files import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DataError, IntegrityError, models, transaction
from django.utils import timezone

from checklists.models import Assessment, Comment, Evidence, Framework, Item, Response, Section, SignOff, SiteVisit
from checklists.rules.frameworks import framework_substance_sha256
from checklists.services.frameworks import loaded_substance_sha256
from checklists.services.readiness import readiness_rebuild
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import _hashed_fields, audit_append, audit_record, event_hash
from phb_readiness.keys import service_key
from phb_readiness.reports.models import Report
from phb_readiness.sites.models import Membership, PilotSite, Region

FORMAT = "phb-readiness-site-archive"
VERSION = 2  # 2: signed, events carry their original actor id (their hashes can be checked)
CHUNK = 1024 * 1024
SIGNATURE_MEMBER = "manifest.sig"
SIGNATURE_ALGORITHM = "HMAC-SHA256"
SMALL_MEMBER_MAX = 64 * 1024 * 1024  # manifest.json and manifest.sig are read whole: no zip bomb through them
# The only fields of a person an archive carries, and the only ones a restore sets (from strings, and a flag).
USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active")

# Site data in the order it is restored (each refers only to what comes before it, or to itself).
SITE_MODELS: list[tuple[str, type[models.Model]]] = [
    ("memberships", Membership),
    ("assessments", Assessment),
    ("responses", Response),
    ("evidence", Evidence),
    ("comments", Comment),
    ("signoffs", SignOff),
    ("reports", Report),
    ("site_visits", SiteVisit),
]
# Fields whose stored value the model would overwrite on save (auto_now / auto_now_add): set again after insert.
AUTO_TIMES = {Assessment: ["updated_at"], Membership: ["created_at"]}


class ArchiveError(Exception):
    """The archive cannot be written or restored; the message says why in one sentence."""


def key_id(name: str) -> str:
    """A short public name for a service key (an HMAC of a constant under it): tells apart two installations'
    keys in an archive and in messages, and reveals nothing of the key."""
    return hmac.new(service_key(name), b"phb-readiness key id", hashlib.sha256).hexdigest()[:16]


def manifest_signature(manifest: bytes) -> str:
    return hmac.new(service_key("archive"), manifest, hashlib.sha256).hexdigest()


class _Encoder(DjangoJSONEncoder):
    """Times to the microsecond (DjangoJSONEncoder would cut them to milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_of(handle: IO[bytes]) -> str:
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _missing(obj: models.Model, name: str) -> ArchiveError:
    return ArchiveError(f"{obj._meta.verbose_name} {obj.pk}: {name} is missing from the store.")


@dataclass(frozen=True)
class StoredFile:
    """A file in the store that the archive holds under its SHA-256: the row it belongs to and the field."""

    obj: models.Model
    field_name: str

    @property
    def name(self) -> str:
        return getattr(self.obj, self.field_name).name

    @contextmanager
    def open(self) -> Iterator[IO[bytes]]:
        stored = getattr(self.obj, self.field_name)
        try:
            handle = stored.storage.open(stored.name, "rb")
        except FileNotFoundError as exc:
            raise _missing(self.obj, stored.name) from exc
        with handle:
            yield handle

    def copy_to(self, target: IO[bytes], digest: str) -> None:
        """Copies the file in chunks, and refuses it if it no longer has the SHA-256 the archive names it by."""
        copied = hashlib.sha256()
        with self.open() as source:
            while chunk := source.read(CHUNK):
                copied.update(chunk)
                target.write(chunk)
        if copied.hexdigest() != digest:
            raise ArchiveError(
                f"{self.obj._meta.verbose_name} {self.obj.pk}: {self.name} no longer matches the SHA-256 recorded "
                "when it was stored."
            )


def _file_digest(obj: models.Model, field_name: str) -> str:
    """The SHA-256 recorded when the file was stored (checked as the file is copied), or else its content's."""
    stored = getattr(obj, field_name)
    recorded = getattr(obj, "sha256", "")
    if recorded:
        if not stored.storage.exists(stored.name):
            raise _missing(obj, stored.name)
        return recorded
    with StoredFile(obj, field_name).open() as handle:
        return _sha256_of(handle)


def _row(obj: models.Model, files: dict[str, StoredFile]) -> dict[str, Any]:
    """A model row as JSON: people by username, files by the SHA-256 of their content, other links by id."""
    user_model = get_user_model()
    row: dict[str, Any] = {}
    for f in obj._meta.concrete_fields:
        if f.is_relation:
            target_id = getattr(obj, f.attname)
            if f.related_model is user_model:
                row[f.name] = getattr(obj, f.name).get_username() if target_id is not None else None
            else:
                row[f.name] = target_id
        elif isinstance(f, models.FileField):
            stored = getattr(obj, f.name)
            if stored:
                digest = _file_digest(obj, f.name)
                files.setdefault(digest, StoredFile(obj, f.name))
                row[f.name] = {"sha256": digest, "name": Path(stored.name).name}
            else:
                row[f.name] = None
        else:
            row[f.name] = f.value_from_object(obj)
    return row


def _fields(obj: models.Model, *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    return {f.name: f.value_from_object(obj) for f in obj._meta.concrete_fields if f.name not in without}


def _framework_copy(framework: Framework) -> dict[str, Any]:
    sections = [
        {
            **_fields(section, without=("framework",)),
            "items": [_fields(i, without=("section",)) for i in section.items.all()],
        }
        for section in framework.sections.prefetch_related("items")
    ]
    return {**_fields(framework), "sections": sections}


def site_data(site: PilotSite) -> tuple[dict[str, Any], dict[str, StoredFile]]:
    """Everything of one site as JSON-ready data, and the stored files it refers to by SHA-256 (not read here)."""
    files: dict[str, StoredFile] = {}
    querysets = {
        "memberships": Membership.objects.filter(site=site),
        "assessments": Assessment.objects.filter(site=site),
        "responses": Response.objects.filter(assessment__site=site),
        "evidence": Evidence.objects.filter(response__assessment__site=site),
        "comments": Comment.objects.filter(response__assessment__site=site),
        "signoffs": SignOff.objects.filter(assessment__site=site),
        "reports": Report.objects.filter(site=site),
        "site_visits": SiteVisit.objects.filter(site=site),
    }
    data: dict[str, Any] = {
        "region": {"code": site.region.code, "name": site.region.name},
        "site": _row(site, files),
    }
    for key, queryset in querysets.items():
        data[key] = [_row(obj, files) for obj in queryset.order_by("id")]
    events = AuditEvent.objects.filter(site=site).order_by("id")
    # The actor's id here as well as the username: the event's hash covers the id.
    data["audit_events"] = [{**_row(event, files), "actor_id": event.actor_id} for event in events]

    user_model = get_user_model()
    usernames = {
        value
        for key in [*querysets, "audit_events"]
        for row in data[key]
        for name, value in row.items()
        if value and _is_user_field(key, name)
    }
    users = user_model.objects.filter(username__in=usernames).order_by("username")
    data["users"] = [{name: getattr(user, name) for name in USER_FIELDS} for user in users]
    frameworks = Framework.objects.filter(assessments__site=site).distinct().order_by("id")
    data["frameworks"] = [_framework_copy(framework) for framework in frameworks]
    return data, files


def _model_for(key: str) -> type[models.Model]:
    return AuditEvent if key == "audit_events" else dict(SITE_MODELS)[key]


def _is_user_field(key: str, name: str) -> bool:
    f = _model_for(key)._meta.get_field(name)
    return f.is_relation and f.related_model is get_user_model()


def _original_event(row: dict[str, Any]) -> AuditEvent:
    """An archived event as it stood in the database it was exported from (its ids there), to recompute its hash."""
    return AuditEvent(
        id=row["id"],
        created_at=AuditEvent._meta.get_field("created_at").to_python(row["created_at"]),
        actor_id=row["actor_id"],
        actor_label=row["actor_label"],
        action=row["action"],
        object_type=row["object_type"],
        object_id=row["object_id"],
        site_id=row["site"],
        summary=row["summary"],
        before=row["before"],
        after=row["after"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )


def chain_break(rows: list[dict[str, Any]]) -> str:
    """Why a site's events (as archived) do not form an intact part of the audit chain, or "" when they do.

    Each event's hash is recomputed from its content and the previous event's hash, as `verify_audit` does, and the
    events must keep the chain's order. The events of other sites come between them, so an event left out of the
    archive cannot be noticed here; one changed, added or moved can.
    """
    order: dict[str, int] = {}  # hash -> position in the archive
    successors: set[str] = set()  # prev_hash is unique in the chain: each event has one successor
    previous_id = 0
    key = service_key("audit")
    for n, row in enumerate(rows):
        try:
            event = _original_event(row)
            expected = event_hash(prev_hash=event.prev_hash, fields=_hashed_fields(event), key=key)
        except (KeyError, TypeError, ValueError, ValidationError) as exc:
            return f"audit event {n + 1} of the archive cannot be read ({type(exc).__name__}: {exc})"
        if not isinstance(event.id, int) or event.id <= previous_id:
            return f"audit event {event.id!r} is out of the chain's order"
        if not isinstance(event.hash, str) or not hmac.compare_digest(expected, event.hash):
            return f"audit event {event.id} ({event.action}) does not match its hash"
        if order.get(event.prev_hash, n - 1) != n - 1 or event.prev_hash in successors:
            return f"audit event {event.id} is out of the chain's order"
        order[event.hash] = n
        successors.add(event.prev_hash)
        previous_id = event.id
    return ""


class _HashingWriter:
    """A write-only stream that hashes what passes through it. Having no seek, zipfile writes it front to back
    (each entry's sizes and CRC after its data), so the archive can go to a pipe or a response as well as a file."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.written = 0

    def write(self, data: bytes) -> int:
        self.target.write(data)
        self.digest.update(data)
        self.written += len(data)
        return len(data)

    def tell(self) -> int:
        return self.written

    def flush(self) -> None:
        self.target.flush()


@contextmanager
def _binary(target: Path | str | IO[bytes], mode: str) -> Iterator[IO[bytes]]:
    """A file name opened in `mode`, or a file object used as it is (and left open)."""
    if isinstance(target, str | Path):
        with open(target, mode) as handle:
            yield handle
    else:
        yield target


def site_export(*, site: PilotSite, path: Path | str | IO[bytes], user=None) -> dict[str, int]:
    """Write the site's archive to `path` (a file name or a writable binary stream); the rows of each kind.

    The files are copied from the store into the zip one at a time, in chunks, each checked against its SHA-256.
    """
    data, files = site_data(site)
    broken = chain_break(data["audit_events"])
    if broken:  # the archive's signature would vouch for it
        raise ArchiveError(f"The site's audit trail is broken here ({broken}): run verify_audit.")
    payload = json.dumps(data, cls=_Encoder, indent=1, sort_keys=True, ensure_ascii=False).encode()
    counts = {key: len(data[key]) for key in ["users", "frameworks", *dict(SITE_MODELS), "audit_events"]}
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "site": site.code,
        "exported_at": timezone.now().isoformat(),
        "counts": counts,
        "data_sha256": _sha256(payload),
        "files": {f"files/{digest}": digest for digest in sorted(files)},
        "audit_key_id": key_id("audit"),
    }
    manifest_bytes = json.dumps(manifest, indent=1, sort_keys=True).encode()
    signature = {
        "algorithm": SIGNATURE_ALGORITHM,
        "key_id": key_id("archive"),
        "signature": manifest_signature(manifest_bytes),
    }
    with _binary(path, "wb") as target:
        writer = _HashingWriter(target)
        with zipfile.ZipFile(writer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", manifest_bytes)
            archive.writestr(SIGNATURE_MEMBER, json.dumps(signature, indent=1, sort_keys=True))
            archive.writestr("data.json", payload)
            for digest in sorted(files):
                with archive.open(f"files/{digest}", "w") as entry:
                    files[digest].copy_to(entry, digest)
        writer.flush()
    audit_record(
        action="site.export",
        actor=user,
        obj=site,
        site=site,
        summary=f"Site archive written ({sum(counts.values())} rows, {len(files)} files)",
        after={"archive_sha256": writer.digest.hexdigest(), "counts": counts},
    )
    return counts


@dataclass
class _Restore:
    """Maps from ids in the archive to the rows created here."""

    archive: zipfile.ZipFile
    users: dict[str, Any] = field(default_factory=dict)
    ids: dict[type[models.Model], dict[int, int]] = field(default_factory=dict)
    stored: list[Any] = field(default_factory=list)  # files written to the store, removed if the restore fails

    def new_id(self, model: type[models.Model], old: int | None) -> int | None:
        if old is None:
            return None
        try:
            return self.ids[model][old]
        except KeyError as exc:
            raise ArchiveError(f"The archive refers to {model._meta.label} {old}, which it does not contain.") from exc


@dataclass(frozen=True)
class Checked:
    """An archive read and checked in full, nothing written yet."""

    manifest: dict[str, Any]
    data: dict[str, Any]
    unsigned: str  # "" when signed with this installation's archive key; otherwise why it is not (one sentence)
    events_checked: bool  # False when the events were hashed under another installation's audit key


def _member(archive: zipfile.ZipFile, name: str, *, limit: int | None = None) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError as exc:
        raise ArchiveError(f"{name} is missing from the archive: it is incomplete or not a site archive.") from exc
    if limit is not None and info.file_size > limit:
        raise ArchiveError(f"{name} is far larger than export_site writes it: this is not a site archive.")
    return archive.read(info)


def _json(name: str, content: bytes) -> Any:
    try:
        return json.loads(content)
    except ValueError as exc:  # UnicodeDecodeError is one
        raise ArchiveError(f"{name} is not valid JSON ({exc}): the archive is damaged.") from exc


def _signature_problem(archive: zipfile.ZipFile, manifest: bytes) -> str:
    """Empty when the manifest bears this installation's signature; otherwise what is wrong, in one sentence."""
    if SIGNATURE_MEMBER not in archive.namelist():
        return "The archive is not signed"
    try:
        signature = json.loads(_member(archive, SIGNATURE_MEMBER, limit=SMALL_MEMBER_MAX))
        value = str(signature["signature"]).encode("ascii", "replace")
        signer = signature.get("key_id")
    except (ValueError, TypeError, KeyError, AttributeError):
        return "The archive's signature cannot be read"
    if hmac.compare_digest(value, manifest_signature(manifest).encode()):
        return ""
    if signer != key_id("archive"):
        return "The archive is signed with another archive key than this installation's (PHB_ARCHIVE_KEY)"
    return "The archive's signature does not match its manifest, which was altered after signing"


def _check_manifest(manifest: Any) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("This is not a PHB Readiness site archive: its manifest names no such format.")
    if manifest.get("version") != VERSION:
        raise ArchiveError(
            f"The archive is of version {manifest.get('version')!r}; this release restores version {VERSION} only "
            "(export the site again with this release)."
        )
    files = manifest.get("files")
    shapes_ok = (
        isinstance(manifest.get("data_sha256"), str)
        and isinstance(manifest.get("exported_at"), str)
        and isinstance(manifest.get("counts"), dict)
        and isinstance(manifest.get("audit_key_id"), str)
        and isinstance(files, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())
    )
    if not shapes_ok:
        raise ArchiveError("The archive's manifest lacks fields export_site writes: the archive is damaged.")


def _check_data(data: Any) -> None:
    """The outline of data.json; the rows themselves are checked as they are restored."""
    lists = ["users", "frameworks", *dict(SITE_MODELS), "audit_events"]
    outline_ok = (
        isinstance(data, dict)
        and isinstance(data.get("region"), dict)
        and isinstance(data.get("site"), dict)
        and isinstance(data["site"].get("code"), str)
        and all(isinstance(data.get(key), list) and all(isinstance(row, dict) for row in data[key]) for key in lists)
    )
    if not outline_ok:
        raise ArchiveError("data.json lacks parts export_site writes: the archive is damaged.")


def _check_files(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    for member, digest in manifest["files"].items():
        if member != f"files/{digest}":
            raise ArchiveError(f"{member} is not named by its SHA-256: the archive was altered.")
        try:
            with archive.open(member) as handle:
                actual = _sha256_of(handle)
        except KeyError as exc:
            raise ArchiveError(f"{member} is missing from the archive.") from exc
        if actual != digest:
            raise ArchiveError(f"{member} does not match its SHA-256: the archive was altered.")


def archive_check(archive: zipfile.ZipFile, *, trust_unsigned: bool = False) -> Checked:
    """Read the archive and check all of it: its signature (unless trusted unsigned), every entry against the
    SHA-256 its manifest names (files read in chunks), and the site's audit events against their original hashes."""
    manifest_bytes = _member(archive, "manifest.json", limit=SMALL_MEMBER_MAX)
    unsigned = _signature_problem(archive, manifest_bytes)
    if unsigned and not trust_unsigned:
        raise ArchiveError(f"{unsigned}: refused. Restore it only if you trust its source, with --trust-unsigned.")
    manifest = _json("manifest.json", manifest_bytes)
    _check_manifest(manifest)
    payload = _member(archive, "data.json")
    if _sha256(payload) != manifest["data_sha256"]:
        raise ArchiveError("data.json does not match the SHA-256 in the manifest: the archive was altered.")
    data = _json("data.json", payload)
    _check_data(data)
    _check_files(archive, manifest)
    # The events' hashes are keyed by the audit key of the installation that wrote them: they can be recomputed
    # only under the same key. From another installation, the archive's signature vouches for them instead.
    events_checked = manifest["audit_key_id"] == key_id("audit")
    if events_checked:
        broken = chain_break(data["audit_events"])
        if broken:
            raise ArchiveError(f"The archive's audit trail is broken: {broken}. The archive was altered.")
    elif unsigned:
        raise ArchiveError(
            "The archive's audit events were hashed under another installation's audit key and cannot be checked "
            "here, and the archive is not signed with this installation's key: refused."
        )
    return Checked(manifest=manifest, data=data, unsigned=unsigned, events_checked=events_checked)


def _restore_users(data: dict[str, Any], state: _Restore) -> None:
    """People are matched by username. Those missing are created from the archived fields alone, whatever else
    the archive says: never staff nor superuser, and without a usable password."""
    user_model = get_user_model()
    for row in data["users"]:
        values = {name: row.get(name, "") for name in USER_FIELDS if name != "is_active"}
        if not all(isinstance(value, str) for value in values.values()) or not values["username"]:
            raise ArchiveError("A person in the archive has no username, or fields that are not text.")
        user = user_model.objects.filter(username=values["username"]).first()
        if user is None:
            user = user_model(**values, is_active=row.get("is_active") is True, is_staff=False, is_superuser=False)
            user.set_unusable_password()
            try:
                user.full_clean(exclude=["password"], validate_unique=False)
            except ValidationError as exc:
                raise ArchiveError(f"Person {values['username']!r} in the archive is not valid here: {exc}") from exc
            user.save()
        state.users[values["username"]] = user


def _restore_frameworks(data: dict[str, Any], state: _Restore) -> None:
    """A framework version already loaded here is used as it is (its content must match); otherwise the copy."""
    for model in (Framework, Section, Item):
        state.ids[model] = {}
    for copy in data["frameworks"]:
        framework = Framework.objects.filter(slug=copy["slug"], version=copy["version"]).first()
        if framework is None:
            framework = Framework.objects.create(**_without(copy, "id", "sections", "loaded_at"))
            for section_copy in copy["sections"]:
                section = Section.objects.create(framework=framework, **_without(section_copy, "id", "items"))
                Item.objects.bulk_create(Item(section=section, **_without(i, "id")) for i in section_copy["items"])
        elif framework.content_sha256 != copy["content_sha256"] and loaded_substance_sha256(framework) != _asks(copy):
            # Only what the version asks must match: its description may have been updated here or there since.
            raise ArchiveError(f"Framework {copy['slug']} version {copy['version']} here differs from the archive's.")
        state.ids[Framework][copy["id"]] = framework.pk
        sections = {section.code: section.pk for section in framework.sections.all()}
        items = {
            (i.section.code, i.code): i.pk
            for i in Item.objects.filter(section__framework=framework).select_related("section")
        }
        for section_copy in copy["sections"]:
            state.ids[Section][section_copy["id"]] = sections[section_copy["code"]]
            for item_copy in section_copy["items"]:
                state.ids[Item][item_copy["id"]] = items[(section_copy["code"], item_copy["code"])]


def _asks(copy: dict[str, Any]) -> str:
    """What an archived framework version asks, hashed as `loaded_substance_sha256` hashes a loaded one."""
    sections = sorted(copy["sections"], key=lambda s: s["position"])
    return framework_substance_sha256(
        slug=copy["slug"],
        version=copy["version"],
        published=copy["published"],
        sources=copy["sources"],
        sections=[(s["code"], sorted(s["items"], key=lambda i: i["position"])) for s in sections],
    )


def _without(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in names}


def _instance(model: type[models.Model], row: dict[str, Any], state: _Restore) -> models.Model:
    """An unsaved row rebuilt from the archive, its links pointing at the rows restored here."""
    obj = model()
    for f in model._meta.concrete_fields:
        if f.primary_key or isinstance(f, models.FileField):
            continue
        value = row.get(f.name)
        if f.is_relation and f.related_model is get_user_model():
            if value and value not in state.users:
                raise ArchiveError(f"The archive refers to the person {value!r}, whom it does not contain.")
            setattr(obj, f.attname, state.users[value].pk if value else None)
        elif f.is_relation:
            setattr(obj, f.attname, state.new_id(f.related_model, value))
        else:
            setattr(obj, f.attname, f.to_python(value) if not isinstance(f, models.JSONField) else value)
    return obj


def _attach_files(obj: models.Model, row: dict[str, Any], state: _Restore) -> None:
    """Each file copied from its zip entry into the store, in chunks, under a new name as on upload."""
    for f in obj._meta.concrete_fields:
        if isinstance(f, models.FileField) and row.get(f.name):
            stored = row[f.name]
            member = f"files/{stored['sha256']}"
            try:
                info = state.archive.getinfo(member)
            except KeyError as exc:
                raise ArchiveError(f"{member} is missing from the archive.") from exc
            with state.archive.open(info) as handle:
                content = File(handle, name=stored["name"])
                content.size = info.file_size  # not the size of a same-named file on this machine
                getattr(obj, f.name).save(stored["name"], content, save=False)
            state.stored.append(getattr(obj, f.name))


def _restore_rows(model: type[models.Model], rows: list[dict[str, Any]], state: _Restore) -> None:
    ids = state.ids.setdefault(model, {})
    self_links = [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is model]
    for row in rows:
        pending = {f.attname: row[f.name] for f in self_links if row.get(f.name) is not None}
        obj = _instance(model, {**row, **{f.name: None for f in self_links}}, state)
        _attach_files(obj, row, state)
        model.objects.bulk_create([obj])  # no signals: the restore is recorded once, as site.import
        ids[row["id"]] = obj.pk
        auto = {name: model._meta.get_field(name).to_python(row[name]) for name in AUTO_TIMES.get(model, [])}
        links = {name: state.new_id(model, old) for name, old in pending.items()}
        if auto or links:
            model.objects.filter(pk=obj.pk).update(**auto, **links)


def _restore_audit(rows: list[dict[str, Any]], state: _Restore, site: PilotSite) -> None:
    """The site's events, appended to this database's chain in their original order, time and content."""
    by_label = {model._meta.label_lower: model for model in state.ids}
    for row in rows:
        event = _instance(AuditEvent, _without(row, "prev_hash", "hash"), state)
        event.site_id = site.pk
        target = by_label.get(row["object_type"])
        if target is not None and row["object_id"].isdigit():
            event.object_id = str(state.ids[target].get(int(row["object_id"]), row["object_id"]))
        audit_append(event, replay=True)


def _archive_sha256(path: Path | str | IO[bytes]) -> str:
    with _binary(path, "rb") as handle:
        start = handle.tell()
        handle.seek(0)
        digest = _sha256_of(handle)
        handle.seek(start)
    return digest


@dataclass(frozen=True)
class Restored:
    site: PilotSite
    unsigned: str  # "" when the archive bore this installation's signature; else why not (restored on trust)
    events_checked: bool  # False when the events came from another installation's audit key (signed archive)


# What damaged or altered rows raise as they are rebuilt: reported as the archive's fault, in one line.
# SuspiciousOperation: a file name that climbs out of the store.
_DATA_ERRORS = (
    KeyError,
    TypeError,
    ValueError,
    AttributeError,
    ValidationError,
    SuspiciousOperation,
    IntegrityError,
    DataError,
)
# What zipfile raises on a damaged zip (RuntimeError: an encrypted entry; NotImplementedError: unknown compression).
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


@contextmanager
def _opened(path: Path | str | IO[bytes], *, trust_unsigned: bool) -> Iterator[tuple[zipfile.ZipFile, Checked]]:
    """The archive open, and checked in full (a damaged zip is an ArchiveError)."""
    with _binary(path, "rb") as handle:
        try:
            archive = zipfile.ZipFile(handle)
        except _ZIP_ERRORS as exc:
            raise ArchiveError("This is not a zip file, so not a site archive.") from exc
        with archive:
            try:
                checked = archive_check(archive, trust_unsigned=trust_unsigned)
            except _ZIP_ERRORS as exc:
                raise ArchiveError(f"The archive is damaged ({type(exc).__name__}: {exc}).") from exc
            yield archive, checked


def site_import(*, path: Path | str | IO[bytes], user=None, trust_unsigned: bool = False) -> Restored:
    """Restore a site archive (a file name or a seekable binary stream) into this database, which must not already
    hold the site. Nothing is written unless the archive is signed with this installation's archive key (or
    `trust_unsigned`), every entry matches its SHA-256 and the site's events match their original hashes. If the
    restore fails part way, the files it stored are removed again (the database rows are rolled back)."""
    archive_sha256 = _archive_sha256(path)
    with _opened(path, trust_unsigned=trust_unsigned) as (archive, checked):
        state = _Restore(archive=archive)
        try:
            try:
                with transaction.atomic():
                    site = _restore(checked, state, archive_sha256=archive_sha256, user=user)
            except _DATA_ERRORS as exc:
                raise ArchiveError(
                    f"The archive's data cannot be restored ({type(exc).__name__}: {exc}): it is damaged or altered."
                ) from exc
        except BaseException:
            for stored in state.stored:
                with suppress(Exception):  # the restore's own error is the one to report
                    stored.storage.delete(stored.name)
            raise
    return Restored(site=site, unsigned=checked.unsigned, events_checked=checked.events_checked)


def _restore(checked: Checked, state: _Restore, *, archive_sha256: str, user) -> PilotSite:
    manifest, data = checked.manifest, checked.data
    if PilotSite.objects.filter(code=data["site"]["code"]).exists():
        raise ArchiveError(f"Site {data['site']['code']} already exists here: restore into a database without it.")
    _restore_users(data, state)
    _restore_frameworks(data, state)
    region, _ = Region.objects.get_or_create(code=data["region"]["code"], defaults={"name": data["region"]["name"]})
    state.ids[Region] = {data["site"]["region"]: region.pk}
    _restore_rows(PilotSite, [data["site"]], state)
    site = PilotSite.objects.get(pk=state.ids[PilotSite][data["site"]["id"]])
    for key, model in SITE_MODELS:
        _restore_rows(model, data[key], state)
    trust = f" ({checked.unsigned.lower()}; restored on the operator's trust)" if checked.unsigned else ""
    audit_record(
        action="site.import",
        actor=user,
        obj=site,
        site=site,
        summary=f"Site restored from an archive written {manifest['exported_at']}{trust}",
        after={
            "archive_sha256": archive_sha256,
            "counts": manifest["counts"],
            "signed": not checked.unsigned,
            "events_checked_here": checked.events_checked,
        },
    )
    _restore_audit(data["audit_events"], state, site)
    readiness_rebuild(only_missing=True)  # the restored assessments' readiness, stored as the services would have
    return site
