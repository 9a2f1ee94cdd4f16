"""The tick: reminders that fall due on each person's own clock.

Due work is found by indexed UTC instants (``users.next_checkin_reminder_at``), recomputed
from the person's IANA zone after every reminder, so a tick costs in proportion to what
is due, not to the number of users."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from functools import lru_cache

from flask_babel import gettext as _
from sqlalchemy import Row
from sqlalchemy.orm import aliased

from couples import metrics
from couples.accounts.models import User
from couples.checkins import rules
from couples.clock import local_date
from couples.db import begin_write, in_ids
from couples.extensions import db
from couples.features import features
from couples.i18n import writing_to
from couples.notifications import schedule
from couples.notifications.services import insert_rows, notification_row, prune, pushes_today
from couples.pairing.models import Couple, CoupleMember
from couples.pairing.queries import is_linked

# A reminder found this late (the scheduler was down) is not sent: it would not help.
STALE_AFTER = timedelta(hours=3)
REMINDER_KINDS = {"nightly": "checkin_reminder", "weekly": "weekly_checkin"}
# Everything that comes at a partner's reminder time: while any of them is on, the user
# keeps a reminder slot (``next_checkin_reminder_at``).
AT_REMINDER_TIME = frozenset({*REMINDER_KINDS.values(), "appreciation_nudge", "practice_week"})
# A user whose check-in reminder is due: (user, couple id, their local date). The user is
# a row of the due users' query (``id``, ``timezone``, the reminder and quiet hours
# minutes, ``kinds_off``, ``next_checkin_reminder_at``, ``language`` and ``seen_language``),
# read as a mapped User reads: what is written to them is ``with writing_to(row):``.
Due = tuple[Row, int, date]


def reschedule(user: User, now: datetime) -> None:
    """Set when ``user``'s next check-in reminder is due (none while not linked or off)."""
    off = set(user.kinds_off or [])
    wanted = not off.issuperset(AT_REMINDER_TIME) and is_linked(user.id)
    user.next_checkin_reminder_at = (
        schedule.next_daily(now, user.timezone, user.reminder_minute) if wanted else None
    )


@metrics.TICK.time()
def tick(*, now: datetime, batch: int = 1000) -> int:
    """Create the notifications due at ``now``; returns how many were created. Running it
    twice, or from two processes at once, creates nothing twice.

    Each batch of due users is read in one query, as plain rows (the ORM's bookkeeping for
    thousands of users at the nightly peak would cost more than the reminders), and
    written in one batched INSERT of the notifications and an UPDATE per next reminder
    time, which moves every user due then on at once. Last, notifications past their
    retention are deleted (``services.prune``)."""
    wired = features()
    created = 0
    while True:
        begin_write(db.session)  # each batch is a write of its own
        rows = _due_checkin_reminders(now, batch)
        counts = pushes_today(rows, now)
        due = [
            (row, row.couple_id, local_date(row.next_checkin_reminder_at, row.timezone))
            for row in rows
            if row.couple_id is not None
        ]
        skip = (
            set().union(*(select(due) for select in wired.skip_checkin_reminders)) if due else set()
        )
        fresh = [
            (row, couple_id, day)
            for row, couple_id, day in due
            if now - row.next_checkin_reminder_at <= STALE_AFTER
        ]
        outbox = [
            notification
            for make_rows in wired.at_reminder_time
            if fresh
            for notification in make_rows(fresh, now, counts)
        ]
        # Users due at the same moment on the same clock are next due together: one UPDATE
        # for each next moment, usually one or a few for the whole batch.
        moves: dict[datetime | None, list[int]] = defaultdict(list)
        for row in rows:
            reminder, next_at = _checkin_reminder(row, now, counts[row.id], skip)
            moves[next_at].append(row.id)
            if reminder is not None:
                outbox.append(reminder)
        created += insert_rows(outbox)  # one batched INSERT for the whole batch
        for next_at, user_ids in moves.items():
            db.session.execute(
                db.update(User)
                .where(in_ids(User.id, user_ids))
                .values(next_checkin_reminder_at=next_at)
                .execution_options(synchronize_session=False)
            )
        db.session.commit()
        if len(rows) < batch:
            break
    for work in wired.on_tick:
        created += work(now=now)
    prune(now=now)
    return created


def _due_checkin_reminders(now: datetime, limit: int):
    me = aliased(CoupleMember)
    other = aliased(CoupleMember)
    partner = aliased(User)
    query = (
        db.select(
            User.id,
            User.timezone,
            User.reminder_minute,
            User.quiet_start_minute,
            User.quiet_end_minute,
            User.kinds_off,
            User.next_checkin_reminder_at,
            User.language,
            User.seen_language,
            partner.display_name.label("partner_name"),
            me.couple_id,
            Couple.nightly_days,
            Couple.weekly_day,
        )
        .outerjoin(me, (me.user_id == User.id) & me.left_at.is_(None))
        .outerjoin(Couple, Couple.id == me.couple_id)
        .outerjoin(
            other,
            (other.couple_id == me.couple_id)
            & (other.user_id != User.id)
            & other.left_at.is_(None),
        )
        .outerjoin(partner, partner.id == other.user_id)
        .where(User.next_checkin_reminder_at <= now)
        .order_by(User.next_checkin_reminder_at)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=User, skip_locked=True)
    return db.session.execute(query).all()


@lru_cache(maxsize=1024)
def _checkin_kind(day: date, nightly_days: int, weekly_day: int | None) -> str | None:
    """The couple's check-in on ``day`` (nightly, weekly or none), from their schedule as
    stored: at the peak, thousands of couples share a handful of schedules and dates."""
    days = frozenset(d for d in range(7) if nightly_days & (1 << d))
    return rules.kind_for(day, rules.Schedule(nightly_days=days, weekly_day=weekly_day))


def _checkin_reminder(
    row, now: datetime, sent_today: int, skip: set[int]
) -> tuple[dict | None, datetime | None]:
    """The outbox row for this user's reminder, if it is wanted (a nightly or weekly
    reminder as the couple's schedule has it for that local date), and when their next
    one is due."""
    due_at = row.next_checkin_reminder_at
    off = set(row.kinds_off or [])
    if row.partner_name is None or off.issuperset(AT_REMINDER_TIME):
        return None, None
    next_at = schedule.next_daily(max(now, due_at), row.timezone, row.reminder_minute)
    day = local_date(due_at, row.timezone)
    kind = REMINDER_KINDS.get(_checkin_kind(day, row.nightly_days, row.weekly_day))
    if kind is None or kind in off or now - due_at > STALE_AFTER or row.id in skip:
        return None, next_at
    with writing_to(row):
        if kind == "weekly_checkin":
            title = _("This week's check-in")
            body = _("A little longer tonight: your week with %(name)s.", name=row.partner_name)
        else:
            title = _("Tonight's check-in")
            body = _("Two quiet minutes for you and %(name)s.", name=row.partner_name)
    reminder = notification_row(
        user=row,
        kind=kind,
        dedupe_key=f"checkin:{day.isoformat()}",
        topic_key=day.isoformat(),
        title=title,
        body=body,
        url="/checkin",
        now=now,
        sent_today=sent_today,
    )
    return reminder, next_at
