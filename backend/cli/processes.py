"""Process management for ``serve`` and ``up`` (the embedded default started by ``make run``)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Mapping
from types import FrameType

from backend.cli.supervisor import Start, Supervisor
from backend.config.settings import Settings

__all__ = ["command", "prepare", "serve", "supervise", "up"]


def serve(settings: Settings) -> int:
    """Run the web process in the foreground."""
    import uvicorn

    uvicorn.run("backend.asgi:create_app", factory=True, host=settings.host, port=settings.port,
                proxy_headers=True, log_level="info", access_log=False)
    return 0


def command(*args: str, env: dict[str, str] | None = None) -> Start:
    """Starts ``python -m <args>`` with this interpreter, in ``env`` (default: this process's environment)."""
    environment = {**(env or os.environ), "PYTHONUNBUFFERED": "1"}
    return lambda: subprocess.Popen([sys.executable, "-m", *args], env=environment)


def _banner(settings: Settings) -> str:
    address = f"http://{settings.host}:{settings.port}"
    lines = [
        "",
        "=" * 64,
        f"  CôngVăn đang chạy tại / is running at: {address}",
        "  Đăng nhập thử / demo login: vanthu.xanghiphong  /  congvan2026",
        "  (README.md lists every demo account.)",
    ]
    if settings.host in {"127.0.0.1", "localhost"}:
        lines.append("  Mở từ điện thoại cùng mạng / from a phone on the LAN: HOST=0.0.0.0 make run")
    lines += ["  Dừng / stop: Ctrl+C", "=" * 64, ""]
    return "\n".join(lines)


def prepare(settings: Settings) -> int:
    """Migrate, seed the demo province and its signing credentials (demo mode), run the start-up checks."""
    from backend.cli.seed import seed_demo
    from backend.cli.signing_demo import demo_credential_specs, ensure_demo_credentials
    from backend.db.migrate import upgrade
    from backend.server.checks import run_checks

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    if settings.is_demo:
        print(asyncio.run(seed_demo(settings)))
        ensure_demo_credentials(settings, asyncio.run(demo_credential_specs(settings)))
        print("Demo signing credentials ready (OTP enrolment: Tài khoản page of each leader, deputy and clerk).")
    return asyncio.run(run_checks(settings, verbose=True))


def up(settings: Settings) -> int:
    """Migrate, seed (demo mode), then run the signing server, web and worker until interrupted.

    A child that dies is restarted with backoff (:class:`~backend.cli.supervisor.Supervisor`).
    """
    if prepare(settings) != 0:
        return 1
    children = {
        "signing": command("signing_server", "serve"),
        "web": command("backend", "serve"),
        "worker": command("backend", "worker"),
    }
    print(_banner(settings), flush=True)
    return supervise(children)


def supervise(children: Mapping[str, Start]) -> int:
    """Run ``children`` until SIGINT/SIGTERM, restarting any that dies (with backoff); then stop them all."""
    stopping = False

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    Supervisor(children).run(lambda: stopping)
    return 0
