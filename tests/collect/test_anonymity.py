"""Employee answers stay unlinkable to a person: the schema and the logs prove it.

See docs/anonymity.md for the whole argument; these tests fail when a change breaks it.
"""

from __future__ import annotations

import logging
import re

import pytest
from django.db import connection, models
from django.urls import reverse

from miroir.collect.models import Answer, Invitation, Response, SubmissionReceipt
from miroir.collect.sending import invitation_token_issue
from miroir.collect.services import wave_launch
from miroir.collect.tokens import submission_id_new
from tests.collect.support import EMPLOYEE_ANSWERS

# Foreign keys each table may hold; Response.invitation only for customers and
# Response.author only for management's attributed estimates (CHECKs say so; tested in
# tests/results/test_attributed_estimate.py).
ALLOWED_LINKS = {
    Response: {"wave", "unit", "invitation", "author"},
    Answer: {"response", "item"},
    SubmissionReceipt: {"wave"},
}
ALLOWED_DATES = {Response: {"submitted_on"}, Answer: set(), SubmissionReceipt: {"created_on"}}
IDENTIFYING_NAME = re.compile(
    r"(^|_)(ip|ips|addr|address|agent|ua|user|users|member|person|email|mail|phone|token|"
    r"session|cookie|device|fingerprint|time|timestamp|at)(_|$)"
)


@pytest.mark.parametrize("model", [Response, Answer, SubmissionReceipt])
def test_no_column_of_the_answers_can_lead_to_a_person_or_a_precise_time(db, model):
    fields = model._meta.concrete_fields
    for field in fields:
        assert not IDENTIFYING_NAME.search(field.name), f"{model.__name__}.{field.name}"
        assert not isinstance(field, models.DateTimeField | models.TimeField), field.name
        if isinstance(field, models.DateField):
            assert field.name in ALLOWED_DATES[model], field.name
        if field.is_relation:
            assert field.name in ALLOWED_LINKS[model], f"{model.__name__}.{field.name}"
    links = {field.name for field in fields if field.is_relation}
    assert links == ALLOWED_LINKS[model], "an expected link disappeared: update the docs too"
    # No sequential id: the primary key is a random UUID.
    assert isinstance(model._meta.pk, models.UUIDField)
    # And the database has no column the model does not declare (a raw migration, say).
    with connection.cursor() as cursor:
        columns = {
            column.name
            for column in connection.introspection.get_table_description(
                cursor, model._meta.db_table
            )
        }
    assert columns == {field.column for field in fields}


def test_the_invitation_records_its_use_as_a_flag_without_a_time(db):
    names = {field.name for field in Invitation._meta.concrete_fields}
    assert "used" in names
    assert not {name for name in names if "used" in name or "answer" in name} - {"used"}


def test_using_an_invitation_changes_nothing_but_its_flag(make_wave, launch, personas):
    wave = launch(make_wave())
    invitation = Invitation.objects.get(wave=wave, member=personas.employee_member)
    token = invitation_token_issue(invitation=invitation)
    before = {f.name: getattr(invitation, f.name) for f in Invitation._meta.concrete_fields}
    from tests.collect.support import submit

    submit(token)
    invitation.refresh_from_db()
    after = {f.name: getattr(invitation, f.name) for f in Invitation._meta.concrete_fields}
    assert {name for name in before if before[name] != after[name]} == {"used"}


def test_the_submit_path_logs_neither_token_nor_identity(
    make_wave, personas, client, caplog, django_capture_on_commit_callbacks
):
    wave = wave_launch(wave=make_wave(), actor=personas.admin)
    member = personas.employee_member
    invitation = Invitation.objects.get(wave=wave, member=member)
    # A number no log line would hold by chance.
    Invitation.objects.filter(pk=invitation.pk).update(id=987654321)
    invitation = Invitation.objects.get(pk=987654321)
    token = invitation_token_issue(invitation=invitation)
    url = reverse("collect:respond", args=[token])
    form = {f"q-{code}": value for code, value in EMPLOYEE_ANSWERS.items()}

    sql = logging.getLogger("django.db.backends")
    sql_was_disabled, sql.disabled = sql.disabled, True
    try:
        with caplog.at_level(logging.DEBUG):
            assert client.get(url).status_code == 200
            bad = {**form, "q-enps": "12", "submission_id": submission_id_new()}
            assert client.post(url, bad).status_code == 400
            good = {**form, "submission_id": submission_id_new()}
            assert client.post(url, good).status_code == 302
            assert client.post(url, good).status_code == 302  # the retry
            again = {**form, "submission_id": submission_id_new()}
            assert client.post(url, again).status_code == 302  # a used link looks unused
            assert client.get(url).status_code == 200
    finally:
        sql.disabled = sql_was_disabled

    assert Response.objects.count() == 1
    assert caplog.records, "the 4xx answers are logged by Django: the test must see them"
    secrets = [token, member.first_name, member.last_name, member.email, "987654321"]
    for record in caplog.records:
        text = " ".join([record.getMessage(), repr(record.args), repr(vars(record))])
        for secret in secrets:
            assert secret not in text, (secret, record.name, record.getMessage())
    assert any("/r/[redacted]/" in record.getMessage() for record in caplog.records)


def test_a_suspicious_request_on_a_respondent_link_is_logged_without_the_token(
    make_wave, launch, personas, client, caplog, settings
):
    wave = launch(make_wave())
    token = invitation_token_issue(
        invitation=Invitation.objects.get(wave=wave, member=personas.employee_member)
    )
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            reverse("collect:respond", args=[token]), {f"q-{n}": "1" for n in range(10)}
        )
    assert response.status_code == 400
    assert caplog.records
    for record in caplog.records:
        assert token not in record.getMessage() + repr(vars(record))
