"""``flask --app couples demo seed``: a demo couple whose every page has something."""

from datetime import UTC, datetime

import time_machine

from couples import demo
from couples.checkins import bank
from couples.checkins.models import Checkin, CheckinAnswer
from couples.extensions import db
from tests.factories import ApiClient

NOW = datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


def test_demo_seed_fills_every_page(make_app):
    app = make_app(RATELIMIT_ENABLED=False)
    with time_machine.travel(NOW, tick=False):
        with app.app_context():
            made = demo.seed(now=NOW)
            assert made.checkins >= 40 and made.appreciations >= 10 and made.bids >= 10
            assert made.repairs == 3
            days = db.session.execute(db.select(Checkin.day)).scalars().all()
            assert min(days).toordinal() >= NOW.date().toordinal() - demo.DAYS
            revealed = db.session.query(Checkin).filter(Checkin.revealed_at.is_not(None)).count()
            assert 0 < revealed < made.checkins  # most revealed, a few still waiting
            email, password = made.alex.email, made.password
        maya = ApiClient(app).login(email, password)
        for path in (
            "/",
            "/checkins",
            "/insights",
            "/appreciations",
            "/bids",
            "/love-languages",
            "/couple/checkins",
            "/notifications",
        ):
            response = maya.client.get(path)
            assert response.status_code == 200, path
        history = maya.get("/api/v1/checkins?limit=100").get_json()["items"]
        assert len(history) == revealed
        insights = maya.get("/api/v1/insights?days=30").get_json()
        assert insights["days_both_checked_in"] > 10
        assert any(v is not None for v in insights["needs_met"]["partner"])
        assert maya.get("/api/v1/love-languages").get_json()["partner"]["top"] == "acts"
        promises = maya.get("/api/v1/couple/promises").get_json()["items"]
        statuses = [p["status"] for p in promises]
        # Weeks of promises, both answering; Jonah's of yesterday waits for Maya, and one
        # of his is still to come.
        assert statuses.count("done") >= 3 and statuses[-2:] == ["open", "coming"]
        assert promises[-2]["partner_answered"] and promises[-2]["partner_answer"] is None
        assert "Say how it went" in maya.client.get("/grow").get_data(as_text=True)
        plans = maya.get("/api/v1/couple/plans").get_json()["items"]
        assert [p["status"] for p in plans] == ["past", "past", "yes", "asked"]
        assert plans[-1]["by"] == "partner"
        assert len(maya.get("/api/v1/couple/ideas").get_json()["ours"]) == 2
        assert "Jonah has a plan" in maya.client.get("/grow/together").get_data(as_text=True)
        repairs = maya.get("/api/v1/repairs").get_json()["items"]
        assert [r["state"] for r in repairs] == ["reflect", "resolved", "following_through"]
        trusted = maya.get(f"/api/v1/repairs/{repairs[2]['id']}").get_json()
        assert trusted["kind"] == "trust" and trusted["trust_weeks"] == 8
        assert [q["answer"] is not None for q in trusted["questions"]] == [True, True, False]
        assert [c["score"] for c in trusted["trust_checks"][:4]] == [1, 2, 2, 3]
        assert repairs[0]["next_actor"] == "me"  # Jonah said back what he heard
        for path in (
            "/repairs",
            *(f"/repairs/{r['id']}" for r in repairs),
            *(f"/repairs/{r['id']}/history" for r in repairs),
        ):
            assert maya.client.get(path).status_code == 200, path


def test_the_demo_answers_each_deeper_question_for_that_question(make_app):
    """An answer to the question of the day is one written for it, in each partner's
    own voice; a question without one is skipped, never answered with another's."""
    app = make_app(RATELIMIT_ENABLED=False)
    keys = {q.key for q in bank.QUESTIONS}
    assert set(demo.QUESTION_ANSWERS) <= keys
    with time_machine.travel(NOW, tick=False), app.app_context():
        made = demo.seed(now=NOW)
        rows = db.session.execute(
            db.select(Checkin.question_key, CheckinAnswer.user_id, CheckinAnswer.answers).join(
                CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id
            )
        ).all()
        answered = 0
        for key, user_id, answers in rows:
            words = answers.get("question_of_the_day")
            if words is None:
                continue
            answered += 1
            who = 0 if user_id == made.alex.id else 1
            assert words == demo.QUESTION_ANSWERS[key][who], (key, words)
        assert answered >= 5


def test_demo_seed_twice_is_refused_calmly(app):
    with app.app_context():
        demo.seed(now=NOW)
        try:
            demo.seed(now=NOW)
        except Exception as error:  # noqa: BLE001
            assert getattr(error, "status", None) == 409
        else:
            raise AssertionError("a second seed was accepted")
