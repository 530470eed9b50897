"""Kiosks: issuing a kiosk link, setting a tablet up, and its JSON intake."""

from __future__ import annotations

import json
import logging
import re
import uuid
from urllib.parse import quote, unquote

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from miroir.audit.models import AuditEntry
from miroir.collect.channels.kiosk.keys import COOKIE_NAME, kiosk_header_token
from miroir.collect.logfilters import RedactRespondentLinks
from miroir.collect.models import Kiosk, Response, SubmissionReceipt
from miroir.collect.selectors import kiosk_by_key
from miroir.collect.services import kiosk_issue, kiosk_revoke, wave_close
from miroir.collect.tokens import token_hash
from tests.collect.support import EMPLOYEE_ANSWERS, row_counts
from tests.personas import PASSWORD


def _login(client, user):
    assert client.login(username=user.email, password=PASSWORD)


@pytest.fixture
def wave(make_wave, launch):
    # A break-room kiosk: employees answer at the tablet, no personal invitation.
    return launch(make_wave(channels=["kiosk"], reminder_days=[]))


def _key(wave, unit, moment=None):
    """Return the key of a kiosk issued for ``unit`` (stored as a digest, shown once)."""
    return kiosk_issue(wave=wave, unit=unit, moment=moment, actor=None)[1]


def _kiosk_url(wave, unit):
    return reverse("collect:kiosk", args=[wave.public_id, unit.pk])


def _setup_url(wave, unit):
    return reverse("collect:kiosk_setup", args=[wave.public_id, unit.pk])


def _submit_url(wave, unit):
    return reverse("collect:kiosk_submit", args=[wave.public_id, unit.pk])


def _set_up(client, wave, unit, moment=None):
    """Return the kiosk key after the setup page posted it on ``client``."""
    key = _key(wave, unit, moment)
    response = client.post(_setup_url(wave, unit), {"key": key})
    assert response.status_code == 200, response.content
    return key


def _send(client, wave, unit, key, *, answers=None, submission_id=None, headers=None, **extra):
    body = {
        "submission_id": submission_id or str(uuid.uuid4()),
        "answers": EMPLOYEE_ANSWERS if answers is None else answers,
        "lang": "fr",
    }
    return client.post(
        _submit_url(wave, unit),
        data=json.dumps(body),
        content_type=extra.pop("content_type", "application/json"),
        headers={"X-Miroir-Kiosk": kiosk_header_token(key)} if headers is None else headers,
        **extra,
    )


def test_direction_issues_a_kiosk_link_and_the_issue_is_audited(client, personas, wave):
    _login(client, personas.direction)
    page = client.post(
        reverse("collect:wave_kiosk", args=[wave.pk]), {"kiosk-unit": personas.lille.pk}
    )
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    html = page.content.decode()
    link = re.search(r'value="(https://miroir\.example/k/[^"]+)"', html).group(1)
    # The key rides after "#": no browser sends it to a server, so no log can keep it.
    assert link.startswith(f"https://miroir.example{_kiosk_url(wave, personas.lille)}#key=")
    assert "?" not in link
    assert "<svg" in html  # the code the tablet scans
    key = unquote(link.split("#key=")[1])
    kiosk = Kiosk.objects.get()
    assert kiosk.key_hash == token_hash(key) and key not in str(vars(kiosk))
    assert kiosk_by_key(key, public_id=wave.public_id, unit_id=personas.lille.pk) == kiosk
    entry = AuditEntry.objects.get(action="wave.kiosk_issue")
    assert entry.details == {"unit": personas.lille.pk, "moment": "", "kiosk": str(kiosk.pk)}


@pytest.mark.parametrize("persona", ["shop_manager", "region_manager"])
def test_managers_cannot_issue_kiosk_links(client, personas, wave, persona):
    _login(client, getattr(personas, persona))
    url = reverse("collect:wave_kiosk", args=[wave.pk])
    assert client.post(url, {"kiosk-unit": personas.lille.pk}).status_code == 403
    assert not AuditEntry.objects.filter(action="wave.kiosk_issue").exists()


def test_a_manager_outside_the_wave_gets_404(client, personas, make_wave, launch):
    wave = launch(make_wave(channels=["kiosk"], reminder_days=[], units=[personas.sud]))
    _login(client, personas.shop_manager)
    url = reverse("collect:wave_kiosk", args=[wave.pk])
    assert client.post(url, {"kiosk-unit": personas.marseille.pk}).status_code == 404
    poster = reverse("collect:wave_poster", args=[wave.pk])
    assert client.get(poster, {"poster-unit": personas.marseille.pk}).status_code == 404


def test_a_wave_without_the_kiosk_channel_gets_no_kiosk(client, personas, make_wave, launch):
    wave = launch(make_wave(open_links=True))
    _login(client, personas.admin)
    page = client.post(
        reverse("collect:wave_kiosk", args=[wave.pk]), {"kiosk-unit": personas.lille.pk}
    )
    assert page.status_code == 400
    assert not AuditEntry.objects.filter(action="wave.kiosk_issue").exists()
    # No kiosk can be issued for that wave, and its kiosk address leads nowhere.
    with pytest.raises(ValidationError):
        _key(wave, personas.lille)
    assert client.get(_kiosk_url(wave, personas.lille)).status_code == 404


def test_the_setup_moves_the_key_from_a_post_body_into_a_cookie_scoped_to_the_kiosk(
    client, personas, wave
):
    setup = client.get(_kiosk_url(wave, personas.lille), {"lang": "en"})
    # Without its cookie the kiosk answers the setup page: its script reads the key from
    # the link's fragment and posts it; the page itself holds no key.
    assert setup.status_code == 200
    assert setup["Referrer-Policy"] == "no-referrer"
    html = setup.content.decode()
    assert "data-kiosk-setup" in html and _setup_url(wave, personas.lille) in html
    assert 'name="csrfmiddlewaretoken"' in html
    key = _key(wave, personas.lille)
    response = client.post(_setup_url(wave, personas.lille), {"key": key})
    assert response.status_code == 200 and response.json() == {"status": "ready"}
    assert response["Referrer-Policy"] == "no-referrer"
    cookie = response.cookies[COOKIE_NAME]
    assert cookie.value == key
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert cookie["path"] == _kiosk_url(wave, personas.lille)
    assert int(cookie["max-age"]) > 20 * 24 * 3600  # until the wave closes
    page = client.get(_kiosk_url(wave, personas.lille), {"lang": "en"})
    assert page.status_code == 200
    assert page["Referrer-Policy"] == "no-referrer"
    html = page.content.decode()
    assert "data-kiosk" in html and "My manager listens to me." in html
    assert f'data-token="{kiosk_header_token(key)}"' in html
    assert key not in html  # the page never shows the key itself
    assert 'rel="manifest"' in html
    assert '<meta name="referrer" content="no-referrer">' in html
    # No inline script or style, nothing from another site: ready for a strict CSP.
    assert "<script>" not in html and "style=" not in html and " on" + "click=" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_a_key_in_the_query_sets_nothing_up(client, personas, wave):
    key = _key(wave, personas.lille)
    response = client.get(_kiosk_url(wave, personas.lille), {"key": key})
    assert response.status_code == 200 and "data-kiosk-setup" in response.content.decode()
    assert COOKIE_NAME not in response.cookies


@pytest.mark.parametrize("forgery", ["other_unit", "tampered", "other_wave", "revoked"])
def test_a_forged_or_revoked_key_opens_no_kiosk(client, personas, wave, make_wave, launch, forgery):
    if forgery == "other_unit":
        key = _key(wave, personas.arras)
    elif forgery == "tampered":
        genuine = _key(wave, personas.lille)
        key = genuine[:-1] + ("A" if genuine[-1] != "A" else "B")
    elif forgery == "revoked":
        key = _key(wave, personas.lille)
        kiosk_revoke(kiosk=Kiosk.objects.get(), actor=personas.admin)
    else:
        other = launch(make_wave(name="Autre", channels=["kiosk"], reminder_days=[]))
        key = _key(other, personas.lille)
    refused = client.post(_setup_url(wave, personas.lille), {"key": key})
    assert refused.status_code == 404 and COOKIE_NAME not in refused.cookies
    client.cookies[COOKIE_NAME] = key
    page = client.get(_kiosk_url(wave, personas.lille))
    assert "data-kiosk-setup" in page.content.decode()  # not the survey
    assert _send(client, wave, personas.lille, key).status_code == 403
    assert not Response.objects.exists()


def test_revoking_one_kiosk_stops_it_and_leaves_the_others(client, personas, wave):
    tablet, other = Client(), Client()
    key = _set_up(tablet, wave, personas.lille)
    other_key = _set_up(other, wave, personas.lille)
    assert _send(tablet, wave, personas.lille, key).status_code == 201
    first = Kiosk.objects.get(key_hash=token_hash(key))
    _login(client, personas.shop_manager)  # Lille's manager: the tablet is in their shop
    detail = client.get(reverse("collect:wave_detail", args=[wave.pk])).content.decode()
    revoke = reverse("collect:wave_kiosk_revoke", args=[wave.pk, first.pk])
    assert revoke in detail
    assert client.post(revoke).status_code == 302
    first.refresh_from_db()
    assert first.revoked and first.revoked_by == personas.shop_manager
    entry = AuditEntry.objects.get(action="wave.kiosk_revoke")
    assert entry.details == {"unit": personas.lille.pk, "kiosk": str(first.pk)}
    refused = _send(tablet, wave, personas.lille, key)
    assert refused.status_code == 403 and refused.json()["code"] == "kiosk.forbidden"
    assert _send(other, wave, personas.lille, other_key).status_code == 201
    assert Response.objects.count() == 2
    # Revoking twice says so and changes nothing.
    client.post(revoke)
    assert AuditEntry.objects.filter(action="wave.kiosk_revoke").count() == 1


def test_a_manager_of_another_shop_cannot_revoke_a_kiosk(client, personas, make_wave, launch):
    wave = launch(make_wave(channels=["kiosk"], reminder_days=[], units=[personas.nord]))
    _key(wave, personas.lille)
    kiosk = Kiosk.objects.get()
    _login(client, personas.sibling_manager)
    revoke = reverse("collect:wave_kiosk_revoke", args=[wave.pk, kiosk.pk])
    assert client.post(revoke).status_code == 404
    detail = client.get(reverse("collect:wave_detail", args=[wave.pk])).content.decode()
    assert str(kiosk.pk) not in detail
    kiosk.refresh_from_db()
    assert not kiosk.revoked


def test_a_unit_outside_the_audience_has_no_kiosk(client, personas, make_wave, launch):
    wave = launch(make_wave(channels=["kiosk"], reminder_days=[], units=[personas.nord]))
    with pytest.raises(ValidationError):
        _key(wave, personas.marseille)
    assert client.get(_kiosk_url(wave, personas.marseille)).status_code == 404


def test_a_kiosk_submission_is_stored_once_however_often_it_is_sent(client, personas, wave):
    key = _set_up(client, wave, personas.lille)
    submission_id = str(uuid.uuid4())
    first = _send(client, wave, personas.lille, key, submission_id=submission_id)
    assert first.status_code == 201 and first.json() == {"status": "stored"}
    for _attempt in range(3):
        again = _send(client, wave, personas.lille, key, submission_id=submission_id)
        assert again.status_code == 200 and again.json() == {"status": "replayed"}
    response = Response.objects.get()
    assert (response.unit_id, response.channel, response.lens) == (
        personas.lille.pk,
        "kiosk",
        "employee",
    )
    assert response.invitation_id is None and response.attributes == {}
    assert response.answers.count() == len(EMPLOYEE_ANSWERS)
    assert SubmissionReceipt.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Miroir-Kiosk": "0" * 64},
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "cross-site"},
    ],
)
def test_a_submission_without_the_kiosk_header_or_from_another_site_is_refused(
    client, personas, wave, headers
):
    key = _set_up(client, wave, personas.lille)
    if "X-Miroir-Kiosk" not in headers and headers:
        headers = {**headers, "X-Miroir-Kiosk": kiosk_header_token(key)}
    before = row_counts()
    response = _send(client, wave, personas.lille, key, headers=headers)
    assert response.status_code == 403
    assert response.json()["code"] == "kiosk.forbidden"
    assert row_counts() == before


def test_the_header_alone_without_the_cookie_is_refused(personas, wave):
    key = _key(wave, personas.lille)
    response = _send(Client(), wave, personas.lille, key)
    assert response.status_code == 403
    assert not Response.objects.exists()


def test_bad_answers_are_refused_whole_with_each_problem_named(client, personas, wave):
    key = _set_up(client, wave, personas.lille)
    before = row_counts()
    response = _send(
        client,
        wave,
        personas.lille,
        key,
        answers={**EMPLOYEE_ANSWERS, "enps": "11", "inconnu": "1"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "collect.rejected"
    assert {(p["item"], p["reason"]) for p in body["problems"]} >= {
        ("enps", "choice"),
        ("inconnu", "unknown_item"),
    }
    assert row_counts() == before


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ("not json", "application/json"),
        ('{"answers": []}', "application/json"),
        ('{"answers": {"enps": true}}', "application/json"),
        ("q-enps=8", "application/x-www-form-urlencoded"),
    ],
)
def test_a_malformed_body_gets_400(client, personas, wave, data, content_type):
    key = _set_up(client, wave, personas.lille)
    response = client.post(
        _submit_url(wave, personas.lille),
        data=data,
        content_type=content_type,
        headers={"X-Miroir-Kiosk": kiosk_header_token(key)},
    )
    assert response.status_code == 400
    assert response.json()["code"] == "kiosk.bad_request"
    assert not Response.objects.exists()


def test_a_missing_submission_id_is_refused(client, personas, wave):
    key = _set_up(client, wave, personas.lille)
    response = client.post(
        _submit_url(wave, personas.lille),
        data=json.dumps({"answers": EMPLOYEE_ANSWERS}),
        content_type="application/json",
        headers={"X-Miroir-Kiosk": kiosk_header_token(key)},
    )
    assert response.status_code == 400
    assert response.json()["problems"][0]["reason"] == "submission_id"
    assert not Response.objects.exists()


def test_a_closed_wave_answers_410_and_the_page_says_closed(client, personas, wave):
    key = _set_up(client, wave, personas.lille)
    wave_close(wave=wave, actor=personas.admin)
    response = _send(client, wave, personas.lille, key)
    assert response.status_code == 410
    assert response.json()["code"] == "collect.closed"
    assert client.get(_kiosk_url(wave, personas.lille)).status_code == 410
    assert not Response.objects.exists()


def test_a_customer_kiosk_records_the_moment_its_key_names(client, personas, make_wave, launch):
    wave = launch(
        make_wave(lens="customer", channels=["kiosk"], reminder_days=[], attributes=["moment"])
    )
    key = _set_up(client, wave, personas.lille, moment="checkout")
    answers = {"ecoute-customer": "4", "nps-customer": "10"}
    # The moment comes from the kiosk the key was issued for: the body cannot choose another.
    response = _send(client, wave, personas.lille, key, answers=answers)
    assert response.status_code == 201
    assert Response.objects.get().attributes == {"moment": "checkout"}


def test_the_manifest_starts_the_kiosk_full_screen(client, personas, wave):
    response = client.get(
        reverse("collect:kiosk_manifest", args=[wave.public_id, personas.lille.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = response.json()
    assert manifest["start_url"] == _kiosk_url(wave, personas.lille)
    assert manifest["display"] == "fullscreen"
    assert all(not icon["src"].startswith("http") for icon in manifest["icons"])


def test_the_kiosk_page_is_not_cached_and_not_indexed(client, personas, wave):
    _set_up(client, wave, personas.lille)
    page = client.get(_kiosk_url(wave, personas.lille))
    assert "no-store" in page["Cache-Control"] or "max-age=0" in page["Cache-Control"]
    assert page["X-Robots-Tag"] == "noindex"


def test_the_setup_key_is_redacted_from_request_logs(personas, wave):
    key = _key(wave, personas.lille)
    line = f"{_kiosk_url(wave, personas.lille)}?lang=fr&key={quote(key)}"
    record = logging.LogRecord(
        "django.server", logging.INFO, __file__, 1, '"GET %s HTTP/1.1" 302 0', (line,), None
    )
    assert RedactRespondentLinks().filter(record)
    message = record.getMessage()
    assert quote(key) not in message and "key=[redacted]" in message
    assert _kiosk_url(wave, personas.lille) in message


def test_a_unit_outside_the_audience_gets_a_400_naming_the_field(
    client, personas, make_wave, launch
):
    wave = launch(make_wave(channels=["kiosk"], reminder_days=[], units=[personas.nord]))
    _login(client, personas.admin)
    page = client.post(
        reverse("collect:wave_kiosk", args=[wave.pk]), {"kiosk-unit": personas.marseille.pk}
    )
    assert page.status_code == 400
    assert 'role="alert"' in page.content.decode()
    assert not AuditEntry.objects.filter(action="wave.kiosk_issue").exists()


def test_a_lone_surrogate_in_a_free_text_is_refused_by_name_and_the_next_entry_is_stored(
    client, personas, wave
):
    # The tablet sets aside an entry answered 4xx and sends the rest of its queue: the
    # refusal is a JSON 400 naming the answer, and the following entry goes through.
    key = _set_up(client, wave, personas.lille)
    refused = client.post(
        _submit_url(wave, personas.lille),
        data=f'{{"submission_id": "{uuid.uuid4()}", "answers": {{"idee": "caf\\ud800e"}}}}',
        content_type="application/json",
        headers={"X-Miroir-Kiosk": kiosk_header_token(key)},
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == "bad_request"
    assert refused.json()["field"] == "answers.idee"
    assert not Response.objects.exists()
    assert _send(client, wave, personas.lille, key).status_code == 201
    assert Response.objects.count() == 1
