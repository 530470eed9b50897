from __future__ import annotations

from pathlib import Path

import pytest

from tests.demo.support import SMALL, run_demo


@pytest.fixture
def data_dir(settings, tmp_path: Path) -> Path:
    # The truth file goes to DATA_DIR: keep it out of the developer's data folder.
    settings.DATA_DIR = tmp_path
    return tmp_path


@pytest.fixture
def small_demo(db: None, data_dir: Path) -> str:
    """Return the output of a small demo (2 regions, 6 shops) generated for the test."""
    return run_demo(*SMALL)
