"""Publishing to the team from the unit page, and what employees and partners read of it."""

from __future__ import annotations

import re

import pytest
from django.template.defaultfilters import floatformat
from django.urls import reverse

from miroir.audit.models import AuditEntry
from miroir.core.middleware import CONTENT_SECURITY_POLICY
from miroir.org.models import Lens
from miroir.results import selectors
from miroir.results.models import Publication
from miroir.results.periods import period_of
from miroir.results.services import publication_publish, publication_withdraw
from tests.personas import PASSWORD
from tests.reports.support import last_quarter_days

pytestmark = pytest.mark.django_db


def _login(client, user):
    # The assertions read the English texts, whatever the default language.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert client.login(username=user.email, password=PASSWORD)


def _period():
    recent, _older = last_quarter_days()
    return period_of(recent)


def _publish(user, unit, message=""):
    return publication_publish(
        unit=unit, period=_period().label, actor=user, message=message
    ).publication


def _table(html: str, key: str) -> str:
    """Return the HTML of one table of a page, by its test id."""
    start = html.index(f'data-testid="table-{key}"')
    return html[start : html.index("</table>", start)]


def _numeric_cells(table: str) -> list[str]:
    return re.findall(r'<td class="num">(.*?)</td>', table, flags=re.S)


# Managers: the unit page -------------------------------------------------------------------


def test_the_unit_page_offers_to_publish_its_period_to_the_team(client, results_data):
    personas = results_data
    _login(client, personas.shop_manager)
    url = reverse("reports:unit", args=[personas.lille.pk]) + f"?period={_period().label}"
    html = client.get(url).content.decode()
    block = html[html.index('data-testid="publish"') :]
    assert "Publish to the team" in block
    assert f'action="{reverse("reports:publish", args=[personas.lille.pk])}"' in block
    assert f'name="period" value="{_period().label}"' in block
    assert "Nothing of this unit has been published to its team yet." in block


def test_a_manager_publishes_from_the_unit_page_and_sees_it_listed(client, results_data):
    personas = results_data
    _login(client, personas.shop_manager)
    response = client.post(
        reverse("reports:publish", args=[personas.lille.pk]),
        {"period": _period().label, "message": "Merci pour vos réponses"},
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("reports:unit", args=[personas.lille.pk]))
    publication = Publication.objects.get()
    assert (publication.unit, publication.published_by) == (personas.lille, personas.shop_manager)
    assert AuditEntry.objects.filter(action="results.publish").count() == 1

    html = client.get(response["Location"]).content.decode()
    assert "The results are published to the team." in html
    block = html[html.index('data-testid="publications"') :]
    assert "Merci pour vos réponses" in block
    assert reverse("reports:publication_withdraw", args=[publication.pk]) in block
    assert reverse("reports:publication", args=[publication.pk]) in block


def test_publishing_a_period_without_results_says_why_and_writes_nothing(client, results_data):
    personas = results_data
    _login(client, personas.shop_manager)
    empty = _period().next().next().label
    response = client.post(
        reverse("reports:publish", args=[personas.lille.pk]), {"period": empty}, follow=True
    )
    assert response.status_code == 200
    assert f"No results exist for {empty} yet." in response.content.decode()
    assert not Publication.objects.exists()


def test_publishing_a_malformed_period_says_why_and_writes_nothing(client, results_data):
    personas = results_data
    _login(client, personas.shop_manager)
    response = client.post(
        reverse("reports:publish", args=[personas.lille.pk]), {"period": "2026-Q9"}, follow=True
    )
    assert response.status_code == 200
    assert "is not a period results are released for" in response.content.decode()
    assert not Publication.objects.exists()


def test_a_manager_of_another_shop_gets_404_and_nothing_is_written(client, results_data):
    personas = results_data
    _login(client, personas.sibling_manager)
    response = client.post(
        reverse("reports:publish", args=[personas.lille.pk]), {"period": _period().label}
    )
    assert response.status_code == 404
    publication = _publish(personas.shop_manager, personas.lille)
    withdraw = reverse("reports:publication_withdraw", args=[publication.pk])
    assert client.post(withdraw).status_code == 404
    assert Publication.objects.get().is_live
    assert AuditEntry.objects.filter(action__startswith="results.").count() == 1


@pytest.mark.parametrize("user", ["employee", "partner", "outsider"])
def test_people_without_results_rights_get_403_on_publish_and_withdraw(client, results_data, user):
    personas = results_data
    publication = _publish(personas.shop_manager, personas.lille)
    _login(client, getattr(personas, user))
    publish = reverse("reports:publish", args=[personas.lille.pk])
    assert client.post(publish, {"period": _period().label}).status_code == 403
    withdraw = reverse("reports:publication_withdraw", args=[publication.pk])
    assert client.post(withdraw).status_code == 403
    assert Publication.objects.count() == 1 and Publication.objects.get().is_live


def test_publish_and_withdraw_take_posts_only(client, results_data):
    personas = results_data
    _login(client, personas.shop_manager)
    publication = _publish(personas.shop_manager, personas.lille)
    assert client.get(reverse("reports:publish", args=[personas.lille.pk])).status_code == 405
    withdraw = reverse("reports:publication_withdraw", args=[publication.pk])
    assert client.get(withdraw).status_code == 405


# Employees and partners --------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, results_data):
    for url in (reverse("reports:published"), reverse("reports:publication", args=[1])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_an_employee_sees_only_what_was_published_on_their_path(client, results_data):
    personas = results_data
    mine = _publish(personas.shop_manager, personas.lille, "Pour Lille")
    sibling_team = _publish(personas.shop_manager, personas.lille_caisse, "Pour la caisse")
    other_shop = _publish(personas.sibling_manager, personas.arras, "Pour Arras")
    _login(client, personas.employee)

    html = client.get(reverse("reports:published")).content.decode()
    assert reverse("reports:publication", args=[mine.pk]) in html
    assert "Pour Lille" in html
    assert "Pour la caisse" not in html and "Pour Arras" not in html
    assert client.get(reverse("reports:publication", args=[mine.pk])).status_code == 200
    for other in (sibling_team, other_shop):
        assert client.get(reverse("reports:publication", args=[other.pk])).status_code == 404


def test_the_navigation_links_to_published_results_once_something_is(client, results_data):
    personas = results_data
    _login(client, personas.employee)
    link = f'href="{reverse("reports:published")}"'
    assert link not in client.get(reverse("core:home")).content.decode()
    publication = _publish(personas.shop_manager, personas.lille)
    assert link in client.get(reverse("core:home")).content.decode()
    publication_withdraw(publication=publication, actor=personas.shop_manager)
    assert link not in client.get(reverse("core:home")).content.decode()


def test_a_withdrawn_publication_vanishes_for_employees_immediately(client, results_data):
    personas = results_data
    publication = _publish(personas.shop_manager, personas.lille, "Bientôt retiré")
    url = reverse("reports:publication", args=[publication.pk])
    _login(client, personas.shop_manager)
    withdraw = reverse("reports:publication_withdraw", args=[publication.pk])
    assert client.post(withdraw).status_code == 302
    assert AuditEntry.objects.filter(action="results.withdraw").count() == 1

    client.logout()
    _login(client, personas.employee)
    assert client.get(url).status_code == 404
    html = client.get(reverse("reports:published")).content.decode()
    assert "Bientôt retiré" not in html
    assert "Nothing has been published to you yet." in html


def test_the_publication_page_shows_the_gated_figures_of_the_unit_alone(client, results_data):
    personas = results_data
    publication = _publish(personas.shop_manager, personas.lille)
    _login(client, personas.employee)

    response = client.get(reverse("reports:publication", args=[publication.pk]))

    assert response.status_code == 200
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = response.content.decode()
    assert ' style="' not in html and "<style" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
    expected = selectors.unit_results(
        unit=personas.lille, lens=Lens.EMPLOYEE, period=_period(), levels=0, with_change=False
    )
    assert response.context["shown"].own == expected
    figure = expected.figure(personas.lille.pk, "ecoute-employee")
    assert not figure.suppressed
    own = _table(html, "own")
    assert "My manager listens to me." in own
    assert str(floatformat(figure.statistic("score").value, 0)) in own
    assert f">{figure.n}</td>" in own
    # The unit alone: nothing below it, and no comments (they stay with managers).
    for below in ("Lille Vente", "Lille Caisse"):
        assert below not in html
    assert "une idée" not in html
    assert reverse("reports:unit", args=[personas.lille.pk]) not in html


def test_a_unit_under_the_threshold_shows_the_marker_never_a_number(client, results_data):
    personas = results_data
    # Three employees answered in Marseille: below the threshold of five.
    publication = _publish(personas.other_region_manager, personas.marseille)
    _login(client, personas.other_region_manager)

    html = client.get(reverse("reports:publication", args=[publication.pk])).content.decode()

    cells = _numeric_cells(_table(html, "own"))
    assert cells
    for cell in cells:
        assert "•" in cell and not re.search(r"\d", cell), cell
    # The ten customers of Marseille show.
    assert any(re.search(r"\d", cell) for cell in _numeric_cells(_table(html, "customer")))


def test_a_partner_reads_the_partner_lens(client, results_data):
    personas = results_data
    publication = _publish(personas.shop_manager, personas.lille)
    _login(client, personas.partner)
    response = client.get(reverse("reports:publication", args=[publication.pk]))
    assert response.status_code == 200
    assert response.context["shown"].lens == Lens.PARTNER
    html = response.content.decode()
    assert "What partners said" in html
    # No partner answered in Lille: their table says so, and customers' still shows.
    assert "No question of this kind in the period." in _table(html, "own")
    assert _numeric_cells(_table(html, "customer"))


def test_the_manager_s_message_is_shown_escaped(client, results_data):
    personas = results_data
    message = '<b>Bravo</b> "><img src=x onerror=alert(1)>\nÀ bientôt'
    publication = _publish(personas.shop_manager, personas.lille, message)
    _login(client, personas.employee)
    for url in (
        reverse("reports:published"),
        reverse("reports:publication", args=[publication.pk]),
    ):
        html = client.get(url).content.decode()
        assert "<b>Bravo</b>" not in html and "<img src=x" not in html
        assert "&lt;b&gt;Bravo&lt;/b&gt;" in html


def test_pages_read_on_a_phone_declare_the_viewport(client, results_data):
    personas = results_data
    publication = _publish(personas.shop_manager, personas.lille)
    _login(client, personas.employee)
    html = client.get(reverse("reports:publication", args=[publication.pk])).content.decode()
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    assert 'class="table-wrap"' in html


def test_a_publisher_without_a_login_is_left_out_not_shown_blank(client, results_data):
    personas = results_data
    publication = _publish(personas.shop_manager, personas.lille, "Sans signature")
    # Published by a manager who has no login (the demo's), or whose login was deleted.
    Publication.objects.filter(pk=publication.pk).update(published_by=None)
    _login(client, personas.employee)
    for url in (
        reverse("reports:published"),
        reverse("reports:publication", args=[publication.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Published on " in html and "Published by  on" not in html
