"""Hiding small counts, and the counts per unit a scope sees."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from miroir.collect.counts import CountRow, suppress_small_counts
from miroir.collect.models import Response
from miroir.collect.selectors import wave_counts
from miroir.collect.services import wave_close
from miroir.org.selectors import scope_for_user
from tests.collect.support import add_employees, submit, token_for


def _row(unit_id, parent_id, responses, direct=0):
    return CountRow(
        unit_id=unit_id,
        parent_id=parent_id,
        name=str(unit_id),
        depth=0,
        invited=20,
        responses=responses,
        direct=direct,
    )


def test_counts_under_the_threshold_are_hidden():
    rows = suppress_small_counts([_row(1, None, 12), _row(2, 1, 8), _row(3, 1, 4)], 5)
    assert [row.suppressed for row in rows] == [False, True, True]  # 3, then 2 to protect it
    assert rows[2].shown_responses is None
    assert rows[2].rate is None


def test_a_hidden_count_cannot_be_recovered_by_subtraction():
    rows = suppress_small_counts(
        [_row(1, None, 20), _row(2, 1, 9), _row(3, 1, 7), _row(4, 1, 4)], 5
    )
    hidden = {row.unit_id for row in rows if row.suppressed}
    assert hidden == {3, 4}  # the smallest visible sibling goes with the small one


def test_a_small_count_at_the_parent_itself_is_protected_too():
    rows = suppress_small_counts([_row(1, None, 16, direct=2), _row(2, 1, 7), _row(3, 1, 7)], 5)
    assert sum(row.suppressed for row in rows) == 1


def test_zero_is_not_protected_by_hiding_a_sibling():
    rows = suppress_small_counts([_row(1, None, 9), _row(2, 1, 9), _row(3, 1, 0)], 5)
    assert [row.suppressed for row in rows] == [False, False, True]


def _respond(wave, members):
    for member in members:
        submit(token_for(wave, member))


def test_a_manager_sees_the_counts_of_their_subtree_with_small_ones_hidden(
    make_wave, launch, personas
):
    vente = add_employees(personas.lille_vente, 6, prefix="Vendeur")
    caisse = add_employees(personas.lille_caisse, 3, prefix="Caissier")
    wave = launch(make_wave(channels=["link"]))
    _respond(wave, vente + caisse[:2])
    Response.objects.update(submitted_on=timezone.localdate() - timedelta(days=1))
    counts = wave_counts(wave, scope_for_user(personas.shop_manager), today=timezone.localdate())
    by_name = {row.name: row for row in counts.rows}
    assert set(by_name) == {"Lille", "Lille Vente", "Lille Caisse"}
    assert by_name["Lille"].shown_responses == 8
    assert by_name["Lille"].invited == 1 + 7 + 3  # Sophie, Émile and six, three cashiers
    assert by_name["Lille Caisse"].shown_responses is None
    # Lille minus Vente would give Caisse: Vente is hidden too.
    assert by_name["Lille Vente"].shown_responses is None
    assert counts.total.shown_responses == 8


def test_an_open_employee_wave_counts_up_to_yesterday_only(make_wave, launch, personas):
    members = add_employees(personas.arras, 6, prefix="Arras")
    wave = launch(make_wave(channels=["link"], units=[personas.arras]))
    _respond(wave, members)
    today = timezone.localdate()
    scope = scope_for_user(personas.admin)
    assert wave_counts(wave, scope, today=today).total.responses == 0
    assert wave_counts(wave, scope, today=today + timedelta(days=1)).total.responses == 6
    wave_close(wave=wave, actor=personas.admin)
    wave.refresh_from_db()
    closed = wave_counts(wave, scope, today=today)
    assert closed.as_of is None
    assert closed.total.shown_responses == 6


def test_customer_counts_are_never_hidden(make_wave, launch, personas):
    from miroir.collect.services import response_submit
    from miroir.collect.tokens import submission_id_new

    wave = launch(make_wave(lens="customer", channels=[], open_links=True))
    response_submit(
        open_link=(wave.public_id, personas.lille.pk),
        answers={"ecoute-customer": "4", "nps-customer": "10"},
        submission_id=submission_id_new(),
    )
    counts = wave_counts(wave, scope_for_user(personas.admin), today=timezone.localdate())
    lille = next(row for row in counts.rows if row.name == "Lille")
    assert counts.threshold is None
    assert lille.shown_responses == 1
