"""Survey comments: background analysis, themes and sentiment at the verbatim threshold, search."""

from __future__ import annotations

import pytest
from django.utils import timezone

from miroir.collect.models import Answer
from miroir.collect.services import wave_close
from miroir.results import gate, selectors
from miroir.results.models import CommentAnalysis
from miroir.results.periods import period_of
from miroir.results.services import comments_analyse_pending
from tests.collect.support import add_employees, submit, token_for
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db


def _fake_redaction(texts, names, language):
    return [
        " ".join("[nom]" if word.startswith("Mot") else word for word in text.split())
        for text in texts
    ]


def _failing_redaction(texts, names, language):
    raise RuntimeError("model missing")


@pytest.fixture
def redaction():
    previous = gate.redactor_install(_fake_redaction)
    yield
    gate.redactor_install(previous)


@pytest.fixture
def commented(personas, make_wave, launch, settings):
    """Lille Vente: 12 comments (11 on waiting, 3 of them on prices); Marseille: 5."""
    settings.MIROIR_VERBATIM_THRESHOLD = 10
    vente = add_employees(personas.lille_vente, 12, prefix="Mot")
    sud = add_employees(personas.marseille, 5, prefix="Sud")
    wave = launch(make_wave())
    for index, member in enumerate(vente):
        if index < 11:
            comment = f"Trop d'attente en caisse, voyez Mot{index}"
            if index < 3:
                comment += " et les prix"
        else:
            comment = "Super ambiance, merci Mot11"
        submit(token_for(wave, member), {"ecoute-employee": "3", "enps": "6", "idee": comment})
    for member in sud:
        submit(
            token_for(wave, member), {"ecoute-employee": "3", "enps": "6", "idee": "Trop d'attente"}
        )
    wave_close(wave=wave, actor=personas.admin)
    return wave


def _comments(unit, **kwargs):
    period = period_of(timezone.localdate())
    return selectors.unit_comments(unit=unit, lens="employee", period=period, **kwargs)


def test_no_comment_shows_before_its_redaction_ran(personas, commented) -> None:
    before = _comments(personas.lille_vente)
    assert not before.suppressed and before.pending
    assert before.comments == () and before.themes == ()
    previous = gate.redactor_install(_failing_redaction)
    try:
        comments_analyse_pending()
    finally:
        gate.redactor_install(previous)
    assert not CommentAnalysis.objects.exists()
    assert _comments(personas.lille_vente).comments == ()


def test_a_theme_mentioned_by_fewer_than_the_threshold_is_hidden(
    personas, commented, redaction
) -> None:
    comments_analyse_pending()
    assert CommentAnalysis.objects.count() == Answer.objects.exclude(text=None).count() == 17
    found = _comments(personas.lille_vente)
    assert not found.pending and found.total == 12
    themes = {theme.code: theme.count for theme in found.themes}
    # 11 on waiting is shown; 3 on prices is under 10 and left out of the list entirely.
    assert themes == {"waiting": 11}
    assert all("[nom]" in c.text and "Mot" not in c.text for c in found.comments)
    assert len(found.comments) == 12
    small = _comments(personas.marseille)
    assert small.suppressed and small.comments == () and small.themes == ()
    assert small.total is gate.SUPPRESSED


def test_sentiments_hide_a_small_tone_and_the_one_that_would_reveal_it(
    personas, commented, redaction
) -> None:
    comments_analyse_pending()
    found = _comments(personas.lille_vente)
    # 11 negative, 1 positive, 0 neutral: showing 11 of 12 would tell the one positive.
    assert set(found.sentiments) == {"positive", "neutral", "negative"}
    assert all(count is gate.SUPPRESSED for count in found.sentiments.values())
    moods = list(
        CommentAnalysis.objects.filter(answer__response__unit=personas.lille_vente).values_list(
            "sentiment", flat=True
        )
    )
    assert moods.count("negative") == 11 and moods.count("positive") == 1


def test_search_reads_redacted_text_of_the_unit_only(personas, commented, redaction) -> None:
    comments_analyse_pending()
    by_word = _comments(personas.lille_vente, query="PRIX")
    assert len(by_word.comments) == 3 and by_word.matching is gate.SUPPRESSED
    assert _comments(personas.lille_vente, query="Mot3").comments == ()
    by_theme = _comments(personas.lille_vente, theme="waiting")
    assert len(by_theme.comments) == 11 and by_theme.matching == 11
    # Marseille's five comments mention waiting too, but its group is under the threshold.
    assert _comments(personas.marseille, query="attente").comments == ()


def test_the_trend_follows_the_shown_themes_period_by_period(
    personas, commented, redaction
) -> None:
    comments_analyse_pending()
    period = period_of(timezone.localdate())
    found = _comments(personas.lille_vente, periods=[period.previous(), period])
    assert [(p.period, p.code, p.count) for p in found.trend] == [
        (period.previous().label, "waiting", gate.SUPPRESSED),
        (period.label, "waiting", 11),
    ]


def test_comment_counts_partition_hides_until_the_hidden_part_is_safe() -> None:
    counts = {"positive": 15, "neutral": 3, "negative": 12}
    released = gate.comment_counts(counts, visible=True, threshold=10, partition=True)
    assert released == {"positive": 15, "neutral": gate.SUPPRESSED, "negative": gate.SUPPRESSED}
    themes = gate.comment_counts(counts, visible=True, threshold=10, partition=False)
    assert themes == {"positive": 15, "neutral": gate.SUPPRESSED, "negative": 12}
    assert gate.comment_counts({"a": 0, "b": 20}, visible=True, threshold=10, partition=True) == {
        "a": gate.SUPPRESSED,
        "b": 20,
    }
    hidden = gate.comment_counts(counts, visible=False, threshold=10, partition=True)
    assert set(hidden.values()) == {gate.SUPPRESSED}


def _login(client, user) -> None:
    assert client.login(username=user.email, password=PASSWORD)


def test_the_shop_manager_reads_the_comments_page(client, personas, commented, redaction) -> None:
    comments_analyse_pending()
    _login(client, personas.shop_manager)
    response = client.get(f"/results/units/{personas.lille_vente.pk}/comments/", {"q": "caisse"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Attente et passage en caisse" in page and "[nom]" in page and "Mot1" not in page
    unit_page = client.get(f"/results/units/{personas.lille.pk}/").content.decode()
    assert f"/results/units/{personas.lille.pk}/comments/" in unit_page


def test_another_shop_or_an_employee_cannot_read_the_comments(
    client, personas, commented, redaction
) -> None:
    comments_analyse_pending()
    _login(client, personas.sibling_manager)
    assert client.get(f"/results/units/{personas.lille_vente.pk}/comments/").status_code == 404
    api = f"/api/v1/results/units/{personas.lille_vente.pk}/comments"
    assert client.get(api, {"lens": "employee"}).status_code == 404
    client.logout()
    _login(client, personas.employee)
    assert client.get(f"/results/units/{personas.lille_vente.pk}/comments/").status_code == 403


def test_the_api_gives_gated_theme_counts(client, personas, commented, redaction) -> None:
    comments_analyse_pending()
    _login(client, personas.direction)
    api = f"/api/v1/results/units/{personas.lille_vente.pk}/comments"
    body = client.get(api, {"lens": "employee", "periods": 2}).json()
    assert body["themes"] == [
        {
            "code": "waiting",
            "label": "Attente et passage en caisse",
            "count": 11,
            "suppressed": False,
        }
    ]
    assert all(s["suppressed"] and s["count"] is None for s in body["sentiments"])
    assert len(body["comments"]) == 12 and not body["pending"]
    hidden = client.get(
        f"/api/v1/results/units/{personas.marseille.pk}/comments", {"lens": "employee"}
    ).json()
    assert hidden["suppressed"] and hidden["comments"] == [] and hidden["total"] is None


def test_the_periodic_job_analyses_what_is_pending(personas, commented, redaction) -> None:
    from miroir.operations.periodic import jobs_load
    from miroir.results.periodic import analyse_pending_comments

    assert "results.analyse_pending_comments" in jobs_load()
    assert analyse_pending_comments.call() is None
    assert CommentAnalysis.objects.count() == 17
