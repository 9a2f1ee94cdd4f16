"""The series behind the insight charts, over my last 7, 30 or 90 local days.

Only revealed check-ins count (a partner's answers are never counted before the reveal),
and bids noticed in person only for the one who logged them. Each partner's own numbers
sit side by side; nothing is scored against the other. A fixed number of queries."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import func

from couples.appreciations.models import Appreciation
from couples.bids import services as bids
from couples.checkins.models import Checkin, CheckinAnswer
from couples.clock import local_date
from couples.errors import Invalid
from couples.extensions import db
from couples.lovelanguages.content import LANGUAGES
from couples.lovelanguages.services import profiles
from couples.pairing.services import Pairing
from couples.repair.models import Repair

PERIODS = (7, 30, 90)


@dataclass
class Insights:
    days: int
    dates: list[date]
    needs_met: dict[str, list]  # "me" / "partner": a value or None per date
    mood: dict[str, list]
    felt: dict[str, dict[str, int]]  # "me" / "partner": language -> days felt
    top: dict[str, str | None]  # each partner's stated top love language
    turned_toward_checkins: dict[str, dict[str, int]]  # mostly / sometimes / rarely
    bids: dict[str, int]  # toward / later / away / missed / open
    appreciations: dict[str, int]  # "me" / "partner": sent
    positives: int
    negatives: int
    days_both: int
    # Times one of us said something was on our mind: said, not a harder moment.
    on_minds: int = 0
    # Repairs made together in the period (their plan agreed): among the good moments.
    repairs: int = 0
    # Each partner's stated top language, felt on how many of their answered evenings,
    # in each block of up to 30 days from the oldest: "me" / "partner" -> [(felt, of)].
    top_felt: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    @property
    def bids_answered(self) -> int:
        return self.bids["toward"] + self.bids["later"] + self.bids["away"] + self.bids["missed"]

    @property
    def toward_share(self) -> float | None:
        answered = (
            self.bids["toward"] + self.bids["later"] + self.bids["away"] + self.bids["missed"]
        )
        if not answered:
            return None
        return (self.bids["toward"] + self.bids["later"]) / answered


def insights(*, pairing: Pairing, days: int, now: datetime) -> Insights:
    if days not in PERIODS:
        raise Invalid(errors={"days": [_("Choose 7, 30 or 90 days.")]})
    me, partner = pairing.me, pairing.partner
    today = local_date(now, me.timezone)
    dates = [today - timedelta(days=n) for n in range(days - 1, -1, -1)]
    index = {d: i for i, d in enumerate(dates)}
    zone = ZoneInfo(me.timezone)
    start = datetime.combine(dates[0], time(0), tzinfo=zone)
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)

    rows = db.session.execute(
        db.select(Checkin.day, CheckinAnswer.user_id, CheckinAnswer.answers)
        .join(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
        .where(
            Checkin.couple_id == pairing.couple.id,
            Checkin.revealed_at.is_not(None),
            Checkin.day >= dates[0],
            Checkin.day <= today,
        )
    ).all()
    who = {me.id: "me", partner.id: "partner"}
    needs = {"me": [None] * days, "partner": [None] * days}
    mood = {"me": [None] * days, "partner": [None] * days}
    felt = {"me": Counter(), "partner": Counter()}
    stated = profiles([me.id, partner.id])
    top = {
        "me": stated[me.id].ranking[0] if me.id in stated else None,
        "partner": stated[partner.id].ranking[0] if partner.id in stated else None,
    }
    blocks = (days + 29) // 30
    top_felt = {side: [[0, 0] for _ in range(blocks)] for side in ("me", "partner")}
    toward_answers = {"me": Counter(), "partner": Counter()}
    revealed_days, good_days, on_mind = set(), Counter(), 0
    for day, user_id, answers in rows:
        side = who.get(user_id)
        if side is None:
            continue
        revealed_days.add(day)
        needs[side][index[day]] = answers.get("needs_met")
        mood[side][index[day]] = answers.get("mood")
        felt[side].update(answers.get("love_languages_felt") or [])
        if top[side] and "love_languages_felt" in answers:
            block = top_felt[side][index[day] // 30]
            block[0] += top[side] in (answers["love_languages_felt"] or [])
            block[1] += 1
        if answers.get("turned_toward"):
            toward_answers[side][answers["turned_toward"]] += 1
        if (answers.get("needs_met") or 0) >= 4:
            good_days[day] += 1
        if answers.get("on_my_mind"):
            on_mind += 1

    sent = Counter(
        db.session.execute(
            db.select(Appreciation.from_user_id).where(
                Appreciation.couple_id == pairing.couple.id,
                Appreciation.created_at >= start,
                Appreciation.created_at < end,
            )
        ).scalars()
    )
    bid_states = Counter(
        bids.status(b, now)
        for b in bids.between(couple_id=pairing.couple.id, viewer_id=me.id, start=start, end=end)
    )
    repairs = db.session.scalar(
        db.select(func.count())
        .select_from(Repair)
        .where(
            Repair.couple_id == pairing.couple.id,
            Repair.plan_done_at >= start,
            Repair.plan_done_at < end,
        )
    )

    appreciations = {"me": sent.get(me.id, 0), "partner": sent.get(partner.id, 0)}
    both_good = sum(1 for count in good_days.values() if count == 2)
    positives = sum(appreciations.values()) + bid_states["toward"] + both_good + repairs
    # Saying what is on one's mind is healthy: it is counted on its own, never as harder.
    negatives = bid_states["away"] + bid_states["missed"]
    return Insights(
        days=days,
        dates=dates,
        needs_met=needs,
        mood=mood,
        felt={side: {lang: counts[lang] for lang in LANGUAGES} for side, counts in felt.items()},
        top=top,
        turned_toward_checkins={side: dict(c) for side, c in toward_answers.items()},
        bids={state: bid_states[state] for state in ("toward", "later", "away", "missed", "open")},
        appreciations=appreciations,
        positives=positives,
        negatives=negatives,
        on_minds=on_mind,
        repairs=repairs,
        top_felt={side: [tuple(b) for b in bl] for side, bl in top_felt.items()},
        days_both=len(revealed_days),
    )
