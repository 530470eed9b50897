"""No exception's text reaches a page: what cannot be computed is said in the page's language.

The probe met "units must be a whole number of at least 4, got 1" on a French `/results/` page
of a shop manager. The statistics' errors are for developers; a page shows the sentence of
their reason code (`miroir.results.reasons`), and a source scan keeps any other exception's
text away from pages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from miroir import analytics
from miroir.analytics.linkage import LinkageError
from miroir.results import selectors
from miroir.results.reasons import reason_text
from tests.personas import PASSWORD

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "miroir"
SENTINEL = "units must be a whole number of at least 4, got 1"
REASONS = [
    analytics.TOO_FEW_UNITS,
    analytics.TOO_FEW_RESPONDENTS,
    analytics.TOO_FEW_PERIODS,
    analytics.NO_VARIATION,
    analytics.COLLINEAR,
    analytics.INVALID,
]


def _login(client, user, language):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    assert client.login(username=user.email, password=PASSWORD)


def test_a_shop_manager_s_french_results_page_says_what_is_missing(client, results_data):
    _login(client, results_data.shop_manager, "fr")
    response = client.get(reverse("reports:network"))
    assert response.status_code == 200
    html = response.content.decode()
    assert SENTINEL not in html
    assert "got 1" not in html and "must be" not in html
    assert "Impossible de comparer les unités ici\u00a0:" in html
    assert "au moins 4 unités de ce niveau" in html


@pytest.mark.parametrize("reason", REASONS)
@pytest.mark.parametrize("language", ["fr", "en"])
def test_whatever_the_error_says_the_pages_show_only_its_reason(
    client, results_data, monkeypatch, reason, language
):
    def refuse(**kwargs):
        raise LinkageError("SECRET-ENGLISH-TEXT <b>from the statistics</b>", reason=reason)

    monkeypatch.setattr(selectors, "unit_linkage", refuse)
    _login(client, results_data.direction, language)
    with translation.override(language):
        expected = reason_text(reason)
    for name in ("reports:network", "reports:linkage"):
        html = client.get(reverse(name)).content.decode()
        assert "SECRET-ENGLISH-TEXT" not in html, name
        assert expected.replace("'", "&#x27;") in html, name


def test_too_few_units_is_raised_with_its_reason_code(results_data):
    # Lille, Arras and Marseille answered on both sides: below the four a linkage needs.
    with pytest.raises(LinkageError) as caught:
        selectors.unit_linkage(
            unit=results_data.company, period=selectors.results_periods()[-1], level="shop"
        )
    assert caught.value.reason == analytics.TOO_FEW_UNITS


def test_an_unknown_reason_gets_the_general_sentence():
    assert reason_text("something-new") == reason_text(analytics.INVALID)


# -- the rule in the source -------------------------------------------------------------------

# Where an exception's own text may go, and why it never reaches a page from there.
ALLOWED = {
    "conf.py": "settings errors stop the process at start-up, for the operator",
    "results/engine/release.py": "chained into ReleaseFormatError, which is logged and recomputed",
    "results/api.py": "the JSON API's bad-parameter messages, written for integrators",
    "journeys/api.py": "the map API's bad-period message (a PeriodError), written for integrators",
    "accounts/forms.py": "login_identifier's ValueError carries its own translated sentence",
    "collect/phones.py": "re-raised as PhoneInvalid, whose callers say their own sentence",
    "collect/services.py": "an answer problem's `detail`, for logs; the page shows `message`",
    "operations/backup.py": "the backup commands' output, for the operator",
    "demo/services.py": "the demo reset reads the protected objects, shows none",
}


def _leaks(path: Path) -> list[str]:
    """Return where an exception caught as a name is turned into text in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    found = []
    for handler in ast.walk(tree):
        if not isinstance(handler, ast.ExceptHandler) or not handler.name:
            continue
        for node in ast.walk(handler):
            if not (isinstance(node, ast.Name) and node.id == handler.name):
                continue
            parent = parents[node]
            texted = (
                (isinstance(parent, ast.Call) and getattr(parent.func, "id", "") in {"str", "repr"})
                or isinstance(parent, ast.FormattedValue)
                or (isinstance(parent, ast.Dict) and node in parent.values)
                or (isinstance(parent, ast.BinOp) and isinstance(parent.op, ast.Mod))
                or (isinstance(parent, ast.Attribute) and parent.attr == "args")
            )
            if texted:
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_no_exception_text_is_turned_into_page_text_in_the_source():
    leaks = []
    for path in sorted(SRC.rglob("*.py")):
        relative = path.relative_to(SRC).as_posix()
        if "/management/" in relative or relative in ALLOWED:
            continue
        leaks += _leaks(path)
    assert leaks == [], "an exception's text may reach a page: " + ", ".join(leaks)


def test_the_scan_sees_each_way_of_turning_an_exception_into_text(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "try:\n    pass\nexcept ValueError as error:\n"
        "    a = str(error)\n    b = f'{error}'\n    c = _('x %(e)s') % {'e': error}\n"
        "    d = error.args\n    raise KeyError from error\n",
        encoding="utf-8",
    )
    global SRC
    saved, SRC = SRC, tmp_path
    try:
        assert len(_leaks(sample)) == 4
    finally:
        SRC = saved
