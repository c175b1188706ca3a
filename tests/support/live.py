"""A live CongVan web process (``python -m backend serve``, real uvicorn) on a free loopback port, as a fixture.

Litestar's in-process test client runs each request to completion before the next starts, so tests about
concurrency (one request must not hold up another) need the real server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest

__all__ = ["live_server"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(settings_env: dict[str, str]) -> Iterator[str]:
    """Start ``python -m backend serve`` on a free loopback port; yield its base URL."""
    port = _free_port()
    env = {**os.environ, **settings_env, "PORT": str(port), "HOST": "127.0.0.1"}
    process = subprocess.Popen([sys.executable, "-m", "backend", "serve"], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None:
                raise RuntimeError(process.stdout.read().decode() if process.stdout else "server exited")
            time.sleep(0.1)
        else:
            raise RuntimeError("server did not become healthy")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # still finishing a long request
            process.kill()
            process.wait()
