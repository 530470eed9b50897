"""Every setting the code reads is defined once, in ``miroir/settings.py`` (or by Django).

The code reads ``settings.NAME`` plainly, never ``getattr(settings, "NAME", default)``: a
default written at the point of use can drift from the one in ``settings.py`` (one did), and
a setting missing from ``settings.py`` would then go unnoticed, undocumented in
``docs/configuration.md`` and ``.env.example``.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import global_settings

import miroir.settings

SRC = Path(__file__).resolve().parents[2] / "src" / "miroir"


def _settings_reads() -> list[tuple[str, int, str, bool]]:
    """Return (file, line, name, through getattr) for each read of a Django setting."""
    reads = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports_settings = any(
            isinstance(node, ast.ImportFrom)
            and node.module == "django.conf"
            and any(alias.name == "settings" and not alias.asname for alias in node.names)
            for node in ast.walk(tree)
        )
        if not imports_settings:
            continue
        where = str(path.relative_to(SRC.parent))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "settings"
                and node.attr.isupper()
            ):
                reads.append((where, node.lineno, node.attr, False))
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr")
                and node.args
                and isinstance(node.args[0], ast.Name)
                and node.args[0].id == "settings"
            ):
                name = node.args[1].value if isinstance(node.args[1], ast.Constant) else "?"
                reads.append((where, node.lineno, str(name), True))
    return reads


def test_every_setting_read_is_defined_in_settings_or_by_django():
    missing = [
        f"{where}:{line}: {name}"
        for where, line, name, _getattr in _settings_reads()
        if not hasattr(miroir.settings, name) and not hasattr(global_settings, name)
    ]
    assert not missing, "\n".join(missing)


def test_settings_are_read_plainly_not_through_getattr_with_a_default():
    found = [
        f"{where}:{line}: {name}"
        for where, line, name, through_getattr in _settings_reads()
        if through_getattr
    ]
    assert not found, "\n".join(found)
