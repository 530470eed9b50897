from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from miroir.audit.models import AuditEntry
from miroir.instruments.catalogs import catalog_load
from miroir.instruments.models import Instrument, Item
from miroir.instruments.services import instrument_lock, item_create
from tests.personas import PASSWORD


def _login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


def _url(name, *args):
    return reverse(f"instruments:{name}", args=args)


ITEM_POST = {
    "code": "ecoute-employee",
    "lens": "employee",
    "scale": "agree5",
    "text_fr": "Mon responsable m'écoute vraiment.",
    "text_en": "My manager really listens to me.",
    "dimension": "connexions",
    "allow_dont_know": "on",
    "required": "on",
}


def test_anonymous_is_sent_to_login(client, instrument):
    for url in (_url("list"), _url("detail", instrument.pk), _url("preview", instrument.pk)):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("persona", ["employee", "partner", "outsider"])
def test_people_without_a_management_role_get_403_everywhere(client, personas, instrument, persona):
    _login(client, getattr(personas, persona))
    for url in (
        _url("list"),
        _url("detail", instrument.pk),
        _url("preview", instrument.pk),
        _url("export", instrument.pk),
        _url("create"),
        _url("edit", instrument.pk),
    ):
        assert client.get(url).status_code == 403, url


def test_a_manager_reads_but_cannot_change(client, personas, instrument, mirror):
    _login(client, personas.shop_manager)
    assert client.get(_url("list")).status_code == 200
    detail = client.get(_url("detail", instrument.pk))
    assert detail.status_code == 200
    assert _url("item_create", instrument.pk).encode() not in detail.content
    assert client.get(_url("preview", instrument.pk)).status_code == 200
    assert client.get(_url("export", instrument.pk)).status_code == 200
    assert client.get(_url("edit", instrument.pk)).status_code == 403
    assert client.get(_url("create")).status_code == 403
    assert client.get(_url("import")).status_code == 403
    assert client.post(_url("item_create", instrument.pk), ITEM_POST).status_code == 403
    assert client.post(_url("duplicate", instrument.pk)).status_code == 403
    assert not instrument.items.exists()
    assert Instrument.objects.count() == 1


def test_a_missing_instrument_is_404(client, personas):
    _login(client, personas.direction)
    assert client.get(_url("detail", 999999)).status_code == 404


def test_an_administrator_builds_an_instrument_with_a_mirror_and_items(client, personas):
    _login(client, personas.admin)
    response = client.post(
        _url("create"), {"title_fr": "Pulse d'automne", "title_en": "Autumn pulse", "kind": "pulse"}
    )
    instrument = Instrument.objects.get()
    assert response["Location"] == _url("detail", instrument.pk)
    assert (instrument.slug, instrument.kind) == ("pulse-dautomne", "pulse")

    client.post(
        _url("mirror_create", instrument.pk),
        {"code": "ecoute", "title_fr": "Être écouté", "dimension": "connexions"},
    )
    mirror = instrument.mirrors.get()
    client.post(_url("item_create", instrument.pk), {**ITEM_POST, "mirror": mirror.pk})
    client.post(
        _url("item_create", instrument.pk),
        {**ITEM_POST, "code": "ecoute-customer", "lens": "customer", "mirror": mirror.pk,
         "text_fr": "On m'a écouté.", "dimension": "listening"},
    )  # fmt: skip
    assert set(mirror.items.values_list("lens", flat=True)) == {"employee", "customer"}
    assert AuditEntry.objects.filter(action="item.create", actor=personas.admin).count() == 2

    html = client.get(_url("detail", instrument.pk)).content.decode()
    assert "Mon responsable m&#x27;écoute vraiment." in html
    assert "On m&#x27;a écouté." in html
    assert 'data-testid="mirrors"' in html


def test_direction_edits_titles_and_items(client, personas, instrument):
    _login(client, personas.direction)
    response = client.post(
        _url("edit", instrument.pk), {"title_fr": "Nouveau titre", "kind": "barometer"}
    )
    assert response.status_code == 302
    instrument.refresh_from_db()
    assert (instrument.title_fr, instrument.kind) == ("Nouveau titre", "barometer")
    client.post(_url("item_create", instrument.pk), ITEM_POST)
    item = instrument.items.get()
    form = client.get(_url("item_edit", instrument.pk, item.pk))
    assert form.status_code == 200
    assert "Mon responsable m&#x27;écoute vraiment." in form.content.decode()
    client.post(
        _url("item_edit", instrument.pk, item.pk),
        {**ITEM_POST, "scale": "single_choice", "allow_dont_know": "",
         "options": "oui | Oui | Yes\nnon | Non | No"},
    )  # fmt: skip
    item.refresh_from_db()
    assert item.scale == "single_choice"
    assert item.options == [
        {"code": "oui", "fr": "Oui", "en": "Yes"},
        {"code": "non", "fr": "Non", "en": "No"},
    ]


def test_form_errors_are_shown_next_to_their_fields(client, personas, instrument, mirror):
    _login(client, personas.admin)
    item_create(
        instrument=instrument, actor=None, code="taken", lens="employee", scale="agree5",
        text_fr="Déjà là", dimension="sens", mirror=mirror,
    )  # fmt: skip
    response = client.post(
        _url("item_create", instrument.pk),
        {**ITEM_POST, "code": "taken", "mirror": mirror.pk, "scale": "csat5"},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["code"] and form.errors["lens"] and form.errors["allow_dont_know"]
    html = response.content.decode()
    assert 'aria-invalid="true"' in html
    assert instrument.items.count() == 1


def test_badly_written_options_are_refused_with_the_line_number(client, personas, instrument):
    _login(client, personas.admin)
    response = client.post(
        _url("item_create", instrument.pk),
        {**ITEM_POST, "scale": "single_choice", "allow_dont_know": "", "options": "a | A\nb"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Line 2" in response.context["form"].errors["options"][0]
    assert not instrument.items.exists()


def test_items_move_and_delete_through_post_only(client, personas, instrument):
    _login(client, personas.admin)
    for code in ("a", "b"):
        client.post(_url("item_create", instrument.pk), {**ITEM_POST, "code": code})
    b = instrument.items.get(code="b")
    assert client.get(_url("item_move", instrument.pk, b.pk)).status_code == 405
    response = client.post(_url("item_move", instrument.pk, b.pk), {"direction": "up"})
    assert response["Location"].endswith(f"#item-{b.pk}")
    assert list(instrument.items.values_list("code", flat=True)) == ["b", "a"]
    client.post(_url("item_delete", instrument.pk, b.pk))
    assert list(instrument.items.values_list("code", flat=True)) == ["a"]


def test_an_item_of_another_instrument_is_404(client, personas, instrument):
    _login(client, personas.admin)
    other = catalog_load(name="engagement", actor=None)
    foreign = other.items.first()
    assert client.get(_url("item_edit", instrument.pk, foreign.pk)).status_code == 404
    assert client.post(_url("item_delete", instrument.pk, foreign.pk)).status_code == 404
    assert Item.objects.filter(pk=foreign.pk).exists()


def test_a_locked_instrument_cannot_be_edited_but_can_be_duplicated(client, personas, instrument):
    _login(client, personas.admin)
    client.post(_url("item_create", instrument.pk), ITEM_POST)
    instrument_lock(instrument=instrument, actor=None)
    item = instrument.items.get()
    for url in (_url("edit", instrument.pk), _url("item_create", instrument.pk)):
        page = client.get(url)
        assert page.status_code == 409
        assert b'data-testid="locked-message"' in page.content
        assert _url("duplicate", instrument.pk).encode() in page.content
    assert (
        client.post(_url("item_create", instrument.pk), {**ITEM_POST, "code": "new"}).status_code
        == 409
    )
    assert client.post(_url("item_delete", instrument.pk, item.pk)).status_code == 409
    assert instrument.items.count() == 1

    response = client.post(_url("duplicate", instrument.pk))
    copy = Instrument.objects.get(version=2)
    assert response["Location"] == _url("detail", copy.pk)
    assert (
        client.post(_url("item_create", copy.pk), {**ITEM_POST, "code": "new"}).status_code == 302
    )
    assert copy.items.count() == 2 and instrument.items.count() == 1


def test_export_downloads_the_catalog_document(client, personas):
    _login(client, personas.region_manager)
    instrument = catalog_load(name="barometre-service", actor=None)
    response = client.get(_url("export", instrument.pk))
    assert response["Content-Disposition"] == 'attachment; filename="barometre-service.json"'
    document = json.loads(response.content.decode("utf-8"))
    assert document["slug"] == "barometre-service" and len(document["mirrors"]) == 13


def test_import_lists_every_problem_and_stores_nothing(client, personas):
    _login(client, personas.direction)
    bad = {"slug": "x", "title": {"fr": "X"}, "items": [{"code": "a", "scale": "nps11"}]}
    upload = SimpleUploadedFile("x.json", json.dumps(bad).encode(), "application/json")
    response = client.post(_url("import"), {"file": upload})
    assert response.status_code == 200
    problems = response.context["problems"]
    assert "items[0].scale: unknown scale “nps11”" in problems
    assert any(problem.startswith("items[0].lens") for problem in problems)
    assert 'data-testid="catalog-problems"' in response.content.decode()
    assert not Instrument.objects.exists()


def test_import_of_an_exported_file_creates_the_instrument(client, personas):
    _login(client, personas.admin)
    exported = client.get(_url("export", catalog_load(name="engagement", actor=None).pk)).content
    Instrument.objects.all().delete()
    upload = SimpleUploadedFile("engagement.json", exported, "application/json")
    response = client.post(_url("import"), {"file": upload})
    instrument = Instrument.objects.get(slug="engagement")
    assert response["Location"] == _url("detail", instrument.pk)
    assert instrument.items.count() == 20


def test_only_administrators_load_bundled_catalogs(client, personas):
    _login(client, personas.direction)
    assert b'data-testid="bundled-catalogs"' not in client.get(_url("list")).content
    assert client.post(_url("catalog_load", "pulse-miroir")).status_code == 403
    _login(client, personas.admin)
    assert b'data-testid="bundled-catalogs"' in client.get(_url("list")).content
    response = client.post(_url("catalog_load", "pulse-miroir"))
    instrument = Instrument.objects.get(slug="pulse-miroir")
    assert response["Location"] == _url("detail", instrument.pk)
    again = client.post(_url("catalog_load", "pulse-miroir"), follow=True)
    assert Instrument.objects.count() == 1
    assert any("already exists" in str(m) for m in again.context["messages"])


def test_the_preview_renders_one_lens_as_radio_groups_in_the_chosen_language(client, personas):
    _login(client, personas.shop_manager)
    instrument = catalog_load(name="engagement", actor=None)
    html = client.get(_url("preview", instrument.pk), {"lens": "customer", "lang": "en"})
    html = html.content.decode()
    assert "How likely are you to recommend our company to a friend or relative?" in html
    assert "as a place to work" not in html  # an employee item
    assert html.count("<fieldset") == 5  # nps, csat5, three agree5; free text is a textarea
    assert (
        'type="radio" id="id-q-recommandation-customer-0" name="q-recommandation-customer"' in html
    )
    assert "<legend" in html and "Don&#x27;t know" in html and "<textarea" in html


def test_the_preview_checks_answers_and_shows_errors_next_to_the_questions(client, personas):
    _login(client, personas.direction)
    instrument = catalog_load(name="engagement", actor=None)
    response = client.get(
        _url("preview", instrument.pk),
        {"lens": "employee", "lang": "fr", "check": "1", "q-recommandation-employee": "11",
         "q-satisfaction-employee": "4", "q-changement-employee": "x" * 1001},
    )  # fmt: skip
    html = response.content.decode()
    # The 0-10 answer is out of range, the text too long, three agreements left blank.
    assert response.context["error_count"] == 5
    assert 'id="id-q-recommandation-employee-error"' in html
    assert 'value="4" checked' in html
    assert "1000" in html
