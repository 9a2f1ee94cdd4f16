from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from couples.accounts.models import User
from couples.clock import utcnow
from couples.extensions import db


class Couple(db.Model):
    """Two partners linked, and what they share. Unlinking ends it (``ended_at``); the
    same two linking again within ``COUPLE_RESTORE_DAYS`` reopen it, until its shared
    history is erased (``history_erased_at``: chosen at unlink, or by the clock after
    those days; see ``couples.pairing.services.erase_history``)."""

    __tablename__ = "couples"
    __table_args__ = (
        # The clock's erasure looks only at ended couples not erased yet.
        Index(
            "ix_couples_ended_not_erased",
            "ended_at",
            sqlite_where=text("ended_at IS NOT NULL AND history_erased_at IS NULL"),
            postgresql_where=text("ended_at IS NOT NULL AND history_erased_at IS NULL"),
        ),
        # An id is never given again: it reaches the API and exports.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    history_erased_at: Mapped[datetime | None]
    # The check-in schedule: weekdays with a nightly check-in (bit 0 is Monday), the
    # weekday of the weekly check-in instead (0 is Monday; none when it is off), and the
    # nightly modules the couple turned off.
    nightly_days: Mapped[int] = mapped_column(default=0b1111111, server_default="127")
    weekly_day: Mapped[int | None] = mapped_column(default=6, server_default="6")
    modules_off: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    members: Mapped[list["CoupleMember"]] = relationship(
        back_populates="couple", order_by="CoupleMember.slot"
    )


class CoupleMember(db.Model):
    """One user's place in a couple. The database keeps the rules, whatever Python does:
    slot 1 or 2 and unique per couple (never more than two members), and at most one
    membership per user that has not ended (never in two couples at once)."""

    __tablename__ = "couple_members"
    __table_args__ = (
        UniqueConstraint("couple_id", "slot"),
        CheckConstraint("slot IN (1, 2)", name="slot"),
        Index(
            "uq_couple_members_active_user",
            "user_id",
            unique=True,
            sqlite_where=text("left_at IS NULL"),
            postgresql_where=text("left_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    slot: Mapped[int]
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    left_at: Mapped[datetime | None]

    couple: Mapped[Couple] = relationship(back_populates="members")
    user: Mapped[User] = relationship()


class Invite(db.Model):
    __tablename__ = "invites"
    __table_args__ = (Index(None, "inviter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    inviter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    couple_id: Mapped[int | None] = mapped_column(ForeignKey("couples.id", ondelete="SET NULL"))

    inviter: Mapped[User] = relationship(lazy="joined")
