"""Bids for connection: a small request for attention. The partner turns toward it, says
later (with a time), or leaves it; unanswered after 12 hours it counts as missed. A bid
noticed in person can be logged, with one's own response, for self-awareness: only the
one who logged it sees it."""

from datetime import datetime, timedelta

from flask_babel import gettext as _

from couples.accounts.models import User
from couples.bids.models import Bid
from couples.clock import isoformat
from couples.db import begin_write
from couples.errors import Conflict, Forbidden, Invalid, NotFound
from couples.extensions import db
from couples.i18n import N_, translated, writing_to
from couples.lovelanguages.content import BID_PRESETS
from couples.notifications.services import deliver_soon, notify
from couples.pagination import keyset_page
from couples.pairing.services import Pairing
from couples.safetycheck import before_sending

MISSED_AFTER = timedelta(hours=12)
LATER_WITHIN = timedelta(days=7)
PAGE = 30
PAGE_MAX = 100
RESPONSES = ("toward", "later", "away")
# What turning toward means for the one who made the bid: a hug is an invitation to
# come closer, a thought of them is not.
TOWARD_BODIES = {
    "thinking_of_you": N_("Your thought reached them."),
    "talk_tonight": N_("They'd like to talk too. Find a quiet moment."),
    "hug": N_("Go and find them."),
    "look_at_this": N_("They took a look."),
}


def status(bid: Bid, now: datetime) -> str:
    if bid.response is not None:
        return bid.response
    return "missed" if now - bid.created_at >= MISSED_AFTER else "open"


# The push names the gesture when the bid says what it is.
_TITLES = {
    "good_news": N_("%(name)s has good news"),
    "hard_day": N_("%(name)s is having a hard day"),
}


def _visible(pairing: Pairing):
    return (Bid.couple_id == pairing.couple.id) & (
        Bid.logged_by_id.is_(None) | (Bid.logged_by_id == pairing.me.id)
    )


def send(
    *, pairing: Pairing, preset: str | None, text: str | None, now: datetime, seen: bool = False
) -> Bid:
    """Send a bid to my partner. Words that suggest I may not be safe are sent only once
    I have ``seen`` where to find help (``SafetyCheck`` otherwise)."""
    begin_write(db.session)
    before_sending({"text": text}, seen=seen)
    bid = Bid(
        couple_id=pairing.couple.id,
        from_user_id=pairing.me.id,
        to_user_id=pairing.partner.id,
        preset=preset,
        text=text,
        created_at=now,
    )
    db.session.add(bid)
    db.session.flush()
    with writing_to(pairing.partner):  # in their language
        title = translated(_TITLES.get(preset or "", N_("%(name)s is reaching out"))) % {
            "name": pairing.me.display_name
        }
        body = translated(BID_PRESETS[preset]) if preset else _("A few words for you.")
    notify(
        user=pairing.partner,
        kind="bid_received",
        dedupe_key=f"bid:{bid.id}",
        title=title,
        body=body,
        url="/bids",
        now=now,
        commit=False,
    )
    db.session.commit()  # the bid and its notification together
    deliver_soon()
    return bid


def log_noticed(
    *, pairing: Pairing, text: str | None, preset: str | None, my_response: str, now: datetime
) -> Bid:
    """A bid my partner made in person, and how I responded. Only I see it."""
    begin_write(db.session)
    bid = Bid(
        couple_id=pairing.couple.id,
        from_user_id=None,
        to_user_id=pairing.me.id,
        logged_by_id=pairing.me.id,
        preset=preset,
        text=text,
        created_at=now,
        response=my_response,
        responded_at=now,
    )
    db.session.add(bid)
    db.session.commit()
    return bid


def find(*, pairing: Pairing, bid_id: str) -> Bid:
    """A bid I may see, by its public id; 404 otherwise."""
    bid = None
    if isinstance(bid_id, str) and 0 < len(bid_id) <= 16:
        bid = db.session.execute(
            db.select(Bid).where(Bid.public_id == bid_id, _visible(pairing))
        ).scalar_one_or_none()
    if bid is None:
        raise NotFound(_("There is no such bid."))
    return bid


def check_can_respond(*, pairing: Pairing, bid: Bid, now: datetime) -> None:
    """409 once answered or missed, then 403 when the bid was not made to me."""
    state = status(bid, now)
    if state == "missed":
        raise Conflict(_("This bid was a while ago. A new one is always welcome."))
    if state != "open":
        raise Conflict(_("This bid has its answer already."))
    if bid.to_user_id != pairing.me.id or bid.logged_by_id is not None:
        raise Forbidden(_("This bid is for your partner to answer."))


def respond(
    *, pairing: Pairing, bid_id: str, response: str, later_at: datetime | None, now: datetime
) -> Bid:
    begin_write(db.session)
    bid = find(pairing=pairing, bid_id=bid_id)
    check_can_respond(pairing=pairing, bid=bid, now=now)
    if response not in RESPONSES:
        raise Invalid(errors={"response": [_("Answer toward, later or away.")]})
    if response == "later":
        if later_at is None:
            raise Invalid(errors={"later_at": [_("Say when: a time in the next few days.")]})
        if not now < later_at <= now + LATER_WITHIN:
            raise Invalid(errors={"later_at": [_("Pick a time in the next 7 days.")]})
    elif later_at is not None:
        raise Invalid(errors={"later_at": [_("Only for later.")]})
    claimed = db.session.execute(
        db.update(Bid)
        .where(Bid.id == bid.id, Bid.response.is_(None))
        .values(response=response, later_at=later_at, responded_at=now)
    ).rowcount
    if claimed != 1:
        db.session.rollback()
        raise Conflict(_("This bid has its answer already."))
    if response in ("toward", "later"):
        sender = pairing.partner
        name = pairing.me.display_name
        with writing_to(sender):  # in their language
            title = (
                _("%(name)s turned toward your bid", name=name)
                if response == "toward"
                else _("%(name)s will come back to your bid", name=name)
            )
            body = (
                translated(TOWARD_BODIES.get(bid.preset, N_("Your words reached them.")))
                if response == "toward"
                else _("They picked a time that works for them.")
            )
        notify(
            user=sender,
            kind="bid_answered",
            dedupe_key=f"bid-answer:{bid.id}",
            title=title,
            body=body,
            url="/bids",
            now=now,
            commit=False,
        )
    db.session.commit()  # the answer and its notification together
    db.session.refresh(bid)
    deliver_soon()
    return bid


def listing(
    *, pairing: Pairing, before: str | None = None, limit: int = PAGE
) -> tuple[list[Bid], str | None]:
    """The bids I may see, newest first; ``before`` is the public id of the last one of
    the previous page. Returns one page and the next cursor."""
    after = None
    if before is not None:
        after = db.session.execute(
            db.select(Bid.id).where(Bid.public_id == before, _visible(pairing))
        ).scalar_one_or_none()
        if after is None:
            raise Invalid(errors={"cursor": [_("Not a valid cursor.")]})
    bids, more = keyset_page(
        db.select(Bid).where(_visible(pairing)), Bid.id, before=after, limit=limit, most=PAGE_MAX
    )
    return bids, (bids[-1].public_id if more else None)


def between(*, couple_id: int, viewer_id: int, start: datetime, end: datetime) -> list[Bid]:
    """The bids of a period as ``viewer_id`` may see them (for insights)."""
    return list(
        db.session.execute(
            db.select(Bid).where(
                Bid.couple_id == couple_id,
                Bid.created_at >= start,
                Bid.created_at < end,
                Bid.logged_by_id.is_(None) | (Bid.logged_by_id == viewer_id),
            )
        ).scalars()
    )


def export(user: User) -> dict:
    """The bids I made or noted, and those made to me in my current couple only: after
    a link ends, the former partner's words are not mine to take."""
    from couples.pairing.models import CoupleMember

    current = db.select(CoupleMember.couple_id).where(
        CoupleMember.user_id == user.id, CoupleMember.left_at.is_(None)
    )
    bids = db.session.execute(
        db.select(Bid)
        .where(
            (Bid.from_user_id == user.id)
            | (Bid.to_user_id == user.id)
            & Bid.logged_by_id.is_(None)
            & Bid.couple_id.in_(current.scalar_subquery())
            | (Bid.logged_by_id == user.id)
        )
        .order_by(Bid.id)
    ).scalars()
    return {
        "bids": [
            {
                "preset": b.preset,
                "text": b.text,
                "made_at": isoformat(b.created_at),
                "noticed_in_person": b.logged_by_id is not None,
                "by_me": b.from_user_id == user.id,
                "response": b.response,
            }
            for b in bids
        ]
    }
