from __future__ import annotations

import pytest
from django.core.management import CommandError

from miroir.accounts.models import User
from miroir.demo.context import DemoOptions
from miroir.demo.management.commands.demo import Command
from miroir.demo.services import DemoError, demo_generate
from miroir.org.models import Member, Unit, UnitKind
from tests.demo.support import SMALL, run_demo


def test_help_explains_every_option():
    text = Command().create_parser("miroir", "demo").format_help()
    for option in (
        "--seed",
        "--regions",
        "--shops",
        "--members-per-shop",
        "--reset",
        "--skip-if-present",
        "--truth-file",
    ):
        assert option in text
    assert "default: 42" in text


def test_output_gives_counts_logins_and_password(small_demo):
    assert "Units: " in small_demo and "Members: " in small_demo
    assert f"Units: {Unit.objects.count()} " in small_demo
    assert f"Members: {Member.objects.count()} " in small_demo
    assert "miroir-demo" in small_demo
    for email in ("admin@", "direction@", "region@", "manager@", "employee@", "partner@"):
        assert f"{email}demo.miroir.example" in small_demo


def test_output_says_how_to_sign_in_by_phone_with_a_working_link(small_demo, client):
    import re

    assert "/accounts/login/phone/" in small_demo
    url = re.search(r"(http\S+/accounts/login/link/\S+/)", small_demo).group(1)
    response = client.post(url[url.index("/accounts/") :])
    assert response.status_code == 302
    user = client.get("/").wsgi_request.user
    assert user.is_authenticated and user.email is None and user.phone in small_demo


def test_an_existing_organisation_is_refused_without_reset(personas, data_dir):
    with pytest.raises(CommandError, match="--reset"):
        run_demo(*SMALL)
    assert Unit.objects.filter(name="Lille").exists()
    assert not (data_dir / "demo-truth.json").exists()


def test_skip_if_present_says_so_and_changes_nothing(personas, data_dir):
    before = Unit.objects.count()
    output = run_demo(*SMALL, "--skip-if-present")
    assert "already" in output
    assert Unit.objects.count() == before


def test_skip_if_present_generates_on_an_empty_database(db, data_dir):
    run_demo(*SMALL, "--skip-if-present")
    assert Unit.objects.filter(kind=UnitKind.SHOP).count() == 6


def test_reset_replaces_the_organisation_and_its_logins_but_keeps_superusers(personas, data_dir):
    User.objects.create_superuser("root@example.com", "root-password-123")
    run_demo(*SMALL, "--reset")
    assert not Unit.objects.filter(name="Lille").exists()
    assert Unit.objects.filter(kind=UnitKind.SHOP).count() == 6
    assert not User.objects.filter(email="sophie@example.com").exists()
    assert User.objects.filter(email="root@example.com").exists()
    # Olivier's login belonged to no member: a reset leaves it alone.
    assert User.objects.filter(email="olivier@example.com").exists()


def test_reset_twice_gives_the_same_counts(small_demo):
    units, members = Unit.objects.count(), Member.objects.count()
    run_demo(*SMALL, "--reset")
    assert (Unit.objects.count(), Member.objects.count()) == (units, members)


def test_reset_and_skip_if_present_cannot_be_combined(db, data_dir):
    with pytest.raises(CommandError, match="not allowed with"):
        run_demo("--reset", "--skip-if-present")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--regions", "0"), "regions"),
        (("--regions", "5", "--shops", "3"), "at least as many shops"),
        (("--members-per-shop", "2"), "members per shop"),
        (("--shops", "lots"), "whole number"),
    ],
)
def test_impossible_sizes_are_refused_in_words(db, data_dir, args, message):
    with pytest.raises(CommandError, match=message):
        run_demo(*args)
    assert not Unit.objects.exists()


def test_the_service_refuses_an_existing_organisation_too(personas):
    with pytest.raises(DemoError, match="--reset"):
        demo_generate(options=DemoOptions(regions=1, shops=1, members_per_shop=3))
    assert Unit.objects.filter(name="Lille").exists()


def test_verbosity_zero_prints_nothing_but_still_generates(db, data_dir):
    assert run_demo(*SMALL, "--verbosity", "0") == ""
    assert Unit.objects.filter(kind=UnitKind.SHOP).count() == 6
    assert (data_dir / "demo-truth.json").exists()
