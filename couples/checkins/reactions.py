"""Reactions: a heart, a thank-you or "let's talk about this" on an answer of my
partner's, once we have both answered (before that, there is nothing of theirs to see).
The partner finds them on the reveal and among what is waiting for them."""

from datetime import date, datetime

from flask_babel import gettext as _

from couples.checkins import rules
from couples.checkins.models import Checkin, CheckinAnswer, CheckinReaction
from couples.db import begin_write
from couples.errors import Invalid, NotFound
from couples.extensions import db
from couples.i18n import translated, writing_to
from couples.notifications.services import notify, settle_many
from couples.pairing.services import Pairing


def _dedupe_key(day: date, key: str, kind: str) -> str:
    return f"reaction:{day.isoformat()}:{key}:{kind}"


def _revealed(pairing: Pairing, day: date) -> Checkin:
    checkin = db.session.execute(
        db.select(Checkin).where(Checkin.couple_id == pairing.couple.id, Checkin.day == day)
    ).scalar_one_or_none()
    if checkin is None or checkin.revealed_at is None:
        raise NotFound(_("There is no check-in for that date."))
    return checkin


def _their_answer(pairing: Pairing, checkin: Checkin, key: str) -> dict:
    """The question ``key`` of ``checkin``, when my partner answered it in words (a
    reaction is to what they said, not to a number); else 404."""
    question = next((q for q in checkin.questions if q["key"] == key), None)
    theirs = db.session.execute(
        db.select(CheckinAnswer.answers).where(
            CheckinAnswer.checkin_id == checkin.id, CheckinAnswer.user_id == pairing.partner.id
        )
    ).scalar_one_or_none()
    if question is None or question["type"] != "text" or (theirs or {}).get(key) in (None, ""):
        raise NotFound(_("There is no answer of your partner's there."))
    return question


def react(*, pairing: Pairing, day: date, key: str, kind: str, now: datetime) -> dict:
    """React to my partner's answer to ``key`` on ``day`` (replacing my reaction there),
    and tell them in their inbox. Returns the day's reactions (``of_checkins``)."""
    begin_write(db.session)
    checkin = _revealed(pairing, day)
    question = _their_answer(pairing, checkin, key)
    if kind not in rules.REACTIONS:
        raise Invalid(errors={"kind": [_("Choose a heart, a thank-you or let's talk.")]})
    mine = db.session.execute(
        db.select(CheckinReaction).where(
            CheckinReaction.checkin_id == checkin.id,
            CheckinReaction.user_id == pairing.me.id,
            CheckinReaction.question_key == key,
        )
    ).scalar_one_or_none()
    if mine is None:
        db.session.add(
            CheckinReaction(
                checkin_id=checkin.id,
                user_id=pairing.me.id,
                question_key=key,
                kind=kind,
                created_at=now,
            )
        )
    elif mine.kind != kind:
        mine.kind, mine.created_at, mine.seen_at = kind, now, None
    with writing_to(pairing.partner):  # in the partner's language
        title = _(
            "%(name)s %(reaction)s",
            name=pairing.me.display_name,
            reaction=translated(rules.REACTIONS[kind][1]),
        )
        body = _("On your answer to “%(prompt)s”", prompt=rules.prompt_text(question))
    notify(
        user=pairing.partner,
        kind="checkin_reaction",
        dedupe_key=_dedupe_key(day, key, kind),
        title=title,
        body=body,
        url=f"/checkin/{day.isoformat()}#answer-{key}",
        now=now,
        commit=False,
    )
    db.session.commit()
    return of_checkins(pairing, [checkin.id])[checkin.id]


def unreact(*, pairing: Pairing, day: date, key: str, now: datetime) -> dict:
    """Take back my reaction to ``key`` on ``day`` (nothing to take back is fine)."""
    begin_write(db.session)
    checkin = _revealed(pairing, day)
    db.session.execute(
        db.delete(CheckinReaction).where(
            CheckinReaction.checkin_id == checkin.id,
            CheckinReaction.user_id == pairing.me.id,
            CheckinReaction.question_key == key,
        )
    )
    db.session.commit()
    return of_checkins(pairing, [checkin.id])[checkin.id]


def of_checkins(pairing: Pairing, checkin_ids: list[int]) -> dict[int, dict]:
    """For each check-in, ``{"mine": {key: kind}, "partner": {key: kind}, "unseen":
    [keys]}``: what I sent on my partner's answers, what they sent on mine, and which of
    theirs I have not seen yet. One query. Only for revealed check-ins."""
    found = {checkin_id: {"mine": {}, "partner": {}, "unseen": []} for checkin_id in checkin_ids}
    if not checkin_ids:
        return found
    for reaction in db.session.execute(
        db.select(CheckinReaction).where(
            CheckinReaction.checkin_id.in_(checkin_ids),
            CheckinReaction.user_id.in_([pairing.me.id, pairing.partner.id]),
        )
    ).scalars():
        side = found[reaction.checkin_id]
        if reaction.user_id == pairing.me.id:
            side["mine"][reaction.question_key] = reaction.kind
        else:
            side["partner"][reaction.question_key] = reaction.kind
            if reaction.seen_at is None:
                side["unseen"].append(reaction.question_key)
    return found


def mark_seen(*, pairing: Pairing, day: date, keys: list[str], kinds: dict, now: datetime):
    """I have seen my partner's reactions to ``keys`` on ``day``: they are no longer new,
    here or in my inbox."""
    if not keys:
        return
    begin_write(db.session)
    checkin = _revealed(pairing, day)
    db.session.execute(
        db.update(CheckinReaction)
        .where(
            CheckinReaction.checkin_id == checkin.id,
            CheckinReaction.user_id == pairing.partner.id,
            CheckinReaction.question_key.in_(keys),
            CheckinReaction.seen_at.is_(None),
        )
        .values(seen_at=now)
    )
    settle_many(
        user_id=pairing.me.id,
        dedupe_keys=[_dedupe_key(day, key, kinds[key]) for key in keys if key in kinds],
        now=now,
    )
    db.session.commit()
