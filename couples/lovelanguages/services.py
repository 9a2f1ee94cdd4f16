"""Love-language profiles: from the quiz or by hand; a partner sees the other's, with
ideas for small moves in each language."""

from datetime import date, datetime

from flask_babel import gettext as _

from couples.accounts.models import User
from couples.clock import isoformat
from couples.db import begin_write
from couples.errors import Invalid
from couples.extensions import db
from couples.lovelanguages import content, quiz
from couples.lovelanguages.models import LoveProfile


def profiles(user_ids: list[int]) -> dict[int, LoveProfile]:
    """The profiles of these people (one query); someone without one is absent."""
    if not user_ids:
        return {}
    return {
        p.user_id: p
        for p in db.session.execute(
            db.select(LoveProfile).where(LoveProfile.user_id.in_(user_ids))
        ).scalars()
    }


def _save(
    user: User, *, ranking: list[str], source: str, choices: dict | None, now: datetime
) -> LoveProfile:
    begin_write(db.session)
    profile = db.session.get(LoveProfile, user.id)
    if profile is None:
        profile = LoveProfile(user_id=user.id)
        db.session.add(profile)
    profile.ranking, profile.source = list(ranking), source
    profile.quiz_choices, profile.updated_at = choices, now
    db.session.commit()
    return profile


def take_quiz(*, user: User, choices: dict, now: datetime) -> tuple[LoveProfile, quiz.Result]:
    """Score the quiz and keep the ranking; 422 with a message per unanswered pair."""
    try:
        result = quiz.score(choices)
    except quiz.QuizError as error:
        raise Invalid(errors=error.errors) from None
    profile = _save(
        user, ranking=list(result.ranking), source="quiz", choices=dict(choices), now=now
    )
    return profile, result


def set_ranking(*, user: User, ranking: list[str], now: datetime) -> LoveProfile:
    if sorted(ranking) != sorted(content.LANGUAGES):
        raise Invalid(errors={"ranking": [_("Put all five love languages in order, each once.")]})
    return _save(user, ranking=ranking, source="manual", choices=None, now=now)


def small_move_for(partner_profile: LoveProfile | None, day: date) -> tuple[str | None, str]:
    """One small move for today, from the partner's top love language when they have a
    profile (else from any language): (language or None, idea)."""
    if partner_profile is not None:
        language = partner_profile.ranking[0]
    else:
        language = content.LANGUAGES[day.toordinal() % len(content.LANGUAGES)]
    idea = content.small_move(language, day.toordinal())
    return (language if partner_profile is not None else None), idea


def export(user: User) -> dict:
    profile = db.session.get(LoveProfile, user.id)
    return {
        "love_languages": None
        if profile is None
        else {
            "ranking": profile.ranking,
            "source": profile.source,
            "quiz_choices": profile.quiz_choices,
            "updated_at": isoformat(profile.updated_at),
        }
    }
