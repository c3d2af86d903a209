"""import_site restores only archives signed with this installation's archive key, unless the operator trusts one.

The attack: edit data.json (a forged sign-off, a forged audit event, a superuser), recompute its SHA-256 in the
manifest, and import. The manifest's hashes carry no key; its signature does.
"""

import json
import zipfile
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from checklists.models import SignOff
from phb_readiness.audit.models import AuditEvent
from phb_readiness.audit.services import audit_verify
from phb_readiness.reports.archive import SIGNATURE_MEMBER, key_id, manifest_signature
from phb_readiness.sites.models import PilotSite
from tests.archive_support import empty_database, exported_site, plain_link, rewrite

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(world, tmp_path):
    return exported_site(world, tmp_path)


def forge_signoff(data: dict) -> None:
    data["signoffs"][0]["statement"] = "Signed for the staff side too."
    data["signoffs"][0]["kind"] = SignOff.Kind.STAFF_SIDE


def import_site(path, *args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_site", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_manifest_is_signed_with_the_archive_key(archive):
    with zipfile.ZipFile(archive) as z:
        manifest = z.read("manifest.json")
        signature = json.loads(z.read(SIGNATURE_MEMBER))
    assert signature == {
        "algorithm": "HMAC-SHA256",
        "key_id": key_id("archive"),
        "signature": manifest_signature(manifest),
    }
    assert json.loads(manifest)["audit_key_id"] == key_id("audit")
    assert key_id("archive") != key_id("audit")


@pytest.mark.parametrize("signature", ["keep", "drop"])
def test_a_forged_archive_is_refused(archive, tmp_path, signature):
    forged = rewrite(archive, tmp_path / "forged.zip", data=forge_signoff, signature=signature)
    empty_database()
    with pytest.raises(CommandError) as refused:
        import_site(forged)
    assert refused.value.returncode == 2
    message = str(refused.value)
    assert "refused" in message and "--trust-unsigned" in message and "\n" not in message
    if signature == "drop":
        assert message.startswith("The archive is not signed")
    else:
        assert message.startswith("The archive's signature does not match its manifest")
    assert not PilotSite.objects.exists() and not AuditEvent.objects.exists()


def test_an_archive_signed_with_another_key_is_refused_and_says_so(archive, tmp_path):
    forged = rewrite(archive, tmp_path / "forged.zip", data=forge_signoff, signature="sign", sign_with=b"guessed")
    empty_database()
    with pytest.raises(CommandError, match="signature does not match its manifest") as refused:
        import_site(forged)
    assert refused.value.returncode == 2


def test_another_installations_archive_key_is_named_as_the_reason(archive, settings):
    empty_database()
    settings.PHB_ARCHIVE_KEY = "another installation's archive key"
    with pytest.raises(CommandError, match=r"signed with another archive key .*PHB_ARCHIVE_KEY"):
        import_site(archive)
    assert not PilotSite.objects.exists()


def test_trusted_unsigned_an_edited_archive_is_restored_and_says_so(archive, tmp_path):
    forged = rewrite(archive, tmp_path / "forged.zip", data=forge_signoff, signature="drop")
    empty_database()
    out, err = import_site(forged, "--trust-unsigned")
    assert err.strip() == "The archive is not signed: restored anyway, on your trust (--trust-unsigned)."
    assert "Restored Site A" in out
    assert SignOff.objects.get().kind == SignOff.Kind.STAFF_SIDE  # restored as the operator chose
    event = AuditEvent.objects.get(action="site.import")
    assert event.after["signed"] is False and "restored on the operator's trust" in event.summary
    assert audit_verify().ok


def test_a_signed_archive_with_trust_unsigned_says_nothing_of_trust(archive):
    empty_database()
    out, err = import_site(archive, "--trust-unsigned")
    assert err == "" and "Restored Site A" in out
    assert AuditEvent.objects.get(action="site.import").after["signed"] is True


def edit_event(data: dict) -> None:
    """The forger's audit event: a concern turned into a harmless comment, its hash recomputed without the key."""
    event = next(row for row in data["audit_events"] if row["action"] == "concern.raise")
    event["summary"] = "Comment added"
    event["hash"] = plain_link(event)


def add_event(data: dict) -> None:
    """A forged sign-off event appended after the last one, linked to it, its hash computed without the key."""
    last = data["audit_events"][-1]
    forged = {**last, "id": last["id"] + 1, "action": "signoff.create", "summary": "Staff side signed"}
    forged["prev_hash"] = last["hash"]
    forged["hash"] = plain_link(forged)
    data["audit_events"].append(forged)


@pytest.mark.parametrize("edit", [edit_event, add_event], ids=["edited", "added"])
def test_trusted_unsigned_a_forged_audit_event_is_still_caught(archive, tmp_path, edit):
    forged = rewrite(archive, tmp_path / "forged.zip", data=edit, signature="drop")
    empty_database()
    with pytest.raises(
        CommandError, match=r"The archive's audit trail is broken: audit event \d+ .*does not match its hash"
    ):
        import_site(forged, "--trust-unsigned")
    assert not PilotSite.objects.exists() and not AuditEvent.objects.exists()


def test_trusted_unsigned_events_moved_out_of_order_are_caught(archive, tmp_path):
    def swap(data: dict) -> None:
        events = data["audit_events"]
        events[1], events[2] = events[2], events[1]

    forged = rewrite(archive, tmp_path / "forged.zip", data=swap, signature="drop")
    empty_database()
    with pytest.raises(CommandError, match="out of the chain's order"):
        import_site(forged, "--trust-unsigned")


def test_a_signed_archive_from_an_installation_with_another_audit_key_is_restored(archive, settings):
    """Another installation shares the archive key, not the audit key: the signature vouches for the events."""
    empty_database()
    settings.PHB_AUDIT_KEY = "the target installation's own audit key"
    out, err = import_site(archive)
    assert "hashed under another installation's audit key" in out and err == ""
    assert AuditEvent.objects.filter(site__code="SITE-A").count() > 3
    assert audit_verify().ok


def test_unsigned_from_an_installation_with_another_audit_key_is_refused_even_if_trusted(archive, tmp_path, settings):
    unsigned = rewrite(archive, tmp_path / "unsigned.zip", signature="drop")
    empty_database()
    settings.PHB_AUDIT_KEY = "the target installation's own audit key"
    with pytest.raises(CommandError, match="cannot be checked here") as refused:
        import_site(unsigned, "--trust-unsigned")
    assert refused.value.returncode == 2


def test_the_export_refuses_to_sign_a_broken_audit_trail(archive, tmp_path, settings):
    settings.PHB_AUDIT_KEY = "a key the existing events were not hashed under"
    target = tmp_path / "again.zip"
    with pytest.raises(CommandError, match="audit trail is broken here .*run verify_audit"):
        call_command("export_site", "SITE-A", str(target))
    assert not target.exists()
