from __future__ import annotations

import pytest

from miroir.text import bundled_themes, discover_groups, themes_for


@pytest.mark.parametrize(
    ("text", "language", "theme"),
    [
        ("Vingt minutes d'attente en caisse, une seule caisse ouverte.", "fr", "waiting"),
        ("The queue at the checkout was endless.", "en", "waiting"),
        ("Personne pour me conseiller, aucun vendeur au rayon.", "fr", "staff_availability"),
        ("Encore une rupture de stock sur le lait.", "fr", "product_availability"),
        ("Shelves were empty and the milk was out of stock.", "en", "product_availability"),
        ("Les prix ont encore augmenté, c'est trop cher.", "fr", "prices"),
        ("Toilettes sales, aucun nettoyage depuis ce matin.", "fr", "cleanliness"),
        ("Mon planning change toutes les semaines.", "fr", "scheduling"),
        ("Shifts are published the day before.", "en", "scheduling"),
        ("La douchette est en panne depuis lundi.", "fr", "tools"),
        ("Aucune formation sur la nouvelle caisse.", "fr", "training"),
        ("Jamais un remerciement de la direction.", "fr", "recognition"),
        ("On n'est jamais informés des changements, aucune réunion.", "fr", "communication"),
        ("Ma livraison a trois jours de retard.", "fr", "delivery"),
        ("Refund refused without the receipt.", "en", "returns"),
        ("Caissière souriante et très aimable.", "fr", "welcome"),
        ("Impossible de se garer, le parking est plein.", "fr", "store_layout"),
        ("Trop de pression et pas de pause, je suis épuisée.", "fr", "workload"),
    ],
)
def test_a_text_gets_the_theme_it_talks_about(text, language, theme):
    assert theme in themes_for([text], language=language)[0]


def test_a_text_about_nothing_in_the_list_has_no_theme():
    assert themes_for(["Le pain était rassis.", ""], language="fr") == [[], []]


def test_themes_are_ordered_by_mentions():
    text = "Attente en caisse, file interminable, caisse rapide fermée, et les prix sont chers."
    assert themes_for([text])[0][:2] == ["waiting", "prices"]


def test_every_bundled_theme_has_labels_in_both_languages():
    themes = bundled_themes()
    assert len(themes) >= 12
    assert len({theme.code for theme in themes}) == len(themes)
    for theme in themes:
        assert theme.label("fr") and theme.label("en")
        assert theme.label("fr") != theme.label("en")


def test_groups_are_found_among_texts_no_theme_covers():
    bread = [
        f"Le pain est rassis {when}, la baguette est dure."
        for when in ("le matin", "le soir", "le lundi", "le samedi", "ce midi", "encore")
    ]
    bags = [
        f"Les sacs en papier se déchirent {how}, sacs trop fragiles."
        for how in ("vite", "souvent", "toujours", "dans le bus", "sous la pluie", "facilement")
    ]
    covered = ["Trop d'attente en caisse."] * 6
    texts = bread + covered + bags
    groups = discover_groups(texts, min_size=5, max_groups=4)
    members = [set(group.members) for group in groups]
    assert set(range(6)) in members
    assert set(range(12, 18)) in members
    labels = " ".join(group.label for group in groups)
    assert "pain" in labels and "sacs" in labels
    # The covered texts never land in a discovered group.
    assert not any(6 <= m < 12 for group in groups for m in group.members)


def test_groups_smaller_than_min_size_are_not_returned():
    texts = ["Le pain est rassis.", "La baguette est dure.", "Le pain est rassis le soir."]
    assert discover_groups(texts, min_size=5) == []
