"""Text normalisation and the message catalogue."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path

from backend.lib.i18n import catalogue, t
from backend.lib.text import clean, fold


def test_clean_normalises_to_nfc_and_collapses_whitespace() -> None:
    decomposed = unicodedata.normalize("NFD", "  Ủy ban   nhân dân ")
    assert clean(decomposed) == "Ủy ban nhân dân"
    assert unicodedata.is_normalized("NFC", clean(decomposed))


def test_fold_strips_vietnamese_diacritics_including_d_bar() -> None:
    assert fold("Đơn vị Lãnh Đạo") == "don vi lanh dao"


def test_catalogue_substitutes_parameters() -> None:
    assert "7 phút" in t("login.throttled", minutes=7)


def test_every_message_key_used_in_python_exists_in_catalogue() -> None:
    root = Path(__file__).resolve().parents[3] / "backend"
    used = set()
    for path in root.rglob("*.py"):
        used |= set(re.findall(r"\bt\(\s*\"([a-z0-9_.]+)\"", path.read_text(encoding="utf-8")))
        used |= {f"{m}" for m in re.findall(r'message_key = "([a-z0-9_.]+)"', path.read_text(encoding="utf-8"))}
    missing = sorted(used - set(catalogue()))
    assert not missing, f"message keys missing from backend/locale/vi: {missing}"
    for path in (root / "locale" / "vi").glob("*.json"):
        json.loads(path.read_text(encoding="utf-8"))


def test_shorten_cuts_on_a_word_with_an_ellipsis() -> None:
    from backend.lib.text import shorten

    assert shorten("Về việc  triển khai", 60) == "Về việc triển khai"
    cut = shorten("Về việc triển khai chuyển đổi số cấp xã", 20)
    assert cut == "Về việc triển khai…" and len(cut) <= 20
    assert shorten("Về việc triển, khai", 15) == "Về việc triển…"  # no dangling comma
    assert shorten("Chuyểnđổisốcấpxã", 8) == "Chuyểnđ…"  # one long word: cut inside it
    assert shorten("ab cd", 5) == "ab cd"


def test_hours_read_the_vietnamese_way() -> None:
    from backend.lib.text import vn_hours

    assert [vn_hours(v) for v in (0, 0.01, 1.5, 2.0, 7.25)] == ["0", "dưới 0,1", "1,5", "2", "7,2"]
