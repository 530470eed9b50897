"""System checks of the retention setting."""

from __future__ import annotations

from miroir.privacy.checks import check_contact_retention


def test_a_retention_under_a_day_is_an_error(settings):
    settings.COLLECT_CONTACT_RETENTION_DAYS = 0
    [error] = check_contact_retention()
    assert error.id == "miroir.E101"


def test_a_retention_shorter_than_the_contact_period_is_a_warning(settings):
    settings.COLLECT_CONTACT_RETENTION_DAYS = 10
    settings.COLLECT_HOT_CONTACT_PERIOD_DAYS = 30
    [warning] = check_contact_retention()
    assert warning.id == "miroir.W101"


def test_the_defaults_pass(settings):
    settings.COLLECT_CONTACT_RETENTION_DAYS = 90
    settings.COLLECT_HOT_CONTACT_PERIOD_DAYS = 30
    assert check_contact_retention() == []
