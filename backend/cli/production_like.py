"""``python -m backend production-like`` (``make run-production-like``): the production topology on one machine.

Starts, on loopback, every process a province deployment runs, each a separate OS process that could
run on its own machine (see the README, "Production topology"):

* PostgreSQL — ``PRODLIKE_DATABASE_URL`` (default: database ``congvan_prodlike`` on the local server,
  created if missing); when no server answers, a throwaway cluster under ``.prodlike/pg``;
* Redis — ``PRODLIKE_REDIS_URL`` (default ``redis://127.0.0.1:6379/8``), else a throwaway
  ``redis-server`` under ``.prodlike/redis``;
* SeaweedFS (master, volume, filer, S3 gateway) under ``.prodlike/seaweedfs``, the blob store
  (``BLOB_BACKEND=s3``); its generated keys are kept in ``.prodlike/s3-keys.json`` (mode 0600);
* two web processes (``python -m backend serve`` on ``PRODLIKE_WEB_PORTS``, default ``8001,8002``) behind
  nginx on ``PRODLIKE_PORT`` (default 8080), which serves ``/static`` itself and keeps upstream
  connections alive;
* two outbox workers and the signing server (``SIGNING_PORT``, default 8701).

The database is migrated and, in demo mode, seeded before the processes start. Ctrl+C (or any
process exiting) stops them all, throwaway servers included. Data persists under ``.prodlike``.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from backend.cli.processes import command, prepare, supervise
from backend.cli.seaweedfs import SeaweedS3, free_port
from backend.cli.supervisor import Start
from backend.config.settings import load_settings
from backend.lib.templates import STATIC_DIR

__all__ = ["nginx_config", "run_production_like"]

TEMPLATE = Path(__file__).with_name("nginx.conf.template")
WORKERS = 2


def nginx_config(run_dir: Path, listen: str, upstreams: list[str], body_mb: int) -> str:
    """The nginx configuration for these upstream web processes (from ``nginx.conf.template``)."""
    user = "user root;" if os.geteuid() == 0 else ""  # static files are read with the caller's rights
    values = {"RUN_DIR": str(run_dir), "LISTEN": listen, "STATIC_DIR": str(STATIC_DIR), "BODY_MB": str(body_mb + 1),
              "USER_LINE": user,
              "UPSTREAM_SERVERS": "\n".join(f"        server {address} max_fails=0;" for address in upstreams)}
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    return text


def _psql_ok(url: str) -> bool:
    return subprocess.run(["psql", url, "-qtAc", "select 1"], capture_output=True).returncode == 0


def _postgres(root: Path, stops: list[Callable[[], None]]) -> str:
    url = os.environ.get("PRODLIKE_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/congvan_prodlike")
    server, _, name = url.rpartition("/")
    if _psql_ok(f"{server}/postgres"):
        exists = subprocess.run(["psql", f"{server}/postgres", "-qtAc",
                                 f"select 1 from pg_database where datname = '{name}'"], capture_output=True, text=True)
        if exists.stdout.strip() != "1":
            subprocess.run(["psql", f"{server}/postgres", "-qc", f'create database "{name}"'], check=True)
        return url
    bin_dir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    data, port = root / "pg" / "data", free_port()
    as_pg = ["su", "postgres", "-c"] if os.geteuid() == 0 else ["sh", "-c"]
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data.parent, "postgres", "postgres")
        subprocess.run([*as_pg, f"{bin_dir}/initdb -D {data} -U postgres --auth=trust -E UTF8 --locale=C.UTF-8"],
                       check=True, capture_output=True)
    subprocess.run([*as_pg, f"{bin_dir}/pg_ctl -D {data} -o '-p {port} -k {data.parent} "
                            f"-c listen_addresses=127.0.0.1 -c max_connections=200' -l {data.parent}/pg.log -w start"],
                   check=True, capture_output=True)

    def stop() -> None:
        subprocess.run([*as_pg, f"{bin_dir}/pg_ctl -D {data} -m fast -w stop"], capture_output=True)

    stops.append(stop)
    admin = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    subprocess.run(["psql", admin, "-qc", "create database congvan_prodlike"], capture_output=True)
    print(f"Throwaway PostgreSQL on port {port} (data in {data})")
    return f"postgresql://postgres@127.0.0.1:{port}/congvan_prodlike"


def _redis(root: Path, stops: list[Callable[[], None]]) -> str:
    import redis

    url = os.environ.get("PRODLIKE_REDIS_URL", "redis://127.0.0.1:6379/8")
    try:
        redis.Redis.from_url(url).ping()
        return url
    except redis.RedisError:
        pass
    port, directory = free_port(), root / "redis"
    directory.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory),
                                "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    stops.append(process.terminate)
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(50):
        try:
            redis.Redis.from_url(url).ping()
            break
        except redis.RedisError:
            time.sleep(0.1)
    print(f"Throwaway Redis on port {port}")
    return url


def _s3_keys(root: Path) -> dict[str, str]:
    path = root / "s3-keys.json"
    if not path.exists():
        path.write_text(json.dumps({"access_key": f"congvan{secrets.token_hex(6)}",
                                    "secret_key": secrets.token_urlsafe(30)}))
        path.chmod(0o600)
    return dict(json.loads(path.read_text()))


def run_production_like(repo: Path) -> int:
    """Start every process (see the module docstring) and supervise them until Ctrl+C."""
    missing = [tool for tool in ("nginx", "psql") if shutil.which(tool) is None]
    if missing:
        print(f"Thiếu / missing: {', '.join(missing)} — apt-get install -y nginx postgresql-client redis-server",
              file=sys.stderr)
        return 1
    root = repo / ".prodlike"
    root.mkdir(exist_ok=True)
    stops: list[Callable[[], None]] = []
    try:
        database_url = _postgres(root, stops)
        redis_url = _redis(root, stops)
        keys = _s3_keys(root)
        seaweed = SeaweedS3(root / "seaweedfs", access_key=keys["access_key"], secret_key=keys["secret_key"],
                            bucket="congvan").start()
        stops.append(seaweed.stop)
        env = {**os.environ, "DATA_DIR": str(root / "data"), "DATABASE_URL": database_url, "REDIS_URL": redis_url,
               "BLOB_BACKEND": "s3", "S3_ENDPOINT": seaweed.endpoint, "S3_BUCKET": seaweed.bucket,
               "S3_ACCESS_KEY": keys["access_key"], "S3_SECRET_KEY": keys["secret_key"], "HOST": "127.0.0.1",
               "SIGNING_URL": f"http://127.0.0.1:{os.environ.get('SIGNING_PORT', '8701')}"}
        os.environ.update(env)
        settings = load_settings(env)
        if prepare(settings) != 0:
            return 1
        run_dir = root / "nginx"
        run_dir.mkdir(exist_ok=True)
        proxy_port = int(os.environ.get("PRODLIKE_PORT", "8080"))
        web_ports = [int(port) for port in os.environ.get("PRODLIKE_WEB_PORTS", "8001,8002").split(",")]
        config = run_dir / "nginx.conf"
        config.write_text(nginx_config(run_dir, f"127.0.0.1:{proxy_port}",
                                       [f"127.0.0.1:{port}" for port in web_ports], settings.upload_max_mb))
        children: dict[str, Start] = {"signing": command("signing_server", "serve", env=env)}
        for number, port in enumerate(web_ports, start=1):
            children[f"web{number}"] = command("backend", "serve", env={**env, "PORT": str(port)})
        for number in range(1, WORKERS + 1):
            children[f"worker{number}"] = command("backend", "worker", env=env)
        children["nginx"] = lambda: subprocess.Popen(["nginx", "-c", str(config), "-p", str(run_dir),
                                                      "-g", "daemon off;"])
        print(f"\nCôngVăn (production-like) tại / at http://127.0.0.1:{proxy_port}  — nginx → web :"
              f"{', :'.join(map(str, web_ports))}; {WORKERS} workers; S3 {seaweed.endpoint}; {database_url}; "
              f"{redis_url}\nDừng / stop: Ctrl+C\n", flush=True)
        return supervise(children)
    finally:
        for stop in reversed(stops):
            stop()
