"""`manage.py check --deploy` warns when the audit key is not set: a key generated on one machine's disk would differ
on the next machine, and every link written there would fail verification."""

from django.core.checks import run_checks


def deploy_check_ids() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True)}


def test_an_unset_audit_key_is_warned_about_in_the_deploy_check(settings):
    settings.PHB_AUDIT_KEY = ""
    assert "audit.W001" in deploy_check_ids()
    assert "audit.W001" not in {message.id for message in run_checks()}


def test_a_set_audit_key_passes(settings):
    settings.PHB_AUDIT_KEY = "a-long-random-secret-kept-outside-the-database"
    assert "audit.W001" not in deploy_check_ids()
