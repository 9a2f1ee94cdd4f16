import secrets
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from couples.clock import utcnow
from couples.extensions import db


class JournalEntry(db.Model):
    """One entry of a person's reflection journal: readable by its writer alone, gone with
    their account. ``prompt_key`` names the prompt it answers (none for free writing);
    ``memory`` marks a good memory of the two of them, which may become an appreciation."""

    __tablename__ = "journal_entries"
    __table_args__ = (Index(None, "user_id", "id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(16), unique=True, default=lambda: secrets.token_urlsafe(9)
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    prompt_key: Mapped[str | None] = mapped_column(String(40))
    memory: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime | None]


class SelfCheck(db.Model):
    """One taking of the attachment self-check: the answers (statement key -> 1..5) and the
    lean they point to. The newest is the person's current one; ``shared`` says whether
    their partner may see its lean. Private to its taker otherwise."""

    __tablename__ = "self_checks"
    __table_args__ = (Index(None, "user_id", "id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    answers: Mapped[dict] = mapped_column(JSON)
    lean: Mapped[str] = mapped_column(String(20))
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PracticeWeek(db.Model):
    """ "Did I try it?" for one week's practice (``week`` is its Monday, in the person's own
    calendar): yes, partly or not yet. Private to the person."""

    __tablename__ = "practice_weeks"
    __table_args__ = (
        UniqueConstraint("user_id", "week"),
        CheckConstraint("tried IN ('yes', 'partly', 'not_yet')", name="tried"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    week: Mapped[date]
    practice_key: Mapped[str] = mapped_column(String(40))
    tried: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class MonthGoal(db.Model):
    """My own goal for a month (``month`` is its first day, in my calendar), outside the
    relationship, and how my partner can back me. Mine alone unless ``shared``."""

    __tablename__ = "month_goals"
    __table_args__ = (UniqueConstraint("user_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    month: Mapped[date]
    goal: Mapped[str] = mapped_column(String(300))
    support: Mapped[str | None] = mapped_column(String(300))
    shared: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class TogetherIdea(db.Model):
    """Something to do together, on the couple's own list: added by either partner, seen
    by both."""

    __tablename__ = "together_ideas"
    __table_args__ = (Index(None, "couple_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(16), unique=True, default=lambda: secrets.token_urlsafe(9)
    )
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TogetherPlan(db.Model):
    """One partner's proposal to do something together at a time; the other answers yes
    or another time. Both are reminded before one that was said yes to."""

    __tablename__ = "together_plans"
    __table_args__ = (
        Index(None, "couple_id", "starts_at"),
        Index(None, "reminded_at", "starts_at"),
        CheckConstraint("answer IN ('yes', 'another_time')", name="answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(16), unique=True, default=lambda: secrets.token_urlsafe(9)
    )
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    answer: Mapped[str | None] = mapped_column(String(12))
    answer_note: Mapped[str | None] = mapped_column(String(300))
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
