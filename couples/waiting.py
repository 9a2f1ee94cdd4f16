"""What is waiting for me: what my partner did that asks something of me or that I have
not seen yet, newest first, each one tap from acting on it. The home page starts with
it; its count is on the Inbox link and the installed app's icon.

Read from the things themselves (a repair's turn, a bid still open, a check-in my
partner answered), so an item goes away as soon as it is done, wherever it was done.
Only an appreciation and a reaction have no "done": they wait until I have seen them."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from couples.bids import services as bids
from couples.bids.models import Bid
from couples.checkins import services as checkins
from couples.checkins.models import Checkin, CheckinAnswer, CheckinReaction
from couples.checkins.rules import REACTIONS
from couples.clock import local_date
from couples.extensions import db
from couples.i18n import translated
from couples.lovelanguages.content import BID_PRESETS
from couples.notifications.models import Notification
from couples.pairing.services import Pairing
from couples.repair import machine, queries
from couples.repair.models import Commitment, FollowUp, Repair

# How far back an unseen appreciation or reaction still counts as news.
NEWS_DAYS = 7


@dataclass(frozen=True)
class Item:
    """One thing waiting, its words in the current language: the page's, or the API
    request's (couples.api: the reader's language either way)."""

    kind: str  # repair, bid, checkin, appreciation, reaction
    title: str
    detail: str
    url: str
    at: datetime  # when my partner did it, for the order


def _hours_left(ends: datetime, now: datetime) -> str:
    hours = max(0, int((ends - now).total_seconds() // 3600))
    if hours < 1:
        return _("Less than an hour left")
    return ngettext("%(num)d hour left", "%(num)d hours left", hours)


def _repairs(pairing: Pairing, now: datetime) -> list[Item]:
    repairs = db.session.execute(
        db.select(Repair)
        .where(Repair.couple_id == pairing.couple.id, Repair.state.not_in(machine.FINAL))
        .options(
            selectinload(Repair.steps),
            selectinload(Repair.commitments)
            .selectinload(Commitment.follow_ups)
            .selectinload(FollowUp.answers),
        )
    ).scalars()
    items = []
    for repair in repairs:
        if queries.is_paused(repair, now):
            continue
        if queries.next_actor(repair, pairing.me.id, now) not in ("me", "both"):
            continue
        following = repair.state == "following_through"
        items.append(
            Item(
                "repair",
                repair.title,
                _("A follow-up is open for you") if following else _("Your step is waiting"),
                f"/repairs/{repair.public_id}",
                repair.turn_since,
            )
        )
    return items


def _bids(pairing: Pairing, now: datetime) -> list[Item]:
    open_bids = db.session.execute(
        db.select(Bid).where(
            Bid.couple_id == pairing.couple.id,
            Bid.to_user_id == pairing.me.id,
            Bid.logged_by_id.is_(None),
            Bid.response.is_(None),
            Bid.created_at > now - bids.MISSED_AFTER,
        )
    ).scalars()
    name = pairing.partner.display_name

    def title(bid: Bid) -> str:
        preset = translated(BID_PRESETS.get(bid.preset or "", ""))
        return f"{name}: {preset or bid.text or _('A moment together?')}"

    return [
        Item(
            "bid",
            title(bid),
            _hours_left(bid.created_at + bids.MISSED_AFTER, now),
            "/bids",
            bid.created_at,
        )
        for bid in open_bids
    ]


def _checkins(pairing: Pairing, now: datetime, views) -> list[Item]:
    """My open check-ins my partner answered and I have not: one query for when."""
    name = pairing.partner.display_name
    today = local_date(now, pairing.me.timezone)
    days = [v.day for v in views if v.partner_answered and v.my_answers is None]
    if not days:
        return []
    answered_at = dict(
        db.session.execute(
            db.select(Checkin.day, CheckinAnswer.created_at)
            .join(Checkin, Checkin.id == CheckinAnswer.checkin_id)
            .where(
                Checkin.couple_id == pairing.couple.id,
                Checkin.day.in_(days),
                CheckinAnswer.user_id == pairing.partner.id,
            )
        ).all()
    )
    return [
        Item(
            "checkin",
            _("%(name)s answered tonight", name=name)
            if day == today
            else _("%(name)s answered yesterday's check-in", name=name),
            _("Add yours, and you'll see each other's answers."),
            f"/checkin/{day.isoformat()}",
            answered_at[day],
        )
        for day in days
    ]


def _appreciations(pairing: Pairing, now: datetime) -> list[Item]:
    """Appreciations whose notification I have not read (reading the journal reads it)."""
    unread = db.session.execute(
        db.select(Notification.created_at).where(
            Notification.user_id == pairing.me.id,
            Notification.kind == "appreciation_received",
            Notification.read_at.is_(None),
            Notification.created_at > now - timedelta(days=NEWS_DAYS),
        )
    ).scalars()
    name = pairing.partner.display_name
    return [
        Item(
            "appreciation",
            _("%(name)s appreciated you", name=name),
            _("Read it in your journal."),
            "/appreciations",
            at,
        )
        for at in unread
    ]


def _reactions(pairing: Pairing, now: datetime) -> list[Item]:
    rows = db.session.execute(
        db.select(CheckinReaction.kind, CheckinReaction.created_at, Checkin.day)
        .join(Checkin, Checkin.id == CheckinReaction.checkin_id)
        .where(
            Checkin.couple_id == pairing.couple.id,
            CheckinReaction.user_id == pairing.partner.id,
            CheckinReaction.seen_at.is_(None),
            CheckinReaction.created_at > now - timedelta(days=NEWS_DAYS),
        )
    ).all()
    name = pairing.partner.display_name
    return [
        Item(
            "reaction",
            f"{name} {translated(REACTIONS[kind][1])}",
            _("On one of your check-in answers."),
            f"/checkin/{day.isoformat()}",
            at,
        )
        for kind, at, day in rows
    ]


def waiting(*, pairing: Pairing, now: datetime, open_checkins=None) -> list[Item]:
    """Everything waiting for me, newest first. A fixed number of queries.
    ``open_checkins``: ``checkins.today`` when the caller has it already."""
    if open_checkins is None:
        open_checkins = checkins.today(pairing=pairing, now=now)
    items = [
        *_repairs(pairing, now),
        *_bids(pairing, now),
        *_checkins(pairing, now, open_checkins),
        *_appreciations(pairing, now),
        *_reactions(pairing, now),
    ]
    return sorted(items, key=lambda item: item.at, reverse=True)
