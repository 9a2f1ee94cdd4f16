"""A couple whose clients can be used at any instant: a session cookie is only good
after the moment it was made, so ``at(instant)`` travels there and logs both in afresh."""

from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import time_machine

from tests.factories import ApiClient, make_couple, make_user


@pytest.fixture
def couple(make_app):
    app = make_app(RATELIMIT_ENABLED=False)

    def link(alex_tz: str = "America/New_York", sam_tz: str = "Europe/London"):
        with app.app_context():
            alex = make_user(email="alex@example.com", display_name="Alex", timezone=alex_tz)
            sam = make_user(email="sam@example.com", display_name="Sam", timezone=sam_tz)
            make_couple(alex, sam)
        return couple

    @contextmanager
    def at(instant):
        with time_machine.travel(instant, tick=False):
            yield (ApiClient(app).login("alex@example.com"),
                   ApiClient(app).login("sam@example.com"))

    couple = SimpleNamespace(app=app, link=link, at=at)
    return couple


def plant_history(app, days: int, *, end, answers=None):
    """``days`` revealed check-ins for the couple of alex@ and sam@, ending at ``end``,
    written straight to the tables (fast, for counting queries over long histories)."""
    from datetime import timedelta

    from couples.accounts.models import User
    from couples.checkins import rules
    from couples.checkins.models import Checkin, CheckinAnswer
    from couples.extensions import db
    from couples.pairing.models import CoupleMember

    answers = answers or {"needs_met": 4, "mood": 4, "needs_help": "a walk together"}
    with app.app_context():
        alex = db.session.execute(db.select(User).filter_by(email="alex@example.com")).scalar_one()
        sam = db.session.execute(db.select(User).filter_by(email="sam@example.com")).scalar_one()
        couple_id = db.session.execute(db.select(CoupleMember.couple_id).filter_by(
            user_id=alex.id)).scalar_one()
        questions = rules.questions_for("nightly", question_of_the_day="What made you smile?")
        for n in range(days):
            day = end - timedelta(days=n)
            from datetime import UTC, datetime, time

            at = datetime.combine(day, time(21), tzinfo=UTC)
            checkin = Checkin(couple_id=couple_id, day=day, kind="nightly", questions=questions,
                              created_at=at, revealed_at=at)
            db.session.add(checkin)
            db.session.flush()
            for user in (alex, sam):
                db.session.add(CheckinAnswer(checkin_id=checkin.id, user_id=user.id,
                                             answers=answers, created_at=at, updated_at=at))
        db.session.commit()
