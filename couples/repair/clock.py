"""The clock's part in repairs: when it next has something to do for one (``due_at``),
and what it does then. A pause whose return time has come ends (both are told), a
partner whose turn has waited 24 hours gets one gentle nudge, follow-ups are reminded on
their dates, and a follow-up with one answer lapses three days on. The commands share
the first of these (a pause may run out just before someone acts) and the step record
both write. What it tells each partner is written in that partner's language."""

from datetime import datetime, timedelta

from flask_babel import gettext as _

from couples.accounts.models import User
from couples.clock import local_date
from couples.db import begin_write
from couples.extensions import db
from couples.i18n import writing_to
from couples.notifications.models import Notification
from couples.notifications.services import insert_rows, notification_row
from couples.pairing.models import Couple, CoupleMember
from couples.repair import machine
from couples.repair.machine import SYSTEM
from couples.repair.models import FollowUp, FollowUpAnswer, Repair, RepairStep
from couples.repair.queries import is_paused, snapshot, user_of, waiting_roles

NUDGE_AFTER = timedelta(hours=24)
FOLLOW_UP_GRACE = timedelta(days=3)  # then one answer is enough


def record(
    repair: Repair,
    *,
    user_id: int | None,
    role: str,
    action: str,
    before: str,
    payload: dict,
    now: datetime,
) -> RepairStep:
    """Add a step to the repair's record: a partner's, or the clock's (no ``user_id``)."""
    step = RepairStep(
        repair_id=repair.id,
        user_id=user_id,
        role=role,
        action=action,
        state_before=before,
        state_after=repair.state,
        payload=payload,
        created_at=now,
    )
    repair.steps.append(step)
    return step


def reschedule(repair: Repair, now: datetime) -> None:
    """When the clock next has something to do for ``repair``."""
    if repair.state in machine.FINAL or repair.state == "following_through":
        repair.due_at = None
    elif is_paused(repair, now):
        repair.due_at = repair.paused_until
    elif repair.nudged_at is None or repair.nudged_at < repair.turn_since:
        repair.due_at = repair.turn_since + NUDGE_AFTER
    else:
        repair.due_at = None


def settle_pause(repair: Repair, users: dict[int, User], now: datetime) -> list[dict]:
    """A pause whose return time has come: resume it (the clock's step) and tell both."""
    if repair.paused_until is None or repair.paused_until > now:
        return []
    before = repair.state
    repair.paused_until = None
    repair.turn_since = now
    step = record(
        repair,
        user_id=None,
        role=SYSTEM,
        action="resume",
        before=before,
        payload={"reason": "time"},
        now=now,
    )
    db.session.flush()
    return _timeout_over_rows(repair, users, step, now, to=list(users.values()))


def _timeout_over_rows(
    repair: Repair, users: dict[int, User], step: RepairStep, now: datetime, to: list[User]
) -> list[dict]:
    rows = []
    for user in to:
        other = next((u for u in users.values() if u.id != user.id), None)
        with writing_to(user):
            title = (
                _("Your pause is over")
                if user.id == repair.paused_by_id
                else _("The pause is over")
            )
            body = (
                _(
                    "Come back to your repair with %(name)s when you feel ready.",
                    name=other.display_name,
                )
                if other
                else _("Come back to your repair when you feel ready.")
            )
        rows.append(
            notification_row(
                user=user,
                kind="repair_timeout_over",
                dedupe_key=f"repair:{repair.id}:{step.id}",
                title=title,
                body=body,
                url=f"/repairs/{repair.public_id}",
                now=now,
                data={"repair": repair.public_id},
            )
        )
    return rows


def _open_follow_ups(repair: Repair) -> int:
    return sum(1 for c in repair.commitments for f in c.follow_ups if f.completed_at is None)


def advance_follow_through(repair: Repair, role: str, now: datetime) -> None:
    """A follow-up was answered or lapsed: the repair is resolved once every follow-up is
    complete."""
    after = machine.apply(
        snapshot(repair, now), "follow_up", role, open_follow_ups=_open_follow_ups(repair)
    )
    if after.state == "resolved":
        repair.state = "resolved"
        repair.ended_at = now
        reschedule(repair, now)


def tick(*, now: datetime, batch: int = 500) -> int:
    """The clock's part, for everything due at ``now``: pauses whose time is up (both
    are told), a nudge for a partner whose turn has waited 24 hours (one per turn, at
    most one a day each), follow-up reminders on their dates, and follow-ups that lapsed
    with one answer. Found by indexed instants; returns the notifications created.
    Running it twice creates nothing twice."""
    created = 0
    created += _due_repairs(now, batch)
    created += _due_follow_ups(now, batch)
    created += _lapsed_follow_ups(now, batch)
    return created


def _live(query):
    return query.join(Couple, Couple.id == Repair.couple_id).where(Couple.ended_at.is_(None))


def _lock_rows(query):
    if db.session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(of=Repair, skip_locked=True)
    return query


def _members(couple_ids: set[int]) -> dict[int, User]:
    if not couple_ids:
        return {}
    rows = db.session.execute(
        db.select(User)
        .join(CoupleMember, (CoupleMember.user_id == User.id) & CoupleMember.left_at.is_(None))
        .where(CoupleMember.couple_id.in_(couple_ids))
    ).scalars()
    return {u.id: u for u in rows}


def _due_repairs(now: datetime, batch: int) -> int:
    begin_write(db.session)
    repairs = list(
        db.session.execute(
            _lock_rows(
                _live(
                    db.select(Repair)
                    .where(Repair.due_at <= now)
                    .order_by(Repair.due_at)
                    .limit(batch)
                )
            )
        ).scalars()
    )
    users = _members({r.couple_id for r in repairs})
    nudged = _nudged_today(list(users.values()), now)
    rows: list[dict] = []
    for repair in repairs:
        pair = {k: v for k, v in users.items() if k in (repair.apologizing_id, repair.hurt_id)}
        if repair.paused_until is not None:
            rows += settle_pause(repair, pair, now)
        elif repair.state not in machine.FINAL and repair.due_at <= now:
            nudges = _nudge_rows(repair, pair, now, already=nudged)
            if nudges:
                rows += nudges
                nudged |= {row["user_id"] for row in nudges}
                repair.nudged_at = now
            elif any(user_of(repair, r) in nudged for r in waiting_roles(repair, now)):
                # They had one today for another repair: this one comes a day later.
                repair.due_at = now + NUDGE_AFTER
                continue
            else:
                repair.nudged_at = now
        reschedule(repair, now)
    created = insert_rows(rows)
    db.session.commit()
    return created


def _nudge_key(user: User, now: datetime) -> str:
    return f"repair-nudge:{local_date(now, user.timezone).isoformat()}"


def _nudged_today(users: list[User], now: datetime) -> set[int]:
    """Who had a repair nudge on their own local date already (at most one a day)."""
    if not users:
        return set()
    keys = {u.id: _nudge_key(u, now) for u in users}
    found = db.session.execute(
        db.select(Notification.user_id, Notification.dedupe_key).where(
            Notification.user_id.in_(keys),
            Notification.kind == "repair_your_turn",
            Notification.dedupe_key.in_(set(keys.values())),
        )
    ).all()
    return {user_id for user_id, key in found if keys[user_id] == key}


def _nudge_rows(
    repair: Repair, users: dict[int, User], now: datetime, already: set[int]
) -> list[dict]:
    rows = []
    for role in waiting_roles(repair, now):
        user = users.get(user_of(repair, role))
        other = users.get(user_of(repair, machine.other(role)))
        if user is None or other is None or user.id in already:
            continue
        with writing_to(user):
            title = _("Your repair with %(name)s", name=other.display_name)
            body = _("It will keep. When you have a calm moment, your part is waiting.")
        rows.append(
            notification_row(
                user=user,
                kind="repair_your_turn",
                dedupe_key=_nudge_key(user, now),
                topic_key=f"repair-{repair.id}",
                title=title,
                body=body,
                url=f"/repairs/{repair.public_id}",
                now=now,
                data={"repair": repair.public_id},
            )
        )
    return rows


def _due_follow_ups(now: datetime, batch: int) -> int:
    begin_write(db.session)
    query = (
        db.select(FollowUp, Repair)
        .join(Repair, Repair.id == FollowUp.repair_id)
        .where(
            FollowUp.completed_at.is_(None),
            FollowUp.notified_at.is_(None),
            FollowUp.due_at <= now,
            Repair.state == "following_through",
        )
        .order_by(FollowUp.due_at)
        .limit(batch)
    )
    found = db.session.execute(_lock_rows(_live(query))).all()
    users = _members({repair.couple_id for _, repair in found})
    rows, seen = [], set()
    for follow_up, repair in found:
        follow_up.notified_at = now
        # One reminder per repair and date, however many commitments fall due on it (the
        # follow-ups of one plan with the same days share their date).
        key = f"follow-up:{repair.id}:{follow_up.days}"
        for user_id, other_id in (
            (repair.apologizing_id, repair.hurt_id),
            (repair.hurt_id, repair.apologizing_id),
        ):
            user, other = users.get(user_id), users.get(other_id)
            if user is None or other is None or (user_id, key) in seen:
                continue
            seen.add((user_id, key))
            with writing_to(user):
                title = _("A follow-up with %(name)s", name=other.display_name)
                body = _("How has it gone since your repair? A minute together.")
            rows.append(
                notification_row(
                    user=user,
                    kind="repair_follow_up",
                    dedupe_key=key,
                    topic_key=key,
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


def _lapsed_follow_ups(now: datetime, batch: int) -> int:
    begin_write(db.session)
    query = (
        db.select(FollowUp, Repair)
        .join(Repair, Repair.id == FollowUp.repair_id)
        .where(
            FollowUp.completed_at.is_(None),
            FollowUp.due_at <= now - FOLLOW_UP_GRACE,
            Repair.following_since <= now - FOLLOW_UP_GRACE,
            Repair.state == "following_through",
            # one nobody answered keeps: it must not fill every batch for ever
            db.exists().where(FollowUpAnswer.follow_up_id == FollowUp.id),
        )
        .order_by(FollowUp.due_at)
        .limit(batch)
    )
    found = db.session.execute(_lock_rows(_live(query))).all()
    for follow_up, repair in found:
        if not follow_up.answers:
            continue  # it keeps until someone answers
        follow_up.completed_at = now
        before = repair.state
        step = record(
            repair,
            user_id=None,
            role=SYSTEM,
            action="follow_up",
            before=before,
            payload={"follow_up": follow_up.public_id, "lapsed": True},
            now=now,
        )
        advance_follow_through(repair, SYSTEM, now)
        step.state_after = repair.state
    db.session.commit()
    return 0
