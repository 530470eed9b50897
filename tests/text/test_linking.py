from __future__ import annotations

import json
from pathlib import Path

import pytest

from miroir.text import link, similar_pairs

LABELLED = json.loads((Path(__file__).parent / "data" / "linking.json").read_text("utf-8"))


def test_linking_reaches_its_precision_and_recall_on_the_labelled_set():
    keys = list(LABELLED["suggestions"])
    suggestions = [LABELLED["suggestions"][key] for key in keys]
    complaints = [c["text"] for c in LABELLED["complaints"]]
    truth = {
        (keys.index(key), n)
        for n, complaint in enumerate(LABELLED["complaints"])
        for key in complaint["addressed_by"]
    }
    found = {(one.suggestion, one.complaint) for one in link(suggestions, complaints)}
    hits = len(found & truth)
    precision = hits / len(found)
    recall = hits / len(truth)
    print(
        f"\nlinking on {len(suggestions)} suggestions x {len(complaints)} complaints: "
        f"{len(found)} links, {hits} right of {len(truth)} labelled; "
        f"precision {precision:.2f}, recall {recall:.2f}"
    )
    assert precision >= 0.8
    assert recall >= 0.6
    # The suggestion with no customer side ("planning") addresses nobody.
    assert not any(s == keys.index("planning") for s, _ in found)


def test_links_name_the_shared_themes_and_come_best_first():
    links = link(
        ["Ouvrir une caisse de plus quand la file d'attente dépasse cinq clients."],
        [
            "Le pain était rassis.",
            "Une seule caisse ouverte et vingt minutes d'attente.",
            "File d'attente interminable en caisse, ouvrez une caisse de plus !",
        ],
    )
    assert [one.complaint for one in links] == [2, 1]
    assert all(one.themes == ("waiting",) for one in links)
    assert links[0].score >= links[1].score


def test_bad_threshold_is_refused():
    with pytest.raises(ValueError, match="threshold"):
        link(["a"], ["b"], threshold=0)


def test_empty_sides_give_no_links():
    assert link([], ["Attente en caisse"]) == []
    assert link(["Ouvrir une caisse"], []) == []


def test_near_duplicate_suggestions_are_proposed_for_merging():
    texts = [
        "Ouvrir plus de caisses le samedi matin.",
        "Nettoyer les toilettes plus souvent.",
        "Il faudrait ouvrir davantage de caisses le samedi matin.",
        "Donner les plannings trois semaines à l'avance.",
        "Nettoyer plus souvent les toilettes des clients.",
        "Mettre une caisse rapide pour les petits paniers.",
    ]
    pairs = similar_pairs(texts, threshold=0.6)
    assert {(p.first, p.second) for p in pairs} == {(1, 4), (0, 2)}
    assert all(p.first < p.second and 0.6 <= p.score <= 1.0 for p in pairs)
    assert pairs == sorted(pairs, key=lambda p: -p.score)
