"""What PostgreSQL's planner is told about the answers table (collect/0005)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's"
    ),
]


def test_the_planner_counts_about_ten_answers_per_response() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT attoptions FROM pg_attribute
            WHERE attrelid = 'collect_answer'::regclass AND attname = 'response_id'
            """
        )
        (options,) = cursor.fetchone()
    assert "n_distinct=-0.1" in options
