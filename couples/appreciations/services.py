"""Appreciations: send one any time (the partner gets a push), the shared journal, and a
gentle nudge for a partner who has sent none for a few days."""

from datetime import datetime, timedelta

from flask_babel import gettext as _

from couples.accounts.models import User
from couples.appreciations.models import Appreciation
from couples.clock import isoformat
from couples.db import begin_write, in_ids
from couples.extensions import db
from couples.i18n import writing_to
from couples.notifications import reminders
from couples.notifications.models import Notification
from couples.notifications.services import deliver_soon, notification_row, notify
from couples.pagination import keyset_page
from couples.pairing.models import CoupleMember
from couples.pairing.services import Pairing
from couples.safetycheck import before_sending

JOURNAL_PAGE = 30
JOURNAL_MAX = 100
NUDGE_AFTER = timedelta(days=3)


def send(
    *, pairing: Pairing, text: str, language: str | None, now: datetime, seen: bool = False
) -> Appreciation:
    """Send ``text`` to my partner. Words that suggest I may not be safe are sent only
    once I have ``seen`` where to find help (``SafetyCheck`` otherwise)."""
    begin_write(db.session)
    before_sending({"text": text}, seen=seen)
    note = Appreciation(
        couple_id=pairing.couple.id,
        from_user_id=pairing.me.id,
        to_user_id=pairing.partner.id,
        text=text,
        language=language,
        created_at=now,
    )
    db.session.add(note)
    db.session.flush()
    with writing_to(pairing.partner):  # in their language
        title = _("%(name)s sent you an appreciation", name=pairing.me.display_name)
        body = _("Open it when you have a quiet moment.")
    notify(
        user=pairing.partner,
        kind="appreciation_received",
        dedupe_key=f"appreciation:{note.id}",
        title=title,
        body=body,
        url="/appreciations",
        now=now,
        commit=False,
    )
    db.session.commit()  # the note and its notification together
    deliver_soon()
    return note


def journal(
    *, pairing: Pairing, before_id: int | None = None, limit: int = JOURNAL_PAGE
) -> tuple[list[Appreciation], int | None]:
    """The couple's appreciations, newest first, one page and the next cursor. One query."""
    notes, more = keyset_page(
        db.select(Appreciation).where(Appreciation.couple_id == pairing.couple.id),
        Appreciation.id,
        before=before_id,
        limit=limit,
        most=JOURNAL_MAX,
    )
    return notes, (notes[-1].id if more else None)


def nudges(due: list[reminders.Due], now: datetime, counts: dict[int, int]) -> list[dict]:
    """At a partner's reminder time: a nudge when they have sent no appreciation for three
    days (and were not nudged in those three days). Two queries for the whole batch."""
    ids = [user.id for user, _time, _day in due]
    since = now - NUDGE_AFTER
    recent_senders = set(
        db.session.execute(
            db.select(Appreciation.from_user_id)
            .where(in_ids(Appreciation.from_user_id, ids), Appreciation.created_at >= since)
            .group_by(Appreciation.from_user_id)
        ).scalars()
    )
    # A nudge three days ago, at the same reminder time, is not "recent", whatever seconds
    # late either tick ran: anything within the last two and a half days is.
    nudged_since = now - NUDGE_AFTER + timedelta(hours=12)
    recently_nudged = set(
        db.session.execute(
            db.select(Notification.user_id)
            .where(
                in_ids(Notification.user_id, ids),
                Notification.kind == "appreciation_nudge",
                Notification.created_at > nudged_since,
            )
            .group_by(Notification.user_id)
        ).scalars()
    )
    linked_since = dict(
        db.session.execute(
            db.select(CoupleMember.user_id, CoupleMember.joined_at).where(
                in_ids(CoupleMember.user_id, ids), CoupleMember.left_at.is_(None)
            )
        ).all()
    )
    rows = []
    for user, _time, day in due:
        if (
            user.id in recent_senders
            or user.id in recently_nudged
            or "appreciation_nudge" in (user.kinds_off or [])
            or linked_since.get(user.id, now) > since
        ):
            continue
        with writing_to(user):  # in their language
            title = _("A small thank-you?")
            body = _("Is there something your partner did lately that you liked? Tell them.")
        rows.append(
            notification_row(
                user=user,
                kind="appreciation_nudge",
                dedupe_key=f"nudge:{day.isoformat()}",
                topic_key=day.isoformat(),
                title=title,
                body=body,
                url="/appreciations/new",
                now=now,
                sent_today=counts.get(user.id),
            )
        )
    return rows


def export(user: User) -> dict:
    notes = db.session.execute(
        db.select(Appreciation)
        .where(Appreciation.from_user_id == user.id)
        .order_by(Appreciation.id)
    ).scalars()
    return {
        "appreciations_sent": [
            {"text": n.text, "language": n.language, "sent_at": isoformat(n.created_at)}
            for n in notes
        ]
    }
