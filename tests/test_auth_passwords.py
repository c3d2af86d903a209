"""Passwords are hashed with Argon2 and must pass Django's validators (12 characters at least)."""

import importlib

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

pytestmark = pytest.mark.django_db

project_settings = importlib.import_module("phb_readiness.settings")


def test_new_passwords_are_hashed_with_argon2(settings, world):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # the tests use MD5 for speed
    world.manager_a.set_password("a-long-new-password-2010")
    assert world.manager_a.password.startswith("argon2$argon2id$")
    assert world.manager_a.check_password("a-long-new-password-2010")


@pytest.mark.parametrize("password", ["short-pw-1", "password1234", "123456789012345", "manager-a-2009"])
def test_weak_passwords_are_refused(password, world):
    with pytest.raises(ValidationError):
        validate_password(password, user=world.manager_a)


def test_a_long_uncommon_password_is_accepted(world):
    validate_password("granite-ferry-lantern-47", user=world.manager_a)
