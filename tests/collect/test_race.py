"""Two submissions racing on one personal link: exactly one response.

Needs PostgreSQL: SQLite serialises every writing transaction, so nothing races there.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from miroir.collect import services
from miroir.collect.models import Answer, Response, SubmissionReceipt
from tests.collect.support import EMPLOYEE_ANSWERS, token_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="SQLite serialises writers: no race to test"
    ),
]


def _race(monkeypatch, token: str, submission_ids: list[str]) -> list[object]:
    """Return each thread's outcome, all of them held until every one has passed the checks."""
    barrier = threading.Barrier(len(submission_ids), timeout=10)
    real_store = services._store

    def store_together(*args, **kwargs):
        barrier.wait()
        return real_store(*args, **kwargs)

    monkeypatch.setattr(services, "_store", store_together)
    outcomes: list[object] = [None] * len(submission_ids)

    def run(index: int, submission_id: str) -> None:
        try:
            outcomes[index] = services.response_submit(
                invitation_token=token, answers=EMPLOYEE_ANSWERS, submission_id=submission_id
            )
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=run, args=(index, submission_id))
        for index, submission_id in enumerate(submission_ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_two_submissions_of_one_token_at_once_store_exactly_one_response(
    make_wave, launch, personas, monkeypatch
):
    wave = launch(make_wave())
    token = token_for(wave, personas.employee_member)
    outcomes = _race(monkeypatch, token, ["first-submission-1", "second-submission-2"])
    # Both are acknowledged alike (a used link must look unused); one is stored.
    assert [type(outcome).__name__ for outcome in outcomes] == ["SubmitResult"] * 2
    assert Response.objects.count() == 1
    assert Answer.objects.count() == len(EMPLOYEE_ANSWERS)
    assert SubmissionReceipt.objects.count() == 1


def test_one_submission_sent_twice_at_once_is_stored_once_and_acknowledged_twice(
    make_wave, launch, personas, monkeypatch
):
    wave = launch(make_wave())
    token = token_for(wave, personas.employee_member)
    outcomes = _race(monkeypatch, token, ["same-submission-id", "same-submission-id"])
    assert sorted(outcome.replayed for outcome in outcomes) == [False, True]
    assert Response.objects.count() == 1
