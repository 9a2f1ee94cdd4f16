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
    # Part of the session id: bumping it ends every session made before.
    session_version: Mapped[int] = mapped_column(default=1)

    # Notification preferences. Times of day are minutes after local midnight.
    reminder_minute: Mapped[int] = mapped_column(default=21 * 60)
    quiet_start_minute: Mapped[int] = mapped_column(default=22 * 60 + 30)
    quiet_end_minute: Mapped[int] = mapped_column(default=7 * 60 + 30)
    discreet: Mapped[bool] = mapped_column(default=False)
    kinds_off: Mapped[list] = mapped_column(JSON, default=list)
    # When the next check-in reminder is due (UTC, indexed): the tick reads only due rows.
    # Null while there is nothing to remind of (not linked).
    next_checkin_reminder_at: Mapped[datetime | None] = mapped_column(index=True)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


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
