"""Two managers signing the same section at the same moment: one sign-off, and a clear message for the other."""

import threading

import pytest
from django.db import connection

from checklists.models import SignOff
from checklists.services.checks import PartnershipError
from checklists.services.signoffs import signoff_management
from phb_readiness.sites.models import Membership, SiteRole
from tests.factories import MembershipFactory
from tests.partnership_support import first_section

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_managers_signing_at_once_yield_one_sign_off(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises all writers anyway")
    second_manager = MembershipFactory(site=world.site_a, role=Membership.Role.MANAGER).user
    assessment, section = world.assessment_a, first_section(world.assessment_a)
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def sign(user) -> None:
        try:
            start.wait(timeout=10)
            outcomes[user.username] = signoff_management(
                assessment=assessment, section=section, user=user, role=SiteRole.MANAGER, statement="Agreed."
            )
        except PartnershipError as error:
            outcomes[user.username] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(user,)) for user in (world.manager_a, second_manager)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert SignOff.objects.filter(assessment=assessment, section=section).count() == 1
    errors = [o for o in outcomes.values() if isinstance(o, PartnershipError)]
    signed = [o for o in outcomes.values() if isinstance(o, SignOff)]
    assert len(signed) == 1 and len(errors) == 1
    winner = signed[0].signed_by
    assert f"already signed for management by {winner.get_full_name()}" in str(errors[0])
