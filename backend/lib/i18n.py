"""User-facing messages produced in Python, looked up by stable key in ``backend/locale/vi/*.json``.

Templates carry their Vietnamese text directly; Python code (errors, flash messages, import
reports) never embeds UI text and asks this catalogue instead. Each domain keeps its keys in its
own file; keys are unique across files.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["catalogue", "t"]

_CATALOGUE_DIR = Path(__file__).resolve().parent.parent / "locale" / "vi"


@cache
def catalogue() -> dict[str, str]:
    """Every message, merged from all catalogue files (a duplicate key is an error)."""
    merged: dict[str, str] = {}
    for path in sorted(_CATALOGUE_DIR.glob("*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            if key in merged:
                raise ValueError(f"message key {key!r} defined twice (again in {path.name})")
            merged[key] = value
    return merged


def t(key: str, **params: Any) -> str:
    """The Vietnamese message for ``key`` with ``params`` substituted (``{name}`` placeholders).

    Raises:
        KeyError: when ``key`` is missing from the catalogue.
    """
    template = catalogue()[key]
    return template.format(**params) if params else template
