"""Answer scales: which values an item accepts, how they are offered, and how they count.

Pure Python on purpose (no Django import): the respondent pages, the API, the catalog
loader and the analytics all validate and count answers with the same rules. Scale
labels are bilingual data (French and English), like instrument texts, not gettext
messages. The scales and the emotion set are documented in ``docs/instruments.md``.

A scale instance is bound to one item's settings (its options, its length limit,
whether it offers "don't know"); ``scale_get`` builds it from the registry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from miroir.core.characters import text_clean

Label = Mapping[str, str]

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

# The form value of a "don't know" answer; validation turns it into None, a value that
# no scale ever returns otherwise, so "don't know" stays distinct from every real answer.
DONT_KNOW = "dont_know"
DONT_KNOW_LABEL: Label = {"fr": "Je ne sais pas", "en": "Don't know"}

FREE_TEXT_DEFAULT_LENGTH = 1000
FREE_TEXT_MAX_LENGTH = 2000

_ASCII_INTEGER = re.compile(r"[0-9]{1,3}", re.ASCII)
_OPTION_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}", re.ASCII)


def gettext_noop(message: str) -> str:
    """Return ``message`` unchanged; the name marks it for the translation catalogs.

    Django's ``makemessages`` extracts calls by this name, so error messages written
    here are translated by the callers without this module importing Django.
    """
    return message


def pick(label: Label, language: str | None) -> str:
    """Return the label's text in ``language``, falling back to French when it is missing."""
    code = (language or DEFAULT_LANGUAGE)[:2].lower()
    return label.get(code) or label.get(DEFAULT_LANGUAGE, "")


def is_blank(raw: Any) -> bool:
    """Return whether a raw answer is no answer at all (missing or only spaces)."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


class ScaleValueError(ValueError):
    """A raw answer the scale refuses; ``reason`` is ``blank``, ``choice`` or ``too_long``.

    ``limit`` is the length limit a ``too_long`` text went over.
    """

    def __init__(
        self,
        scale: str,
        raw: Any,
        accepted: str,
        *,
        reason: str = "choice",
        limit: int | None = None,
    ) -> None:
        self.scale = scale
        self.raw = raw
        self.accepted = accepted
        self.reason = reason
        self.limit = limit
        shown = repr(raw) if not isinstance(raw, str) else f'"{raw[:40]}"'
        if reason == "blank":
            message = f"{scale}: no answer given; expected {accepted}"
        else:
            message = f"{scale}: {shown} is not accepted; expected {accepted}"
        super().__init__(message)


class Scale:
    """One kind of answer. Subclasses set the class attributes and ``_validate``."""

    code: ClassVar[str]
    name: ClassVar[Label]
    is_numeric: ClassVar[bool] = True
    supports_dont_know: ClassVar[bool] = False
    # False where a low value is the good one (the older effort score).
    higher_is_better: ClassVar[bool] = True
    top_values: ClassVar[frozenset[Any]] = frozenset()
    top2_values: ClassVar[frozenset[Any]] = frozenset()

    def __init__(self, *, allow_dont_know: bool = False) -> None:
        if allow_dont_know and not self.supports_dont_know:
            raise ValueError(f'{self.code}: this scale has no "don\'t know" option')
        self.allow_dont_know = allow_dont_know

    def __repr__(self) -> str:
        return f"<Scale {self.code}>"

    @property
    def accepted(self) -> str:
        """Return the accepted values, in words, for error messages."""
        raise NotImplementedError

    def validate(self, raw: Any) -> Any:
        """Return the value to store for ``raw``, or raise ``ScaleValueError``.

        A "don't know" answer (``DONT_KNOW``) gives None where the item allows it.
        """
        if is_blank(raw):
            raise ScaleValueError(self.code, raw, self.accepted, reason="blank")
        if isinstance(raw, str) and raw.strip() == DONT_KNOW:
            if self.allow_dont_know:
                return None
            raise ScaleValueError(self.code, raw, self.accepted)
        return self._validate(raw)

    def _validate(self, raw: Any) -> Any:
        raise NotImplementedError

    def values(self) -> list[Any]:
        """Return the values offered, in display order (empty for free text)."""
        return []

    def label(self, value: Any, language: str | None) -> str:
        """Return the label of one value."""
        return str(value)

    def options(self, language: str | None) -> list[tuple[Any, str]]:
        """Return the (value, label) pairs offered to the respondent, "don't know" last."""
        pairs = [(value, self.label(value, language)) for value in self.values()]
        if self.allow_dont_know:
            pairs.append((DONT_KNOW, pick(DONT_KNOW_LABEL, language)))
        return pairs

    def anchors(self, language: str | None) -> tuple[str, str] | None:
        """Return the words for both ends of a numbered scale, or None when labels suffice."""
        return None

    def top_box(self, value: Any) -> bool | None:
        """Return whether the value is in the top box; None for "don't know" or no such rule."""
        if value is None or not self.top_values:
            return None
        return value in self.top_values

    def top2_box(self, value: Any) -> bool | None:
        """Return whether the value is in the two best boxes; None as for ``top_box``."""
        if value is None or not self.top2_values:
            return None
        return value in self.top2_values


class PointScale(Scale):
    """Whole numbers from ``low`` to ``high``; ``labels`` names every point or none."""

    low: ClassVar[int]
    high: ClassVar[int]
    labels: ClassVar[Mapping[int, Label]] = {}

    @property
    def accepted(self) -> str:
        extra = ' or "dont_know"' if self.allow_dont_know else ""
        return f"a whole number from {self.low} to {self.high}{extra}"

    def _validate(self, raw: Any) -> int:
        # bool is an int in Python: True must not pass for 1.
        if isinstance(raw, bool):
            raise ScaleValueError(self.code, raw, self.accepted)
        if isinstance(raw, int):
            value = raw
        elif isinstance(raw, str) and _ASCII_INTEGER.fullmatch(raw.strip()):
            value = int(raw.strip())
        else:
            raise ScaleValueError(self.code, raw, self.accepted)
        if not self.low <= value <= self.high:
            raise ScaleValueError(self.code, raw, self.accepted)
        return value

    def values(self) -> list[Any]:
        return list(range(self.low, self.high + 1))

    def label(self, value: Any, language: str | None) -> str:
        if value in self.labels:
            return pick(self.labels[value], language)
        return str(value)


class NpsScale(PointScale):
    code = "nps"
    name = {"fr": "Recommandation (NPS, 0 à 10)", "en": "Recommendation (NPS, 0 to 10)"}
    low, high = 0, 10
    top_values = frozenset({9, 10})

    def anchors(self, language: str | None) -> tuple[str, str]:
        return (
            pick({"fr": "0 = pas du tout probable", "en": "0 = not at all likely"}, language),
            pick({"fr": "10 = extrêmement probable", "en": "10 = extremely likely"}, language),
        )

    @staticmethod
    def bucket(value: int | None) -> str | None:
        """Return ``detractor`` (0-6), ``passive`` (7-8) or ``promoter`` (9-10)."""
        if value is None:
            return None
        if value <= 6:
            return "detractor"
        return "passive" if value <= 8 else "promoter"


class Agree5Scale(PointScale):
    code = "agree5"
    name = {"fr": "Accord en 5 points", "en": "5-point agreement"}
    low, high = 1, 5
    supports_dont_know = True
    labels = {
        1: {"fr": "Pas du tout d'accord", "en": "Strongly disagree"},
        2: {"fr": "Plutôt pas d'accord", "en": "Somewhat disagree"},
        3: {"fr": "Ni d'accord ni pas d'accord", "en": "Neither agree nor disagree"},
        4: {"fr": "Plutôt d'accord", "en": "Somewhat agree"},
        5: {"fr": "Tout à fait d'accord", "en": "Strongly agree"},
    }
    top_values = frozenset({5})
    top2_values = frozenset({4, 5})


class Csat5Scale(PointScale):
    code = "csat5"
    name = {"fr": "Satisfaction en 5 points (CSAT)", "en": "5-point satisfaction (CSAT)"}
    low, high = 1, 5
    labels = {
        1: {"fr": "Très insatisfait", "en": "Very dissatisfied"},
        2: {"fr": "Insatisfait", "en": "Dissatisfied"},
        3: {"fr": "Ni satisfait ni insatisfait", "en": "Neither satisfied nor dissatisfied"},
        4: {"fr": "Satisfait", "en": "Satisfied"},
        5: {"fr": "Très satisfait", "en": "Very satisfied"},
    }
    top_values = frozenset({5})
    # The CSAT headline: "satisfied" means 4 or 5.
    top2_values = frozenset({4, 5})


class Ces7Scale(PointScale):
    code = "ces7"
    name = {
        "fr": "Effort client en 7 points (« c'était facile »)",
        "en": "7-point customer effort (“it was easy”)",
    }
    low, high = 1, 7
    labels = {
        1: {"fr": "Pas du tout d'accord", "en": "Strongly disagree"},
        2: {"fr": "Pas d'accord", "en": "Disagree"},
        3: {"fr": "Plutôt pas d'accord", "en": "Somewhat disagree"},
        4: {"fr": "Ni d'accord ni pas d'accord", "en": "Neither agree nor disagree"},
        5: {"fr": "Plutôt d'accord", "en": "Somewhat agree"},
        6: {"fr": "D'accord", "en": "Agree"},
        7: {"fr": "Tout à fait d'accord", "en": "Strongly agree"},
    }
    top_values = frozenset({7})
    top2_values = frozenset({6, 7})


class Ces5Scale(PointScale):
    """The older effort question (1 = very low effort): never pooled with ``ces7``."""

    code = "ces5"
    name = {
        "fr": "Effort client en 5 points (ancienne version)",
        "en": "5-point customer effort (older version)",
    }
    low, high = 1, 5
    higher_is_better = False
    labels = {
        1: {"fr": "Très peu d'effort", "en": "Very low effort"},
        2: {"fr": "Peu d'effort", "en": "Low effort"},
        3: {"fr": "Un effort modéré", "en": "Moderate effort"},
        4: {"fr": "Beaucoup d'effort", "en": "High effort"},
        5: {"fr": "Énormément d'effort", "en": "Very high effort"},
    }
    # The best boxes are the low-effort ones.
    top_values = frozenset({1})
    top2_values = frozenset({1, 2})


# The emotion set: positive first, one neutral, then negative; each with its valence.
EMOTIONS: dict[str, tuple[int, Label]] = {
    "enthusiastic": (1, {"fr": "Enthousiaste", "en": "Enthusiastic"}),
    "reassured": (1, {"fr": "Rassuré·e", "en": "Reassured"}),
    "neutral": (0, {"fr": "Neutre", "en": "Neutral"}),
    "worried": (-1, {"fr": "Inquiet·ète", "en": "Worried"}),
    "frustrated": (-1, {"fr": "Frustré·e", "en": "Frustrated"}),
    "angry": (-1, {"fr": "En colère", "en": "Angry"}),
}


class EmotionScale(Scale):
    code = "emotion"
    name = {"fr": "Émotion ressentie", "en": "Emotion felt"}
    is_numeric = False

    @property
    def accepted(self) -> str:
        return "one of " + ", ".join(EMOTIONS)

    def _validate(self, raw: Any) -> str:
        if isinstance(raw, str) and raw.strip() in EMOTIONS:
            return raw.strip()
        raise ScaleValueError(self.code, raw, self.accepted)

    def values(self) -> list[Any]:
        return list(EMOTIONS)

    def label(self, value: Any, language: str | None) -> str:
        return pick(EMOTIONS[value][1], language)

    @staticmethod
    def valence(value: str | None) -> int | None:
        """Return +1, 0 or -1 for an emotion code (None for no answer)."""
        return None if value is None else EMOTIONS[value][0]


class YesNoScale(Scale):
    """Stored as 1 (yes) and 0 (no), so that a mean is the share of yes."""

    code = "yes_no"
    name = {"fr": "Oui / non", "en": "Yes / no"}
    top_values = frozenset({1})
    _LABELS: ClassVar[dict[int, Label]] = {
        1: {"fr": "Oui", "en": "Yes"},
        0: {"fr": "Non", "en": "No"},
    }
    _WORDS: ClassVar[dict[str, int]] = {"yes": 1, "1": 1, "no": 0, "0": 0}

    @property
    def accepted(self) -> str:
        return '"yes" (1) or "no" (0)'

    def _validate(self, raw: Any) -> int:
        if isinstance(raw, bool):
            return int(raw)
        if isinstance(raw, int) and raw in (0, 1):
            return raw
        if isinstance(raw, str) and raw.strip().lower() in self._WORDS:
            return self._WORDS[raw.strip().lower()]
        raise ScaleValueError(self.code, raw, self.accepted)

    def values(self) -> list[Any]:
        return [1, 0]

    def label(self, value: Any, language: str | None) -> str:
        return pick(self._LABELS[value], language)


class SingleChoiceScale(Scale):
    """One option among the item's own list of ``{"code", "fr", "en"}``."""

    code = "single_choice"
    name = {"fr": "Choix unique", "en": "Single choice"}
    is_numeric = False

    def __init__(
        self, *, options: Iterable[Mapping[str, str]] = (), allow_dont_know: bool = False
    ) -> None:
        super().__init__(allow_dont_know=allow_dont_know)
        self.choices = {option["code"]: option for option in options}

    @staticmethod
    def check_options(options: Any) -> list[tuple[str, str, dict[str, Any]]]:
        """Return what is wrong with an option list, as (where, message, params) triples.

        ``where`` is the path inside the list (``[2].code``); ``message % params`` reads in
        English, and callers translate ``message`` first (it is in the catalogs).
        """
        if not isinstance(options, list) or len(options) < 2:
            return [("", gettext_noop("a single choice needs at least 2 options"), {})]
        problems: list[tuple[str, str, dict[str, Any]]] = []
        seen: set[str] = set()
        for index, option in enumerate(options):
            if not isinstance(option, Mapping):
                problems.append((f"[{index}]", gettext_noop("expected an object"), {}))
                continue
            for key in sorted(set(option) - {"code", "fr", "en"}):
                problems.append((f"[{index}]", gettext_noop("unknown key “%(key)s”"), {"key": key}))
            code = option.get("code")
            if not isinstance(code, str) or not _OPTION_CODE.fullmatch(code):
                problems.append(
                    (
                        f"[{index}].code",
                        gettext_noop(
                            "“%(value)s” is not a valid code: lower-case letters, "
                            "digits, - and _, at most %(max)d characters"
                        ),
                        {"value": code, "max": 64},
                    )
                )
            elif code == DONT_KNOW:
                problems.append(
                    (f"[{index}].code", gettext_noop("“%(code)s” is reserved"), {"code": code})
                )
            elif code in seen:
                problems.append(
                    (f"[{index}].code", gettext_noop("“%(code)s” is used twice"), {"code": code})
                )
            seen.add(code)
            if not isinstance(option.get("fr"), str) or not option["fr"].strip():
                problems.append((f"[{index}].fr", gettext_noop("required"), {}))
            if not isinstance(option.get("en", ""), str):
                problems.append((f"[{index}].en", gettext_noop("expected text"), {}))
        return problems

    @property
    def accepted(self) -> str:
        return "one of " + ", ".join(self.choices)

    def _validate(self, raw: Any) -> str:
        if isinstance(raw, str) and raw.strip() in self.choices:
            return raw.strip()
        raise ScaleValueError(self.code, raw, self.accepted)

    def values(self) -> list[Any]:
        return list(self.choices)

    def label(self, value: Any, language: str | None) -> str:
        return pick(self.choices[value], language)


class FreeTextScale(Scale):
    code = "free_text"
    name = {"fr": "Texte libre", "en": "Free text"}
    is_numeric = False

    def __init__(self, *, max_length: int | None = None, allow_dont_know: bool = False) -> None:
        super().__init__(allow_dont_know=allow_dont_know)
        max_length = FREE_TEXT_DEFAULT_LENGTH if max_length is None else max_length
        if isinstance(max_length, bool) or not 1 <= max_length <= FREE_TEXT_MAX_LENGTH:
            raise ValueError(
                f"free_text: max_length must be from 1 to {FREE_TEXT_MAX_LENGTH}, "
                f"got {max_length!r}"
            )
        self.max_length = max_length

    @property
    def accepted(self) -> str:
        return f"a text of at most {self.max_length} characters"

    def _validate(self, raw: Any) -> str:
        if not isinstance(raw, str):
            raise ScaleValueError(self.code, raw, self.accepted)
        text = clean_text(raw)
        if not text:
            raise ScaleValueError(self.code, raw, self.accepted, reason="blank")
        if len(text) > self.max_length:
            raise ScaleValueError(
                self.code, raw, self.accepted, reason="too_long", limit=self.max_length
            )
        return text


def clean_text(raw: str) -> str:
    """Return the text with control characters removed (line breaks and tabs kept), trimmed.

    Control characters have no place in a comment and some of them break CSV
    exports and terminals that later display verbatims.
    """
    text = text_clean(raw).replace("\r\n", "\n").replace("\r", "\n")
    # Lone surrogates (Cs) cannot be stored either; the request guard refuses them first.
    text = "".join(
        char for char in text if char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cs")
    )
    return text.strip()


SCALES: dict[str, type[Scale]] = {
    scale.code: scale
    for scale in (
        NpsScale,
        Agree5Scale,
        Csat5Scale,
        Ces7Scale,
        Ces5Scale,
        EmotionScale,
        YesNoScale,
        SingleChoiceScale,
        FreeTextScale,
    )
}


def scale_codes() -> list[str]:
    """Return the codes of every known scale, in registry order."""
    return list(SCALES)


def scale_get(
    code: str,
    *,
    options: Iterable[Mapping[str, str]] | None = None,
    max_length: int | None = None,
    allow_dont_know: bool = False,
) -> Scale:
    """Return the scale ``code`` bound to one item's settings; ValueError if unknown."""
    kind = SCALES.get(code)
    if kind is None:
        raise ValueError(f'unknown scale "{code}"; known scales: {", ".join(SCALES)}')
    if kind is SingleChoiceScale:
        return SingleChoiceScale(options=options or (), allow_dont_know=allow_dont_know)
    if kind is FreeTextScale:
        return FreeTextScale(max_length=max_length, allow_dont_know=allow_dont_know)
    return kind(allow_dont_know=allow_dont_know)
