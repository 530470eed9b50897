"""The respondent's cached view of a wave: whatever changes after it is cached shows at once.

``collect.wavecache`` keeps a launched wave's questions, audience and rendered questions per
process; the wave's row and the unit's are read on every request. A wave closed, its dates
moved, its open links or kiosk channel taken away, or a unit closed after the first
respondent came must refuse the next one at once, on the form, the answers and the kiosk.
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from miroir.collect import wavecache
from miroir.collect.channels.kiosk.keys import kiosk_header_token
from miroir.collect.models import Response, SubmissionReceipt, Wave
from miroir.collect.selectors import respondent_items
from miroir.collect.services import kiosk_issue, wave_close
from miroir.instruments.services import item_create
from miroir.org.models import Unit
from miroir.results.models import RollupResponses
from tests.collect.support import EMPLOYEE_ANSWERS

FORM = {f"q-{code}": value for code, value in EMPLOYEE_ANSWERS.items()}


@pytest.fixture
def wave(make_wave, launch):
    return launch(make_wave(open_links=True, channels=["kiosk"], reminder_days=[]))


def _url(wave, unit):
    return reverse("collect:respond_open", args=[wave.public_id, unit.pk])


def _post(client, wave, unit):
    page = client.get(_url(wave, unit))
    assert page.status_code == 200
    submission = re.search(r'name="submission_id" value="([^"]+)"', page.content.decode())
    return client.post(_url(wave, unit), {**FORM, "submission_id": submission.group(1)})


def test_a_wave_closed_after_its_form_was_cached_refuses_the_next_respondent(
    client, personas, wave
):
    assert _post(client, wave, personas.lille).status_code == 302
    page = client.get(_url(wave, personas.lille))
    submission = re.search(r'name="submission_id" value="([^"]+)"', page.content.decode())
    wave_close(wave=wave, actor=personas.admin)

    assert client.get(_url(wave, personas.lille)).status_code == 410
    late = client.post(_url(wave, personas.lille), {**FORM, "submission_id": submission.group(1)})
    assert late.status_code == 410
    assert Response.objects.filter(wave=wave).count() == 1


def test_a_wave_whose_row_changes_outside_the_services_is_read_afresh(client, personas, wave):
    """The tick closes waves by their date; a direct change of the row counts at once too."""
    assert _post(client, wave, personas.lille).status_code == 302
    Wave.objects.filter(pk=wave.pk).update(closes_at=timezone.now() - timedelta(minutes=1))
    assert client.get(_url(wave, personas.lille)).status_code == 410

    Wave.objects.filter(pk=wave.pk).update(
        closes_at=timezone.now() + timedelta(days=1), open_links=False
    )
    assert client.get(_url(wave, personas.lille)).status_code == 404
    assert Response.objects.filter(wave=wave).count() == 1


def test_a_unit_closed_after_the_wave_was_cached_takes_no_more_answers(client, personas, wave):
    assert _post(client, wave, personas.lille).status_code == 302
    Unit.objects.filter(pk=personas.lille.pk).update(is_active=False)
    assert client.get(_url(wave, personas.lille)).status_code == 404
    assert Response.objects.filter(wave=wave).count() == 1


def test_a_unit_outside_the_audience_stays_refused_once_the_wave_is_cached(
    client, personas, make_wave, launch
):
    north = launch(make_wave(open_links=True, units=[personas.nord], reminder_days=[]))
    assert client.get(_url(north, personas.lille)).status_code == 200
    assert client.get(_url(north, personas.marseille)).status_code == 404
    missing = reverse("collect:respond_open", args=[north.public_id, 999_999])
    assert client.get(missing).status_code == 404


def test_a_kiosk_of_a_wave_closed_after_it_was_cached_is_refused(client, personas, wave):
    key = kiosk_issue(wave=wave, unit=personas.lille, actor=None)[1]
    client.cookies["miroir_kiosk"] = key
    url = reverse("collect:kiosk_submit", args=[wave.public_id, personas.lille.pk])
    headers = {"X-Miroir-Kiosk": kiosk_header_token(key)}

    def send():
        body = {"submission_id": str(uuid.uuid4()), "answers": EMPLOYEE_ANSWERS, "lang": "fr"}
        return client.post(url, json.dumps(body), content_type="application/json", headers=headers)

    assert send().status_code == 201
    wave_close(wave=wave, actor=personas.admin)
    refused = send()
    assert refused.status_code == 410
    assert refused.json()["code"] == "collect.closed"
    assert Response.objects.filter(wave=wave).count() == 1


def test_a_draft_wave_is_never_cached(personas, make_wave, instrument):
    draft = make_wave()
    before = [item.code for item in respondent_items(draft)]
    item_create(
        instrument=instrument,
        actor=personas.admin,
        code="late",
        lens="employee",
        scale="agree5",
        text_fr="Question ajoutée en brouillon.",
        dimension="sens",
    )
    assert [item.code for item in respondent_items(draft)] == [*before, "late"]


def test_a_launched_wave_is_read_from_the_database_once_per_process(personas, wave):
    wavecache.clear()
    with CaptureQueriesContext(connection) as first:
        respondent_items(wave)
    with CaptureQueriesContext(connection) as second:
        items = respondent_items(wave)
    assert len(first) > 0 and len(second) == 0
    assert [item.code for item in items] == [
        item.code for item in wave.instrument.items.filter(lens=wave.lens).order_by("order", "id")
    ]


def test_the_answers_are_stored_in_one_statement_with_their_receipt_and_roll_ups(
    client, personas, wave
):
    page = client.get(_url(wave, personas.lille))
    submission = re.search(r'name="submission_id" value="([^"]+)"', page.content.decode())
    with CaptureQueriesContext(connection) as queries:
        posted = client.post(_url(wave, personas.lille), {**FORM, "submission_id": submission[1]})
    assert posted.status_code == 302
    writes = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"].upper()]
    if connection.vendor == "postgresql":
        assert len(writes) == 1
    assert Response.objects.filter(wave=wave, unit=personas.lille).count() == 1
    assert SubmissionReceipt.objects.filter(wave=wave).count() == 1
    assert RollupResponses.objects.get(wave=wave, unit=personas.lille).responses == 1
    # The same submission again: acknowledged, nothing new.
    again = client.post(_url(wave, personas.lille), {**FORM, "submission_id": submission[1]})
    assert again.status_code == 302
    assert Response.objects.filter(wave=wave).count() == 1
    assert RollupResponses.objects.get(wave=wave, unit=personas.lille).responses == 1
