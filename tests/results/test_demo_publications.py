"""The demo publishes the last closed period's results, as a real network would.

The direction publishes the company's, about half the shop managers their shop's (the
demo manager's always), through the audited service; the demo employee reads the company's
and their shop's on their phone.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from miroir.audit.models import AuditEntry
from miroir.demo.context import DEMO_PASSWORD
from miroir.demo.selectors import demo_truth
from miroir.org.models import Member, Role, RoleKind, Unit, UnitKind
from miroir.org.selectors import scope_for_user
from miroir.results.models import Publication, RollupResponses
from miroir.results.periods import period_of
from miroir.results.selectors import publications_for, results_periods
from tests.demo.support import run_demo

pytestmark = pytest.mark.django_db

SHOPS = 12


@pytest.fixture
def demo(db: None, settings, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path
    run_demo("--regions", "2", "--shops", str(SHOPS))


def _persona(key: str) -> Member:
    return Member.objects.select_related("user", "unit").get(
        email=demo_truth("org", "personas")[key]["email"]
    )


def _shop_of(member: Member) -> Unit:
    unit = member.unit
    while unit.kind != UnitKind.SHOP:
        unit = unit.parent
    return unit


def test_the_demo_employee_reads_the_company_s_and_their_shop_s_publications(demo):
    employee = _persona("employee")
    shop = _shop_of(employee)
    company = Unit.objects.get(parent__isnull=True)
    assert shop == _persona("shop_manager").unit

    seen = list(publications_for(scope_for_user(employee.user)))

    assert {publication.unit for publication in seen} == {company, shop}
    today = timezone.localdate()
    closed = [period for period in results_periods() if period < period_of(today)]
    assert {publication.period for publication in seen} == {closed[-1].label}
    truth = demo_truth("results", "publications")
    assert truth["period"] == closed[-1].label
    assert set(truth["units"]) == set(
        Publication.objects.values_list("unit__external_id", flat=True)
    )


def test_the_demo_employee_logs_in_and_opens_what_was_published(demo, client):
    employee = _persona("employee")
    company = Unit.objects.get(parent__isnull=True)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.login(username=employee.user.email, password=DEMO_PASSWORD)

    listing = reverse("reports:published")
    assert f'href="{listing}"' in client.get(reverse("core:home")).content.decode()
    html = client.get(listing).content.decode()
    mine = Publication.objects.filter(unit__in=[company, _shop_of(employee)])
    assert len(mine) == 2
    for publication in mine:
        url = reverse("reports:publication", args=[publication.pk])
        assert url in html
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-testid="table-own"' in page and 'data-testid="table-customer"' in page
        # A manager's plain text, shown escaped (apostrophes too), line breaks kept.
        first_line = publication.message.splitlines()[0]
        assert escape(first_line) in page
        if escape(first_line) != first_line:
            assert first_line not in page
        assert ("<br>" in page) == ("\n" in publication.message)
    assert "'" in Publication.objects.get(unit=company).message
    # The company's figures are over the whole network: numbers, not the marker.
    company_page = client.get(
        reverse("reports:publication", args=[Publication.objects.get(unit=company).pk])
    )
    figure = company_page.context["shown"].own.figure(company.pk, "ecoute-employee")
    assert not figure.suppressed and figure.n > 0


def test_each_publication_is_audited_with_its_publisher(demo):
    publications = list(Publication.objects.select_related("unit", "published_by"))
    entries = {entry.target: entry for entry in AuditEntry.objects.filter(action="results.publish")}
    assert len(entries) == len(publications)
    managers = {
        role.unit_id: role.member
        for role in Role.objects.filter(kind=RoleKind.MANAGER).select_related("member")
    }
    for publication in publications:
        entry = entries[f"publication:{publication.pk}"]
        assert entry.details == {"unit": publication.unit_id, "period": publication.period}
        if publication.unit.kind == UnitKind.COMPANY:
            assert publication.published_by == _persona("direction").user
            assert entry.actor == publication.published_by
        elif publication.unit == _persona("shop_manager").unit:
            assert publication.published_by == _persona("shop_manager").user
            assert entry.actor == publication.published_by
        else:
            # Managers without a login act as their member, named in the log.
            manager = managers[publication.unit_id]
            assert publication.published_by is None and entry.actor is None
            assert entry.actor_label == manager.full_name
    shops = [p for p in publications if p.unit.kind == UnitKind.SHOP]
    assert SHOPS * 0.25 <= len(shops) <= SHOPS * 0.75
    assert len({p.message for p in shops}) > 1


def test_nothing_is_published_for_the_open_period(demo):
    current = period_of(timezone.localdate())
    # The open waves have answers in the current period: it could be published, and isn't.
    assert RollupResponses.objects.filter(period__in=current.month_starts()).exists()
    assert Publication.objects.exists()
    assert not Publication.objects.filter(period=current.label).exists()
    assert not Publication.objects.filter(published_at__gt=timezone.now()).exists()
