"""Hiding small counts, and the counts per unit a scope sees."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from miroir.collect.counts import CountRow, counts_for_scope, whole_row
from miroir.collect.models import Response
from miroir.collect.selectors import wave_counts
from miroir.collect.services import wave_close
from miroir.org.selectors import scope_for_user
from tests.collect.support import add_employees, submit, token_for


def _gate(spec, threshold=5, scope=None):
    """Return the rows of ``spec`` (unit, parent, responses, invited) gated for ``scope``."""
    every = [
        CountRow(
            unit_id=unit,
            parent_id=parent,
            name=str(unit),
            depth=0,
            invited=invited,
            responses=responses,
            direct=0,
        )
        for unit, parent, responses, invited in spec
    ]
    in_scope = {row.unit_id for row in every} if scope is None else scope
    return counts_for_scope(every, whole_row(every), in_scope, threshold)


def _hidden(scoped):
    return {row.unit_id for row in scoped.rows if row.suppressed}


def test_counts_under_the_threshold_are_hidden():
    scoped = _gate([(1, 0, 12, 20), (2, 1, 8, 10), (3, 1, 4, 10)])
    assert _hidden(scoped) == {2, 3}  # 3, then 2 to protect it
    row = scoped.rows[2]
    assert row.shown_responses is None and row.rate is None


def test_a_shop_of_seven_with_a_team_of_six_hides_the_team():
    # The review's case: the shop's other people (one answer) were the shop minus the team.
    scoped = _gate([(1, 0, 7, 9), (2, 1, 6, 7)])
    assert _hidden(scoped) == {2}
    assert scoped.total.shown_responses == 7


def test_several_small_pieces_are_protected_too():
    # Two hidden teams of 2 and 1 left a piece of 3 to subtract: the old rule let it through.
    scoped = _gate([(1, 0, 20, 30), (2, 1, 17, 20), (3, 1, 2, 5), (4, 1, 1, 5)])
    assert 2 in _hidden(scoped)


def test_a_small_count_at_the_parent_itself_is_protected_too():
    scoped = _gate([(1, 0, 16, 20), (2, 1, 7, 9), (3, 1, 7, 9)])
    assert len(_hidden(scoped)) == 1


def test_zero_is_not_protected_by_hiding_a_sibling():
    scoped = _gate([(1, 0, 9, 20), (2, 1, 9, 10), (3, 1, 0, 10)])
    assert _hidden(scoped) == {3}


def test_invitations_are_gated_and_a_rate_needs_both_counts():
    scoped = _gate([(1, 0, 12, 14), (2, 1, 6, 11), (3, 1, 6, 3)])
    rows = {row.unit_id: row for row in scoped.rows}
    assert rows[3].shown_invited is None and rows[2].shown_invited is None
    assert rows[2].shown_responses == 6 and rows[2].rate is None
    assert rows[1].rate == 12 / 14


def test_a_scope_total_shows_only_when_each_of_its_tops_does():
    spec = [(1, 0, 10, 10), (2, 0, 3, 10), (3, 1, 10, 10)]
    assert _gate(spec, scope={1, 3}).total.shown_responses == 10
    # The whole audience (13) minus the one visible top (10) would give the small one.
    assert _gate(spec, scope={1, 2, 3}).total.shown_responses is None
    assert _gate(spec, scope={2}).total.shown_responses is None


def test_customer_counts_are_all_shown():
    scoped = _gate([(1, 0, 1, 1), (2, 1, 1, 1)], threshold=None)
    assert _hidden(scoped) == set() and scoped.total.shown_responses == 1


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


def test_a_reader_counted_in_a_group_at_the_threshold_sees_its_count_hidden():
    # Unit 1 holds exactly five respondents: a reader of unit 1 knows whether they are
    # one of them, so five would tell them how many of the others answered.
    spec = [(1, 0, 5, 8), (2, 0, 9, 12)]
    assert _hidden(_gate(spec)) == set()
    every = [
        CountRow(unit_id=u, parent_id=p, name=str(u), depth=0, invited=i, responses=r, direct=0)
        for u, p, r, i in spec
    ]
    inside = counts_for_scope(every, whole_row(every), {1, 2}, 5, reader_lineage=[1, 0])
    # Unit 1, then the total (which minus unit 2 gives unit 1 back) are hidden from them.
    assert _hidden(inside) == {1}
    assert inside.total.shown_responses is None
    assert {row.unit_id: row.shown_responses for row in inside.rows}[2] == 9
    # A group of six shows to one of its members: five others is the threshold.
    every[0].responses = 6
    six = counts_for_scope(every, whole_row(every), {1, 2}, 5, reader_lineage=[1, 0])
    assert _hidden(six) == set() and six.total.shown_responses == 15


def test_the_manager_counted_in_their_shop_sees_its_count_only_above_the_threshold(
    make_wave, launch, personas
):
    staff = add_employees(personas.lille, 4, prefix="Lille")
    wave = launch(make_wave(channels=["link"]))
    _respond(wave, [personas.shop_manager.member, *staff])
    Response.objects.update(submitted_on=timezone.localdate() - timedelta(days=1))
    today = timezone.localdate()
    seen_by_direction = {
        row.name: row.shown_responses
        for row in wave_counts(wave, scope_for_user(personas.direction), today=today).rows
    }
    assert seen_by_direction["Lille"] == 5
    by_sophie = {
        row.name: row.shown_responses
        for row in wave_counts(wave, scope_for_user(personas.shop_manager), today=today).rows
    }
    assert by_sophie["Lille"] is None
