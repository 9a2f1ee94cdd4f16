from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from couples.clock import utcnow
from couples.extensions import db


class KeptWords(db.Model):
    """Words their writer kept to themselves instead of sending them: readable by that
    person alone, gone with their account."""

    __tablename__ = "kept_words"
    __table_args__ = (Index(None, "user_id", "id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Where the words were written: "an appreciation", "a bid", "check-in answers"...
    source: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
