"""Doing things together, on purpose: a shared list of ideas (our own, what we said in the
weekly check-in we'd do next week, and suggestions from both our love languages and a
small built-in set of nostalgic and playful ones); one of us proposes one for a day and
time, the other says yes or another time; both are reminded before it, and the next
weekly check-in asks how it was.

An idea from a weekly check-in is on the list only once both answered that check-in
(the partner's answers are theirs until then)."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import gettext as _

from couples.accounts.models import User
from couples.clock import isoformat, local_date, zone
from couples.db import begin_write, is_public_id, locked
from couples.errors import Conflict, Invalid, NotFound
from couples.extensions import db
from couples.grow.models import TogetherIdea, TogetherPlan
from couples.i18n import N_, format_moment, writing_to
from couples.lovelanguages.models import LoveProfile
from couples.notifications.services import deliver_soon, insert_rows, notification_row, notify
from couples.pairing.models import Couple
from couples.pairing.services import Pairing, members_of
from couples.safetycheck import before_sending

AHEAD = 60  # days: as far ahead as a plan may be proposed
REMIND_BEFORE = timedelta(hours=2)
RECENT = timedelta(days=21)  # how long a past plan stays on the page
WEEKS_BACK = 28  # days of weekly check-ins whose "together next week" joins the list


@dataclass(frozen=True)
class Idea:
    key: str
    text: str
    kind: str  # a love language, "nostalgic" or "playful"


IDEAS: tuple[Idea, ...] = (
    Idea("old_photos", N_("An evening with old photos and the stories behind them"), "nostalgic"),
    Idea("first_date_again", N_("Go back to where you had your first date"), "nostalgic"),
    Idea("song_of_us", N_("Play the songs from your first year together"), "nostalgic"),
    Idea("retell_how_we_met", N_("Each tell the story of how you met, your own way"), "nostalgic"),
    Idea("board_game", N_("A board game night with a silly prize for the winner"), "playful"),
    Idea("cook_blind", N_("Cook a meal from whatever is left in the cupboard"), "playful"),
    Idea("tourist_at_home", N_("Be tourists in your own town for an afternoon"), "playful"),
    Idea("dance_kitchen", N_("Dance in the kitchen to three songs each of you picks"), "playful"),
    Idea("letters_swap", N_("Write each other a short letter and read them aloud"), "words"),
    Idea("three_things", N_("Over dinner, say three things you admire in each other"), "words"),
    Idea("chore_together", N_("Take on a put-off job together, then celebrate it"), "acts"),
    Idea("breakfast_in_bed", N_("Make a slow breakfast for the two of you"), "acts"),
    Idea("market_gift", N_("Wander a market and pick a small gift for each other"), "gifts"),
    Idea("make_something", N_("Make something small for each other in an hour"), "gifts"),
    Idea("phone_free_walk", N_("A long walk with both phones left at home"), "time"),
    Idea("new_recipe", N_("Cook a recipe neither of you has tried"), "time"),
    Idea("massage_evening", N_("A slow evening of back rubs and soft music"), "touch"),
    Idea("stargazing", N_("Lie out under the sky wrapped in one blanket"), "touch"),
)
BY_KEY = {idea.key: idea for idea in IDEAS}
# The built-in kinds that are not a love language, in words (the love languages' own are
# their labels).
KIND_WORDS = {"nostalgic": N_("nostalgic"), "playful": N_("playful")}


# ------------------------------------------------------------------------------ ideas


def suggestions(pairing: Pairing, day: date) -> list[Idea]:
    """Built-in ideas for the two of us: those of each partner's top love language first,
    then two nostalgic and two playful ones, others each week (``day``'s)."""
    profiles = db.session.execute(
        db.select(LoveProfile).where(LoveProfile.user_id.in_([pairing.me.id, pairing.partner.id]))
    ).scalars()
    tops = [p.ranking[0] for p in profiles if p.ranking]
    first = [i for i in IDEAS if i.kind in tops]
    week = day.toordinal() // 7
    for kind in ("nostalgic", "playful"):
        of_kind = [i for i in IDEAS if i.kind == kind]
        first += [of_kind[(week * 2 + n) % len(of_kind)] for n in range(2)]
    return first


def our_ideas(pairing: Pairing) -> list[TogetherIdea]:
    return list(
        db.session.execute(
            db.select(TogetherIdea)
            .where(TogetherIdea.couple_id == pairing.couple.id)
            .order_by(TogetherIdea.id.desc())
            .limit(50)
        ).scalars()
    )


def from_check_ins(pairing: Pairing, *, since: date, until: date) -> list[dict]:
    """What we said in the weekly check-ins of dates ``since`` up to ``until`` (not
    included) we'd do together next week: mine always, my partner's once that check-in
    was revealed. Newest first; one query."""
    from couples.checkins.models import Checkin, CheckinAnswer

    rows = db.session.execute(
        db.select(Checkin.day, Checkin.revealed_at, CheckinAnswer.user_id, CheckinAnswer.answers)
        .join(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
        .where(
            Checkin.couple_id == pairing.couple.id,
            Checkin.kind == "weekly",
            Checkin.day >= since,
            Checkin.day < until,
        )
        .order_by(Checkin.day.desc(), CheckinAnswer.user_id)
    )
    found, seen = [], set()
    for day, revealed_at, user_id, answers in rows:
        text = (answers.get("week_together") or "").strip()
        if not text or (user_id != pairing.me.id and revealed_at is None):
            continue
        if text.casefold() in seen:
            continue  # said again another week: once on the list
        seen.add(text.casefold())
        found.append(
            {
                "who": "me" if user_id == pairing.me.id else "partner",
                "text": text,
                "date": day.isoformat(),
            }
        )
    return found


def add_idea(*, pairing: Pairing, text: str, now: datetime) -> TogetherIdea:
    begin_write(db.session)
    idea = TogetherIdea(
        couple_id=pairing.couple.id, added_by_id=pairing.me.id, text=text, created_at=now
    )
    db.session.add(idea)
    db.session.commit()
    return idea


def remove_idea(*, pairing: Pairing, idea_id: str) -> None:
    """Either of us may take an idea off our list."""
    begin_write(db.session)
    idea = None
    if is_public_id(idea_id):
        idea = db.session.execute(
            db.select(TogetherIdea).where(
                TogetherIdea.public_id == idea_id, TogetherIdea.couple_id == pairing.couple.id
            )
        ).scalar_one_or_none()
    if idea is None:
        raise NotFound(_("There is no such idea."))
    db.session.delete(idea)
    db.session.commit()


# ------------------------------------------------------------------------------ plans


def status(plan: TogetherPlan, now: datetime) -> str:
    """asked (waiting for an answer) | yes | another_time | past (its time went by)."""
    if plan.starts_at <= now:
        return "past"
    return plan.answer or "asked"


def listing(*, pairing: Pairing, now: datetime) -> list[TogetherPlan]:
    """Our plans to come, and those of the last three weeks: soonest first. One query."""
    return list(
        db.session.execute(
            db.select(TogetherPlan)
            .where(
                TogetherPlan.couple_id == pairing.couple.id,
                TogetherPlan.starts_at >= now - RECENT,
            )
            .order_by(TogetherPlan.starts_at, TogetherPlan.id)
        ).scalars()
    )


def find(*, pairing: Pairing, plan_id: str, lock: bool = False) -> TogetherPlan:
    """One of our plans by its public id; 404 otherwise. ``lock``: for a command about to
    change it (its write begins here, and the row is held until it commits)."""
    if lock:
        begin_write(db.session)
    plan = None
    if is_public_id(plan_id):
        query = db.select(TogetherPlan).where(
            TogetherPlan.public_id == plan_id, TogetherPlan.couple_id == pairing.couple.id
        )
        if lock:
            query = locked(db.session, query)
        plan = db.session.execute(query).scalar_one_or_none()
    if plan is None:
        raise NotFound(_("There is no such plan."))
    return plan


def starts_at(day: date, at, tz_name: str) -> datetime:
    """A day and time on ``tz_name``'s clock, in UTC. A time the clocks skip is read with
    the offset before the change (02:30 on the night they go forward is 03:30); a time
    they repeat is its first one."""
    return datetime.combine(day, at, tzinfo=zone(tz_name)).astimezone(UTC)


def _when_for(user: User, instant: datetime) -> str:
    """``instant`` on ``user``'s clock, in the language of the words it goes in."""
    local = instant.astimezone(zone(user.timezone))
    return format_moment(local, "%a %-d %b, %H:%M")


def propose(
    *, pairing: Pairing, text: str, day: date, at, now: datetime, seen: bool = False
) -> TogetherPlan:
    """I propose doing ``text`` together at ``day`` ``at`` on my clock. My partner is
    asked, without the words on a lock screen."""
    today = local_date(now, pairing.me.timezone)
    if day > today + timedelta(days=AHEAD):
        raise Invalid(
            errors={"day": [_("Choose a day within the next %(days)s days.", days=AHEAD)]}
        )
    when = starts_at(day, at, pairing.me.timezone) if day >= today else now
    if when <= now:
        raise Invalid(errors={"day": [_("Choose a time still to come.")]})
    begin_write(db.session)
    before_sending({"text": text}, seen=seen)
    plan = TogetherPlan(
        couple_id=pairing.couple.id,
        proposed_by_id=pairing.me.id,
        text=text,
        starts_at=when,
        created_at=now,
    )
    db.session.add(plan)
    db.session.flush()
    with writing_to(pairing.partner):
        title = _("%(name)s has a plan for you two", name=pairing.me.display_name)
        body = _("%(when)s. Yes, or another time?", when=_when_for(pairing.partner, when))
    notify(
        user=pairing.partner,
        kind="plan_proposed",
        dedupe_key=f"plan:{plan.public_id}",
        title=title,
        body=body,
        url="/grow/together",
        now=now,
        commit=False,
    )
    db.session.commit()
    deliver_soon()
    return plan


def answer(
    *,
    pairing: Pairing,
    plan_id: str,
    reply: str,
    note: str | None,
    now: datetime,
    seen: bool = False,
) -> TogetherPlan:
    """My partner's plan: yes, or another time (with a word on when suits me). They are
    told. Once answered, it stays answered: another time is a new proposal."""
    plan = find(pairing=pairing, plan_id=plan_id, lock=True)
    if plan.proposed_by_id == pairing.me.id:
        raise Conflict(_("This is your own plan: it's for your partner to answer."))
    if plan.starts_at <= now:
        raise Conflict(_("The time for this plan has gone by."))
    if plan.answer is not None:
        raise Conflict(_("You answered this plan already."))
    before_sending({"note": note}, seen=seen)
    plan.answer, plan.answer_note, plan.answered_at = reply, note, now
    plan.answered_by_id = pairing.me.id
    name = pairing.me.display_name
    with writing_to(pairing.partner):
        if reply == "yes":
            title = _("%(name)s said yes", name=name)
        else:
            title = _("%(name)s would like another time", name=name)
        body = _("To your plan for %(when)s.", when=_when_for(pairing.partner, plan.starts_at))
    notify(
        user=pairing.partner,
        kind="plan_answered",
        dedupe_key=f"plan-answer:{plan.public_id}",
        title=title,
        body=body,
        url="/grow/together",
        now=now,
        commit=False,
    )
    db.session.commit()
    deliver_soon()
    return plan


def withdraw(*, pairing: Pairing, plan_id: str, now: datetime) -> None:
    """The one who proposed a plan may call it off before its time."""
    plan = find(pairing=pairing, plan_id=plan_id, lock=True)
    if plan.proposed_by_id != pairing.me.id:
        raise Conflict(_("Only the one who proposed a plan can call it off."))
    if plan.starts_at <= now:
        raise Conflict(_("The time for this plan has gone by."))
    db.session.delete(plan)
    db.session.commit()


def of_days(*, pairing: Pairing, first: date, until: date) -> list[dict]:
    """The plans we said yes to whose time fell on my dates ``first`` up to ``until`` (not
    included): for the weekly check-in to ask how each was. One query."""
    tz = zone(pairing.me.timezone)
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(until, datetime.min.time(), tzinfo=tz).astimezone(UTC)
    plans = db.session.execute(
        db.select(TogetherPlan)
        .where(
            TogetherPlan.couple_id == pairing.couple.id,
            TogetherPlan.answer == "yes",
            TogetherPlan.starts_at >= start,
            TogetherPlan.starts_at < end,
        )
        .order_by(TogetherPlan.starts_at)
    ).scalars()
    return [
        {
            "text": p.text,
            "date": local_date(p.starts_at, pairing.me.timezone).isoformat(),
            "who": "me" if p.proposed_by_id == pairing.me.id else "partner",
        }
        for p in plans
    ]


def data(plan: TogetherPlan, me: int, now: datetime) -> dict:
    return {
        "id": plan.public_id,
        "by": "me" if plan.proposed_by_id == me else "partner",
        "text": plan.text,
        "starts_at": isoformat(plan.starts_at),
        "status": status(plan, now),
        "answer": plan.answer,
        "answer_note": plan.answer_note,
    }


# --------------------------------------------------------------------------- the clock


def tick(now: datetime, batch: int = 500) -> int:
    """Two hours before a plan we said yes to, both are reminded (once; not when the
    clock was away until after it began)."""
    begin_write(db.session)
    found = (
        db.session.execute(
            db.select(TogetherPlan)
            .join(Couple, Couple.id == TogetherPlan.couple_id)
            .where(
                Couple.ended_at.is_(None),
                TogetherPlan.answer == "yes",
                TogetherPlan.reminded_at.is_(None),
                TogetherPlan.starts_at <= now + REMIND_BEFORE,
            )
            .order_by(TogetherPlan.starts_at)
            .limit(batch)
        )
        .scalars()
        .all()
    )
    members = members_of({p.couple_id for p in found})
    rows = []
    for plan in found:
        plan.reminded_at = now
        if plan.starts_at <= now:
            continue
        for user in members.get(plan.couple_id, []):
            local = plan.starts_at.astimezone(zone(user.timezone))
            with writing_to(user):
                title = _("Your plan together is soon")
                body = _("At %(time)s. Enjoy each other.", time=f"{local:%H:%M}")
            rows.append(
                notification_row(
                    user=user,
                    kind="plan_reminder",
                    dedupe_key=f"plan-soon:{plan.public_id}",
                    title=title,
                    body=body,
                    url="/grow/together",
                    now=now,
                )
            )
    created = insert_rows(rows)
    db.session.commit()
    return created


# ------------------------------------------------------------------------------ export


def before_account_deleted(user: User, now: datetime) -> None:
    """A deleted account takes its words: the ideas it added, the plans it proposed and
    its notes on the partner's plans."""
    db.session.execute(db.delete(TogetherIdea).where(TogetherIdea.added_by_id == user.id))
    db.session.execute(db.delete(TogetherPlan).where(TogetherPlan.proposed_by_id == user.id))
    db.session.execute(
        db.update(TogetherPlan)
        .where(TogetherPlan.answered_by_id == user.id)
        .values(answer_note=None)
    )


def export(user: User) -> dict:
    """The ideas I added, the plans I proposed and my answers to my partner's."""
    ideas = db.session.execute(
        db.select(TogetherIdea).where(TogetherIdea.added_by_id == user.id).order_by(TogetherIdea.id)
    ).scalars()
    proposed = db.session.execute(
        db.select(TogetherPlan)
        .where(TogetherPlan.proposed_by_id == user.id)
        .order_by(TogetherPlan.id)
    ).scalars()
    answered = db.session.execute(
        db.select(TogetherPlan)
        .where(TogetherPlan.answered_by_id == user.id)
        .order_by(TogetherPlan.id)
    ).scalars()
    return {
        "ideas_added": [{"text": i.text, "at": isoformat(i.created_at)} for i in ideas],
        "plans_proposed": [
            {
                "text": p.text,
                "starts_at": isoformat(p.starts_at),
                "answer": p.answer,
                "proposed_at": isoformat(p.created_at),
            }
            for p in proposed
        ],
        # My answers to my partner's plans: the plan's words are theirs.
        "plans_answered": [
            {
                "starts_at": isoformat(p.starts_at),
                "answer": p.answer,
                "note": p.answer_note,
                "answered_at": isoformat(p.answered_at),
            }
            for p in answered
        ],
    }
