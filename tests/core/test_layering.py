"""The layers of ``src/miroir`` hold: no import cycle, no read importing a write, no huge module.

The imports are read from the source with ``ast`` (``tests/core/layering.py``), nothing is
imported: top-level imports and those inside functions (a hidden import is still a
dependency), relative ones, ``from package import submodule`` (an edge to the submodule) and
``import_module("literal")``. Imports under ``if TYPE_CHECKING:`` are left out: they never run.

**Packages.** A package's ``__init__`` importing its submodules counts as an edge, like any
import. Importing ``a.b.c`` does *not* add edges to ``a`` and ``a.b``, although Python runs
their ``__init__`` first: otherwise every package re-exporting its submodules (a
``selectors/__init__`` gathering ``selectors/units``…) would be in a cycle with each of them.
A submodule importing names from its own package's ``__init__`` that imports it back is
still a cycle, and is reported.

**Inverting a dependency.** When a lower app must reach a higher one (the results read the
voices' listening figures), the higher one registers a function with the lower one at start-up
(``register_voice_source``); the channels and periodic-job registries load their entries by
a computed name. Neither is an import edge, which is the point.

The rules: no import cycle between modules; a read module (``selectors``, or any module in a
``selectors`` package) imports no write module (``services``, or any module in a ``services``
package); no module longer than ``MAX_LINES``.
"""

from __future__ import annotations

from pathlib import Path

from tests.core.layering import describe, import_cycles, import_edges, module_files

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = "miroir"
MAX_LINES = 1600


def _is(kind: str, module: str) -> bool:
    return kind in module.split(".")[1:]


def test_no_module_of_miroir_imports_itself_back():
    cycles = import_cycles(import_edges(SRC, PACKAGE))
    report = [
        f"modules importing each other: {', '.join(sorted({e.source for c in group for e in c}))}\n"
        + "\n".join(f"  {describe(cycle)}" for cycle in group)
        for group in cycles
    ]
    assert not report, "\n".join(report)


def test_no_read_module_imports_a_write_module():
    edges = import_edges(SRC, PACKAGE)
    wrong = [
        f"{edge.source} (line {edge.line}) imports {edge.target}"
        for edge in edges
        if _is("selectors", edge.source) and _is("services", edge.target)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_module_is_longer_than_the_limit():
    lengths = {
        module: len(path.read_text(encoding="utf-8").splitlines())
        for module, path in module_files(SRC, PACKAGE).items()
    }
    long = [f"{module}: {lines} lines" for module, lines in lengths.items() if lines > MAX_LINES]
    assert not long, "\n".join(long)


# The detector itself, on a small package written for the purpose.


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_a_cycle_through_an_import_inside_a_function_is_found(tmp_path):
    root = _package(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/services.py": "from shop.tasks import send\n",
            "shop/tasks.py": "def send():\n    from shop import services\n    return services\n",
            "shop/models.py": "X = 1\n",
        },
    )
    (group,) = import_cycles(import_edges(root, "shop"))
    assert [describe(cycle) for cycle in group] == [
        "shop.services (line 1) → shop.tasks (line 2) → shop.services"
    ]


def test_relative_imports_and_submodules_named_in_from_imports_are_edges(tmp_path):
    root = _package(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/models.py": "",
            "shop/sales/__init__.py": "",
            "shop/sales/selectors.py": "from .. import models\nfrom ..sales import services\n",
            "shop/sales/services.py": "import shop.models\nfrom importlib import import_module\n"
            "def f():\n    return import_module('shop.sales.selectors')\n",
        },
    )
    edges = {(edge.source, edge.target) for edge in import_edges(root, "shop")}
    assert edges == {
        ("shop.sales.selectors", "shop.models"),
        ("shop.sales.selectors", "shop.sales.services"),
        ("shop.sales.services", "shop.models"),
        ("shop.sales.services", "shop.sales.selectors"),
    }
    (group,) = import_cycles(import_edges(root, "shop"))
    assert {edge.source for cycle in group for edge in cycle} == {
        "shop.sales.selectors",
        "shop.sales.services",
    }


def test_type_checking_imports_and_a_package_gathering_its_submodules_are_no_cycle(tmp_path):
    root = _package(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/read/__init__.py": (
                "from shop.read.units import unit\nfrom shop.read.waves import wave\n"
            ),
            "shop/read/units.py": "from shop.read.waves import wave\ndef unit(): return wave()\n",
            "shop/read/waves.py": "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from shop.read.units import unit\n"
            "def wave(): return 1\n",
        },
    )
    assert import_cycles(import_edges(root, "shop")) == []
    # A submodule taking a name from its own package's __init__, which imports it: a cycle.
    (root / "shop/read/waves.py").write_text("from shop.read import unit\n", encoding="utf-8")
    (group,) = import_cycles(import_edges(root, "shop"))
    assert {edge.source for cycle in group for edge in cycle} == {
        "shop.read",
        "shop.read.units",
        "shop.read.waves",
    }
