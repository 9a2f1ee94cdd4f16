from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from couples.clock import utcnow
from couples.extensions import db


class LoveProfile(db.Model):
    """One person's ranking of the five love languages, from the quiz or set by hand.
    Their partner sees it; nobody else does."""

    __tablename__ = "love_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    ranking: Mapped[list] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(10))  # quiz | manual
    quiz_choices: Mapped[dict | None] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
