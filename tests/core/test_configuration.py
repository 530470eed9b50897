from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.core.exceptions import ImproperlyConfigured

from miroir.conf import env_bool, env_int, env_list, env_str

ROOT = Path(__file__).resolve().parents[2]


def _variables_read_by_the_code() -> set[str]:
    names: set[str] = set()
    for path in [*(ROOT / "src").rglob("*.py"), ROOT / "dev"]:
        names |= set(re.findall(r"\bMIROIR_[A-Z_]+[A-Z]\b", path.read_text(encoding="utf-8")))
    # A `_FILE` name is the file variant of another variable, documented once for all.
    return {name for name in names if not name.endswith("_FILE")}


def test_every_variable_is_documented_and_in_the_example():
    documented = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    example = (ROOT / ".env.example").read_text(encoding="utf-8")
    for name in _variables_read_by_the_code():
        assert f"`{name}`" in documented, f"{name} missing from docs/configuration.md"
        assert f"{name}=" in example, f"{name} missing from .env.example"


def test_file_variant_reads_the_secret_from_a_file(tmp_path, monkeypatch):
    secret = tmp_path / "key"
    secret.write_text("from-a-file\n", encoding="utf-8")
    monkeypatch.setenv("MIROIR_SOMETHING_FILE", str(secret))
    monkeypatch.setenv("MIROIR_SOMETHING", "from-the-environment")
    assert env_str("MIROIR_SOMETHING") == "from-a-file"


def test_unreadable_file_variant_names_the_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("MIROIR_SOMETHING_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured, match="MIROIR_SOMETHING_FILE"):
        env_str("MIROIR_SOMETHING")


def test_typed_readers_reject_garbage_with_the_variable_name(monkeypatch):
    monkeypatch.setenv("MIROIR_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="MIROIR_FLAG"):
        env_bool("MIROIR_FLAG", False)
    monkeypatch.setenv("MIROIR_NUMBER", "five")
    with pytest.raises(ImproperlyConfigured, match="MIROIR_NUMBER"):
        env_int("MIROIR_NUMBER", 5)
    monkeypatch.setenv("MIROIR_HOSTS", " a.example , ,b.example")
    assert env_list("MIROIR_HOSTS", []) == ["a.example", "b.example"]
    monkeypatch.setenv("MIROIR_FLAG", "YES")
    assert env_bool("MIROIR_FLAG", False) is True


def test_threshold_below_three_fails_the_system_checks(settings):
    settings.MIROIR_ANONYMITY_THRESHOLD = 2
    ids = {message.id for message in run_checks()}
    assert "miroir.E001" in ids


def test_verbatim_threshold_below_score_threshold_fails_the_system_checks(settings):
    settings.MIROIR_ANONYMITY_THRESHOLD = 5
    settings.MIROIR_VERBATIM_THRESHOLD = 4
    ids = {message.id for message in run_checks()}
    assert "miroir.E002" in ids


def _run_settings(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MIROIR_") and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "miroir.settings"
    return subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120
    )


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = _run_settings(
        {"MIROIR_DATABASE_URL": "postgres://u@127.0.0.1/db", "MIROIR_DATA_DIR": str(tmp_path)},
        "import django; django.setup()",
    )
    assert result.returncode != 0
    assert "MIROIR_SECRET_KEY" in result.stderr


def test_nothing_set_gives_sqlite_in_the_data_folder_and_a_kept_secret_key(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.DATABASES['default']['NAME'], s.DEBUG, "
        "len(s.SECRET_KEY))"
    )
    first = _run_settings({"MIROIR_DATA_DIR": str(tmp_path)}, code)
    assert first.returncode == 0, first.stderr
    engine, name, debug, key_length = first.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert name.startswith(str(tmp_path))
    assert debug == "False"
    assert int(key_length) >= 50
    key = (tmp_path / "secret_key").read_text()
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"
    _run_settings({"MIROIR_DATA_DIR": str(tmp_path)}, code)
    assert (tmp_path / "secret_key").read_text() == key


def test_production_settings_pass_check_deploy(tmp_path):
    result = _run_settings(
        {
            "MIROIR_DATABASE_URL": "postgres://u@127.0.0.1/db",
            "MIROIR_SECRET_KEY": "k" * 20 + "-Zq8#xv!" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
            "MIROIR_SITE_URL": "https://miroir.example.com",
            "MIROIR_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "MIROIR_DATA_DIR": str(tmp_path),
        },
        "import sys; from miroir.cli import main; "
        "main(['check', '--deploy', '--fail-level', 'WARNING'])",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_plain_http_production_is_flagged_by_check_deploy(tmp_path):
    result = _run_settings(
        {
            "MIROIR_DATABASE_URL": "postgres://u@127.0.0.1/db",
            "MIROIR_SECRET_KEY": "k" * 20 + "-Zq8#xv!" + "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6",
            "MIROIR_SITE_URL": "http://miroir.example.com",
            "MIROIR_DATA_DIR": str(tmp_path),
        },
        "from miroir.cli import main; main(['check', '--deploy', '--fail-level', 'WARNING'])",
    )
    assert result.returncode != 0
    assert "miroir.W001" in result.stdout + result.stderr
