"""What stays of a couple after it ends: each person's own words, read-only, and the
shared history for the days it can still come back.

While a couple is linked, its pages show what the two share. When it ends:

- Each person keeps their own words, and only theirs: their check-in answers (with the
  date and the questions they were asked), the appreciations they wrote, and what they
  wrote in repairs. ``own_words`` lists them; the export has them too. Nothing of the
  former partner's is shown: not their answers, nor whether or when they answered (no
  counts, no reveal), nor their repair words.
- The shared history (the check-ins side by side, the journal, the bids, the repairs, the
  couple's schedule and questions) waits, seen by nobody, for ``COUPLE_RESTORE_DAYS``
  (30): if the same two link again by then, their couple is reopened as it was
  (``couples.pairing.services.accept_invite``).
- Then it is erased (``erase_history``), or at once when the one who unlinks asks for it.
  Erased means: the couple can never be reopened (a new link starts an empty couple),
  and what tied the two together is removed from the database: each check-in's reveal,
  who each appreciation and bid was addressed to and the answers bids got, the couple's
  own questions (each check-in keeps the questions it asked), a repair's reconnect
  choice and its pending pause or reminder, the answers plans together got, and the
  invite's link to the couple. What
  each person wrote stays as their own words, for them alone (deleting the account
  removes those too).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from couples import audit
from couples.accounts.models import User
from couples.appreciations.models import Appreciation
from couples.bids.models import Bid
from couples.checkins.models import Checkin, CheckinAnswer, CustomQuestion
from couples.db import begin_write
from couples.errors import NotFound
from couples.extensions import db
from couples.grow.models import TogetherPlan
from couples.i18n import N_
from couples.pairing.models import Couple, CoupleMember, Invite
from couples.repair.models import Repair, RepairQuestion, RepairStep


def restore_days() -> int:
    return int(current_app.config["COUPLE_RESTORE_DAYS"])


def restorable_until(couple: Couple) -> datetime | None:
    """Until when the same two linking again get this couple back (None: never)."""
    if couple.ended_at is None or couple.history_erased_at is not None:
        return None
    return couple.ended_at + timedelta(days=restore_days())


def erase_history(couple_ids: Iterable[int], now: datetime) -> None:
    """Erase the shared history of ended couples (see the module's docstring for what
    that means). Not committed here; idempotent."""
    ids = sorted(set(couple_ids))
    if not ids:
        return
    db.session.execute(
        db.update(Couple)
        .where(Couple.id.in_(ids), Couple.history_erased_at.is_(None))
        .values(history_erased_at=now)
    )
    db.session.execute(
        db.update(Checkin).where(Checkin.couple_id.in_(ids)).values(revealed_at=None)
    )
    db.session.execute(db.delete(CustomQuestion).where(CustomQuestion.couple_id.in_(ids)))
    db.session.execute(
        db.update(Appreciation).where(Appreciation.couple_id.in_(ids)).values(to_user_id=None)
    )
    # A bid noticed in person is the note of the one who logged it: it stays whole.
    db.session.execute(
        db.update(Bid)
        .where(Bid.couple_id.in_(ids), Bid.logged_by_id.is_(None))
        .values(to_user_id=None, response=None, later_at=None, responded_at=None)
    )
    db.session.execute(
        db.update(Repair)
        .where(Repair.couple_id.in_(ids))
        .values(reconnect_choice=None, paused_until=None, paused_by_id=None, due_at=None)
    )
    db.session.execute(
        db.update(TogetherPlan)
        .where(TogetherPlan.couple_id.in_(ids))
        .values(answer=None, answer_note=None, answered_by_id=None, answered_at=None)
    )
    db.session.execute(db.update(Invite).where(Invite.couple_id.in_(ids)).values(couple_id=None))


def erase_expired(*, now: datetime, batch: int = 500) -> int:
    """Erase every couple that ended ``COUPLE_RESTORE_DAYS`` ago or more and is not
    erased yet; returns how many. Safe to run twice or from two processes at once: a
    couple being reopened at that moment is locked by the reopening, and skipped."""
    cutoff = now - timedelta(days=restore_days())
    due = (
        db.select(Couple.id)
        .where(
            Couple.ended_at.is_not(None),
            Couple.history_erased_at.is_(None),
            Couple.ended_at <= cutoff,
        )
        .order_by(Couple.id)
    )
    erased = 0
    # A look without the write lock first: on most ticks there is nothing to erase.
    while db.session.execute(due.limit(1)).first() is not None:
        begin_write(db.session)
        ids = list(db.session.execute(due.limit(batch).with_for_update(skip_locked=True)).scalars())
        erase_history(ids, now)
        db.session.commit()
        erased += len(ids)
        if len(ids) < batch:
            break
    return erased


def tick(*, now: datetime) -> int:
    """The clock's part: erase what is due. It notifies nobody (returns 0 created)."""
    erase_expired(now=now)
    return 0


# --------------------------------------------------------------------------- own words
@dataclass
class CheckinWords:
    day: date
    kind: str
    # (question prompt, question, my answer) for the questions I answered
    answers: list[tuple[dict, object]]


@dataclass
class RepairWords:
    public_id: str
    title: str | None  # only when I opened it
    opened_at: datetime
    words: list[tuple[str, str]]  # (what it was, what I wrote)


@dataclass
class PastCouple:
    couple_id: int
    partner_name: str | None  # None when the former partner deleted their account
    linked_at: datetime
    ended_at: datetime
    restorable_until: datetime | None
    checkins: list[CheckinWords] = field(default_factory=list)
    appreciations: list[Appreciation] = field(default_factory=list)
    repairs: list[RepairWords] = field(default_factory=list)


# What each repair step of mine holds in my own words, by action: (key, label). The
# labels stay English here and are translated where they are shown (``| tr``).
_STEP_WORDS = {
    "hearing": (("statement", N_("What hurt")),),
    "reflect": (("what_i_heard", N_("What I heard")),),
    "reflect_confirm": (("missed", N_("What was missed")),),
    "apology": (
        ("acknowledgement", N_("What I did")),
        ("empathy", N_("How it felt for you")),
        ("restitution", N_("Making it right")),
    ),
    "response": (("missing", N_("What was still missing")),),
    "plan": (("my_part", N_("My part")),),
    "reconnect_choose": (("choice", N_("A way to reconnect")),),
    "close": (("note", N_("When I closed it")),),
    "follow_up": (("note", N_("How the follow-through went")),),
}


def step_words(action: str, payload: dict) -> list[tuple[str, str]]:
    """The words I wrote in one repair step (never anything it quotes of the other's,
    such as the reconnect choice a confirmation repeats)."""
    words = [
        (label, text)
        for key, label in _STEP_WORDS.get(action, ())
        if isinstance(text := payload.get(key), str) and text.strip()
    ]
    if action == "plan":
        words += [
            (N_("Next time"), c["text"])
            for c in payload.get("commitments") or []
            if isinstance(c, dict) and isinstance(c.get("text"), str)
        ]
    return words


def own_words(user: User) -> list[PastCouple]:
    """The couples ``user`` was in and is not any more, newest first, each with only
    ``user``'s own words. Five queries, however long the history."""
    mine, theirs = aliased(CoupleMember), aliased(CoupleMember)
    rows = db.session.execute(
        db.select(Couple, mine.joined_at, User.display_name)
        .join(mine, (mine.couple_id == Couple.id) & (mine.user_id == user.id))
        .outerjoin(theirs, (theirs.couple_id == Couple.id) & (theirs.user_id != user.id))
        .outerjoin(User, User.id == theirs.user_id)
        .where(mine.left_at.is_not(None), Couple.ended_at.is_not(None))
        .order_by(Couple.ended_at.desc(), Couple.id.desc())
    ).all()
    past = {
        couple.id: PastCouple(
            couple_id=couple.id,
            partner_name=name,
            linked_at=joined_at,
            ended_at=couple.ended_at,
            restorable_until=restorable_until(couple),
        )
        for couple, joined_at, name in rows
    }
    if not past:
        return []
    ids = list(past)
    for checkin, answer in db.session.execute(
        db.select(Checkin, CheckinAnswer)
        .join(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
        .where(Checkin.couple_id.in_(ids), CheckinAnswer.user_id == user.id)
        .order_by(Checkin.day.desc())
    ).all():
        answered = [
            (q, answer.answers.get(q["key"]))
            for q in checkin.questions
            if answer.answers.get(q["key"]) not in (None, [], "")
        ]
        past[checkin.couple_id].checkins.append(
            CheckinWords(day=checkin.day, kind=checkin.kind, answers=answered)
        )
    for note in db.session.execute(
        db.select(Appreciation)
        .where(Appreciation.couple_id.in_(ids), Appreciation.from_user_id == user.id)
        .order_by(Appreciation.id.desc())
    ).scalars():
        past[note.couple_id].appreciations.append(note)
    repairs: dict[int, RepairWords] = {}
    for step, repair in db.session.execute(
        db.select(RepairStep, Repair)
        .join(Repair, Repair.id == RepairStep.repair_id)
        .where(Repair.couple_id.in_(ids), RepairStep.user_id == user.id)
        .order_by(Repair.id.desc(), RepairStep.id)
    ).all():
        entry = repairs.get(repair.id)
        if entry is None:
            entry = repairs[repair.id] = RepairWords(
                public_id=repair.public_id,
                title=repair.title if repair.opened_by_id == user.id and repair.title else None,
                opened_at=repair.created_at,
                words=[],
            )
            past[repair.couple_id].repairs.append(entry)
        entry.words += step_words(step.action, step.payload or {})
    # In a repair of trust: the questions I asked and my answers.
    for question, repair in db.session.execute(
        db.select(RepairQuestion, Repair)
        .join(Repair, Repair.id == RepairQuestion.repair_id)
        .where(
            Repair.couple_id.in_(ids),
            (RepairQuestion.asked_by_id == user.id) | (RepairQuestion.answered_by_id == user.id),
        )
        .order_by(RepairQuestion.id)
    ).all():
        entry = repairs.get(repair.id)
        if entry is None:
            continue  # every repair of mine has steps of mine
        if question.asked_by_id == user.id and question.question:
            entry.words.append((N_("A question I asked"), question.question))
        if question.answered_by_id == user.id and question.answer:
            entry.words.append((N_("My answer to a question"), question.answer))
    for couple in past.values():
        couple.repairs = [r for r in couple.repairs if r.title or r.words]
    return list(past.values())


def erase_now(*, user: User, couple_id: int, now: datetime) -> None:
    """Erase, now, the shared history of an ended couple ``user`` was in: either former
    partner may, alone. 404 for a couple that is not theirs or not ended."""
    if not 0 < couple_id < 2**31:  # the column's range (PostgreSQL refuses more)
        raise NotFound(_("There is no such link of yours."))
    begin_write(db.session)
    couple = db.session.execute(
        db.select(Couple)
        .join(CoupleMember, CoupleMember.couple_id == Couple.id)
        .where(
            Couple.id == couple_id,
            CoupleMember.user_id == user.id,
            CoupleMember.left_at.is_not(None),
            Couple.ended_at.is_not(None),
        )
        .with_for_update(of=Couple)
    ).scalar_one_or_none()
    if couple is None:
        raise NotFound(_("There is no such link of yours."))
    erase_history([couple.id], now)
    db.session.commit()
    audit.record("history_erase", user_id=user.id)


def has_past_couples(user_id: int) -> bool:
    """Whether the user was in a couple that has ended (one small query)."""
    return (
        db.session.execute(
            db.select(CoupleMember.id).where(
                CoupleMember.user_id == user_id, CoupleMember.left_at.is_not(None)
            )
        ).first()
        is not None
    )
