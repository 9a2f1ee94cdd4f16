from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from couples.clock import utcnow
from couples.extensions import db


class Notification(db.Model):
    """One durable message to one user: the in-app inbox entry and the outbox row that
    delivery works from. Unique per (user, kind, dedupe key): creating it twice is a no-op.

    status: pending (due at ``next_attempt_at``), sending (claimed until ``lease_until``),
    sent, failed (refused by the push service, no retry), dead (retries exhausted),
    capped (held back by the daily cap), expired (too late to be useful), inbox (never
    pushed)."""

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("user_id", "kind", "dedupe_key"),
        Index(None, "user_id", "created_at"),
        # Delivery claims due rows by this index only: cost follows what is due.
        Index("ix_notifications_due", "status", "next_attempt_at"),
        # The tick deletes what is older than the retention by this index only.
        Index(None, "created_at"),
        {"sqlite_autoincrement": True},  # an id is never given again (it reaches the API)
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(120))
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(String(400))
    # The language the title and body are written in: the push says so (its ``lang``).
    lang: Mapped[str] = mapped_column(String(8), default="en", server_default="en")
    url: Mapped[str] = mapped_column(String(400), default="/")
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    push: Mapped[bool] = mapped_column(default=True)
    in_inbox: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(12), default="pending")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    # Which claim holds the row while it is sending: sends and outcomes check it.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    sent_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    topic: Mapped[str | None] = mapped_column(String(32))
    # Subscriptions that already accepted it, so a retry never repeats a delivered push.
    delivered_to: Mapped[list] = mapped_column(JSON, default=list)


class PushSubscription(db.Model):
    """One browser's Web Push endpoint and keys, belonging to one user."""

    __tablename__ = "push_subscriptions"
    # An id is never given again: it names a device in URLs and the API.
    __table_args__ = (Index(None, "user_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(String(1024), unique=True)
    p256dh: Mapped[str] = mapped_column(String(128))
    auth: Mapped[str] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Consecutive refusals that are our fault (other 4xx); three in a row remove it.
    failures: Mapped[int] = mapped_column(default=0)
    last_success_at: Mapped[datetime | None]
