"""The lint gate is wired: ruff and mypy are dev dependencies, configured, and run before the suite."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def _pyproject() -> dict[str, object]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_fresh_clone_gets_ruff_and_mypy_from_the_dev_extra() -> None:
    dev = _pyproject()["project"]["optional-dependencies"]["dev"]  # type: ignore[index]
    names = {spec.split(">")[0].split("=")[0].split("<")[0] for spec in dev}
    assert {"ruff", "mypy"} <= names
    assert all("<" in spec for spec in dev if spec.startswith(("ruff", "mypy"))), "pin an upper bound"


def test_mypy_is_strict_on_lib_domain_and_signing_server_only_where_configured() -> None:
    mypy = _pyproject()["tool"]["mypy"]  # type: ignore[index]
    strict = [o for o in mypy["overrides"] if o.get("strict")]
    assert len(strict) == 1
    assert set(strict[0]["module"]) == {"backend.lib.*", "backend.domain.*", "signing_server.*"}
    assert "ignore_missing_imports" not in mypy, "only per third-party module"
    for override in mypy["overrides"]:
        if override.get("ignore_missing_imports"):
            assert not any(m.startswith(("backend", "signing_server")) for m in override["module"])


def test_make_test_runs_the_lint_gate_before_any_test_pass_and_fails_on_it() -> None:
    suite = (ROOT / ".ci" / "test-suite").read_text(encoding="utf-8")
    gate = suite.index(".ci/lint")
    assert gate < suite.index("-m pytest")
    assert "exit 1" in suite[gate:suite.index("-m pytest")]
    lint = (ROOT / ".ci" / "lint").read_text(encoding="utf-8")
    assert "-m ruff check" in lint and "-m mypy" in lint and "exit $status" in lint
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "bash .ci/lint" in makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "bash .ci/test-suite" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
