"""Check-in test helpers (the ``couple`` fixture is in tests/conftest.py)."""


def plant_history(app, days: int, *, end, answers=None):
    """``days`` revealed check-ins for the couple of alex@ and sam@, ending at ``end``, with
    an appreciation, a bid and a notification for alex each day, written straight to the
    tables (fast, for counting queries over long histories)."""
    from datetime import timedelta

    from couples.accounts.models import User
    from couples.appreciations.models import Appreciation
    from couples.bids.models import Bid
    from couples.checkins import rules
    from couples.checkins.models import Checkin, CheckinAnswer
    from couples.extensions import db
    from couples.notifications.models import Notification
    from couples.pairing.models import CoupleMember

    answers = answers or {"needs_met": 4, "mood": 4, "needs_help": "a walk together"}
    with app.app_context():
        alex = db.session.execute(db.select(User).filter_by(email="alex@example.com")).scalar_one()
        sam = db.session.execute(db.select(User).filter_by(email="sam@example.com")).scalar_one()
        couple_id = db.session.execute(
            db.select(CoupleMember.couple_id).filter_by(user_id=alex.id)
        ).scalar_one()
        questions = rules.questions_for("nightly", question_of_the_day="What made you smile?")
        for n in range(days):
            day = end - timedelta(days=n)
            from datetime import UTC, datetime, time

            at = datetime.combine(day, time(21), tzinfo=UTC)
            checkin = Checkin(
                couple_id=couple_id,
                day=day,
                kind="nightly",
                questions=questions,
                created_at=at,
                revealed_at=at,
            )
            db.session.add(checkin)
            db.session.flush()
            for user in (alex, sam):
                db.session.add(
                    CheckinAnswer(
                        checkin_id=checkin.id,
                        user_id=user.id,
                        answers=answers,
                        created_at=at,
                        updated_at=at,
                    )
                )
            db.session.add(
                Appreciation(
                    couple_id=couple_id,
                    from_user_id=sam.id,
                    to_user_id=alex.id,
                    text="thank you",
                    created_at=at,
                )
            )
            db.session.add(
                Bid(
                    couple_id=couple_id,
                    from_user_id=sam.id,
                    to_user_id=alex.id,
                    preset="hug",
                    created_at=at,
                )
            )
            db.session.add(
                Notification(
                    user_id=alex.id,
                    kind="appreciation_received",
                    dedupe_key=f"planted:{day.isoformat()}",
                    title="Sam appreciated you",
                    body="",
                    push=False,
                    status="sent",
                    created_at=at,
                )
            )
        db.session.commit()
