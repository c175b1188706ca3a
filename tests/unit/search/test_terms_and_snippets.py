"""Typed search text becomes safe words and phrases; snippets are escaped and mark accent-insensitive matches."""

from __future__ import annotations

from backend.domain.search.engines import PostgresFts, SqliteFts
from backend.domain.search.snippets import snippet
from backend.domain.search.terms import MAX_TERMS, parse
from backend.lib.text import search_words


def test_folding_removes_tones_and_d_stroke_and_splits_on_punctuation() -> None:
    assert search_words("Đồng Điền: ĐƯỜNG điện 12/QĐ-UBND") == ["dong", "dien", "duong", "dien", "12", "qd", "ubnd"]
    assert search_words("Nghị quyết") == search_words("nghi quyet") == search_words("NGHỊ QUYẾT")


def test_quotes_make_phrases_and_operators_are_plain_words() -> None:
    terms = parse('“đóng điện” lụt AND bão* OR NOT -x (y) NEAR/2 "')
    assert terms.phrases == (("dong", "dien"),)
    assert terms.words == ("lut", "and", "bao", "or", "not", "x", "y", "near", "2")


def test_sql_looking_and_huge_input_is_cut_never_refused() -> None:
    assert parse("'; DROP TABLE search_entry; --").words == ("drop", "table", "search", "entry")
    huge = parse("nghị quyết " * 1000)
    assert huge.words == ("nghi", "quyet")
    assert len(parse(" ".join(f"w{i}" for i in range(100))).words) == MAX_TERMS
    assert parse("a" * 10_000).words == ("a" * 60,)


def test_nothing_searchable_is_empty() -> None:
    for text in ("", "   ", '"', "***", "()", "“”", None):
        assert parse(text).empty


def test_engine_expressions_contain_only_folded_words() -> None:
    terms = parse('"phòng chống" lụt')
    sqlite = SqliteFts().match(terms, 12).score_condition.compile()
    assert sqlite.params["fts_query"] == 'agency : "12" AND folded : ("lut"* "phong chong")'
    postgres = PostgresFts().match(terms, 12).condition.compile()
    assert postgres.params["ts_query"] == "lut:* & (phong <-> chong)"
    assert postgres.params["agency_id_1"] == 12


def test_snippet_escapes_html_and_marks_words_with_their_accents() -> None:
    text = "Về việc <b>đóng điện</b> trạm biến áp Đồng Điền & kiểm tra"
    html = str(snippet(text, parse("dong dien").highlight))
    assert "&lt;b&gt;<mark>đóng</mark> <mark>điện</mark>&lt;/b&gt;" in html
    assert "<mark>Đồng</mark> <mark>Điền</mark> &amp; kiểm tra" in html
    assert "<b>" not in html


def test_snippet_is_a_window_around_the_first_match() -> None:
    text = "mở đầu " * 100 + "có chữ Nghị quyết ở giữa " + "kết thúc " * 100
    html = str(snippet(text, ("nghi",), window=80))
    assert html.startswith("…") and html.endswith("…") and "<mark>Nghị</mark>" in html
    assert len(html) < 140
