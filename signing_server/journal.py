"""Append-only, hash-chained signing journal.

Every ``credentials/authorize`` and ``signatures/signHash`` attempt -- accepted or refused -- and every
administrative action is one journal entry: sequence number, UTC time, caller, action, credential,
the base64 hashes concerned, the certificate serial, the result (``ok`` or an error code) and a short
English detail. OTPs, SADs, access tokens and PINs are never passed in (callers give only hashes and
codes), so they cannot end up here.

Chaining: ``entry_hash = SHA-256(prev_hash || "\\n" || canonical JSON of the entry)``, with the
first ``prev_hash`` being 64 zeros. :meth:`Journal.verify` recomputes the chain and reports the first
entry whose link is broken (edited, deleted or reordered rows). SQLite triggers additionally refuse
UPDATE/DELETE through normal connections.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from signing_server.store import Store

__all__ = ["GENESIS_HASH", "Journal", "JournalEntry", "JournalVerification"]

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One recorded event (see the module docstring for the meaning of the fields)."""

    seq: int
    at: str
    caller: str
    action: str
    credential_id: str
    hashes: tuple[str, ...]
    cert_serial: str
    result: str
    detail: str
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True, slots=True)
class JournalVerification:
    """Status object of :meth:`Journal.verify`."""

    ok: bool
    entries: int
    first_broken_seq: int | None = None
    reason: str = ""


def _entry_digest(prev_hash: str, seq: int, at: str, caller: str, action: str, credential_id: str,
                  hashes: Sequence[str], cert_serial: str, result: str, detail: str) -> str:
    body = json.dumps(
        {"seq": seq, "at": at, "caller": caller, "action": action, "credential_id": credential_id,
         "hashes": list(hashes), "cert_serial": cert_serial, "result": result, "detail": detail},
        sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{prev_hash}\n{body}".encode()).hexdigest()


class Journal:
    """Writer and verifier of the journal table in the registry database."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def append(self, *, caller: str, action: str, credential_id: str, result: str,
               hashes: Sequence[str] = (), cert_serial: str = "", detail: str = "") -> int:
        """Append one entry atomically (``BEGIN IMMEDIATE``); return its sequence number."""
        at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
        with self._store.transaction() as conn:
            last = conn.execute("SELECT seq, entry_hash FROM journal ORDER BY seq DESC LIMIT 1").fetchone()
            seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
            entry_hash = _entry_digest(prev, seq, at, caller, action, credential_id, hashes, cert_serial,
                                       result, detail)
            conn.execute(
                "INSERT INTO journal (seq, at, caller, action, credential_id, hashes, cert_serial, result,"
                " detail, prev_hash, entry_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, at, caller, action, credential_id, json.dumps(list(hashes)), cert_serial, result,
                 detail, prev, entry_hash))
        return seq

    def entries(self, credential_id: str | None = None, limit: int | None = None) -> list[JournalEntry]:
        """Entries in sequence order (optionally of one credential, optionally the last *limit*)."""
        sql = ("SELECT seq, at, caller, action, credential_id, hashes, cert_serial, result, detail,"
               " prev_hash, entry_hash FROM journal")
        params: tuple[str, ...] = ()
        if credential_id is not None:
            sql += " WHERE credential_id = ?"
            params = (credential_id,)
        rows = self._store.query(sql + " ORDER BY seq", params)
        if limit is not None:
            rows = rows[-limit:]
        return [JournalEntry(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5])), *r[6:]) for r in rows]

    def verify(self) -> JournalVerification:
        """Recompute the chain; report the first entry whose link or content does not match."""
        prev = GENESIS_HASH
        expected_seq = 1
        count = 0
        for e in self.entries():
            count += 1
            if e.seq != expected_seq:
                return JournalVerification(False, count, e.seq,
                                           f"sequence gap: expected entry {expected_seq}, found {e.seq}")
            if e.prev_hash != prev:
                return JournalVerification(False, count, e.seq,
                                           "prev_hash does not match the previous entry's hash")
            digest = _entry_digest(prev, e.seq, e.at, e.caller, e.action, e.credential_id, e.hashes,
                                   e.cert_serial, e.result, e.detail)
            if digest != e.entry_hash:
                return JournalVerification(False, count, e.seq, "entry content does not match its hash")
            prev = e.entry_hash
            expected_seq += 1
        return JournalVerification(True, count)
