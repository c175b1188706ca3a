"""Operations CLI of the signing server: ``python -m signing_server <command> ...``.

Commands (``--help`` on each for options): ``serve``, ``init-token``, ``create-credential``,
``ensure-demo``, ``list``, ``expiring``, ``disable``, ``enable``, ``unlock``, ``rotate``, ``revoke``,
``report-compromised``, ``otp-qr``, ``export-csr``, ``import-cert``, ``ca-cert``, ``journal``,
``verify-journal``. Exit status: 0 on success, 1 when a check fails (``verify-journal``), 2 on a
refused or malformed command. Secrets (OTP seeds) are printed only by the enrolment commands.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from signing_server.credentials import CredentialManager, CredentialSpec
from signing_server.errors import ConfigurationError, SigningServerError
from signing_server.hsm import Hsm
from signing_server.journal import Journal
from signing_server.otp import qr_code
from signing_server.settings import DEMO_OTP_FILE_NAME, Settings, load_settings
from signing_server.store import Credential, Store

__all__ = ["main"]


def _manager(settings: Settings) -> CredentialManager:
    store = Store(settings.db_path)
    hsm = Hsm(settings.pkcs11_module, settings.token_label, settings.token_pin, settings.softhsm_conf)
    return CredentialManager(settings, store, hsm, Journal(store))


def _ensure_token(settings: Settings, mgr: CredentialManager) -> bool:
    """Initialise the SoftHSM token if it does not exist yet; return True if it was created."""
    if mgr.hsm.token_present():
        return False
    if not settings.so_pin:
        raise ConfigurationError("SIGNING_TOKEN_SO_PIN is required to initialise the token")
    mgr.hsm.init_softhsm_token(settings.so_pin)
    return True


def _row(c: Credential) -> dict[str, object]:
    return {"credential_id": c.id, "owner_kind": c.owner_kind, "owner": c.owner, "display_name": c.display_name,
            "agency": c.agency, "algo": c.algo, "status": c.status, "status_reason": c.status_reason,
            "failures": c.failures, "cert_serial": c.cert_serial, "not_before": c.not_before,
            "not_after": c.not_after, "key_label": c.key_label, "last_used_at": c.last_used_at}


def _print_table(creds: Sequence[Credential], as_json: bool) -> None:
    if as_json:
        print(json.dumps([_row(c) for c in creds], ensure_ascii=False, indent=2))
        return
    print(f"{'credential':<16} {'kind':<6} {'owner':<22} {'algo':<7} {'status':<9} {'expires (UTC)':<25} serial")
    for c in creds:
        print(f"{c.id:<16} {c.owner_kind:<6} {c.owner:<22} {c.algo:<7} {c.status:<9} {c.not_after:<25} "
              f"{c.cert_serial}")


def _write_demo_otp(settings: Settings, mgr: CredentialManager) -> Path:
    """Demo only: every live credential's OTP enrolment, for the demo account page and tests."""
    data = {}
    for cred in mgr.store.list(include_revoked=False):
        enrol = mgr.enrolment(cred)
        data[cred.owner] = {"credential_id": cred.id, "owner_kind": cred.owner_kind, "algo": cred.algo,
                            "provisioning_uri": enrol.provisioning_uri, "secret": enrol.secret}
    path = settings.data_dir / DEMO_OTP_FILE_NAME
    tmp = path.with_suffix(".tmp")
    tmp.touch(mode=0o600)
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def _cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from signing_server.asgi import create_app

    uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_level=args.log_level,
                access_log=args.access_log)
    return 0


def _cmd_ensure_demo(settings: Settings, args: argparse.Namespace) -> int:
    if settings.app_env != "demo":
        raise ConfigurationError("ensure-demo runs only with APP_ENV=demo; use create-credential in production")
    entries = json.loads(Path(args.file).read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise ConfigurationError(f"{args.file} must hold a JSON list of credential entries")
    specs = [CredentialSpec.from_json(item) for item in entries]
    mgr = _manager(settings)
    if _ensure_token(settings, mgr):
        print(f"initialised token {settings.token_label!r}")
    mgr.ca  # noqa: B018 - create the dev CA even when there is nothing to issue
    for spec in specs:
        existing = mgr.store.find_live(spec.owner_kind, spec.owner)
        if existing is None:
            cred, _ = mgr.create(spec)
            print(f"created {cred.id} for {spec.owner_kind} {spec.owner} ({spec.algo})")
        else:
            print(f"kept    {existing.id} for {spec.owner_kind} {spec.owner} ({existing.status})")
    print(f"OTP enrolments written to {_write_demo_otp(settings, mgr)}")
    print(f"client credentials in {settings.data_dir / 'client.json'}; dev CA in {settings.ca_dir / 'ca.pem'}")
    return 0


def _cmd_create(settings: Settings, args: argparse.Namespace) -> int:
    mgr = _manager(settings)
    spec = CredentialSpec(owner_kind=args.owner_kind, owner=args.owner, display_name=args.name or args.owner,
                          agency=args.agency or "", algo=args.algo)
    cred, enrol = mgr.create(spec)
    print(f"credential_id: {cred.id}\ncert_serial: {cred.cert_serial}\nnot_after: {cred.not_after}")
    print(f"provisioning_uri: {enrol.provisioning_uri}")
    if args.qr:
        Path(args.qr).write_bytes(qr_code(enrol.provisioning_uri, "png" if args.qr.endswith(".png") else "svg"))
        print(f"QR code written to {args.qr}")
    if settings.app_env == "demo":
        _write_demo_otp(settings, mgr)
    return 0


def _cmd_lifecycle(settings: Settings, args: argparse.Namespace) -> int:
    mgr = _manager(settings)
    action = args.command
    if action == "disable":
        cred = mgr.disable(args.credential_id, args.reason or "disabled by administrator")
    elif action == "enable":
        cred = mgr.enable(args.credential_id)
    elif action == "unlock":
        cred = mgr.unlock(args.credential_id)
    elif action == "revoke":
        cred = mgr.revoke(args.credential_id, args.reason or "revoked by administrator")
    elif action == "report-compromised":
        cred = mgr.report_compromised(args.credential_id)
    else:
        cred, enrol = mgr.rotate(args.credential_id, reset_otp=args.reset_otp)
        if enrol is not None:
            print(f"provisioning_uri: {enrol.provisioning_uri}")
    if settings.app_env == "demo":
        _write_demo_otp(settings, mgr)
    print(f"{cred.id}: {cred.status} {cred.status_reason}".rstrip())
    return 0


def _cmd_misc(settings: Settings, args: argparse.Namespace) -> int:
    mgr = _manager(settings)
    if args.command == "init-token":
        print("initialised" if _ensure_token(settings, mgr) else "token already present", settings.token_label)
    elif args.command == "list":
        _print_table(mgr.store.list(owner=args.owner, include_revoked=not args.live), args.json)
    elif args.command == "expiring":
        _print_table(mgr.expiring(args.days), args.json)
    elif args.command == "otp-qr":
        uri = mgr.enrolment(mgr.get(args.credential_id)).provisioning_uri
        Path(args.out).write_bytes(qr_code(uri, "png" if args.out.endswith(".png") else "svg"))
        print(f"QR code written to {args.out}")
    elif args.command == "export-csr":
        from asn1crypto import pem

        Path(args.out).write_bytes(pem.armor("CERTIFICATE REQUEST", mgr.export_csr(args.credential_id)))
        print(f"CSR written to {args.out}")
    elif args.command == "import-cert":
        cred = mgr.import_cert(args.credential_id, Path(args.pem).read_text(encoding="ascii"))
        print(f"{cred.id}: certificate {cred.cert_serial} valid until {cred.not_after}")
    elif args.command == "ca-cert":
        print(mgr.ca.pem, end="")
    elif args.command == "journal":
        for e in mgr.journal.entries(args.credential_id, args.limit):
            print(f"{e.seq:>6} {e.at} {e.caller:<16} {e.action:<10} {e.credential_id:<16} {e.result:<20} "
                  f"{len(e.hashes)} hash(es) {e.detail}")
    elif args.command == "verify-journal":
        status = mgr.journal.verify()
        if status.ok:
            print(f"journal OK: {status.entries} entries, chain intact")
            return 0
        print(f"journal BROKEN at entry {status.first_broken_seq}: {status.reason}")
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m signing_server", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="run the CSC API on SIGNING_HOST:SIGNING_PORT")
    s.add_argument("--log-level", default="warning")
    s.add_argument("--access-log", action="store_true")
    sub.add_parser("init-token", help="initialise the SoftHSM token (idempotent)")
    s = sub.add_parser("ensure-demo", help="init token + create credentials listed in a JSON file (idempotent)")
    s.add_argument("file")
    s = sub.add_parser("create-credential", help="HSM key + certificate + OTP enrolment for one owner")
    s.add_argument("--owner-kind", choices=["user", "agency"], required=True)
    s.add_argument("--owner", required=True, help="username, or agency identifier code")
    s.add_argument("--name", help="display name (certificate CN)")
    s.add_argument("--agency", help="agency name (certificate O)")
    s.add_argument("--algo", choices=["rsa2048", "p256"], default="rsa2048")
    s.add_argument("--qr", help="also write the enrolment QR code (.svg or .png)")
    for name in ("list", "expiring"):
        s = sub.add_parser(name, help="credentials and certificate expiry" if name == "list"
                           else "live credentials expiring within --days (default 30)")
        s.add_argument("--json", action="store_true")
        if name == "list":
            s.add_argument("--owner")
            s.add_argument("--live", action="store_true", help="hide revoked credentials")
        else:
            s.add_argument("--days", type=int)
    for name in ("disable", "enable", "unlock", "rotate", "revoke", "report-compromised", "otp-qr",
                 "export-csr", "import-cert"):
        s = sub.add_parser(name)
        s.add_argument("credential_id")
        if name in ("disable", "revoke"):
            s.add_argument("--reason")
        if name == "rotate":
            s.add_argument("--reset-otp", action="store_true")
        if name in ("otp-qr", "export-csr"):
            s.add_argument("--out", required=True)
        if name == "import-cert":
            s.add_argument("pem", help="PEM bundle, leaf first")
    sub.add_parser("ca-cert", help="print the dev CA certificate (PEM)")
    s = sub.add_parser("journal", help="show journal entries")
    s.add_argument("--credential-id")
    s.add_argument("--limit", type=int)
    sub.add_parser("verify-journal", help="recompute the hash chain; exit 1 at the first broken link")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    handlers = {"serve": _cmd_serve, "ensure-demo": _cmd_ensure_demo, "create-credential": _cmd_create}
    handlers.update({n: _cmd_lifecycle for n in ("disable", "enable", "unlock", "rotate", "revoke",
                                                  "report-compromised")})
    try:
        settings = load_settings()
        return handlers.get(args.command, _cmd_misc)(settings, args)
    except (SigningServerError, OSError, ValueError) as exc:
        code = getattr(exc, "code", type(exc).__name__)
        print(f"error ({code}): {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
