"""Ending every session of an account at once: the account's session epoch.

A session remembers the account's ``session_epoch`` from the moment it was opened (login). Bumping
the epoch (:func:`end_sessions`: password changed or reset, account deactivated) makes every
session opened before it refused at its next request (:func:`backend.domain.accounts.actor.load_actor`
compares the two on the account row each request loads anyway), in every web process and with the
memory store and Redis alike; the refused session is then deleted from the store. The session that
made the change keeps working under a new id (:func:`keep_session`).
"""

from __future__ import annotations

from backend.db.models import User
from backend.lib.sessions import Session

__all__ = ["end_sessions", "keep_session", "open_session", "session_epoch"]

_EPOCH_KEY = "epoch"


def open_session(session: Session, user: User) -> None:
    """Log ``user`` in: forget the pre-login session (fixation), new id, the user's current epoch."""
    session.clear()
    session.rotate()
    session.set("uid", user.id)
    session.set("agency_id", user.agency_id)
    session.set(_EPOCH_KEY, user.session_epoch)


def end_sessions(user: User) -> int:
    """End every session of ``user`` (in the caller's transaction); returns the new epoch."""
    user.session_epoch += 1
    return user.session_epoch


def keep_session(session: Session, epoch: int) -> None:
    """Keep the current session alive across :func:`end_sessions`, under a new id."""
    session.rotate()
    session.set(_EPOCH_KEY, epoch)


def session_epoch(session: Session) -> int:
    """The epoch the session was opened in (0 for sessions opened before epochs existed)."""
    value = session.get(_EPOCH_KEY, 0)
    return value if isinstance(value, int) else -1
