"""``python -m backend edxml inspect`` as an operator runs it (a subprocess): a good package and a
status message print their fields as JSON with exit code 0; a bomb is named with its reason and
exit code 1, while the good file beside it is still printed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from backend.domain.exchange.edxml.build import build
from tests.support.edxml import BILLION_LAUGHS, REPO, a_status, our_package


def _inspect(*files: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "backend", "edxml", "inspect", *map(str, files)],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=60, check=False)


def test_good_package_and_status_print_their_fields(tmp_path: Path) -> None:
    package, status = tmp_path / "goi.edxml", tmp_path / "trang-thai.edxml"
    package.write_bytes(build(our_package()))
    status.write_bytes(build(a_status(status_code="06", description="Đã xử lý xong")))
    result = _inspect(package, status)
    assert result.returncode == 0, result.stderr
    first, second = json.loads(result.stdout)
    assert first["kind"] == "package" and first["document_id"] == "000.01.21.H41,2026/12/07,15/UBND-VP"
    assert first["business_type"] == "new" and first["business_type_code"] == 0
    assert first["sender"] == {"organ_id": "000.01.21.H41", "name": "Ủy ban nhân dân xã Nghi Phong"}
    assert first["recipients"] == [{"organ_id": "000.00.00.G09", "name": "Bộ Nội vụ"}]
    assert first["attachments"] == [{"name": "15-UBND-VP.pdf", "content_type": "application/zip",
                                     "bytes": len(our_package().attachments[0].data)}]
    assert second["kind"] == "status" and second["status_code"] == "06" and second["status"] == "Hoàn thành"
    assert second["response_for"] == "000.01.21.H41,2026/12/07,15/UBND-VP"


def test_a_refused_file_is_named_with_its_reason_and_fails_the_run(tmp_path: Path) -> None:
    good, bomb = tmp_path / "goi.edxml", tmp_path / "bom.edxml"
    good.write_bytes(build(our_package()))
    bomb.write_bytes(BILLION_LAUGHS)
    result = _inspect(good, bomb)
    assert result.returncode == 1
    printed = json.loads(result.stdout)
    assert printed[0]["document_id"] == "000.01.21.H41,2026/12/07,15/UBND-VP"
    assert printed[1] == {"file": str(bomb), "refused": "gói tin chứa khai báo DOCTYPE/thực thể (entity) — "
                                                       "không được phép vì lý do an toàn"}
    assert f"{bomb}: bị từ chối / refused: gói tin chứa khai báo DOCTYPE" in result.stderr
