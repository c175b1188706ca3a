"""Login with throttle and lockout, and password changes. Every outcome but a throttled attempt writes an audit row.

Throttle: ``login_ip_max_failures`` failed logins from one client address within
``login_failure_window_minutes`` refuse that address for the rest of the window (:mod:`.throttle`).
Lockout: ``login_max_failures`` wrong passwords within ``login_failure_window_minutes`` lock the
account for ``login_lockout_minutes`` (an administrator can unlock earlier). The agency's
administrators are notified in-app through the outbox.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from functools import partial

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from backend.config.settings import Settings
from backend.db.base import utcnow
from backend.db.engine import end_reads
from backend.db.models import Agency, Role, RoleGrant, User
from backend.domain.accounts.password_policy import is_common_password
from backend.domain.accounts.session_epoch import end_sessions
from backend.domain.accounts.throttle import retry_after_seconds
from backend.domain.audit.services import RequestMeta, lock_chain, record
from backend.domain.notifications.kinds import NOTIFY, Notify
from backend.errors import InvalidInputError
from backend.lib.i18n import t
from backend.lib.security import DUMMY_HASH, hash_password, verify_password
from backend.lib.text import clean
from backend.tasks.outbox import enqueue

__all__ = ["LoginOutcome", "LoginResult", "authenticate", "change_password", "validate_new_password",
           "normalise_username"]

MIN_PASSWORD_LENGTH = 10


class LoginOutcome(StrEnum):
    """Why a login attempt ended the way it did."""

    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    LOCKED = "locked"
    THROTTLED = "throttled"


@dataclass(frozen=True, slots=True)
class LoginResult:
    """The outcome; ``user`` is set only on success; ``message`` is for the login form.

    ``LOCKED`` and ``BAD_CREDENTIALS`` carry the same message (the form must not tell them apart);
    ``THROTTLED`` carries the seconds until the client address may try again.
    """

    outcome: LoginOutcome
    user: User | None = None
    message: str = ""
    retry_after: int = 0


def normalise_username(raw: str) -> str:
    """Usernames are case-insensitive and stored lower-case."""
    return clean(raw).lower()


async def _notify_admins_of_lockout(db: AsyncSession, user: User) -> None:
    admin_ids = (await db.scalars(
        sa.select(RoleGrant.user_id).where(RoleGrant.agency_id == user.agency_id, RoleGrant.role == Role.ADMIN)
    )).all()
    if admin_ids:
        await enqueue(db, NOTIFY, Notify(
            user_ids=sorted(set(admin_ids)),
            title=t("notify.lockout.title", username=user.username),
            body=t("notify.lockout.body", name=user.full_name),
            url=f"/admin/users/{user.id}",
        ))


async def authenticate(db: AsyncSession, settings: Settings, username: str, password: str,
                       meta: RequestMeta) -> LoginResult:
    """Check a username/password pair, applying and recording the throttle and the lockout policy.

    Order: the per-address throttle (:mod:`.throttle`, before anything else); the account is read
    and the password verified with no lock held (argon2 takes ~100 ms); then, in the write
    transaction, the audit chain's lock and only then the account row (``FOR NO KEY UPDATE``, which
    foreign-key checks of other requests do not wait for), re-read and updated. Every transaction
    that locks an account row and appends to the chain takes them in this order, so concurrent
    logins and other requests of the same account cannot deadlock.

    Wrong password, unknown username, deactivated account and locked account get the same answer
    (one message, 401, one argon2 verification each), so the answer does not reveal which
    usernames exist; the audit row records the real reason.
    """
    username = normalise_username(username)
    now = utcnow()
    if (retry := await retry_after_seconds(db, settings, meta.ip, now)) is not None:
        return _throttled(retry)
    row = (await db.execute(sa.select(User.id, User.password_hash).where(User.username == username))).first()
    user_id, checked_hash = (row.id, row.password_hash) if row else (None, DUMMY_HASH)
    await end_reads(db)
    password_ok = await verify_password(checked_hash, password)

    await lock_chain(db)
    if (retry := await retry_after_seconds(db, settings, meta.ip, now)) is not None:
        return _throttled(retry)
    user = await db.scalar(sa.select(User).where(User.id == user_id).with_for_update(key_share=True))
    refused = LoginResult(LoginOutcome.BAD_CREDENTIALS, message=t(
        "login.bad_credentials", failures=settings.login_max_failures, minutes=settings.login_lockout_minutes))
    if user is None:
        await record(db, "auth.login_failed", actor_name=username, meta=meta, detail={"reason": "unknown_user"})
        return refused

    audit = partial(record, db, actor_id=user.id, actor_name=user.username, agency_id=user.agency_id,
                    object_type="user", object_id=user.id, meta=meta)
    if user.locked_until is not None and user.locked_until > now:
        await audit("auth.login_refused_locked")
        return replace(refused, outcome=LoginOutcome.LOCKED)

    agency_active = await db.scalar(sa.select(Agency.is_active).where(Agency.id == user.agency_id))
    account_usable = user.is_active and bool(agency_active)
    if account_usable and password_ok and user.password_hash == checked_hash:  # not changed meanwhile
        user.failed_logins = 0
        user.first_failed_at = None
        user.locked_until = None
        user.last_login_at = now
        await audit("auth.login")
        return LoginResult(LoginOutcome.OK, user=user)

    window = timedelta(minutes=settings.login_failure_window_minutes)
    if user.first_failed_at is None or now - user.first_failed_at > window:
        user.first_failed_at = now
        user.failed_logins = 1
    else:
        user.failed_logins += 1
    reason = "bad_password" if account_usable else "inactive"
    await audit("auth.login_failed", detail={"reason": reason, "failures": user.failed_logins})
    if user.failed_logins >= settings.login_max_failures:
        user.locked_until = now + timedelta(minutes=settings.login_lockout_minutes)
        user.failed_logins = 0
        user.first_failed_at = None
        await audit("auth.lockout", detail={"minutes": settings.login_lockout_minutes})
        await _notify_admins_of_lockout(db, user)
        return replace(refused, outcome=LoginOutcome.LOCKED)
    return refused


def _throttled(retry_after: int) -> LoginResult:
    return LoginResult(LoginOutcome.THROTTLED, retry_after=retry_after,
                       message=t("login.throttled", minutes=max(1, math.ceil(retry_after / 60))))


def validate_new_password(username: str, new: str, confirm: str, *, common_allowed: bool = False) -> dict[str, str]:
    """Field errors for a proposed password (empty when acceptable).

    ``common_allowed`` skips the common-password list (:mod:`.password_policy`); only the demo seed
    sets it, for the published demo password.
    """
    errors: dict[str, str] = {}
    if len(new) < MIN_PASSWORD_LENGTH:
        errors["new_password"] = t("password.too_short", n=MIN_PASSWORD_LENGTH)
    elif new.lower() == username.lower() or username.lower() in new.lower():
        errors["new_password"] = t("password.contains_username")
    elif not any(c.isdigit() for c in new) or not any(c.isalpha() for c in new):
        errors["new_password"] = t("password.needs_letters_and_digits")
    elif not common_allowed and is_common_password(new, username):
        errors["new_password"] = t("password.common")
    if new != confirm:
        errors["confirm_password"] = t("password.mismatch")
    return errors


async def change_password(db: AsyncSession, user_id: int, current: str, new: str, confirm: str,
                          meta: RequestMeta) -> int:
    """Change the actor's own password and end every session of the account; returns the new session epoch
    (the caller keeps its own session with :func:`~backend.domain.accounts.session_epoch.keep_session`).

    Raises:
        InvalidInputError: wrong current password or an unacceptable new one (with field errors).
    """
    user = await db.get(User, user_id, with_for_update=True)
    if user is None:
        raise InvalidInputError()
    if not await verify_password(user.password_hash, current):
        await record(db, "auth.password_change_failed", actor_id=user.id, actor_name=user.username,
                     agency_id=user.agency_id, object_type="user", object_id=user.id, meta=meta)
        raise InvalidInputError(field_errors={"current_password": t("password.current_wrong")})
    errors = validate_new_password(user.username, new, confirm)
    if new == current and "new_password" not in errors:
        errors["new_password"] = t("password.same_as_old")
    if errors:
        raise InvalidInputError(field_errors=errors)
    user.password_hash = await hash_password(new)
    user.must_change_password = False
    epoch = end_sessions(user)
    await record(db, "auth.password_changed", actor_id=user.id, actor_name=user.username,
                 agency_id=user.agency_id, object_type="user", object_id=user.id, meta=meta,
                 detail={"other_sessions_ended": True})
    return epoch
