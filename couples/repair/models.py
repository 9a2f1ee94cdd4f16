import secrets
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from couples.clock import utcnow
from couples.extensions import db

_STATES = (
    "'ready', 'hearing', 'reflect', 'apology', 'response', 'plan', 'reconnect', "
    "'following_through', 'resolved', 'closed'"
)


class Repair(db.Model):
    """One incident worked through the repair workflow by the two partners of a couple.

    The columns hold what the state machine needs (``couples.repair.machine``): the
    state, who said they were ready, what the apologizing partner heard, each partner's
    plan part, a reconnect choice waiting for confirmation, a pause. ``due_at`` is the
    next moment the clock has something to do for this repair (a pause that ends, a
    partner to nudge): the tick finds repairs by it, so its cost follows what is due."""

    __tablename__ = "repairs"
    __table_args__ = (
        Index(None, "couple_id", "id"),
        Index(None, "due_at"),
        CheckConstraint(f"state IN ({_STATES})", name="state"),
        CheckConstraint("kind IN ('everyday', 'trust')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # What clients see: random, so nobody counts or guesses another couple's repairs.
    public_id: Mapped[str] = mapped_column(
        String(16), unique=True, default=lambda: secrets.token_urlsafe(9)
    )
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(120))
    # "trust": a breach of trust, repaired over weeks (questions, weekly trust check-ins,
    # help offered from the start; see ``couples.repair.trust``).
    kind: Mapped[str] = mapped_column(String(10), default="everyday", server_default="everyday")
    # How many weekly trust check-ins the hurt partner chose (none until they do).
    trust_weeks: Mapped[int | None]
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    apologizing_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    hurt_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(20), default="ready")
    ready_roles: Mapped[list] = mapped_column(JSON, default=list)
    # role → number of commitments in that partner's latest plan part
    plan_parts: Mapped[dict] = mapped_column(JSON, default=dict)
    # In ``reflect``: what the apologizing partner heard, waiting for the hurt partner
    # to say "yes, that's it" (cleared when they add what was missed).
    reflection: Mapped[str | None] = mapped_column(String(2000))
    reconnect_choice: Mapped[str | None] = mapped_column(String(300))
    reconnect_confirmed: Mapped[bool] = mapped_column(default=False)
    apology_rounds: Mapped[int] = mapped_column(default=0)
    # The latest step when the opener, and the other partner, last opened the repair:
    # "they have read it" is said only of what they have had in front of them.
    seen_by_opener: Mapped[int | None]
    seen_by_partner: Mapped[int | None]
    # How the opener and the other partner see their part: hurt, apologizing or both
    # (machine.settle_roles). The other partner is given no role until they have said
    # theirs; both empty on repairs from before, whose roles were set at opening.
    opener_view: Mapped[str | None] = mapped_column(String(12))
    partner_view: Mapped[str | None] = mapped_column(String(12))
    paused_until: Mapped[datetime | None]
    paused_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the partner(s) now to act were given their turn (for the waiting nudge).
    turn_since: Mapped[datetime] = mapped_column(default=utcnow)
    nudged_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    plan_done_at: Mapped[datetime | None]
    # When the follow-through began: a follow-up's three days of grace count from its
    # date or from here, whichever is later, so both always have time to answer.
    following_since: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    closing_note: Mapped[str | None] = mapped_column(String(1000))

    steps: Mapped[list["RepairStep"]] = relationship(
        order_by="RepairStep.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
        back_populates="repair",
    )
    commitments: Mapped[list["Commitment"]] = relationship(
        order_by="Commitment.id", cascade="all, delete-orphan", passive_deletes=True
    )
    questions: Mapped[list["RepairQuestion"]] = relationship(
        order_by="RepairQuestion.id", cascade="all, delete-orphan", passive_deletes=True
    )
    trust_checks: Mapped[list["TrustCheck"]] = relationship(
        order_by="TrustCheck.week", cascade="all, delete-orphan", passive_deletes=True
    )


class RepairStep(db.Model):
    """Every action taken in a repair: who, when, in which state, and what they wrote.
    Apology revisions, plan parts sent again, pauses and the clock's own actions (a pause
    that ran out, follow-ups that lapsed) are all kept."""

    __tablename__ = "repair_steps"
    __table_args__ = (Index(None, "repair_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    repair_id: Mapped[int] = mapped_column(ForeignKey("repairs.id", ondelete="CASCADE"))
    # Null for the clock. A deleted account takes what it wrote with it.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(12))  # apologizing | hurt | system
    action: Mapped[str] = mapped_column(String(20))
    state_before: Mapped[str] = mapped_column(String(20))
    state_after: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    repair: Mapped[Repair] = relationship(back_populates="steps")


class Commitment(db.Model):
    """One partner's commitment to the other, with follow-up dates on which both say
    whether it was kept. Either "next time …, I will …", made when a repair's plan was
    complete (``repair_id``), or a small everyday promise with its day (``due_on``, no
    repair; see ``couples.grow.promises``): one model of a commitment for both."""

    __tablename__ = "repair_commitments"
    __table_args__ = (
        Index(None, "repair_id"),
        Index(None, "couple_id", "due_on"),
        CheckConstraint("repair_id IS NOT NULL OR due_on IS NOT NULL", name="repair_or_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(16), unique=True, default=lambda: secrets.token_urlsafe(9)
    )
    couple_id: Mapped[int] = mapped_column(ForeignKey("couples.id", ondelete="CASCADE"))
    repair_id: Mapped[int | None] = mapped_column(ForeignKey("repairs.id", ondelete="CASCADE"))
    # A small promise's day, on the calendar of the one who made it.
    due_on: Mapped[date | None]
    # The plan belongs to both: the partner's answers to its follow-ups stay when the
    # writer's account is deleted (the text itself is cleared then, see services).
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    follow_ups: Mapped[list["FollowUp"]] = relationship(
        order_by="FollowUp.due_at", cascade="all, delete-orphan", passive_deletes=True
    )


class FollowUp(db.Model):
    """ "Did we follow through on this commitment?", asked of both partners on a date.
    Complete when both have answered, or three days after its date with one answer.
    ``notified_at`` is set when both were reminded (the tick finds the due ones by
    ``due_at``)."""

    __tablename__ = "repair_follow_ups"
    __table_args__ = (Index(None, "repair_id"), Index(None, "completed_at", "due_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random: follow-ups are addressed in URLs.
    public_id: Mapped[str] = mapped_column(
        String(16), unique=True, default=lambda: secrets.token_urlsafe(9)
    )
    repair_id: Mapped[int | None] = mapped_column(ForeignKey("repairs.id", ondelete="CASCADE"))
    commitment_id: Mapped[int] = mapped_column(
        ForeignKey("repair_commitments.id", ondelete="CASCADE")
    )
    days: Mapped[int]
    due_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    answers: Mapped[list["FollowUpAnswer"]] = relationship(
        order_by="FollowUpAnswer.id", cascade="all, delete-orphan", passive_deletes=True
    )


class FollowUpAnswer(db.Model):
    """One partner's answer to one follow-up: kept, partly or not, with a note."""

    __tablename__ = "repair_follow_up_answers"
    __table_args__ = (
        UniqueConstraint("follow_up_id", "user_id"),
        CheckConstraint("outcome IN ('kept', 'partly', 'not')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    follow_up_id: Mapped[int] = mapped_column(
        ForeignKey("repair_follow_ups.id", ondelete="CASCADE")
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    outcome: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RepairQuestion(db.Model):
    """In a repair of trust: a question the hurt partner asks, over the weeks, and the
    apologizing partner's answer. Only the two of them read it; no push carries it."""

    __tablename__ = "repair_questions"
    __table_args__ = (Index(None, "repair_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(
        String(16), unique=True, default=lambda: secrets.token_urlsafe(9)
    )
    repair_id: Mapped[int] = mapped_column(ForeignKey("repairs.id", ondelete="CASCADE"))
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    question: Mapped[str] = mapped_column(String(1000))
    asked_at: Mapped[datetime]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answer: Mapped[str | None] = mapped_column(String(2000))
    answered_at: Mapped[datetime | None]


class TrustCheck(db.Model):
    """In a repair of trust: one week's "how safe does this feel?", 1 (not at all) to 5
    (safe), answered by the hurt partner alone and seen by both."""

    __tablename__ = "trust_checks"
    __table_args__ = (
        UniqueConstraint("repair_id", "week"),
        Index(None, "notified_at", "due_at"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    repair_id: Mapped[int] = mapped_column(ForeignKey("repairs.id", ondelete="CASCADE"))
    week: Mapped[int]
    due_at: Mapped[datetime]
    notified_at: Mapped[datetime | None]
    score: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(String(1000))
    answered_at: Mapped[datetime | None]
