"""Every date that enters Miroir is checked against one range, at every entry point.

The boundary values go to the API (complaints, interactions, listening figures), the CSV
imports (interactions, complaints), the wave form, the result pages' period and the token
expiry; a refusal names the field and stores nothing. Rows stored before the rules existed
are clamped by a data migration, after which every reader works again.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from miroir.collect.models import Interaction, Wave
from miroir.core.inputs import (
    EARLIEST,
    LATEST_YEARS_AHEAD,
    dates_clamp,
    latest,
    moment_parse,
    moment_problem,
)
from miroir.voices.models import Voice
from miroir.voices.services import complaint_receive
from tests.security.support import client_as
from tests.security.world import World

# Past events (a complaint received, an interaction that occurred): the first instant allowed,
# and values on the wrong side of each bound, naive and with an offset.
PAST_ACCEPTED = ["2000-01-01T00:00:00", "2000-01-01T00:00:00+00:00"]
PAST_REFUSED = [
    "0001-01-01T00:00:00",
    "0001-01-01T00:00:00+14:00",
    "1999-12-31T23:59:59",
    "9999-12-31T23:59:59",
    "9999-12-31T23:59:59-12:00",
]


def _years_ahead(years: int) -> datetime:
    now = timezone.localtime()
    return now.replace(year=now.year + years, day=min(now.day, 28))


def _post_json(client, url: str, body: dict) -> object:
    return client.post(url, json.dumps(body), content_type="application/json")


def _complaint(moment: str) -> dict:
    return {
        "complaints": [
            {"external_id": "c-1", "unit": "U-LILLE", "text": "Attente."} | {"received_at": moment}
        ]
    }


def _interaction(moment: str) -> dict:
    row = {"external_id": "i-1", "unit": "U-LILLE", "occurred_at": moment, "consent": True}
    return {"interactions": [row]}


@pytest.mark.parametrize("moment", PAST_REFUSED)
def test_a_complaint_dated_out_of_range_is_refused_naming_the_field(world: World, moment):
    client = client_as(world, "token_unit")
    response = _post_json(client, "/api/v1/voices/complaints", _complaint(moment))
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["errors"]] == ["received_at"]
    assert not Voice.objects.filter(external_id="c-1").exists()


@pytest.mark.parametrize("moment", PAST_ACCEPTED)
def test_a_complaint_of_the_first_allowed_day_is_stored(world: World, moment):
    client = client_as(world, "token_unit")
    response = _post_json(client, "/api/v1/voices/complaints", _complaint(moment))
    assert response.status_code == 200, response.content
    assert Voice.objects.get(external_id="c-1").received_at >= datetime(2000, 1, 1, tzinfo=UTC) - (
        timedelta(hours=1)
    )


@pytest.mark.parametrize("moment", PAST_REFUSED)
def test_an_interaction_dated_out_of_range_is_refused_naming_the_field(world: World, moment):
    client = client_as(world, "token_unit")
    response = _post_json(client, "/api/v1/interactions", _interaction(moment))
    assert response.status_code == 422, response.content
    assert [error["field"] for error in response.json()["errors"]] == ["occurred_at"]
    assert not Interaction.objects.exists()


def test_an_interaction_of_the_first_allowed_day_is_recorded(world: World):
    client = client_as(world, "token_unit")
    response = _post_json(client, "/api/v1/interactions", _interaction(PAST_ACCEPTED[0]))
    assert response.status_code == 200, response.content
    assert Interaction.objects.count() == 1


@pytest.mark.parametrize("moment", PAST_REFUSED)
def test_the_csv_imports_refuse_a_date_out_of_range_and_store_nothing(world, tmp_path, moment):
    interactions = tmp_path / "interactions.csv"
    interactions.write_text(
        f"external_id,unit,occurred_at,consent\ni-1,U-LILLE,{moment},oui\n", encoding="utf-8"
    )
    complaints = tmp_path / "complaints.csv"
    complaints.write_text(
        f"external_id,unit,text,received_at\nc-1,U-LILLE,Attente,{moment}\n", encoding="utf-8"
    )
    with translation.override("en"):
        for command, path in (("interactions_import", interactions), ("voices_import", complaints)):
            with pytest.raises(CommandError) as refused:
                call_command(command, str(path), stdout=StringIO(), stderr=StringIO())
            assert "_at" in str(refused.value), str(refused.value)
    assert not Interaction.objects.exists()
    assert not Voice.objects.filter(external_id="c-1").exists()


def _wave_data(world: World, **dates: str) -> dict:
    closes = (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    return {
        "instrument": world.instrument.pk,
        "name": "Vague datée",
        "lens": "employee",
        "units": [world.personas.lille.pk],
        "closes_at": closes,
        "channels": ["link"],
        "kind": "cold",
        "language": "fr",
        "threshold_scores": 5,
        "threshold_verbatims": 10,
        **dates,
    }


@pytest.mark.parametrize(
    "field,value",
    [
        ("closes_at", "0001-01-01T00:00"),
        ("closes_at", "9999-12-31T23:59"),
        ("closes_at", _years_ahead(LATEST_YEARS_AHEAD + 1).strftime("%Y-%m-%dT%H:%M")),
        ("opens_at", "0001-01-01T00:00"),
        ("opens_at", "1999-12-31T23:59"),
    ],
)
def test_the_wave_form_names_a_date_out_of_range(world: World, field, value):
    client = client_as(world, "admin")
    before = Wave.objects.count()
    response = client.post(reverse("collect:wave_create"), _wave_data(world, **{field: value}))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert Wave.objects.count() == before


def test_the_wave_form_takes_a_closing_date_years_ahead_within_the_bound(world: World):
    client = client_as(world, "admin")
    closes = _years_ahead(LATEST_YEARS_AHEAD - 1).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("collect:wave_create"), _wave_data(world, closes_at=closes))
    assert response.status_code == 302


@pytest.mark.parametrize("start,end", [("0001-01-01", "2026-01-01"), ("2026-01-01", "9999-12-31")])
def test_listening_figures_refuse_days_out_of_range(world: World, start, end):
    client = client_as(world, "token_unit")
    query = {"unit": world.personas.lille.pk, "lens": "employee", "start": start, "end": end}
    response = client.get("/api/v1/voices/listening", query)
    assert response.status_code == 422, response.content
    assert len(response.json()["errors"]) == 1


@pytest.mark.parametrize("period", ["0001", "0001-Q1", "9999-12", "1999"])
def test_a_result_page_for_a_period_out_of_range_answers_400(world: World, period):
    client = client_as(world, "direction")
    response = client.get(reverse("reports:network"), {"period": period})
    assert response.status_code == 400


def test_token_expiry_is_bounded_on_the_page_and_the_command(world: World):
    client = client_as(world, "admin")
    response = client.post(
        reverse("api_tokens:create"), {"name": "Longue", "expires_in_days": 10**6}
    )
    assert "expires_in_days" in response.context["form"].errors
    with pytest.raises(CommandError):
        call_command("api_token_create", "Longue", "--expires-days", str(10**9))


@settings(max_examples=60, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)))
def test_any_naive_date_reads_without_overflow_and_is_judged_by_its_day(moment):
    parsed = moment_parse(moment.isoformat())
    assert parsed is not None and parsed.tzinfo is not None
    problem = moment_problem(parsed, future=timedelta(0))
    in_range = EARLIEST <= moment.date() <= latest() and parsed <= timezone.now()
    assert (problem is None) == in_range


# Rows stored before the checks -------------------------------------------------------------


def _poison(voice: Voice) -> None:
    """Store the probe's date as it reached the database: year 1 in Paris, before year 1 UTC."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE voices_voice SET received_at = %s::timestamptz, due_at = %s::timestamptz "
            "WHERE id = %s",
            ["0001-01-01 00:00:00+00:09:21", "0001-01-11 00:00:00+00:09:21", str(voice.pk)],
        )


def test_the_data_migration_clamps_a_poisoned_voice_and_every_reader_works_again(
    world: World, tmp_path
):
    voice = complaint_receive(
        unit=world.personas.lille, text="Attente.", source="api", external_id="poison"
    ).voice
    _poison(voice)
    client = client_as(world, "token_unit")
    with pytest.raises(Exception):  # noqa: B017 (what the probe met: any read fails)
        Voice.objects.get(pk=voice.pk)

    assert dates_clamp(Voice, ("received_at", "due_at")) == 2

    voice.refresh_from_db()
    assert voice.received_at == datetime(2000, 1, 1, tzinfo=UTC)
    assert client.get("/api/v1/voices").status_code == 200
    manager = client_as(world, "manager")
    assert manager.get(reverse("voices:inbox")).status_code == 200
    assert manager.get(reverse("voices:detail", args=[voice.pk])).status_code == 200
    call_command("tick", stdout=StringIO(), stderr=StringIO())
    call_command("backup", output=tmp_path / "backup.zip", verbosity=0)
