"""SQLite persistence of the credential registry (and the journal table, see :mod:`journal`).

One file, ``<SIGNING_DATA_DIR>/signing.sqlite3``, in WAL mode, shared by the server and the
operations CLI (which may run while the server is up: the server reads credentials per request, so an
administrator's ``disable`` or ``unlock`` takes effect at once). Each thread gets its own connection.

Invariants kept by the schema:

* at most one non-revoked credential per (owner kind, owner);
* the journal table refuses UPDATE and DELETE (triggers); its integrity is the hash chain's job.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

__all__ = ["PACKAGE_SEAL_PREFIX", "Credential", "CredentialStatus", "OwnerKind", "Store"]

OwnerKind = Literal["user", "agency"]
CredentialStatus = Literal["active", "disabled", "locked", "revoked"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS credential (
    id             TEXT PRIMARY KEY,
    owner_kind     TEXT NOT NULL CHECK (owner_kind IN ('user', 'agency')),
    owner          TEXT NOT NULL,
    display_name   TEXT NOT NULL,
    agency         TEXT NOT NULL DEFAULT '',
    algo           TEXT NOT NULL CHECK (algo IN ('rsa2048', 'p256')),
    key_label      TEXT NOT NULL UNIQUE,
    cert_chain_pem TEXT NOT NULL,
    cert_serial    TEXT NOT NULL,
    not_before     TEXT NOT NULL,
    not_after      TEXT NOT NULL,
    otp_secret_enc BLOB NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('active', 'disabled', 'locked', 'revoked')),
    status_reason  TEXT NOT NULL DEFAULT '',
    failures       INTEGER NOT NULL DEFAULT 0,
    last_otp_step  INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    last_used_at   TEXT,
    revoked_at     TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS uq_credential_live_owner
    ON credential (owner_kind, owner) WHERE status != 'revoked';
CREATE TABLE IF NOT EXISTS journal (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    caller        TEXT NOT NULL,
    action        TEXT NOT NULL,
    credential_id TEXT NOT NULL,
    hashes        TEXT NOT NULL,
    cert_serial   TEXT NOT NULL,
    result        TEXT NOT NULL,
    detail        TEXT NOT NULL,
    prev_hash     TEXT NOT NULL,
    entry_hash    TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal
    BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
"""


PACKAGE_SEAL_PREFIX = "edxml:"
"""Owner prefix of an agency's package-seal credential (see :attr:`Credential.unattended`)."""


@dataclass(frozen=True, slots=True)
class Credential:
    """One row of the registry: an HSM key, its certificate chain and its OTP enrolment."""

    id: str
    owner_kind: OwnerKind
    owner: str
    display_name: str
    agency: str
    algo: Literal["rsa2048", "p256"]
    key_label: str
    cert_chain_pem: str
    cert_serial: str
    not_before: str
    not_after: str
    otp_secret_enc: bytes
    status: CredentialStatus
    status_reason: str
    failures: int
    last_otp_step: int
    created_at: str
    updated_at: str
    last_used_at: str | None
    revoked_at: str | None

    @property
    def unattended(self) -> bool:
        """An agency's package seal (owner ``edxml:<agency code>``): authorised without an OTP.

        It signs the XML signature of the edXML packages the backend's worker sends over the national
        axis, unattended and retried with backoff, so no person can type a code for it. It is a key of
        its own: the agency's seal on PDFs (owner = the bare agency code) still needs the clerk's OTP.
        """
        return self.owner_kind == "agency" and self.owner.startswith(PACKAGE_SEAL_PREFIX)


_COLUMNS = [f.name for f in fields(Credential)]


class Store:
    """Thread-safe access to the SQLite file (one connection per thread, explicit transactions)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn().executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=10.0, check_same_thread=True)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT`` (rollback on error): serialises writers across processes."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Run a read-only query outside an explicit transaction."""
        return list(self._conn().execute(sql, params))

    # -- credentials -------------------------------------------------------------------------

    @staticmethod
    def _row(row: tuple[Any, ...]) -> Credential:
        return Credential(**dict(zip(_COLUMNS, row, strict=True)))

    def get(self, credential_id: str, conn: sqlite3.Connection | None = None) -> Credential | None:
        """The credential with *credential_id*, or ``None``."""
        cur = (conn or self._conn()).execute(
            f"SELECT {', '.join(_COLUMNS)} FROM credential WHERE id = ?", (credential_id,))
        row = cur.fetchone()
        return None if row is None else self._row(row)

    def find_live(self, owner_kind: str, owner: str) -> Credential | None:
        """The non-revoked credential of (*owner_kind*, *owner*), if any."""
        rows = self.query(
            f"SELECT {', '.join(_COLUMNS)} FROM credential "
            "WHERE owner_kind = ? AND owner = ? AND status != 'revoked'", (owner_kind, owner))
        return self._row(rows[0]) if rows else None

    def list(self, owner: str | None = None, include_revoked: bool = True) -> list[Credential]:
        """All credentials (optionally of one owner), oldest first."""
        sql = f"SELECT {', '.join(_COLUMNS)} FROM credential WHERE 1=1"
        params: tuple[Any, ...] = ()
        if owner is not None:
            sql += " AND owner = ?"
            params = (owner,)
        if not include_revoked:
            sql += " AND status != 'revoked'"
        return [self._row(r) for r in self.query(sql + " ORDER BY created_at, id", params)]

    def insert(self, cred: Credential, conn: sqlite3.Connection) -> None:
        """Insert a new credential inside the caller's transaction."""
        conn.execute(
            f"INSERT INTO credential ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})",
            tuple(getattr(cred, c) for c in _COLUMNS))

    def update(self, credential_id: str, conn: sqlite3.Connection, **values: Any) -> None:
        """Update columns of one credential inside the caller's transaction."""
        unknown = set(values) - set(_COLUMNS)
        if unknown:
            raise ValueError(f"unknown credential columns: {sorted(unknown)}")
        assignments = ", ".join(f"{k} = ?" for k in values)
        conn.execute(f"UPDATE credential SET {assignments} WHERE id = ?", (*values.values(), credential_id))
