import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
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
