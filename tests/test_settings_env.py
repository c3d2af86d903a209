"""Settings from the environment: unknown booleans and integers stop start-up, secrets can come from files."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from phb_readiness.settings import env_bool, env_choice, env_int, env_secret, s3_storage

ROOT = Path(__file__).resolve().parent.parent
OURS = ("DJANGO_", "DATABASE_", "CELERY_", "PHB_", "EMAIL_", "AWS_", "LOG_LEVEL")


def start(env: dict, code: str = "") -> subprocess.CompletedProcess:
    """`django.setup()` in a fresh process with only these of our variables set, then `code`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "phb_readiness.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("Yes", True), (" on ", True), ("0", False), ("FALSE", False), ("no", False)]
    + [("off", False), ("", None)],
)
def test_env_bool_knows_the_eight_words(monkeypatch, value, expected):
    monkeypatch.setenv("PHB_TEST_FLAG", value)
    assert env_bool("PHB_TEST_FLAG", default=None) is expected


def test_env_bool_unset_is_the_default(monkeypatch):
    monkeypatch.delenv("PHB_TEST_FLAG", raising=False)
    assert env_bool("PHB_TEST_FLAG", default=True) is True


@pytest.mark.parametrize("value", ["ture", "2", "y", "enabled", "-1"])
def test_env_bool_refuses_anything_else(monkeypatch, value):
    monkeypatch.setenv("PHB_TEST_FLAG", value)
    with pytest.raises(ImproperlyConfigured) as caught:
        env_bool("PHB_TEST_FLAG", default=False)
    assert "PHB_TEST_FLAG" in str(caught.value) and "1/0/true/false/yes/no/on/off" in str(caught.value)


def test_env_int(monkeypatch):
    monkeypatch.setenv("PHB_TEST_INT", " 42 ")
    assert env_int("PHB_TEST_INT", 7) == 42
    monkeypatch.setenv("PHB_TEST_INT", "")
    assert env_int("PHB_TEST_INT", 7) == 7
    for bad in ("20MB", "1.5", "ten"):
        monkeypatch.setenv("PHB_TEST_INT", bad)
        with pytest.raises(ImproperlyConfigured, match=r"PHB_TEST_INT is .*whole number"):
            env_int("PHB_TEST_INT", 7)
    monkeypatch.setenv("PHB_TEST_INT", "0")
    with pytest.raises(ImproperlyConfigured, match="PHB_TEST_INT is 0: it must be at least 1"):
        env_int("PHB_TEST_INT", 7, minimum=1)


def test_env_choice(monkeypatch):
    monkeypatch.setenv("PHB_TEST_CHOICE", "path")
    assert env_choice("PHB_TEST_CHOICE", "", ("auto", "path")) == "path"
    monkeypatch.setenv("PHB_TEST_CHOICE", "sideways")
    with pytest.raises(ImproperlyConfigured, match="PHB_TEST_CHOICE is 'sideways': use one of auto, path"):
        env_choice("PHB_TEST_CHOICE", "", ("auto", "path"))


def test_env_secret_reads_the_file_named_by_NAME_FILE(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t value\n")
    monkeypatch.delenv("PHB_TEST_SECRET", raising=False)
    monkeypatch.setenv("PHB_TEST_SECRET_FILE", str(secret))
    assert env_secret("PHB_TEST_SECRET") == "s3cr3t value"


def test_env_secret_plain_variable_and_default(monkeypatch):
    monkeypatch.delenv("PHB_TEST_SECRET_FILE", raising=False)
    monkeypatch.setenv("PHB_TEST_SECRET", "plain")
    assert env_secret("PHB_TEST_SECRET") == "plain"
    monkeypatch.delenv("PHB_TEST_SECRET")
    assert env_secret("PHB_TEST_SECRET", "fallback") == "fallback"


def test_env_secret_refuses_both_and_an_unreadable_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("from the file")
    monkeypatch.setenv("PHB_TEST_SECRET", "from the variable")
    monkeypatch.setenv("PHB_TEST_SECRET_FILE", str(secret))
    with pytest.raises(ImproperlyConfigured, match="Set PHB_TEST_SECRET or PHB_TEST_SECRET_FILE, not both"):
        env_secret("PHB_TEST_SECRET")
    monkeypatch.delenv("PHB_TEST_SECRET")
    monkeypatch.setenv("PHB_TEST_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="PHB_TEST_SECRET_FILE names .*missing, which cannot be read"):
        env_secret("PHB_TEST_SECRET")


def test_s3_storage_is_private_and_never_overwrites():
    storage = s3_storage(bucket="phb", endpoint_url="https://s3.example", access_key="a", secret_key="b")
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert options["bucket_name"] == "phb" and options["endpoint_url"] == "https://s3.example"
    assert options["default_acl"] is None and options["querystring_auth"] is True
    assert options["file_overwrite"] is False and options["custom_domain"] is None
    with pytest.raises(ImproperlyConfigured, match="both PHB_S3_ACCESS_KEY_ID and PHB_S3_SECRET_ACCESS_KEY"):
        s3_storage(bucket="phb", access_key="a")


# Start-up itself, in a fresh process.


@pytest.mark.parametrize(
    ("name", "value"),
    [("DJANGO_SECURE_COOKIES", "ture"), ("DJANGO_DEBUG", "maybe"), ("EMAIL_USE_TLS", "tls")],
)
def test_an_unknown_boolean_stops_start_up_naming_the_variable(name, value):
    result = start({name: value})
    assert result.returncode != 0
    assert f"{name} is '{value}': use one of 1/0/true/false/yes/no/on/off." in result.stderr


@pytest.mark.parametrize(("name", "value"), [("PHB_EVIDENCE_MAX_BYTES", "20MB"), ("EMAIL_PORT", "smtp")])
def test_a_bad_integer_stops_start_up_naming_the_variable(name, value):
    result = start({name: value})
    assert result.returncode != 0
    assert f"{name} is '{value}': it must be a whole number." in result.stderr


def test_secrets_come_from_files(tmp_path):
    files = {
        "DJANGO_SECRET_KEY": "k" * 20 + "-from-a-file-" + "z8Qm!4" * 6,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'from-file.sqlite3'}",
        "EMAIL_HOST_PASSWORD": "mail password",
        "PHB_S3_ACCESS_KEY_ID": "AKIAFROMFILE",
        "PHB_S3_SECRET_ACCESS_KEY": "secret-from-file",
    }
    env = {"DJANGO_DEBUG": "0", "DJANGO_ALLOWED_HOSTS": "phb.example.nhs.uk", "PHB_S3_BUCKET": "phb-files"}
    for name, value in files.items():
        (tmp_path / name).write_text(value + "\n")
        env[f"{name}_FILE"] = str(tmp_path / name)
    code = (
        "from django.conf import settings as s; o = s.STORAGES['default']['OPTIONS']; "
        "print(s.SECRET_KEY, s.DATABASES['default']['NAME'], s.EMAIL_HOST_PASSWORD, "
        "s.STORAGES['default']['BACKEND'], o['access_key'], o['secret_key'], o['bucket_name'], sep='|')"
    )
    result = start(env, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().split("|") == [
        files["DJANGO_SECRET_KEY"],
        str(tmp_path / "from-file.sqlite3"),
        "mail password",
        "storages.backends.s3.S3Storage",
        "AKIAFROMFILE",
        "secret-from-file",
        "phb-files",
    ]


def test_an_unreadable_secret_file_stops_start_up(tmp_path):
    result = start({"DJANGO_SECRET_KEY_FILE": str(tmp_path / "nope"), "DJANGO_DEBUG": "0"})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY_FILE names" in result.stderr and "cannot be read" in result.stderr


def test_without_a_bucket_files_stay_on_this_machine(tmp_path):
    code = "from django.conf import settings as s; print(s.STORAGES['default']['BACKEND'])"
    result = start({"PHB_PRIVATE_STORAGE_ROOT": str(tmp_path / "private")}, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.files.storage.FileSystemStorage"
