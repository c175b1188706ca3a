"""The printable transfer list: every page opens with the heading row, no row is split or lost."""

from __future__ import annotations

import io

from pypdf import PdfReader

from backend.domain.workfiles.transfer_pdf import transfer_list_pdf


def test_a_long_transfer_list_repeats_its_headings_and_keeps_every_row() -> None:
    rows = [(index, f"{index:02d}.VP", f"Hồ sơ số {index} về công tác cải cách hành chính của đơn vị " * 2,
             "01/01/2020 - 31/12/2020", 12, "20 năm", "") for index in range(1, 151)]
    reader = PdfReader(io.BytesIO(transfer_list_pdf("MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU", rows)))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) > 3
    for text in pages:
        assert text.count("STT Số, ký hiệu") == 1 and "Thời hạn bảo quản" in text
    everything = " ".join(pages)
    assert all(f"{index:02d}.VP" in everything for index in range(1, 151))
    assert everything.endswith("Tổng số hồ sơ: 150.")
