"""The dependencies declared in pyproject.toml are installable as written."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]


def _requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = list(project["dependencies"])
    for group in project["optional-dependencies"].values():
        declared += group
    return [Requirement(line) for line in declared]


def test_every_extra_asked_of_a_dependency_exists():
    # pip only warns about an unknown extra ("does not provide the extra"), and installs
    # without what the extra was meant to bring.
    for requirement in _requirements():
        if not requirement.extras:
            continue
        offered = set(metadata.metadata(requirement.name).get_all("Provides-Extra") or [])
        missing = requirement.extras - offered
        assert not missing, f"{requirement.name} offers no extra {sorted(missing)}"


def test_every_dependency_is_installed_in_a_version_it_accepts():
    for requirement in _requirements():
        version = metadata.version(requirement.name)
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{requirement.name} {version} does not satisfy {requirement.specifier}"
        )
