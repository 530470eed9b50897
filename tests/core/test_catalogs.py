"""The French and English catalogs are complete, compiled, and current with the code."""

from __future__ import annotations

import gettext
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "miroir"
LANGUAGES = ["fr", "en"]

pytestmark = pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed"
)


def _catalog(mo_path: Path) -> dict[object, str]:
    with mo_path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def _compiled(po_path: Path, tmp_path: Path) -> Path:
    target = tmp_path / f"{po_path.parent.parent.name}.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(target), str(po_path)], check=True)
    return target


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    po = PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr
    assert re.search(r"\d+ translated messages", result.stderr)


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalog_matches_its_source(language, tmp_path):
    po = PACKAGE / "locale" / language / "LC_MESSAGES" / "django.po"
    shipped = _catalog(po.with_suffix(".mo"))
    fresh = _catalog(_compiled(po, tmp_path))
    shipped.pop("", None)
    fresh.pop("", None)
    assert shipped == fresh


def test_catalogs_hold_every_string_of_the_code(tmp_path):
    """makemessages on a copy of the package finds no message the catalogs lack."""
    copy = tmp_path / "miroir"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "fr",
            "--no-obsolete",
            "--no-location",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "miroir.settings"},
    )
    # makemessages kept every existing translation: anything new is untranslated or fuzzy.
    stats = subprocess.run(
        [
            "msgfmt",
            "--statistics",
            "-o",
            "/dev/null",
            str(copy / "locale/fr/LC_MESSAGES/django.po"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, stats
