from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from couples.db import TimestampMixin
from couples.extensions import db


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"
    # SQLite never gives the id of a deleted account to a new one (ids reach exports).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased, so uniqueness is case-insensitive on every database.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(60))
    timezone: Mapped[str] = mapped_column(String(64))

    # Notification preferences. Times of day are minutes after local midnight.
    reminder_minute: Mapped[int] = mapped_column(default=21 * 60)
    quiet_start_minute: Mapped[int] = mapped_column(default=22 * 60 + 30)
    quiet_end_minute: Mapped[int] = mapped_column(default=7 * 60 + 30)
    discreet: Mapped[bool] = mapped_column(default=False)
    kinds_off: Mapped[list] = mapped_column(JSON, default=list)
    # When the next check-in reminder is due (UTC, indexed): the tick reads only due rows.
    # Null while there is nothing to remind of (not linked).
    next_checkin_reminder_at: Mapped[datetime | None] = mapped_column(index=True)

    # The token of the session this user was logged in or loaded with (not a column):
    # what Flask-Login keeps in the session and remember-me cookies (sessions.py).
    session_token = None

    def get_id(self) -> str:
        if self.session_token is None:
            raise RuntimeError("log in through accounts.sessions.start, which makes a session")
        return self.session_token


class UserSession(db.Model):
    """One login on one device, kept on the server: the cookie carries only its token.
    It ends at logout, when it is signed out from another device, after a password
    change or reset (all but the current one), when unused for the idle timeout, and
    at the end of its lifetime, whichever comes first."""

    __tablename__ = "user_sessions"
    __table_args__ = (Index(None, "user_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    # Names the session in URLs and the API ("sign out this device"); not the token.
    public_id: Mapped[str] = mapped_column(String(22), unique=True)
    # Only a hash of the token is kept: a database leak opens no session.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    device: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime]


class PasswordReset(db.Model):
    __tablename__ = "password_resets"
    __table_args__ = (Index(None, "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Only a hash of the token is kept: a database leak cannot reset anyone's password.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class OutgoingMail(db.Model):
    """A mail to send, kept until it is sent (the outbox of mail, as notifications are
    the outbox of pushes). It holds no message: the message, and a reset link's token,
    are made when it is sent, so the request that asked for it does the same work
    whether or not the address has an account, and a mail server that is down never
    reaches its answer."""

    __tablename__ = "outgoing_mail"
    __table_args__ = (Index(None, "next_attempt_at"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime]
    # Due from then; a sender that claims it moves it on by a lease, so that no other
    # sends it meanwhile, and a failure by the wait before the next attempt.
    next_attempt_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
