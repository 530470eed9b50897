"""The bundled retail themes and how texts are matched to them."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from miroir.text.tokens import check_language, stems


@dataclass(frozen=True, slots=True)
class Theme:
    """One bundled theme: a stable ``code`` and its label in each language."""

    code: str
    label_fr: str
    label_en: str

    def label(self, language: str = "fr") -> str:
        """Return the theme's label in ``language`` ("fr" or "en")."""
        return self.label_en if check_language(language) == "en" else self.label_fr


@dataclass(frozen=True, slots=True)
class _Catalog:
    themes: tuple[Theme, ...]
    # language → first stem → [(phrase stems, theme code)], longest phrase first
    phrases: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]]


@lru_cache(maxsize=1)
def catalog() -> _Catalog:
    raw = json.loads(
        resources.files("miroir.text").joinpath("wordlists/themes.json").read_text("utf-8")
    )
    themes = []
    phrases: dict[str, dict[str, list[tuple[tuple[str, ...], str]]]] = {"fr": {}, "en": {}}
    for entry in raw["themes"]:
        themes.append(Theme(entry["code"], entry["label"]["fr"], entry["label"]["en"]))
        for language, keywords in entry["keywords"].items():
            for keyword in keywords:
                key = tuple(stems(keyword, language))
                if key:
                    phrases[language].setdefault(key[0], []).append((key, entry["code"]))
    for table in phrases.values():
        for entries in table.values():
            entries.sort(key=lambda e: -len(e[0]))
    return _Catalog(tuple(themes), phrases)


def bundled_themes() -> tuple[Theme, ...]:
    """Return the bundled retail themes, in the order of the theme list."""
    return catalog().themes


def themes_of_stems(words: Sequence[str], language: str) -> list[str]:
    """Return the theme codes whose keywords occur in ``words`` (stems), most hits first."""
    table = catalog().phrases[language]
    hits: Counter[str] = Counter()
    i = 0
    while i < len(words):
        step = 1
        for key, code in table.get(words[i], ()):
            if tuple(words[i : i + len(key)]) == key:
                hits[code] += 1
                step = max(step, len(key))
        i += step
    order = {theme.code: n for n, theme in enumerate(catalog().themes)}
    return sorted(hits, key=lambda code: (-hits[code], order[code]))


def assign_themes(texts: Iterable[str], language: str) -> list[list[str]]:
    """Return, for each text, the codes of the bundled themes it mentions, most hits first."""
    check_language(language)
    return [themes_of_stems(stems(text, language), language) for text in texts]
