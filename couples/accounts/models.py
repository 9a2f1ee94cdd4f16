import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, BigInteger, ForeignKey, Index, LargeBinary, String
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
    # The language chosen in the account (None: follow the browser), and the one the
    # browser last asked for: pushes and mail are written in the first, else the second.
    language: Mapped[str | None] = mapped_column(String(8))
    seen_language: Mapped[str | None] = mapped_column(String(8))

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


class Passkey(db.Model):
    """A passkey (a WebAuthn credential) that signs in to this account instead of the
    password, and confirms an export or a deletion. Only its public key is kept."""

    __tablename__ = "passkeys"
    __table_args__ = (Index(None, "user_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(16), unique=True, default=lambda: secrets.token_urlsafe(9)
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The authenticator's id for it (at most 1023 bytes, as WebAuthn allows).
    credential_id: Mapped[bytes] = mapped_column(LargeBinary(1023), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # How many times the authenticator says it was used; a count that goes back means
    # a copy of it exists, and that sign-in is refused.
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    # The account's opaque handle on the authenticator (the same for all of its passkeys;
    # never the id or the address).
    user_handle: Mapped[bytes] = mapped_column(LargeBinary(64))
    name: Mapped[str] = mapped_column(String(60))
    transports: Mapped[list] = mapped_column(JSON, default=list)
    # Synced between the person's devices (a passkey manager), or on one device only.
    backed_up: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]


class PasskeyChallenge(db.Model):
    """A challenge handed to a browser for one passkey ceremony: used once, within a few
    minutes, for what it was made for (``purpose``) and, when it names one, by that
    account. Only its hash is kept."""

    __tablename__ = "passkey_challenges"
    __table_args__ = (Index(None, "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    challenge_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime]
