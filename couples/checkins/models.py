from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from couples.clock import utcnow
from couples.extensions import db


class CustomQuestion(db.Model):
    """A question the couple added to their nightly check-in. Removing one keeps the
    answers already given (check-ins keep the questions they were asked)."""

    __tablename__ = "custom_questions"
    # An id is never given again: it reaches the API.
    __table_args__ = (Index(None, "couple_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(10))
    prompt: Mapped[str] = mapped_column(String(200))
    options: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]


class Checkin(db.Model):
    """The couple's check-in for one date. Created with the first answer, when its
    questions are fixed; revealed when both partners have answered."""

    __tablename__ = "checkins"
    __table_args__ = (UniqueConstraint("couple_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    day: Mapped[date]
    kind: Mapped[str] = mapped_column(String(10))
    questions: Mapped[list] = mapped_column(JSON)
    question_key: Mapped[str | None] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revealed_at: Mapped[datetime | None]


class CheckinAnswer(db.Model):
    """One partner's answers to one check-in."""

    __tablename__ = "checkin_answers"
    __table_args__ = (UniqueConstraint("checkin_id", "user_id"), Index(None, "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    answers: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CheckinReaction(db.Model):
    """One partner's reaction to an answer of the other's, once both have answered: a
    heart, a thank-you, or "let's talk about this". One per answer and partner; changing
    it replaces it. ``seen_at``: when the one who gave the answer saw it."""

    __tablename__ = "checkin_reactions"
    __table_args__ = (UniqueConstraint("checkin_id", "user_id", "question_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkin_id: Mapped[int] = mapped_column(ForeignKey("checkins.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    question_key: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    seen_at: Mapped[datetime | None]
