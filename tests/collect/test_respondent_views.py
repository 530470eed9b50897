"""Respondent pages: the form, its errors, thanks, and the pages that say why not."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from miroir.collect.models import Invitation, Response
from miroir.collect.services import wave_close
from miroir.collect.tokens import token_new
from tests.collect.support import EMPLOYEE_ANSWERS, row_counts, token_for

FORM = {f"q-{code}": value for code, value in EMPLOYEE_ANSWERS.items()}


@pytest.fixture
def wave(make_wave, launch):
    return launch(make_wave(open_links=True))


@pytest.fixture
def url(wave, personas):
    return reverse("collect:respond", args=[token_for(wave, personas.employee_member)])


def _submission_id(page) -> str:
    return re.search(r'name="submission_id" value="([^"]+)"', page.content.decode()).group(1)


def test_the_form_shows_the_lens_questions_in_the_wave_language(client, url):
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="fr">' in html
    assert "Mon responsable m&#x27;écoute." in html or "Mon responsable m'écoute." in html
    assert "Nos équipes" not in html  # the management item is not for employees
    assert 'name="q-enps"' in html
    assert page["Content-Language"] == "fr"
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert 'name="csrfmiddlewaretoken"' in html
    assert len(_submission_id(page)) >= 16
    assert 'data-draft-key="' in html
    # Light and self-contained: no request to another site, no navigation, no inline script.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    assert "<nav aria-label" not in html or 'class="lang"' in html
    assert "<script>" not in html and "style=" not in html


def test_lang_switches_the_page_to_english(client, url):
    html = client.get(url + "?lang=en").content.decode()
    assert '<html lang="en">' in html
    assert "My manager listens to me." in html


def test_the_page_does_not_put_the_token_in_its_storage_key(client, url):
    html = client.get(url).content.decode()
    token = url.split("/")[2]
    key = re.search(r'data-draft-key="([^"]+)"', html).group(1)
    assert token not in key


def test_a_complete_answer_leads_to_the_thanks_page(client, url):
    page = client.get(url)
    sent = client.post(url, {**FORM, "submission_id": _submission_id(page), "lang": "en"})
    assert sent.status_code == 302
    thanks = client.get(sent["Location"])
    assert thanks.status_code == 200
    assert b"data-draft-done" in thanks.content
    assert b'lang="en"' in thanks.content
    assert Response.objects.count() == 1


def test_a_double_click_stores_one_response(client, url):
    submission_id = _submission_id(client.get(url))
    first = client.post(url, {**FORM, "submission_id": submission_id})
    second = client.post(url, {**FORM, "submission_id": submission_id})
    assert first.status_code == second.status_code == 302
    assert Response.objects.count() == 1


def test_a_second_use_looks_like_a_first_and_stores_nothing(client, url):
    client.post(url, {**FORM, "submission_id": "a" * 20})
    before = row_counts()
    again = client.post(url, {**FORM, "submission_id": "b" * 20})
    # Nobody trying the link can tell it was used (tests/collect/test_link_state.py).
    assert again.status_code == 302 and again["Location"].startswith("/r/thanks/")
    assert client.get(url).status_code == 200
    assert row_counts() == before


def test_bad_answers_come_back_with_an_error_summary_linking_to_each_field(client, url):
    before = row_counts()
    page = client.post(
        url,
        {**FORM, "q-enps": "11", "q-idee": "x" * 51, "q-inconnu": "1", "submission_id": "c" * 20},
    )
    assert page.status_code == 400
    html = page.content.decode()
    assert 'id="error-summary"' in html and 'role="alert"' in html
    assert 'href="#id-q-enps-0"' in html  # the first choice of the scale
    assert 'href="#id-q-idee"' in html  # the text box
    assert 'id="id-q-enps-0"' in html and 'id="id-q-idee"' in html
    assert 'aria-invalid="true"' in html
    # What was given is kept, so the respondent fixes only what is wrong.
    assert 'value="4" checked' in html
    assert 'value="cccccccccccccccccccc"' in html
    assert row_counts() == before


@pytest.mark.parametrize("token", ["nope", token_new(), "x" * 43])
def test_an_unknown_or_forged_token_gets_a_404_page(client, wave, token):
    for response in (client.get(f"/r/{token}/"), client.post(f"/r/{token}/", FORM)):
        assert response.status_code == 404
        assert b"<h1>" in response.content
    assert not Response.objects.exists()


def test_an_expired_invitation_gets_a_410_page(client, url, personas):
    Invitation.objects.filter(member=personas.employee_member).update(
        expires_at=timezone.now() - timedelta(hours=1)
    )
    assert client.get(url).status_code == 410
    assert client.post(url, {**FORM, "submission_id": "d" * 20}).status_code == 410
    assert not Response.objects.exists()


def test_a_closed_wave_gets_a_410_page(client, url, wave, personas):
    wave_close(wave=wave, actor=personas.admin)
    assert client.get(url).status_code == 410
    assert client.post(url, {**FORM, "submission_id": "e" * 20}).status_code == 410
    assert not Response.objects.exists()


def test_the_respondent_form_is_csrf_protected(url):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url, {**FORM, "submission_id": "f" * 20}).status_code == 403
    page = strict.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    sent = strict.post(url, {**FORM, "submission_id": "f" * 20, "csrfmiddlewaretoken": token[1]})
    assert sent.status_code == 302
    assert Response.objects.count() == 1


def test_an_open_link_takes_answers_for_its_unit(client, wave, personas):
    url = reverse("collect:respond_open", args=[wave.public_id, personas.arras.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {**FORM, "submission_id": "g" * 20}).status_code == 302
    assert client.post(url, {**FORM, "submission_id": "h" * 20}).status_code == 302
    assert list(Response.objects.values_list("unit", flat=True)) == [personas.arras.pk] * 2


def test_an_open_link_to_a_unit_outside_the_audience_is_a_404(client, make_wave, launch, personas):
    wave = launch(make_wave(open_links=True, units=[personas.nord]))
    url = reverse("collect:respond_open", args=[wave.public_id, personas.marseille.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {**FORM, "submission_id": "i" * 20}).status_code == 404
    assert not Response.objects.exists()


def test_an_unknown_wave_id_is_a_404(client, wave, personas):
    url = f"/o/00000000-0000-0000-0000-000000000000/{personas.lille.pk}/"
    assert client.get(url).status_code == 404


def test_pages_whose_address_holds_a_secret_send_no_referrer(client, url):
    from miroir.collect.tokens import contact_hash, unsubscribe_sign

    page = client.get(url)
    sent = client.post(url, {**FORM, "submission_id": _submission_id(page)})
    unknown = client.get(f"/r/{token_new()}/")
    unsubscribe = client.get(f"/u/{unsubscribe_sign(contact_hash(email='c@example.com'))}/")
    for response in (page, sent, unknown, unsubscribe):
        assert response["Referrer-Policy"] == "no-referrer"
    for response in (page, unknown, unsubscribe):
        assert '<meta name="referrer" content="no-referrer">' in response.content.decode()


def test_a_form_posted_with_an_opaque_origin_still_needs_its_csrf_token(url):
    # A page with no referrer makes browsers post with "Origin: null": the token decides.
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    form = {**FORM, "submission_id": _submission_id(page)}
    refused = browser.post(url, form, headers={"Origin": "null"})
    assert refused.status_code == 403 and not Response.objects.exists()
    with_token = {**form, "csrfmiddlewaretoken": token.group(1)}
    # Another site's origin is still refused, token or not.
    forged = browser.post(url, with_token, headers={"Origin": "https://evil.example"})
    assert forged.status_code == 403
    sent = browser.post(url, with_token, headers={"Origin": "null"})
    assert sent.status_code == 302 and Response.objects.count() == 1
