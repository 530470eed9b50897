"""``POST /api/v1/interactions`` and ``miroir interactions_import``: all or nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from miroir.api.services import api_token_create
from miroir.collect.models import Interaction, Invitation

URL = "/api/v1/interactions"


@pytest.fixture
def hot_wave(make_wave, launch):
    return launch(
        make_wave(
            name="Clients à chaud",
            lens="customer",
            kind="hot",
            channels=["sms", "email"],
            reminder_days=[],
            hot_delay_minutes=60,
        )
    )


def _item(external_id, unit="U-LILLE", **extra):
    item = {
        "external_id": external_id,
        "unit": unit,
        "moment": "checkout",
        "occurred_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
        "phone": "0612345678",
        "consent": True,
    }
    item.update(extra)
    return item


def _post(client, body, secret):
    return client.post(
        URL,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.fixture
def secret(personas):
    return api_token_create(name="till", scope_unit=None, actor=personas.admin)[1]


def test_a_batch_is_recorded_and_says_what_became_of_each(client, hot_wave, secret):
    body = {
        "source": "till",
        "interactions": [
            _item("A-1"),
            _item("A-2", phone=None, email="client@example.com"),
            _item("A-3", phone="0698765432", consent=False),
        ],
    }
    response = _post(client, body, secret)
    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["received"] == 3
    assert answer["counts"] == {"scheduled": 2, "no_consent": 1}
    assert [(r["index"], r["outcome"], r["channel"]) for r in answer["results"]] == [
        (0, "scheduled", "sms"),
        (1, "scheduled", "email"),
        (2, "no_consent", None),
    ]
    assert Invitation.objects.filter(wave=hot_wave).count() == 2


def test_one_invalid_interaction_records_none_and_each_error_is_named(client, hot_wave, secret):
    body = {
        "interactions": [
            _item("B-1"),
            _item("B-2", phone="12"),
            _item("B-3", unit="NOWHERE", occurred_at="hier"),
        ]
    }
    response = _post(client, body, secret)
    assert response.status_code == 422
    answer = response.json()
    assert answer["code"] == "interactions.invalid"
    assert {(e["index"], e["field"]) for e in answer["errors"]} == {
        (1, "phone"),
        (2, "unit"),
        (2, "occurred_at"),
    }
    assert "phone number" in next(e["message"] for e in answer["errors"] if e["field"] == "phone")
    assert not Interaction.objects.exists()
    assert not Invitation.objects.exists()


def test_re_sending_a_batch_changes_nothing(client, hot_wave, secret):
    body = {"source": "till", "interactions": [_item("C-1")]}
    assert _post(client, body, secret).json()["counts"] == {"scheduled": 1}
    again = _post(client, body, secret).json()
    assert again["counts"] == {"duplicate": 1}
    assert Interaction.objects.count() == Invitation.objects.count() == 1


def test_a_token_reaches_only_the_units_of_its_scope(client, hot_wave, personas):
    nord = api_token_create(name="nord", scope_unit=personas.nord, actor=personas.admin)[1]
    response = _post(client, {"interactions": [_item("D-1", unit="U-MARS")]}, nord)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["unit"]
    assert _post(client, {"interactions": [_item("D-2")]}, nord).status_code == 200


def test_a_batch_is_at_most_a_thousand(client, hot_wave, secret):
    body = {"interactions": [_item(f"E-{i}") for i in range(1001)]}
    response = _post(client, body, secret)
    assert response.status_code == 422
    assert response.json()["code"] == "interactions.batch_too_large"
    assert not Interaction.objects.exists()


def test_a_malformed_body_is_a_validation_error(client, hot_wave, secret):
    response = _post(client, {"interactions": [{"unit": "U-LILLE"}]}, secret)
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_without_a_token_or_with_a_session_it_is_refused(client, hot_wave, personas):
    body = json.dumps({"interactions": [_item("F-1")]})
    assert client.post(URL, body, content_type="application/json").status_code == 401
    client.force_login(personas.admin)
    assert client.post(URL, body, content_type="application/json").status_code == 401
    assert not Interaction.objects.exists()


def test_the_openapi_document_describes_the_endpoint(client, db):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"][URL]["post"]
    assert set(operation["responses"]) >= {"200", "422"}


def _csv(tmp_path, text):
    path = tmp_path / "interactions.csv"
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_the_csv_import_records_a_valid_file(tmp_path, hot_wave, capsys):
    when = (timezone.now() - timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%S")
    path = _csv(
        tmp_path,
        "external_id;unit;moment;occurred_at;phone;email;consent\n"
        f"G-1;U-LILLE;checkout;{when};06 12 34 56 78;;oui\n"
        f"G-2;U-ARRAS;checkout;{when};;client@example.com;non\n",
    )
    call_command("interactions_import", path, "--source", "pos")
    out = capsys.readouterr().out
    assert "scheduled: 1" in out and "no_consent: 1" in out
    assert set(Interaction.objects.values_list("source", "external_id")) == {
        ("pos", "G-1"),
        ("pos", "G-2"),
    }


def test_the_csv_import_names_the_line_and_field_and_writes_nothing(tmp_path, hot_wave):
    when = (timezone.now() - timedelta(minutes=5)).isoformat()
    path = _csv(
        tmp_path,
        "external_id,unit,occurred_at,phone,consent\n"
        f"H-1,U-LILLE,{when},0612345678,true\n"
        f"H-2,U-LILLE,{when},0612,true\n",
    )
    with pytest.raises(CommandError) as failure:
        call_command("interactions_import", path)
    assert "line 3, phone" in str(failure.value) or "ligne 3, phone" in str(failure.value)
    assert not Interaction.objects.exists()

    call_command("interactions_import", path, "--skip-invalid")
    assert list(Interaction.objects.values_list("external_id", flat=True)) == ["H-1"]


def test_the_csv_dry_run_records_nothing(tmp_path, hot_wave, capsys):
    when = (timezone.now() - timedelta(minutes=5)).isoformat()
    path = _csv(tmp_path, f"external_id,unit,occurred_at,phone,consent\nI-1,U-LILLE,{when},,1\n")
    call_command("interactions_import", path, "--dry-run")
    assert not Interaction.objects.exists()


def test_the_csv_import_refuses_an_unknown_column(tmp_path, hot_wave):
    path = _csv(tmp_path, "external_id,shop,occurred_at\nJ-1,U-LILLE,2026-01-01T10:00:00\n")
    with pytest.raises(CommandError, match="shop"):
        call_command("interactions_import", path)
