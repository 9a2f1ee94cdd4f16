"""Repairing a breach of trust: a longer repair (``Repair.kind == "trust"``). Beside the
usual steps, and for as long as the repair is not closed, the hurt partner may ask
questions over the weeks and the apologizing partner answers each (a thread for the two
of them; a push says only that there is something to read), and the hurt partner may
plan a weekly "how safe does this feel?" (1 to 5) for a number of weeks, answered by
them alone and seen by both. Help from a therapist is offered to both from the start
(``queries.signposts``)."""

from datetime import datetime, timedelta

from flask_babel import gettext as _

from couples.accounts.models import User
from couples.clock import isoformat
from couples.db import begin_write, is_public_id
from couples.errors import Conflict, NotFound
from couples.extensions import db
from couples.i18n import N_, writing_to
from couples.notifications.services import deliver_soon, insert_rows, notification_row, notify
from couples.pairing.models import Couple
from couples.pairing.services import Pairing, members_of
from couples.repair.machine import APOLOGIZING, HURT
from couples.repair.models import Repair, RepairQuestion, TrustCheck
from couples.repair.queries import role_of, roles_settled
from couples.repair.services import NotYourTurn, RepairEnded
from couples.safetycheck import before_sending

WEEK = timedelta(days=7)
WEEK_CHOICES = (4, 6, 8, 12)


class NotATrustRepair(Conflict):
    code, title = "not-a-trust-repair", N_("Not a repair of trust")


def check(repair: Repair, pairing: Pairing, role: str) -> None:
    """409 unless this is a repair of trust, still open, whose roles are settled; 403
    when the step is the other partner's."""
    if repair.kind != "trust":
        raise NotATrustRepair(_("Questions and trust check-ins belong to a repair of trust."))
    if repair.state == "closed":
        raise RepairEnded(_("This repair was closed."))
    if repair.state == "ready" or not roles_settled(repair):
        raise Conflict(_("This opens once you have both begun."))
    if role_of(repair, pairing.me.id) != role:
        raise NotYourTurn(
            _("This is for the one who was hurt.")
            if role == HURT
            else _("This is for the one making it right.")
        )


def question_to_answer(repair: Repair, pairing: Pairing, question_id: str) -> RepairQuestion:
    """The question I am about to answer: 404 when there is none such, then ``check``'s
    409 and 403, then 409 once it is answered."""
    row = next(
        (q for q in repair.questions if is_public_id(question_id) and q.public_id == question_id),
        None,
    )
    if row is None:
        raise NotFound(_("There is no such question."))
    check(repair, pairing, APOLOGIZING)
    if row.answered_at is not None:
        raise Conflict(_("You answered this question already."))
    return row


def week_to_answer(repair: Repair, pairing: Pairing, week: int, now: datetime) -> TrustCheck:
    """The week I am about to answer: 404 when there is none such, then ``check``'s 409
    and 403, then 409 before its day or once answered."""
    this = next((c for c in repair.trust_checks if c.week == week), None)
    if this is None:
        raise NotFound(_("There is no such week."))
    check(repair, pairing, HURT)
    if this.due_at > now:
        raise Conflict(_("This week's check-in opens on its day."))
    if this.answered_at is not None:
        raise Conflict(_("You answered this week already."))
    return this


def _tell(pairing: Pairing, repair: Repair, key: str, title: str, now: datetime) -> None:
    """Tell the partner, in their language (``title`` was written in it already)."""
    with writing_to(pairing.partner):
        body = _("Open the repair to read it.")
    notify(
        user=pairing.partner,
        kind="repair_question",
        dedupe_key=key,
        title=title,
        body=body,
        url=f"/repairs/{repair.public_id}",
        now=now,
        commit=False,
        data={"repair": repair.public_id},
    )


def ask(*, pairing: Pairing, repair: Repair, question: str, now: datetime, seen=False):
    """The hurt partner asks; the other is told there is a question, not what it is."""
    begin_write(db.session)  # a no-op when the caller locked the repair already
    check(repair, pairing, HURT)
    before_sending({"question": question}, seen=seen)
    row = RepairQuestion(
        repair_id=repair.id, asked_by_id=pairing.me.id, question=question, asked_at=now
    )
    repair.questions.append(row)
    db.session.flush()
    with writing_to(pairing.partner):  # in their language
        title = _("%(name)s asked a question in your repair", name=pairing.me.display_name)
    _tell(pairing, repair, f"question:{row.public_id}", title, now)
    db.session.commit()
    deliver_soon()
    return row


def answer(
    *, pairing: Pairing, repair: Repair, question_id: str, text: str, now: datetime, seen=False
):
    """The apologizing partner answers a question, once."""
    begin_write(db.session)  # a no-op when the caller locked the repair already
    row = question_to_answer(repair, pairing, question_id)
    before_sending({"answer": text}, seen=seen)
    row.answer, row.answered_by_id, row.answered_at = text, pairing.me.id, now
    with writing_to(pairing.partner):  # in their language
        title = _("%(name)s answered your question", name=pairing.me.display_name)
    _tell(pairing, repair, f"answer:{row.public_id}", title, now)
    db.session.commit()
    deliver_soon()
    return row


def plan_checks(*, pairing: Pairing, repair: Repair, weeks: int, now: datetime) -> None:
    """The hurt partner chooses how many weekly trust check-ins to have, the first a week
    from now. Chosen again, the weeks not answered yet are planned anew from now."""
    begin_write(db.session)  # a no-op when the caller locked the repair already
    check(repair, pairing, HURT)
    answered = [c for c in repair.trust_checks if c.answered_at is not None]
    for planned in [c for c in repair.trust_checks if c.answered_at is None]:
        repair.trust_checks.remove(planned)
    db.session.flush()
    first = len(answered) + 1
    for n in range(weeks - len(answered) if weeks > len(answered) else 0):
        repair.trust_checks.append(
            TrustCheck(repair_id=repair.id, week=first + n, due_at=now + WEEK * (n + 1))
        )
    repair.trust_weeks = max(weeks, len(answered))
    db.session.commit()


def answer_check(
    *, pairing: Pairing, repair: Repair, week: int, score: int, note: str | None, now: datetime
) -> TrustCheck:
    """This week's "how safe does this feel?", from the hurt partner: from its day on,
    once."""
    begin_write(db.session)  # a no-op when the caller locked the repair already
    this = week_to_answer(repair, pairing, week, now)
    this.score, this.note, this.answered_at = score, note, now
    db.session.commit()
    return this


def data(repair: Repair, me_id: int, now: datetime) -> dict:
    """The thread and the weeks, as either partner sees them."""

    def who(user_id):
        return None if user_id is None else ("me" if user_id == me_id else "partner")

    return {
        "questions": [
            {
                "id": q.public_id,
                "asked_by": who(q.asked_by_id),
                "question": q.question,
                "asked_at": isoformat(q.asked_at),
                "answer": q.answer,
                "answered_at": isoformat(q.answered_at),
            }
            for q in repair.questions
        ],
        "trust_weeks": repair.trust_weeks,
        "trust_checks": [
            {
                "week": c.week,
                "due_at": isoformat(c.due_at),
                "open": c.due_at <= now and c.answered_at is None,
                "score": c.score,
                "note": c.note,
                "answered_at": isoformat(c.answered_at),
            }
            for c in repair.trust_checks
        ],
    }


# --------------------------------------------------------------------------- the clock


def tick(now: datetime, batch: int = 500) -> int:
    """On each planned week, the hurt partner is asked how safe it feels (once; not for a
    closed repair or an ended couple)."""
    begin_write(db.session)
    found = db.session.execute(
        db.select(TrustCheck, Repair)
        .join(Repair, Repair.id == TrustCheck.repair_id)
        .join(Couple, Couple.id == Repair.couple_id)
        .where(
            TrustCheck.notified_at.is_(None),
            TrustCheck.due_at <= now,
            TrustCheck.answered_at.is_(None),
            Repair.state != "closed",
            Couple.ended_at.is_(None),
        )
        .order_by(TrustCheck.due_at)
        .limit(batch)
    ).all()
    members = members_of({repair.couple_id for _, repair in found})
    rows = []
    for check, repair in found:
        check.notified_at = now
        hurt = next((u for u in members.get(repair.couple_id, []) if u.id == repair.hurt_id), None)
        if hurt is None:
            continue
        with writing_to(hurt):  # in their language
            title = _("How safe does this feel this week?")
            body = _("A moment to say, from 1 to 5. You both see it.")
        rows.append(
            notification_row(
                user=hurt,
                kind="trust_checkin",
                dedupe_key=f"trust:{repair.id}:{check.week}",
                topic_key=f"trust-{repair.id}",
                title=title,
                body=body,
                url=f"/repairs/{repair.public_id}",
                now=now,
                data={"repair": repair.public_id},
            )
        )
    created = insert_rows(rows)
    db.session.commit()
    return created


# ------------------------------------------------------------------- export and deletion


def export(user: User) -> dict:
    """The questions I asked, my answers to my partner's, and my weekly trust check-ins."""
    asked = db.session.execute(
        db.select(RepairQuestion, Repair.public_id)
        .join(Repair, Repair.id == RepairQuestion.repair_id)
        .where(RepairQuestion.asked_by_id == user.id)
        .order_by(RepairQuestion.id)
    ).all()
    answered = db.session.execute(
        db.select(RepairQuestion, Repair.public_id)
        .join(Repair, Repair.id == RepairQuestion.repair_id)
        .where(RepairQuestion.answered_by_id == user.id)
        .order_by(RepairQuestion.id)
    ).all()
    checks = db.session.execute(
        db.select(TrustCheck, Repair.public_id)
        .join(Repair, Repair.id == TrustCheck.repair_id)
        .where(Repair.hurt_id == user.id, TrustCheck.answered_at.is_not(None))
        .order_by(TrustCheck.id)
    ).all()
    return {
        "questions_asked": [
            {"repair": rid, "question": q.question, "at": isoformat(q.asked_at)} for q, rid in asked
        ],
        # My answers; the questions are my partner's words.
        "answers_given": [
            {"repair": rid, "answer": q.answer, "at": isoformat(q.answered_at)}
            for q, rid in answered
        ],
        "trust_checkins": [
            {"repair": rid, "week": c.week, "score": c.score, "note": c.note} for c, rid in checks
        ],
    }


def before_account_deleted(user: User, now: datetime) -> None:
    """A deleted account takes its words: its questions and answers, and the weekly
    trust check-ins it gave."""
    db.session.execute(
        db.update(RepairQuestion).where(RepairQuestion.asked_by_id == user.id).values(question="")
    )
    db.session.execute(
        db.update(RepairQuestion)
        .where(RepairQuestion.answered_by_id == user.id)
        .values(answer=None)
    )
    hurt_in = db.select(Repair.id).where(Repair.hurt_id == user.id).scalar_subquery()
    db.session.execute(
        db.update(TrustCheck).where(TrustCheck.repair_id.in_(hurt_in)).values(score=None, note=None)
    )
