import secrets
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from couples.clock import utcnow
from couples.extensions import db


class Bid(db.Model):
    """A bid for connection from one partner to the other: sent in the app (the other
    responds), or noticed in person and logged by the one it was made to, with how they
    responded (private to them)."""

    __tablename__ = "bids"
    __table_args__ = (
        Index(None, "couple_id", "id"),
        CheckConstraint("response IN ('toward', 'later', 'away')", name="response"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What clients see: random, so the gaps left by another's private notes show nothing.
    public_id: Mapped[str] = mapped_column(
        String(16), unique=True, default=lambda: secrets.token_urlsafe(9)
    )
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    # Null for a bid noticed in person: it was made by the partner, not sent by anyone.
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Set for a bid noticed in person: who logged it (the one it was made to).
    logged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    preset: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(String(280))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    response: Mapped[str | None] = mapped_column(String(10))  # toward | later | away
    later_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
