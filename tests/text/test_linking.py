from __future__ import annotations

import json
from pathlib import Path

import pytest

from miroir.text import link, similar_pairs

DATA = Path(__file__).parent / "labelled"


def precision_recall(name: str) -> tuple[float, float]:
    labelled = json.loads((DATA / name).read_text("utf-8"))
    keys = list(labelled["suggestions"])
    suggestions = [labelled["suggestions"][key] for key in keys]
    complaints = [c["text"] for c in labelled["complaints"]]
    truth = {
        (keys.index(key), n)
        for n, complaint in enumerate(labelled["complaints"])
        for key in complaint["addressed_by"]
    }
    found = {(one.suggestion, one.complaint) for one in link(suggestions, complaints)}
    hits = len(found & truth)
    precision = hits / len(found) if found else 0.0
    recall = hits / len(truth)
    print(
        f"\n{name}: {len(suggestions)} suggestions x {len(complaints)} complaints, "
        f"{len(found)} links, {hits} right of {len(truth)} labelled; "
        f"precision {precision:.2f}, recall {recall:.2f}"
    )
    return precision, recall


def test_linking_reaches_its_precision_and_recall_on_the_labelled_set():
    # The default weight and threshold were chosen on this set.
    precision, recall = precision_recall("linking.json")
    assert precision >= 0.8
    assert recall >= 0.6


def test_linking_holds_on_a_set_not_used_to_choose_the_defaults():
    precision, recall = precision_recall("linking_heldout.json")
    assert precision >= 0.8
    assert recall >= 0.6


def test_a_suggestion_no_customer_complains_about_links_to_nothing():
    labelled = json.loads((DATA / "linking.json").read_text("utf-8"))
    complaints = [c["text"] for c in labelled["complaints"]]
    assert link([labelled["suggestions"]["planning"]], complaints) == []


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


def test_english_suggestions_link_to_english_complaints():
    links = link(
        ["Open an extra till as soon as the queue is longer than five customers."],
        [
            "The queue at the tills was endless, only one till open.",
            "The bread was stale.",
            "Staff at the tills were friendly.",
        ],
        language="en",
    )
    assert [one.complaint for one in links][:1] == [0]
    assert 1 not in {one.complaint for one in links}
    assert links[0].themes == ("waiting",)
