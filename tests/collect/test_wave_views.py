"""Wave pages: who creates, launches and closes; what managers see; the links file."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from miroir.audit.models import AuditEntry
from miroir.collect.models import Invitation, Response, Wave
from tests.collect.support import add_employees, submit, token_for
from tests.personas import PASSWORD


def _login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


def _url(name, *args):
    return reverse(f"collect:{name}", args=args)


def _form(personas, instrument, **overrides):
    closes = timezone.localtime() + timedelta(days=20)
    data = {
        "name": "Baromètre T2",
        "instrument": instrument.pk,
        "kind": "cold",
        "lens": "employee",
        "units": [personas.nord.pk],
        "channels": ["email", "link"],
        "reminder_days": "7, 14",
        "closes_at": closes.strftime("%Y-%m-%dT%H:%M"),
        "language": "fr",
        "attributes": ["contract_type"],
        "threshold_scores": "5",
        "threshold_verbatims": "10",
    }
    data.update(overrides)
    return data


def test_anonymous_is_sent_to_login(client, make_wave):
    wave = make_wave()
    for url in (_url("wave_list"), _url("wave_detail", wave.pk), _url("wave_create")):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("persona", ["employee", "partner", "outsider"])
def test_people_without_a_management_role_get_403(client, personas, make_wave, persona):
    wave = make_wave()
    _login(client, getattr(personas, persona))
    for url in (_url("wave_list"), _url("wave_detail", wave.pk), _url("wave_create")):
        assert client.get(url).status_code == 403, url
    assert client.post(_url("wave_launch", wave.pk)).status_code == 403
    wave.refresh_from_db()
    assert wave.status == "draft"


def test_direction_creates_edits_launches_and_closes_a_wave(client, personas, instrument):
    _login(client, personas.direction)
    form = client.get(_url("wave_create"))
    assert form.status_code == 200
    assert b'type="datetime-local"' in form.content and b"<legend>" in form.content
    created = client.post(_url("wave_create"), _form(personas, instrument))
    assert created.status_code == 302
    wave = Wave.objects.get()
    assert (wave.name, wave.reminder_days, wave.attributes) == (
        "Baromètre T2",
        [7, 14],
        ["contract_type"],
    )
    assert list(wave.units.all()) == [personas.nord]
    edited = client.post(
        _url("wave_edit", wave.pk), _form(personas, instrument, name="Baromètre T2 bis")
    )
    assert edited.status_code == 302
    wave.refresh_from_db()
    assert wave.name == "Baromètre T2 bis"
    assert client.get(_url("wave_edit", wave.pk)).status_code == 200
    assert client.get(_url("wave_detail", wave.pk)).status_code == 200
    assert client.post(_url("wave_launch", wave.pk)).status_code == 302
    wave.refresh_from_db()
    assert wave.status == "open"
    assert Invitation.objects.filter(wave=wave).count() == 4
    assert client.get(_url("wave_edit", wave.pk)).status_code == 302  # no longer editable
    assert client.post(_url("wave_close", wave.pk)).status_code == 302
    wave.refresh_from_db()
    assert wave.status == "closed"
    assert {"wave.create", "wave.update", "wave.launch", "wave.close"} <= set(
        AuditEntry.objects.values_list("action", flat=True)
    )


def test_a_wrong_form_comes_back_with_its_errors(client, personas, instrument):
    _login(client, personas.admin)
    page = client.post(
        _url("wave_create"), _form(personas, instrument, channels=[], reminder_days="soon")
    )
    assert page.status_code == 200
    assert page.context["form"].errors.keys() >= {"reminder_days"}
    page = client.post(_url("wave_create"), _form(personas, instrument, channels=[]))
    assert "channels" in page.context["form"].errors
    assert not Wave.objects.exists()


def test_a_manager_cannot_create_launch_or_close(client, personas, make_wave):
    wave = make_wave(units=[personas.lille])
    _login(client, personas.shop_manager)
    assert client.get(_url("wave_create")).status_code == 403
    assert client.post(_url("wave_launch", wave.pk)).status_code == 403
    assert client.post(_url("wave_close", wave.pk)).status_code == 403
    assert client.get(_url("wave_edit", wave.pk)).status_code == 403


def test_a_manager_sees_waves_over_their_subtree_and_counts_only_there(
    client, personas, make_wave, launch
):
    vente = add_employees(personas.lille_vente, 6, prefix="Vendeur")
    add_employees(personas.lille_caisse, 2, prefix="Caissier")
    company_wave = launch(make_wave(channels=["link"]))
    sud_wave = launch(make_wave(name="Sud seulement", units=[personas.sud]))
    for member in vente:
        submit(token_for(company_wave, member))
    Response.objects.update(submitted_on=timezone.localdate() - timedelta(days=1))

    _login(client, personas.shop_manager)
    listing = client.get(_url("wave_list"))
    assert listing.status_code == 200
    assert [wave for wave, _counts in listing.context["rows"]] == [company_wave]
    assert client.get(_url("wave_detail", sud_wave.pk)).status_code == 404
    detail = client.get(_url("wave_detail", company_wave.pk))
    rows = {row.name: row for row in detail.context["counts"].rows}
    assert set(rows) == {"Lille", "Lille Vente", "Lille Caisse"}
    assert rows["Lille Vente"].shown_responses == 6
    assert rows["Lille Caisse"].shown_responses is None
    html = detail.content.decode()
    # One marker whatever is behind it: it never says how many.
    assert 'class="suppressed"' in html and "fewer than" not in html and "moins de" not in html
    assert "Marseille" not in html and "Arras" not in html


def test_the_sibling_manager_sees_no_count_of_lille(client, personas, make_wave, launch):
    wave = launch(make_wave(channels=["link"], units=[personas.lille]))
    _login(client, personas.sibling_manager)
    assert client.get(_url("wave_detail", wave.pk)).status_code == 404


def test_only_an_administrator_downloads_the_personal_links(client, personas, make_wave, launch):
    wave = launch(make_wave(channels=["link"], units=[personas.lille]))
    for persona in ("direction", "shop_manager"):
        _login(client, getattr(personas, persona))
        assert client.post(_url("wave_links_csv", wave.pk)).status_code == 403
    _login(client, personas.admin)
    assert client.get(_url("wave_links_csv", wave.pk)).status_code == 405
    response = client.post(_url("wave_links_csv", wave.pk))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 3  # header, Sophie, Émile
    assert {row[0] for row in rows[1:]} == {"Sophie Lille", "Émile Vendeur"}
    assert all(row[4].startswith("https://miroir.example/r/") for row in rows[1:])
    assert AuditEntry.objects.filter(action="wave.links_export", actor=personas.admin).exists()


def test_thresholds_are_raised_from_the_page_but_not_lowered(client, personas, make_wave, launch):
    wave = launch(make_wave())
    _login(client, personas.admin)
    client.post(_url("wave_thresholds", wave.pk), {"scores": "6", "verbatims": "12"})
    wave.refresh_from_db()
    assert (wave.threshold_scores, wave.threshold_verbatims) == (6, 12)
    client.post(_url("wave_thresholds", wave.pk), {"scores": "5", "verbatims": "12"})
    wave.refresh_from_db()
    assert wave.threshold_scores == 6
    _login(client, personas.region_manager)
    assert client.post(_url("wave_thresholds", wave.pk), {"scores": "9"}).status_code == 403
