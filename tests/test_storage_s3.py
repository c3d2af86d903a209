"""Evidence, reports and site archives on S3-compatible storage, against a real S3 API (moto in server mode).

moto runs as a separate process on 127.0.0.1 and a free port; the file store is switched to it the way production
switches it (`PHB_S3_*` variables, `s3_storage` in settings), and nothing may land in the local file store.
"""

from __future__ import annotations

import hashlib
import random
import socket
import subprocess
import sys
import time
import uuid
import zipfile
from pathlib import Path

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from checklists.models import Evidence
from phb_readiness.reports.models import Report
from phb_readiness.reports.services import report_request_site
from phb_readiness.settings import s3_storage
from phb_readiness.sites.models import PilotSite

pytest.importorskip("moto.server", reason="moto[server] is a dev dependency: pip install -e '.[dev]'")
boto3 = pytest.importorskip("boto3")
pytest.importorskip("storages.backends.s3")

pytestmark = pytest.mark.django_db

REGION = "eu-west-2"
KEY, SECRET = "phb-test-key", "phb-test-secret"
# A PDF larger than the upload memory limit (2.5 MB), so it reaches the store from a temporary file, in parts.
BIG_PDF = b"%PDF-1.4\n" + random.Random(2009).randbytes(3 * 1024 * 1024) + b"\n%%EOF\n"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"moto server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def bucket(moto_endpoint, settings, tmp_path):
    """A new private bucket, and the file store switched to it (over the local one the suite's fixture sets)."""
    client = boto3.client(
        "s3", endpoint_url=moto_endpoint, region_name=REGION, aws_access_key_id=KEY, aws_secret_access_key=SECRET
    )
    name = f"phb-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    client.put_public_access_block(
        Bucket=name,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": s3_storage(
            bucket=name,
            endpoint_url=moto_endpoint,
            region=REGION,
            access_key=KEY,
            secret_key=SECRET,
            prefix="phb",
            addressing_style="path",
        ),
    }
    local = Path(settings.PRIVATE_STORAGE_ROOT)
    assert default_storage.__class__.__name__ == "S3Storage"

    class Bucket:
        s3 = client

        @staticmethod
        def keys() -> set[str]:
            listed = client.list_objects_v2(Bucket=name)
            return {item["Key"] for item in listed.get("Contents", [])}

        @staticmethod
        def read(key: str) -> bytes:
            return client.get_object(Bucket=name, Key=key)["Body"].read()

    Bucket.name = name
    yield Bucket
    leaked = [p for p in local.rglob("*") if p.is_file()] if local.exists() else []
    assert leaked == [], "a file went to the local store"


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def upload(client, world, content: bytes, name: str = "Forum minutes.pdf"):
    client.force_login(world.contributor_a)
    url = reverse("checklists:evidence_add", args=[world.assessment_a.pk, "EMP-01"])
    page = client.post(url, {"upload-file": SimpleUploadedFile(name, content, "application/pdf"), "upload-title": ""})
    assert page.status_code == 302, page.content.decode()[:2000]
    return Evidence.objects.filter(kind=Evidence.Kind.FILE).latest("id")


def test_evidence_is_stored_privately_in_the_bucket_and_downloaded_by_a_member(client, world, bucket):
    evidence = upload(client, world, BIG_PDF)
    key = f"phb/{evidence.file.name}"
    assert key in bucket.keys()
    assert bucket.read(key) == BIG_PDF
    assert evidence.sha256 == sha(BIG_PDF) and evidence.size == len(BIG_PDF)
    grants = bucket.s3.get_object_acl(Bucket=bucket.name, Key=key)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]  # the owner alone: nothing public
    assert "X-Amz-Signature=" in evidence.file.url  # were a URL ever made, it would be signed and expire

    for member in (world.manager_a, world.rep_a):
        client.force_login(member)
        response = client.get(reverse("checklists:evidence_download", args=[evidence.pk]))
        assert response.status_code == 200
        body = b"".join(response.streaming_content)
        assert body == BIG_PDF and sha(body) == evidence.sha256
        assert response["Content-Disposition"].startswith("attachment;")
    client.force_login(world.manager_b)
    assert client.get(reverse("checklists:evidence_download", args=[evidence.pk])).status_code == 404


def test_a_second_upload_never_overwrites_the_first(client, world, bucket):
    first = upload(client, world, BIG_PDF)
    second = upload(client, world, BIG_PDF[:-7] + b"changed\n%%EOF\n")
    assert first.file.name != second.file.name
    assert bucket.read(f"phb/{first.file.name}") == BIG_PDF


def test_evidence_missing_from_the_bucket_is_a_404_not_an_error(client, world, bucket):
    evidence = upload(client, world, BIG_PDF)
    bucket.s3.delete_object(Bucket=bucket.name, Key=f"phb/{evidence.file.name}")
    client.force_login(world.manager_a)
    assert client.get(reverse("checklists:evidence_download", args=[evidence.pk])).status_code == 404


def test_a_report_pdf_is_rendered_into_the_bucket_and_downloaded(
    client, world, bucket, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report, created = report_request_site(assessment=world.assessment_a, user=world.manager_a)
    assert created
    report.refresh_from_db()
    assert report.state == Report.State.SUCCEEDED, report.error
    stored = bucket.read(f"phb/{report.file.name}")
    assert stored.startswith(b"%PDF-") and sha(stored) == report.sha256

    client.force_login(world.rep_a)
    response = client.get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == stored and sha(body) == report.sha256

    bucket.s3.delete_object(Bucket=bucket.name, Key=f"phb/{report.file.name}")
    assert client.get(reverse("reports:download", args=[report.pk])).status_code == 404


def test_a_site_archive_is_exported_from_and_imported_into_the_bucket(client, world, bucket, tmp_path):
    evidence = upload(client, world, BIG_PDF)
    old_key = f"phb/{evidence.file.name}"
    archive = tmp_path / "site-a.zip"
    call_command("export_site", "SITE-A", str(archive))
    with zipfile.ZipFile(archive) as z:
        assert z.read(f"files/{sha(BIG_PDF)}") == BIG_PDF

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False)
    call_command("import_site", str(archive))

    restored = Evidence.objects.get(kind=Evidence.Kind.FILE, response__assessment__site__code="SITE-A")
    new_key = f"phb/{restored.file.name}"
    assert new_key != old_key and {old_key, new_key} <= bucket.keys()
    assert bucket.read(new_key) == BIG_PDF and restored.sha256 == sha(BIG_PDF)
    assert PilotSite.objects.filter(code="SITE-A").exists()
    with restored.file.open("rb") as handle:
        assert sha(handle.read()) == restored.sha256
