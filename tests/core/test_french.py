"""The French interface speaks French: no English left, plurals, typography.

These tests read the two ``django.po`` catalogs directly (gettext's tools only check that a
message has *some* translation): a French message identical to its English source is an
untranslated one unless every word of it is the same in both languages; a message that
counts things has plural forms in both catalogs; French punctuation has its non-breaking
space.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "src" / "miroir" / "locale"
# Words spelt the same in French and English (and acronyms both languages use): a French
# message made only of them may equal its English source.
SAME_IN_BOTH = frozenset(
    {
        "action",
        "actions",
        "api",
        "arguments",
        "code",
        "contact",
        "dimension",
        "direction",
        "e-mail",
        "engagement",
        "export",
        "frustration",
        "format",
        "menu",
        "icc",
        "import",
        "interaction",
        "interactions",
        "invitation",
        "invitations",
        "message",
        "minute",
        "minutes",
        "miroir",
        "moment",
        "moments",
        "nps",
        "options",
        "organisation",
        "pages",
        "participation",
        "publication",
        "publications",
        "question",
        "questionnaire",
        "questionnaires",
        "questions",
        "surprise",
        "r²",
        "sms",
        "source",
        "suggestion",
        "tables",
        "url",
        "version",
        "webhook",
        "webhooks",
    }
)
# Placeholders that hold a limit or a setting (always several), not a count of things.
LIMIT_PLACEHOLDERS = frozenset(
    {
        "max",
        "min",
        "size",
        "limit",
        "threshold",
        "needed",
        "length",
        "locked_for",
        "days",
        "scores",
        "verbatims",
    }
)
PLACEHOLDER = re.compile(r"%(?:\((\w+)\))?[-#0 +]?\d*(?:\.\d+)?([sdif])|\{(\w*)\}")
# A number followed, within one word, by a plural noun ("3 new answers", "3 nouvelles
# réponses"): an integer placeholder, or a text one whose name says it counts.
COUNTS = r"%\((\w+)\)d|%\((count|n|total|shown|units)\)s"
COUNTED = {
    "en": re.compile(rf"(?:{COUNTS})\s+(?:[a-z-]+\s+)?(?!(?:was|is|has|its|this|as)\b)[a-z-]+s\b"),
    "fr": re.compile(
        rf"(?:{COUNTS})\s+(?:[\wàâéèêîôûç'-]+\s+)?"
        r"(?!(?:dans|sur|sous|plus|pas|depuis|mais|des|les|aux|ses|vos|nos)\b)[\wàâéèêîôûç'-]+[sx]\b"
    ),
}


@dataclass
class Entry:
    msgid: str
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    fuzzy: bool = False


def _unquote(text: str) -> str:
    return ast.literal_eval(f'"{text}"')


def catalog(language: str) -> list[Entry]:
    """Return the entries of a language's ``django.po`` (the header left out)."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] = ("msgid", 0)
    fuzzy = False
    path = LOCALE / language / "LC_MESSAGES" / "django.po"
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if current is not None and current.msgid:
                entries.append(current)
            current, fuzzy = None, False
            continue
        if line.startswith("#,"):
            fuzzy = "fuzzy" in line
            continue
        if line.startswith("#"):
            continue
        if current is None:
            current = Entry(msgid="", fuzzy=fuzzy)
        keyword = re.match(r'(msgid_plural|msgid|msgctxt|msgstr(?:\[(\d+)\])?) "(.*)"$', line)
        if keyword:
            name, index, text = keyword.group(1), int(keyword.group(2) or 0), keyword.group(3)
            target = ("msgstr", index) if name.startswith("msgstr") else (name, 0)
            if target[0] == "msgstr":
                current.msgstr[index] = ""
        else:
            text = re.match(r'"(.*)"$', line).group(1)
        name, index = target
        if name == "msgstr":
            current.msgstr[index] += _unquote(text)
        elif name == "msgid":
            current.msgid += _unquote(text)
        elif name == "msgid_plural":
            current.msgid_plural = (current.msgid_plural or "") + _unquote(text)
    return entries


def _words(text: str) -> list[str]:
    text = PLACEHOLDER.sub(" ", re.sub(r"<[^>]+>", " ", text))
    return [word for word in re.findall(r"[\w²'-]+", text.lower()) if not word.isdigit()]


def _pairs(entry: Entry) -> list[tuple[str, str]]:
    """Return (English source, French text) for every form of an entry."""
    if entry.msgid_plural is None:
        return [(entry.msgid, entry.msgstr.get(0, ""))]
    return [
        (entry.msgid if index == 0 else entry.msgid_plural, text)
        for index, text in sorted(entry.msgstr.items())
    ]


def french_left_in_english(entries: list[Entry]) -> list[str]:
    """Return the French messages that are their English source, unless same in both."""
    return [
        french
        for entry in entries
        for english, french in _pairs(entry)
        if french == english and not set(_words(french)) <= SAME_IN_BOTH
    ]


def counted_without_plural(entries: list[Entry], language: str) -> list[str]:
    """Return the messages that count things with one form for every number.

    The English source is read for "en", the French translation for "fr".
    """
    found = []
    for entry in entries:
        if entry.msgid_plural is not None:
            continue
        text = entry.msgid if language == "en" else entry.msgstr.get(0, "")
        names = [match.group(1) or match.group(2) for match in COUNTED[language].finditer(text)]
        if any(name not in LIMIT_PLACEHOLDERS for name in names):
            found.append(text)
    return found


def missing_spaces(text: str) -> list[str]:
    """Return the places where French punctuation lacks its non-breaking space.

    Before « : ; ! ? » and after « comes a no-break space (U+00A0 or the narrow U+202F),
    never an ordinary space nor nothing. Placeholders stand for a word; markup, URLs and
    times (15:30) are left out.
    """
    text = re.sub(r"<[^>]+>|https?://\S+|\d+(?::\d+)+", " ", text)
    text = PLACEHOLDER.sub("x", text)
    no_break = "\u00a0\u202f"
    found = [
        text[max(0, match.start() - 12) : match.end() + 4]
        for match in re.finditer(r"[:;!?»]", text)
        if match.start() > 0
        and text[match.start() - 1] not in no_break
        # "?" or "!" right after another one, or ":" in "--option:value", are not pauses.
        and text[match.start() - 1] not in "!?-"
    ]
    found += [
        text[match.start() : match.end() + 12]
        for match in re.finditer(r"«", text)
        if text[match.end() : match.end() + 1] not in no_break
    ]
    return found


@pytest.fixture(scope="module")
def french() -> list[Entry]:
    return catalog("fr")


@pytest.fixture(scope="module")
def english() -> list[Entry]:
    return catalog("en")


def test_no_french_message_is_left_in_english(french):
    assert french_left_in_english(french) == []


def test_the_english_catalog_copies_every_source(english):
    wrong = [
        (source, text)
        for entry in english
        for source, text in _pairs(entry)
        if text != source or entry.fuzzy
    ]
    assert wrong == []


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_plural_message_has_both_forms(language):
    incomplete = [
        entry.msgid
        for entry in catalog(language)
        if entry.msgid_plural is not None
        and (sorted(entry.msgstr) != [0, 1] or not all(entry.msgstr.values()))
    ]
    assert incomplete == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_messages_that_count_things_have_plural_forms(language):
    assert counted_without_plural(catalog(language), language) == []


def test_french_punctuation_has_its_non_breaking_space(french):
    wrong = {
        text: places
        for entry in french
        for _source, text in _pairs(entry)
        if (places := missing_spaces(text))
    }
    assert wrong == {}


# -- the rules themselves ------------------------------------------------------------------


def test_an_english_word_left_in_french_is_found():
    entries = [Entry("Top box (%)", msgstr={0: "Top box (%)"}), Entry("Code", msgstr={0: "Code"})]
    assert french_left_in_english(entries) == ["Top box (%)"]


def test_a_count_without_plural_form_is_found():
    entries = [
        Entry("My voices (%(count)d new answers)", msgstr={0: "x"}),
        Entry("At most %(max)d characters.", msgstr={0: "x"}),
        Entry("%(count)d answer", "%(count)d answers", {0: "x", 1: "y"}),
        Entry("%(shown)s of the %(total)s comments", msgstr={0: "%(shown)s commentaires"}),
    ]
    assert counted_without_plural(entries, "en") == [
        "My voices (%(count)d new answers)",
        "%(shown)s of the %(total)s comments",
    ]
    assert counted_without_plural(entries, "fr") == ["%(shown)s commentaires"]


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("Canaux : e-mail", True),
        ("Canaux: e-mail", True),
        ("Merci !", True),
        ("« %(name)s »", True),
        ("Canaux\u00a0: e-mail", False),
        ("Merci\u202f!", False),
        ("«\u00a0%(name)s\u00a0»", False),
        ("à 15:30, voir https://example.org/?a=1", False),
    ],
)
def test_the_space_rule_sees_ordinary_and_missing_spaces(text, wrong):
    assert bool(missing_spaces(text)) is wrong
