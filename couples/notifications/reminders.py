"""The tick: reminders that fall due on each person's own clock.

Due work is found by indexed UTC instants (``users.next_checkin_reminder_at``), recomputed
from the person's IANA zone after every reminder, so a tick costs in proportion to what
is due, not to the number of users."""

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import aliased

from couples.accounts.models import User
from couples.clock import local_date
from couples.extensions import db
from couples.notifications import schedule
from couples.notifications.services import insert_rows, notification_row, pushes_today
from couples.pairing.models import CoupleMember
from couples.pairing.queries import is_linked

# A reminder found this late (the scheduler was down) is not sent: it would not help.
STALE_AFTER = timedelta(hours=3)
# Features add conditions under which tonight's reminder is not needed
# (for example: this partner already answered tonight).
_skip_checkin_reminder: list[Callable[[User, "datetime"], bool]] = []


def skip_checkin_reminder_when(predicate: Callable[[User, "datetime"], bool]) -> None:
    _skip_checkin_reminder.append(predicate)


def reschedule(user: User, now: datetime) -> None:
    """Set when ``user``'s next check-in reminder is due (none while not linked or off)."""
    wanted = "checkin_reminder" not in (user.kinds_off or []) and is_linked(user.id)
    user.next_checkin_reminder_at = (
        schedule.next_daily(now, user.timezone, user.reminder_minute) if wanted else None)


def tick(*, now: datetime, batch: int = 1000) -> int:
    """Create the notifications due at ``now``; returns how many were created. Running it
    twice, or from two processes at once, creates nothing twice."""
    created = 0
    while True:
        rows = _due_checkin_reminders(now, batch)
        counts = pushes_today([user for user, _ in rows], now)
        with db.session.no_autoflush:
            outbox = [row for user, partner_name in rows
                      if (row := _checkin_reminder(user, partner_name, now, counts[user.id]))]
        created += insert_rows(outbox)  # one INSERT for the whole batch
        db.session.commit()
        if len(rows) < batch:
            return created


def _due_checkin_reminders(now: datetime, limit: int):
    me = aliased(CoupleMember)
    other = aliased(CoupleMember)
    partner = aliased(User)
    query = (
        db.select(User, partner.display_name)
        .outerjoin(me, (me.user_id == User.id) & me.left_at.is_(None))
        .outerjoin(other, (other.couple_id == me.couple_id) & (other.user_id != User.id)
                   & other.left_at.is_(None))
        .outerjoin(partner, partner.id == other.user_id)
        .where(User.next_checkin_reminder_at <= now)
        .order_by(User.next_checkin_reminder_at)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=User, skip_locked=True)
    return db.session.execute(query).all()


def _checkin_reminder(user: User, partner_name: str | None, now: datetime,
                      sent_today: int) -> dict | None:
    """Move the user's next reminder on; the outbox row for this one, if it is wanted."""
    due_at = user.next_checkin_reminder_at
    if partner_name is None or "checkin_reminder" in (user.kinds_off or []):
        user.next_checkin_reminder_at = None
        return None
    user.next_checkin_reminder_at = schedule.next_daily(max(now, due_at), user.timezone,
                                                        user.reminder_minute)
    if now - due_at > STALE_AFTER or any(skip(user, due_at) for skip in _skip_checkin_reminder):
        return None
    day = local_date(due_at, user.timezone)
    return notification_row(
        user=user, kind="checkin_reminder", dedupe_key=f"checkin:{day.isoformat()}",
        topic_key=day.isoformat(), title="Tonight's check-in",
        body=f"Two quiet minutes for you and {partner_name}.", url="/", now=now,
        sent_today=sent_today)
