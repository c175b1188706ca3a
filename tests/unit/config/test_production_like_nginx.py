"""The nginx configuration ``make run-production-like`` generates: upstreams with keepalive, static files, SSE."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from backend.cli.production_like import nginx_config
from backend.lib.templates import STATIC_DIR


def test_config_lists_every_web_process_keeps_connections_alive_and_serves_static_files(tmp_path: Path) -> None:
    text = nginx_config(tmp_path, "127.0.0.1:18080", ["127.0.0.1:18001", "10.0.0.2:8000"], body_mb=50)
    assert not re.findall(r"@[A-Z_]+@", text.split("\n", 2)[2])  # every placeholder filled (after the header)
    upstream = text[text.index("upstream congvan_web"):text.index("}", text.index("upstream congvan_web"))]
    assert "server 127.0.0.1:18001" in upstream and "server 10.0.0.2:8000" in upstream
    assert re.search(r"keepalive \d+;", upstream)
    assert "proxy_http_version 1.1;" in text and 'proxy_set_header Connection "";' in text
    assert f"alias {STATIC_DIR}/;" in text and "listen 127.0.0.1:18080;" in text
    assert "client_max_body_size 51m;" in text  # the upload limit plus the multipart envelope
    events = text[text.index("location = /live/events"):]
    assert "proxy_buffering off;" in events[:events.index("}")]
    if shutil.which("nginx"):  # the syntax check needs the binary; the content checks above do not
        (tmp_path / "nginx.conf").write_text(text)
        checked = subprocess.run(["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
                                 capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
