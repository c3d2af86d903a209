"""Site archives for the archive tests: a site with a concern and a sign-off exported, and a forger's rewrite of it.

`rewrite` does what an attacker with the archive but without the service's keys can do: change data.json or the
manifest, recompute the plain SHA-256 the manifest lists, and keep, drop or forge the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from checklists.models import SignOff
from checklists.services.comments import comment_create
from checklists.services.evidence import evidence_add_file
from phb_readiness.audit.services import _hashed_fields, legacy_event_hash
from phb_readiness.reports.archive import SIGNATURE_MEMBER, _original_event
from phb_readiness.sites.models import SiteRole

Edit = Callable[[dict[str, Any]], None]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"


def empty_database() -> None:
    """As on a new server: every table emptied (on PostgreSQL, pending foreign-key checks run first)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False)


def exported_site(world, tmp_path: Path) -> Path:
    """Site A with an evidence file, a concern and a management sign-off, written by export_site."""
    first = world.assessment_a.responses.select_related("item__section").order_by("id").first()
    evidence_add_file(
        response=first,
        user=world.contributor_a,
        uploaded_file=SimpleUploadedFile("policy.pdf", PDF, content_type="application/pdf"),
        title="Draft policy",
    )
    comment_create(response=first, user=world.rep_a, role=SiteRole.UNION_REP, body="Not agreed yet.", is_concern=True)
    SignOff.objects.create(
        assessment=world.assessment_a,
        section=first.item.section,
        kind=SignOff.Kind.MANAGEMENT,
        signed_by=world.manager_a,
        signer_role=SiteRole.MANAGER,
        statement="Signed for management.",
        content_sha256="a" * 64,
    )
    path = tmp_path / "site-a.zip"
    call_command("export_site", "SITE-A", str(path))
    return path


def plain_link(row: dict[str, Any]) -> str:
    """An archived event's hash recomputed as anyone could without the audit key: plain SHA-256."""
    return legacy_event_hash(prev_hash=row["prev_hash"], fields=_hashed_fields(_original_event(row)))


def rewrite(
    source: Path,
    target: Path,
    *,
    data: Edit | None = None,
    manifest: Edit | None = None,
    rehash: bool = True,
    signature: str = "keep",
    sign_with: bytes = b"",
    drop: tuple[str, ...] = (),
    replace: dict[str, bytes] | None = None,
) -> Path:
    """A copy of the archive, changed as a forger would.

    `replace` gives entries raw content first; `data` and `manifest` then edit data.json and the manifest (unless
    the manifest was replaced), and the manifest's SHA-256 of the data is recomputed (unless not `rehash`).
    `signature`: "keep" the original (which no longer matches an edited manifest), "drop" it, or "sign" with
    `sign_with`. `drop` leaves entries out.
    """
    with zipfile.ZipFile(source) as z:
        entries = {name: z.read(name) for name in z.namelist()}
    entries.update(replace or {})
    if data is not None:
        content = json.loads(entries["data.json"])
        data(content)
        entries["data.json"] = json.dumps(content, indent=1, sort_keys=True).encode()
    if "manifest.json" not in (replace or {}):
        parsed = json.loads(entries["manifest.json"])
        if rehash:
            parsed["data_sha256"] = hashlib.sha256(entries["data.json"]).hexdigest()
        if manifest is not None:
            manifest(parsed)
        entries["manifest.json"] = json.dumps(parsed, indent=1, sort_keys=True).encode()
    if signature == "drop":
        del entries[SIGNATURE_MEMBER]
    elif signature == "sign":
        sig = json.loads(entries[SIGNATURE_MEMBER])
        sig["signature"] = hmac.new(sign_with, entries["manifest.json"], hashlib.sha256).hexdigest()
        entries[SIGNATURE_MEMBER] = json.dumps(sig).encode()
    with zipfile.ZipFile(target, "w") as z:
        for name, content in entries.items():
            if name not in drop:
                z.writestr(name, content)
    return target
