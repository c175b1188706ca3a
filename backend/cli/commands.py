"""The ``python -m backend`` commands.

* ``up``            migrate, seed the demo province (demo mode), start web + worker (+ signing server)
* ``serve``         the web process only (uvicorn)
* ``worker``        the outbox worker (``--once`` drains what is due and exits)
* ``migrate``       apply database migrations
* ``seed-demo``     create the demo province (idempotent)
* ``verify-audit``  check the audit hash chain; exit 1 and name the first broken row
* ``import-csv``    import agencies / units / users from a CSV file (system scope)
* ``check``         run the startup checks and print their hints, then the blob invariant (rows whose
                    file is missing: exit 1; files no row references: a warning)
* ``generate-province``  bulk-load a realistic province with N incoming documents (benchmarks)
* ``smoke``         play the outgoing flow against a running instance through the JSON API
* ``backup``        write the database, blobs and signing server data to a new directory (manifest.json)
* ``restore``       verify a backup's manifest and restore it into an empty target (``--force`` to replace)
* ``axis-standin``  a stand-in for the national document axis (tests and the demo)
* ``edxml inspect``  parse edXML packages and print their fields as JSON; exit 1 naming a refused one
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from backend.config.settings import SettingsError, load_settings

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m backend", description="CôngVăn backend")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("up", help="migrate, seed demo data and run every process (make run)")
    sub.add_parser("serve", help="run the web process")
    worker = sub.add_parser("worker", help="run the outbox worker")
    worker.add_argument("--once", action="store_true", help="run due jobs, then exit")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("seed-demo", help="create the demo province (idempotent)")
    sub.add_parser("verify-audit", help="verify the audit log hash chain")
    imp = sub.add_parser("import-csv", help="import agencies, units or users from CSV")
    imp.add_argument("kind", choices=["agencies", "units", "users"])
    imp.add_argument("file", type=Path)
    sub.add_parser("check", help="run startup checks, then check that every row has its file and every file a row")
    province = sub.add_parser("generate-province", help="bulk-load a province's year of documents (empty database)")
    province.add_argument("--documents", type=int, default=50_000, help="incoming documents to create")
    province.add_argument("--days", type=int, default=365, help="spread them over the last N days")
    sub.add_parser("production-like", help="PostgreSQL, Redis, SeaweedFS S3, nginx → 2 web, 2 workers, signing "
                                           "server, on loopback (make run-production-like)")
    search = sub.add_parser("search", help="search index maintenance")
    search_sub = search.add_subparsers(dest="search_command", required=True)
    reindex = search_sub.add_parser("reindex", help="rebuild the search index from the documents")
    reindex.add_argument("--no-text", action="store_true", help="do not queue reading the PDFs' text layer")
    reindex.add_argument("--kind", choices=("incoming", "outgoing", "workfile"), action="append",
                         help="rebuild this kind only (repeatable; default: every kind)")
    smoke = sub.add_parser("smoke", help="draft → sign → number → seal → issue → receive, via the JSON API")
    smoke.add_argument("--base-url", default="http://127.0.0.1:8000")
    smoke.add_argument("--out", type=Path, default=None, help="where to write the issued PDF")
    backup = sub.add_parser("backup", help="back up the database, blobs and signing server to a new directory")
    backup.add_argument("dest", type=Path)
    restore = sub.add_parser("restore", help="verify a backup and restore it into an empty target")
    restore.add_argument("src", type=Path)
    restore.add_argument("--force", action="store_true", help="replace a target that already holds data")
    standin = sub.add_parser("axis-standin", help="serve a stand-in of the national document axis (test double)")
    standin.add_argument("--port", type=int, default=8710)
    standin.add_argument("--host", default="127.0.0.1")
    standin.add_argument("--config", type=Path, default=None, help="JSON systems and agencies (default: demo)")
    edxml = sub.add_parser("edxml", help="edXML packages (QCVN 102)")
    edxml_sub = edxml.add_subparsers(dest="edxml_command", required=True)
    inspect = edxml_sub.add_parser("inspect", help="print the parsed fields of packages as JSON")
    inspect.add_argument("files", type=Path, nargs="+")
    inspect.add_argument("--trust", type=Path, action="append", default=[],
                         help="PEM file of trusted roots for the package signature (repeatable)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    if args.command == "edxml":  # reads files only: no settings needed
        from backend.cli.edxml import inspect_files

        return inspect_files(args.files, args.trust)
    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"Cấu hình chưa đúng / configuration error:\n  {exc}", file=sys.stderr)
        return 2

    if args.command == "migrate":
        from backend.db.migrate import upgrade

        upgrade(settings.database_url)
        return 0
    if args.command == "worker":
        from backend.worker_app import run_worker

        asyncio.run(run_worker(settings, once=args.once))
        return 0
    if args.command == "serve":
        from backend.cli.processes import serve

        return serve(settings)
    if args.command == "up":
        from backend.cli.processes import up

        return up(settings)
    if args.command == "seed-demo":
        from backend.cli.seed import seed_demo

        print(asyncio.run(seed_demo(settings)))
        return 0
    if args.command == "verify-audit":
        from backend.cli.audit import verify_audit

        return asyncio.run(verify_audit(settings))
    if args.command == "import-csv":
        from backend.cli.imports import import_csv

        return asyncio.run(import_csv(settings, args.kind, args.file))
    if args.command == "generate-province":
        from backend.cli.province import generate_province

        print(asyncio.run(generate_province(settings, args.documents, args.days)))
        return 0
    if args.command == "search":
        from backend.cli.search import reindex as search_reindex

        print(asyncio.run(search_reindex(settings, extract=not args.no_text, kinds=tuple(args.kind or ()))))
        return 0
    if args.command == "smoke":
        from backend.cli.smoke import run_smoke

        return run_smoke(settings, args.base_url, args.out)
    if args.command == "production-like":
        from backend.cli.production_like import run_production_like

        return run_production_like(Path.cwd())
    if args.command == "backup":
        from backend.cli.backup import run_backup

        return run_backup(settings, args.dest)
    if args.command == "restore":
        from backend.cli.backup import run_restore

        return run_restore(settings, args.src, force=args.force)
    if args.command == "axis-standin":
        from backend.cli.axis_standin import run_standin

        return run_standin(args.port, args.config, args.host)
    if args.command == "check":
        from backend.cli.blobs import check_blobs
        from backend.server.checks import run_checks

        return asyncio.run(run_checks(settings, verbose=True)) or asyncio.run(check_blobs(settings))
    return 2
