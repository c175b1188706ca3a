"""The one-pass list of ``make test`` names only paths that exist, and every browser module is on it."""

from __future__ import annotations

from pathlib import Path

from tests.support.suite_split import ONE_PASS

ROOT = Path(__file__).resolve().parents[3]


def test_every_one_pass_entry_is_an_existing_test_path() -> None:
    assert [prefix for prefix in ONE_PASS if not (ROOT / prefix).exists()] == []


def test_every_browser_module_runs_in_exactly_one_named_pass() -> None:
    modules = {f"tests/browser/{path.name}" for path in (ROOT / "tests" / "browser").glob("test_*.py")}
    assert modules - set(ONE_PASS) == set(), "a new browser module: give it a pass in tests/support/suite_split.py"
