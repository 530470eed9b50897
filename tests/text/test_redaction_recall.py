"""Recall and false removals of the name redaction on a labelled set written for it.

``tests/text/labelled/redaction.json``: French and English texts of customers and staff, each
with the people's names it holds (none for about half), redacted without any member list — the
case of a name the organisation does not know. ``pytest tests/text/test_redaction_recall.py -s``
prints the figures; docs/text.md quotes them.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from miroir.text import redact_many
from miroir.text.tokens import fold

LABELLED = Path(__file__).parent / "labelled" / "redaction.json"
HELD_OUT = Path(__file__).parent / "labelled" / "redaction_heldout.json"
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
NAMES = Path(__file__).parents[2] / "src" / "miroir" / "text" / "wordlists" / "names.json"

# The floors the rules must keep (measured: see docs/text.md).
RECALL_FLOOR = 0.95
HELD_OUT_RECALL_FLOOR = 0.85
FALSE_REMOVAL_CEILING = 0.01
UNTOUCHED_FLOOR = 0.90


@dataclass
class Tally:
    names: int = 0
    found: int = 0
    words: int = 0
    removed: int = 0
    clean: int = 0
    untouched: int = 0
    misses: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.found / self.names if self.names else 1.0

    @property
    def false_removals(self) -> float:
        return self.removed / self.words if self.words else 0.0

    @property
    def untouched_share(self) -> float:
        return self.untouched / self.clean if self.clean else 1.0


def _score(tally: Tally, text: str, names: list[str], output: str) -> None:
    """Add one case: each name is found when none of its words is left; every other word
    of the text must still be there as often as before."""
    left = Counter(_WORD.findall(output))
    name_words: Counter[str] = Counter()
    for name in names:
        name_words.update(_WORD.findall(name))
        words = [w for w in _WORD.findall(name) if len(w) > 1]
        tally.names += 1
        if any(left[w] for w in words):
            tally.misses.append(f"{name!r} in {output!r}")
        else:
            tally.found += 1
    others = Counter(_WORD.findall(text)) - name_words
    for word, count in others.items():
        tally.words += count
        missing = max(0, count - left[word])
        tally.removed += missing
        if missing:
            tally.wrong.append(f"{word!r} in {output!r}")
    if not names:
        tally.clean += 1
        tally.untouched += output == text


def _listed(name: str) -> bool:
    """Whether the first word of ``name`` is in the bundled first-name list."""
    first = fold(_WORD.findall(name)[0])
    return first in {fold(n) for n in json.loads(NAMES.read_text("utf-8"))["first_names"]}


def _measure(path: Path) -> dict[str, Tally]:
    cases = json.loads(path.read_text("utf-8"))["cases"]
    tallies: dict[str, Tally] = {}
    for language in ("fr", "en"):
        chosen = [c for c in cases if c["language"] == language]
        outputs = redact_many([c["text"] for c in chosen], language=language)
        for case, output in zip(chosen, outputs, strict=True):
            for key in ("all", language, f"{language} {case['source']}"):
                _score(tallies.setdefault(key, Tally()), case["text"], case["names"], output)
            unlisted = [name for name in case["names"] if not _listed(name)]
            if unlisted:
                # Names no list knows: found by context, signature or the model only.
                _score(tallies.setdefault("not in list", Tally()), "", unlisted, output)
    return tallies


def _print(title: str, tallies: dict[str, Tally]) -> None:
    print(f"\nName redaction on {title} (no member list):")
    print(f"{'set':<13}{'names':>6}{'recall':>8}{'words':>7}{'false rem.':>11}{'clean':>6}")
    for key, t in tallies.items():
        words = f"{t.words:>7}{t.false_removals:>11.4f}{t.untouched_share:>6.2f}" if t.words else ""
        print(f"{key:<13}{t.names:>6}{t.recall:>8.3f}{words}")
    for miss in tallies["all"].misses:
        print("  missed:", miss)
    for wrong in tallies["all"].wrong:
        print("  removed:", wrong)


def test_the_labelled_sets_are_large_and_varied_enough():
    held_out = json.loads(HELD_OUT.read_text("utf-8"))["cases"]
    assert len(held_out) >= 50
    cases = json.loads(LABELLED.read_text("utf-8"))["cases"]
    assert len(cases) >= 200
    kinds = Counter((c["language"], c["source"], bool(c["names"])) for c in cases)
    assert len(kinds) == 8 and min(kinds.values()) >= 15
    for case in cases:
        for name in case["names"]:
            assert name in case["text"], name


@pytest.mark.parametrize(
    ("path", "recall_floor"),
    [(LABELLED, RECALL_FLOOR), (HELD_OUT, HELD_OUT_RECALL_FLOOR)],
    ids=["tuning set", "held-out set"],
)
def test_recall_and_false_removals_on_the_labelled_sets(capsys, path, recall_floor):
    tallies = _measure(path)
    with capsys.disabled():
        _print(f"tests/text/labelled/{path.name}", tallies)
    total = tallies["all"]
    assert total.recall >= recall_floor, total.misses
    assert total.false_removals <= FALSE_REMOVAL_CEILING, total.wrong
    assert total.untouched_share >= UNTOUCHED_FLOOR, total.wrong
