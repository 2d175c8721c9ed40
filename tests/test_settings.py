"""Every CHIDAO_* variable is one typed field of store/settings.Settings, documented in the README,
and read nowhere else; a bad value is one line naming the variable."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from store.settings import Settings, SettingsError, environment, settings

ROOT = Path(__file__).resolve().parent.parent


def test_every_setting_is_in_the_readme_table_and_the_table_names_no_other():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("### Settings", 1)[1].split("\n\n", 2)[1]
    documented = set(re.findall(r"^\| `CHIDAO_([A-Z_]+)`", table, re.M))
    assert documented == {name.upper() for name in Settings.model_fields}


def test_no_module_but_the_settings_reads_the_environment():
    readers = [
        p.relative_to(ROOT).as_posix()
        for package in ("assistant", "store", "embeddings", "ui", "eval")
        for p in (ROOT / package).rglob("*.py")
        if re.search(r"os\.environ|os\.getenv", p.read_text(encoding="utf-8"))
    ]
    assert readers == ["store/settings.py"]


def test_values_are_read_when_asked_and_typed(monkeypatch, tmp_path):
    monkeypatch.setenv("CHIDAO_HOME", str(tmp_path / "h"))
    monkeypatch.setenv("CHIDAO_MAX_FILE_MB", "0.5")
    monkeypatch.setenv("CHIDAO_AUTH", "staff:secret")
    s = settings()
    assert s.home == (tmp_path / "h").resolve() and s.max_file_mb == 0.5
    assert "secret" not in repr(s) and s.auth is not None and s.auth.get_secret_value() == "staff:secret"
    assert environment(query_cache="0")["CHIDAO_QUERY_CACHE"] == "0"
    monkeypatch.setenv("CHIDAO_EMBED_DTYPE", "")  # empty is unset, as it always was
    assert settings().embed_dtype is None
    monkeypatch.setenv("CHIDAO_MAX_FILE_MB", "0.25")  # parsed once, but a change is seen at the next call
    assert settings().max_file_mb == 0.25


@pytest.mark.parametrize(
    ("name", "value"),
    [("CHIDAO_MAX_FILE_MB", "lots"), ("CHIDAO_QUERY_CACHE", "many"), ("CHIDAO_EMBED_DTYPE", "fp8")],
)
def test_a_bad_value_is_one_line_naming_the_variable(monkeypatch, name, value):
    """(Checked at every command: a misspelt value stops it at once rather than deep in its work.)"""
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=f"^{name}='{value}': "):
        settings()


def test_the_cli_refuses_a_bad_value_with_exit_2_and_changes_nothing(tmp_path):
    env = {**os.environ, "CHIDAO_HOME": str(tmp_path / "home"), "CHIDAO_MAX_FILE_MB": "lots"}
    done = subprocess.run(
        [sys.executable, "-m", "assistant", "docs", "list"], env=env, capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 2
    assert "CHIDAO_MAX_FILE_MB='lots'" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "home").exists()
