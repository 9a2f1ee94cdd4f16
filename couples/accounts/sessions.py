"""Sessions kept on the server: one row per login, the cookie carries only a random token.

The token (256 bits) is never stored: the row keeps its SHA-256. A session ends when it is
deleted (logout, "sign out this device", a password change or reset, account deletion),
when it has not been used for ``SESSION_IDLE_DAYS``, and ``SESSION_LIFETIME_DAYS`` after
the login, whichever comes first."""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_

from couples import audit
from couples.accounts.models import User, UserSession
from couples.db import begin_write
from couples.devices import device_name
from couples.errors import NotFound
from couples.extensions import db

# How stale ``last_seen_at`` may get before a request writes it again: one write an hour
# at most per session, whatever the traffic; the idle timeout is counted in days.
TOUCH_EVERY = timedelta(hours=1)
TOKEN_MAX = 64


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idle_timeout() -> timedelta:
    return timedelta(days=float(current_app.config["SESSION_IDLE_DAYS"]))


def lifetime() -> timedelta:
    return timedelta(days=float(current_app.config["SESSION_LIFETIME_DAYS"]))


def is_live(record: UserSession, now: datetime) -> bool:
    return now < record.expires_at and now - record.last_seen_at < idle_timeout()


def _expired(now: datetime):
    return or_(UserSession.expires_at <= now, UserSession.last_seen_at <= now - idle_timeout())


def start(*, user: User, user_agent: str | None, now: datetime, language: str | None = None) -> str:
    """A new session for ``user`` (login, registration); returns its token and sets it on
    ``user`` for Flask-Login. The user's sessions that have ended are cleared away, and
    ``language`` (the browser's) is noted on the account."""
    token = secrets.token_urlsafe(32)
    user_id = user.id
    begin_write(db.session)
    if language is not None:
        db.session.execute(db.update(User).where(User.id == user_id).values(seen_language=language))
    db.session.execute(db.delete(UserSession).where(UserSession.user_id == user_id, _expired(now)))
    db.session.add(
        UserSession(
            public_id=secrets.token_urlsafe(16),
            token_hash=token_hash(token),
            user_id=user_id,
            device=device_name(user_agent),
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime(),
        )
    )
    db.session.commit()
    user.session_token = token
    return token


def touch(*, record: UserSession, now: datetime) -> None:
    """Note that the session was used, when the last note is older than ``TOUCH_EVERY``."""
    if now - record.last_seen_at < TOUCH_EVERY:
        return
    record_id = record.id
    begin_write(db.session)
    db.session.execute(
        db.update(UserSession).where(UserSession.id == record_id).values(last_seen_at=now)
    )
    db.session.commit()


def end(*, token: str) -> None:
    """End one session (logout)."""
    begin_write(db.session)
    db.session.execute(db.delete(UserSession).where(UserSession.token_hash == token_hash(token)))
    db.session.commit()


def end_others(*, user_id: int, keep_token: str | None) -> int:
    """End every session of the user but the one of ``keep_token`` (all when None); in
    the caller's transaction. Returns how many ended."""
    begin_write(db.session)
    query = db.delete(UserSession).where(UserSession.user_id == user_id)
    if keep_token is not None:
        query = query.where(UserSession.token_hash != token_hash(keep_token))
    return db.session.execute(query).rowcount


def end_all_others(*, user: User) -> None:
    """ "Log out other devices": every session of the user but this one ends."""
    user_id = user.id
    end_others(user_id=user_id, keep_token=user.session_token)
    db.session.commit()
    audit.record("logout_everywhere", user_id=user_id)


def live_sessions(*, user: User, now: datetime) -> list[UserSession]:
    """The user's sessions still running, the most recently used first."""
    return list(
        db.session.execute(
            db.select(UserSession)
            .where(UserSession.user_id == user.id, ~_expired(now))
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        ).scalars()
    )


def is_current(record: UserSession, user: User) -> bool:
    return user.session_token is not None and record.token_hash == token_hash(user.session_token)


def sign_out(*, user: User, public_id: str) -> bool:
    """End one of the user's sessions ("sign out this device"). 404 for a session that is
    not theirs or has ended already. Returns True when it was the current session."""
    user_id = user.id
    current = user.session_token is not None and public_id == _public_id_of(user)
    begin_write(db.session)
    ended = db.session.execute(
        db.delete(UserSession).where(
            UserSession.user_id == user_id, UserSession.public_id == public_id[:22]
        )
    ).rowcount
    if ended != 1:
        db.session.rollback()
        raise NotFound(_("That device is not signed in."))
    db.session.commit()
    audit.record("session_revoked", user_id=user_id)
    return current


def _public_id_of(user: User) -> str | None:
    return db.session.execute(
        db.select(UserSession.public_id).where(
            UserSession.token_hash == token_hash(user.session_token)
        )
    ).scalar_one_or_none()
