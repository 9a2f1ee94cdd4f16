"""Small promises, kept: an everyday promise one partner makes to the other ("I'll call
at lunch"), with its day. On that day both say how it went: kept, partly or not yet,
as a repair's commitments are followed up. A promise is a ``Commitment`` without a
repair, with one ``FollowUp`` on its day: one model of a commitment for both.

The promise itself is shared the moment it is made; my partner's answer is shown to me
once I have answered too, or once the follow-up is over. Nothing is counted or scored."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from couples.accounts.models import User
from couples.clock import isoformat, local_date, zone
from couples.db import begin_write, is_public_id, locked
from couples.errors import Conflict, Invalid, NotFound
from couples.extensions import db
from couples.i18n import N_, format_moment, writing_to
from couples.notifications.services import deliver_soon, insert_rows, notification_row, notify
from couples.pairing.models import Couple
from couples.pairing.services import Pairing, members_of
from couples.repair.clock import FOLLOW_UP_GRACE
from couples.repair.models import Commitment, FollowUp, FollowUpAnswer
from couples.safetycheck import before_sending

# On its day, the follow-up opens (and both are reminded) in the evening of the one who
# made the promise: a promise for lunch is not asked about at breakfast.
ASK_AT = time(18, 0)
AHEAD = 60  # days: as far ahead as a promise may be made
RECENT = timedelta(days=21)  # how long an answered promise stays on the page
# The follow-up's outcomes (the repair's keys), in words for a promise.
OUTCOMES = {"kept": N_("Kept"), "partly": N_("Partly"), "not": N_("Not yet")}


@dataclass
class PromiseView:
    promise: Commitment
    follow_up: FollowUp
    mine: bool  # I made it
    status: str  # coming | open | answered | done
    my_answer: FollowUpAnswer | None
    # Shown once I answered too, or once the follow-up is over.
    their_answer: FollowUpAnswer | None
    they_answered: bool


def ask_at(day: date, tz_name: str) -> datetime:
    """The instant a promise for ``day`` is asked about, in UTC."""
    return datetime.combine(day, ASK_AT, tzinfo=zone(tz_name)).astimezone(UTC)


def view_of(promise: Commitment, me: int, now: datetime) -> PromiseView:
    follow_up = promise.follow_ups[0]
    mine = next((a for a in follow_up.answers if a.user_id == me), None)
    theirs = next((a for a in follow_up.answers if a.user_id != me), None)
    if follow_up.completed_at is not None:
        status = "done"
    elif follow_up.due_at > now:
        status = "coming"
    else:
        status = "answered" if mine else "open"
    show = mine is not None or follow_up.completed_at is not None
    return PromiseView(
        promise=promise,
        follow_up=follow_up,
        mine=promise.owner_id == me,
        status=status,
        my_answer=mine,
        their_answer=theirs if show else None,
        they_answered=theirs is not None,
    )


def _select(pairing: Pairing):
    return (
        db.select(Commitment)
        .where(Commitment.couple_id == pairing.couple.id, Commitment.repair_id.is_(None))
        .options(selectinload(Commitment.follow_ups).selectinload(FollowUp.answers))
    )


def listing(*, pairing: Pairing, now: datetime) -> list[PromiseView]:
    """The couple's promises whose day is at most three weeks ago (a follow-up is over
    three days after its day): soonest day first. Two queries, however long the couple's history."""
    since = local_date(now - RECENT, pairing.me.timezone)
    promises = db.session.execute(
        _select(pairing)
        .where(Commitment.due_on >= since)
        .order_by(Commitment.due_on, Commitment.id)
    ).scalars()
    return [view_of(p, pairing.me.id, now) for p in promises]


def of_days(*, pairing: Pairing, first: date, until: date) -> list[dict]:
    """The couple's promises whose day is from ``first`` up to (not including) ``until``,
    for the weekly check-in's agenda: who made it, its words and day, and what each of us
    said (my partner's answer once I answered too, or once it is over). Three queries."""
    promises = db.session.execute(
        _select(pairing)
        .where(Commitment.due_on >= first, Commitment.due_on < until)
        .order_by(Commitment.due_on, Commitment.id)
    ).scalars()
    found = []
    for promise in promises:
        view = view_of(promise, pairing.me.id, promise.follow_ups[0].due_at)
        found.append(
            {
                "who": "me" if view.mine else "partner",
                "text": promise.text,
                "date": promise.due_on.isoformat(),
                "mine": view.my_answer.outcome if view.my_answer else None,
                "theirs": view.their_answer.outcome if view.their_answer else None,
            }
        )
    return found


def find(*, pairing: Pairing, promise_id: str, lock: bool = False) -> Commitment:
    """One of the couple's promises by its public id; 404 otherwise. ``lock``: for a
    command about to change it (its write begins here, and the row is held until it
    commits)."""
    if lock:
        begin_write(db.session)
    promise = None
    if is_public_id(promise_id):
        query = _select(pairing).where(Commitment.public_id == promise_id)
        promise = db.session.execute(
            locked(db.session, query) if lock else query
        ).scalar_one_or_none()
    if promise is None:
        raise NotFound(_("There is no such promise."))
    return promise


def _check_day(day: date, pairing: Pairing, now: datetime) -> None:
    today = local_date(now, pairing.me.timezone)
    if day < today:
        raise Invalid(errors={"day": [_("Choose today or a day to come.")]})
    if day > today + timedelta(days=AHEAD):
        raise Invalid(
            errors={"day": [_("Choose a day within the next %(days)s days.", days=AHEAD)]}
        )


def make(*, pairing: Pairing, text: str, day: date, now: datetime, seen: bool = False):
    """A promise I make to my partner for ``day`` (my calendar). They are told, without
    the words (a lock screen may show a push)."""
    _check_day(day, pairing, now)
    begin_write(db.session)
    before_sending({"text": text}, seen=seen)
    promise = Commitment(
        couple_id=pairing.couple.id,
        written_by_id=pairing.me.id,
        owner_id=pairing.me.id,
        text=text,
        due_on=day,
        created_at=now,
    )
    asks = ask_at(day, pairing.me.timezone)
    # Made on its own evening: we are both in the app, no reminder needed.
    promise.follow_ups = [FollowUp(days=0, due_at=asks, notified_at=now if asks <= now else None)]
    db.session.add(promise)
    db.session.flush()
    today = local_date(now, pairing.me.timezone)
    with writing_to(pairing.partner):
        if day == today:
            body = _("It's today. Open the app to read it.")
        else:
            pattern = "%A %-d %B" if day - today > timedelta(days=6) else "%A"
            body = _("It's for %(day)s. Open the app to read it.", day=format_moment(day, pattern))
        title = _("%(name)s made you a small promise", name=pairing.me.display_name)
    notify(
        user=pairing.partner,
        kind="promise_made",
        dedupe_key=f"promise:{promise.public_id}",
        title=title,
        body=body,
        url="/grow/promises",
        now=now,
        commit=False,
    )
    db.session.commit()
    deliver_soon()
    return promise


def take_back(*, pairing: Pairing, promise_id: str, now: datetime) -> None:
    """Plans change: the one who made a promise may take it back until someone has said
    how it went."""
    promise = find(pairing=pairing, promise_id=promise_id, lock=True)
    if promise.owner_id != pairing.me.id:
        raise Conflict(_("Only the one who made a promise can take it back."))
    if promise.follow_ups[0].answers:
        raise Conflict(_("Someone has said how this went; it stays."))
    db.session.delete(promise)
    db.session.commit()


def answer(
    *,
    pairing: Pairing,
    promise_id: str,
    outcome: str,
    note: str | None,
    now: datetime,
    seen: bool = False,
) -> Commitment:
    """How it went, on the promise's day or after: kept, partly or not yet, with a note.
    Complete once both have answered."""
    promise = find(pairing=pairing, promise_id=promise_id, lock=True)
    follow_up = promise.follow_ups[0]
    if follow_up.completed_at is not None:
        raise Conflict(_("This promise is over."))
    if follow_up.due_at > now:
        raise Conflict(_("You can say how it went from the evening of its day."))
    if any(a.user_id == pairing.me.id for a in follow_up.answers):
        raise Conflict(_("You said how this went already."))
    before_sending({"note": note}, seen=seen)
    follow_up.answers.append(
        FollowUpAnswer(user_id=pairing.me.id, outcome=outcome, note=note, created_at=now)
    )
    if {a.user_id for a in follow_up.answers} >= {pairing.me.id, pairing.partner.id}:
        follow_up.completed_at = now
    db.session.commit()
    return promise


# --------------------------------------------------------------------------- the clock


def _live(query):
    return query.join(Couple, Couple.id == Commitment.couple_id).where(Couple.ended_at.is_(None))


def tick(now: datetime, batch: int = 500) -> int:
    """On a promise's day both are asked how it went (one reminder per couple and day,
    however many promises fall on it); three days on, a follow-up still open is over,
    answered or not. Running it twice creates nothing twice."""
    begin_write(db.session)
    found = db.session.execute(
        _live(
            db.select(FollowUp, Commitment)
            .join(Commitment, Commitment.id == FollowUp.commitment_id)
            .where(
                FollowUp.repair_id.is_(None),
                FollowUp.completed_at.is_(None),
                FollowUp.notified_at.is_(None),
                FollowUp.due_at <= now,
            )
        )
        .order_by(FollowUp.due_at)
        .limit(batch)
    ).all()
    members = members_of({promise.couple_id for _, promise in found})
    rows, seen = [], set()
    for follow_up, promise in found:
        follow_up.notified_at = now
        key = f"promise-day:{promise.couple_id}:{promise.due_on.isoformat()}"
        if now - follow_up.due_at > timedelta(days=1):
            continue  # the tick was away: too late to ask today
        for user in members.get(promise.couple_id, []):
            if (user.id, key) in seen:
                continue
            seen.add((user.id, key))
            with writing_to(user):
                title = _("A small promise today")
                body = _("How did it go? Kept, partly or not yet: a moment, no score.")
            rows.append(
                notification_row(
                    user=user,
                    kind="promise_day",
                    dedupe_key=key,
                    title=title,
                    body=body,
                    url="/grow/promises",
                    now=now,
                )
            )
    created = insert_rows(rows)
    db.session.execute(
        db.update(FollowUp)
        .where(
            FollowUp.repair_id.is_(None),
            FollowUp.completed_at.is_(None),
            FollowUp.due_at <= now - FOLLOW_UP_GRACE,
        )
        .values(completed_at=now)
    )
    db.session.commit()
    return created


# ------------------------------------------------------------------------------ export


def data(view: PromiseView) -> dict:
    """A promise as the API and the agenda give it, for one reader."""
    p, f = view.promise, view.follow_up
    return {
        "id": p.public_id,
        "by": "me" if view.mine else "partner",
        "text": p.text,
        "day": p.due_on.isoformat(),
        "asks_at": isoformat(f.due_at),
        "status": view.status,
        "my_answer": _answer(view.my_answer),
        "partner_answer": _answer(view.their_answer),
        "partner_answered": view.they_answered,
    }


def _answer(answer: FollowUpAnswer | None) -> dict | None:
    if answer is None:
        return None
    return {"outcome": answer.outcome, "note": answer.note, "at": isoformat(answer.created_at)}


def export(user: User) -> dict:
    """The promises I made, and what I said of each promise (mine or made to me)."""
    made = db.session.execute(
        db.select(Commitment)
        .where(Commitment.written_by_id == user.id, Commitment.repair_id.is_(None))
        .order_by(Commitment.id)
    ).scalars()
    answers = db.session.execute(
        db.select(FollowUpAnswer, Commitment.public_id)
        .join(FollowUp, FollowUp.id == FollowUpAnswer.follow_up_id)
        .join(Commitment, Commitment.id == FollowUp.commitment_id)
        .where(FollowUpAnswer.user_id == user.id, FollowUp.repair_id.is_(None))
        .order_by(FollowUpAnswer.id)
    ).all()
    return {
        "promises_made": [
            {
                "id": p.public_id,
                "text": p.text,
                "day": p.due_on.isoformat(),
                "made_at": isoformat(p.created_at),
            }
            for p in made
        ],
        "promise_answers": [{"promise": public_id, **_answer(a)} for a, public_id in answers],
    }
