"""A restored archive creates people from their name, e-mail and active flag only: never staff, never superuser,
never a usable password, whatever data.json says (even in an archive bearing a valid signature)."""

import pytest
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command

from phb_readiness.keys import service_key
from phb_readiness.sites.models import Membership, PilotSite
from tests.archive_support import empty_database, exported_site, rewrite

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(world, tmp_path):
    return exported_site(world, tmp_path)


def promote(data: dict) -> None:
    """Every person a superuser and staff with a known password; and a new administrator added."""
    for person in data["users"]:
        person.update(is_staff=True, is_superuser=True, password=make_password("known-to-the-forger"))
    data["users"].append(
        {
            "username": "backdoor",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": True,
            "is_staff": True,
            "is_superuser": True,
            "password": make_password("known-to-the-forger"),
            "last_login": None,
        }
    )
    data["memberships"].append({**data["memberships"][0], "id": 9999, "user": "backdoor"})


@pytest.mark.parametrize("signature", ["trusted-unsigned", "signed"])
def test_no_staff_superuser_or_password_comes_from_an_archive(archive, tmp_path, django_user_model, signature):
    if signature == "signed":
        forged = rewrite(archive, tmp_path / "f.zip", data=promote, signature="sign", sign_with=service_key("archive"))
        args = []
    else:
        forged = rewrite(archive, tmp_path / "f.zip", data=promote, signature="drop")
        args = ["--trust-unsigned"]
    empty_database()
    call_command("import_site", str(forged), *args)

    people = django_user_model.objects.order_by("username")
    assert [p.username for p in people] == ["backdoor", "contrib-a", "manager-a", "rep-a"]
    assert not django_user_model.objects.filter(is_staff=True).exists()
    assert not django_user_model.objects.filter(is_superuser=True).exists()
    for person in people:
        assert not person.has_usable_password()
        assert not person.check_password("known-to-the-forger")
    backdoor = people.get(username="backdoor")
    assert Membership.objects.get(user=backdoor).site.code == "SITE-A"  # a member, as the archive says; no more


def test_an_existing_person_is_left_as_they_are(archive, django_user_model, world):
    empty_database()
    existing = django_user_model.objects.create_user("rep-a", password="their-own", first_name="Kept")
    call_command("import_site", str(archive))
    existing.refresh_from_db()
    assert existing.first_name == "Kept" and existing.check_password("their-own")
    assert not existing.is_staff and not existing.is_superuser


def test_a_person_with_an_invalid_username_is_refused(archive, tmp_path):
    def bad_name(data: dict) -> None:
        data["users"][0]["username"] = "no spaces allowed / here"

    forged = rewrite(archive, tmp_path / "f.zip", data=bad_name, signature="drop")
    empty_database()
    with pytest.raises(CommandError, match="is not valid here") as refused:
        call_command("import_site", str(forged), "--trust-unsigned")
    assert refused.value.returncode == 2
    assert not PilotSite.objects.exists()
