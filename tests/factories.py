"""Factories for test data. The framework comes from the real fixture file (tests/conftest.py)."""

import factory
from django.contrib.auth import get_user_model

from phb_readiness.sites.models import Membership, PilotSite, Region, ReviewerScope

TEST_PASSWORD = "a-long-test-password-2009"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.nhs.invalid")
    password = factory.django.Password(TEST_PASSWORD)


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n:02d}")
    name = factory.LazyAttribute(lambda r: f"Region {r.code}")


class PilotSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PilotSite
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"SITE-{n:03d}")
    name = factory.LazyAttribute(lambda s: f"{s.code} Primary Care Trust")
    region = factory.SubFactory(RegionFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    site = factory.SubFactory(PilotSiteFactory)
    role = Membership.Role.CONTRIBUTOR


class ReviewerScopeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewerScope

    user = factory.SubFactory(UserFactory)
    region = None
