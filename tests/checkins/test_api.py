"""The check-in API: today, answering, the reveal, history, the couple's settings."""

from datetime import UTC, datetime

from couples.checkins.models import Checkin, CheckinAnswer
from couples.extensions import db

# 21:00 in New York (Alex) is 02:00 next day in London (Sam): a Wednesday evening for Alex.
EVENING = datetime(2026, 11, 18, 21, 0, tzinfo=UTC)
GOOD = {"needs_met": 4, "mood": 4}


def _today(client):
    response = client.get("/api/v1/checkins/today")
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_today_lists_my_own_local_dates(couple):
    couple.link()
    with couple.at(datetime(2026, 11, 18, 23, 30, tzinfo=UTC)) as (alex, sam):
        # 18:30 on the 18th in New York; 23:30 on the 18th in London.
        assert [i["date"] for i in _today(alex)["items"]] == ["2026-11-18"]
        assert [i["date"] for i in _today(sam)["items"]] == ["2026-11-18"]
    with couple.at(datetime(2026, 11, 19, 3, 0, tzinfo=UTC)) as (alex, sam):
        # 22:00 on the 18th in New York; 03:00 on the 19th in London, yesterday still open.
        assert [i["date"] for i in _today(alex)["items"]] == ["2026-11-18"]
        assert [i["date"] for i in _today(sam)["items"]] == ["2026-11-19", "2026-11-18"]


def test_answers_stay_hidden_until_both_answered_then_reveal(couple):
    couple.link()
    with couple.at(datetime(2026, 11, 18, 20, 0, tzinfo=UTC)) as (alex, sam):
        response = alex.put(
            "/api/v1/checkins/2026-11-18/answers",
            json={"answers": {**GOOD, "needs_help": "an early night"}},
        )
        assert response.status_code == 200, response.get_json()
        mine = response.get_json()
        assert mine["my_answers"]["needs_help"] == "an early night"
        assert mine["revealed"] is False and "partner_answers" not in mine
        item = _today(sam)["items"][0]
        assert item["partner_answered"] is True and item["my_answers"] is None
        assert "partner_answers" not in item
        assert "an early night" not in sam.get("/api/v1/checkins/today").get_data(as_text=True)
        response = sam.put(
            "/api/v1/checkins/2026-11-18/answers", json={"answers": {"needs_met": 2, "mood": 3}}
        )
        assert response.status_code == 200, response.get_json()
        revealed = response.get_json()
        assert revealed["revealed"] is True
        assert revealed["partner_answers"]["needs_help"] == "an early night"
        assert revealed["next_steps"] == ["needs_low", "needs_apart"]
        again = _today(alex)["items"][0]
        assert again["partner_answers"]["needs_met"] == 2 and again["editable"] is False
        history = alex.get("/api/v1/checkins").get_json()
        assert [i["date"] for i in history["items"]] == ["2026-11-18"]


def test_answering_settles_what_asked_for_the_answers(couple):
    """ "Alex finished their check-in. Add yours" is done once Sam has added hers: it no
    longer shows as new. Other news stays new."""
    couple.link()
    with couple.at(datetime(2026, 11, 18, 20, 0, tzinfo=UTC)) as (alex, sam):
        assert (
            alex.put("/api/v1/checkins/2026-11-18/answers", json={"answers": GOOD}).status_code
            == 200
        )
        assert (
            alex.post("/api/v1/appreciations", json={"text": "Thank you for dinner"}).status_code
            == 201
        )
        inbox = sam.get("/api/v1/notifications").get_json()
        assert {n["kind"]: n["read"] for n in inbox["items"]} == {
            "partner_checked_in": False,
            "appreciation_received": False,
        }
        assert inbox["unread"] == 2
        assert (
            sam.put("/api/v1/checkins/2026-11-18/answers", json={"answers": GOOD}).status_code
            == 200
        )
        inbox = sam.get("/api/v1/notifications").get_json()
        assert {n["kind"]: n["read"] for n in inbox["items"]} == {
            "partner_checked_in": True,
            "appreciation_received": False,
        }
        assert inbox["unread"] == 1
        # Alex's news of the reveal is new to Alex.
        assert alex.get("/api/v1/notifications").get_json()["unread"] == 1


def test_edits_replace_answers_until_the_reveal_then_409(couple):
    couple.link()
    with couple.at(datetime(2026, 11, 18, 20, 0, tzinfo=UTC)) as (alex, sam):
        assert (
            alex.put(
                "/api/v1/checkins/2026-11-18/answers", json={"answers": {**GOOD, "felt_seen": "x"}}
            ).status_code
            == 200
        )
        response = alex.put("/api/v1/checkins/2026-11-18/answers", json={"answers": GOOD})
        assert response.get_json()["my_answers"]["felt_seen"] is None
        assert (
            sam.put("/api/v1/checkins/2026-11-18/answers", json={"answers": GOOD}).status_code
            == 200
        )
        response = alex.put("/api/v1/checkins/2026-11-18/answers", json={"answers": GOOD})
        assert response.status_code == 409
        assert response.get_json()["type"] == "/problems/already-revealed"
    with couple.app.app_context():
        assert db.session.query(CheckinAnswer).count() == 2
        assert db.session.query(Checkin).one().revealed_at is not None


def test_dates_outside_my_window_are_409_and_unknown_dates_404(couple):
    couple.link()
    with couple.at(datetime(2026, 11, 18, 20, 0, tzinfo=UTC)) as (alex, sam):
        for day in ("2026-11-16", "2026-11-19", "2030-01-01"):
            response = alex.put(f"/api/v1/checkins/{day}/answers", json={"answers": GOOD})
            assert response.status_code == 409, day
        for day in ("2026-02-30", "yesterday", "2026-1-1", "20261118"):
            response = alex.put(f"/api/v1/checkins/{day}/answers", json={"answers": GOOD})
            assert response.status_code == 404, day
    with couple.app.app_context():
        assert db.session.query(Checkin).count() == 0


def test_invalid_answers_are_422_per_field_and_store_nothing(couple):
    couple.link()
    with couple.at(datetime(2026, 11, 18, 20, 0, tzinfo=UTC)) as (alex, sam):
        response = alex.put(
            "/api/v1/checkins/2026-11-18/answers",
            json={
                "answers": {
                    "needs_met": 9,
                    "turned_toward": "never",
                    "love_languages_felt": ["x"],
                    "on_my_mind": "maybe",
                    "felt_seen": "y" * 2001,
                    "nope": 1,
                }
            },
        )
        assert response.status_code == 422
        errors = response.get_json()["errors"]
        assert set(errors) == {
            "answers.needs_met",
            "answers.mood",
            "answers.turned_toward",
            "answers.love_languages_felt",
            "answers.on_my_mind",
            "answers.felt_seen",
            "answers.nope",
        }
        for body in ({}, {"answers": []}, {"answers": GOOD, "extra": 1}, {"answers": None}):
            response = alex.put("/api/v1/checkins/2026-11-18/answers", json=body)
            assert response.status_code == 422, body
    with couple.app.app_context():
        assert db.session.query(Checkin).count() == 0
        assert db.session.query(CheckinAnswer).count() == 0


def test_a_day_off_in_the_schedule_has_no_checkin(couple):
    couple.link()
    with couple.at(datetime(2026, 11, 18, 20, 0, tzinfo=UTC)) as (alex, sam):  # Wednesday
        response = alex.patch(
            "/api/v1/couple",
            json={
                "schedule": {
                    "nightly_days": ["mon", "tue", "thu", "fri", "sat"],
                    "weekly_day": "sun",
                }
            },
        )
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["schedule"]["nightly_days"] == [
            "mon",
            "tue",
            "thu",
            "fri",
            "sat",
        ]
        assert _today(alex)["items"] == []
        response = alex.put("/api/v1/checkins/2026-11-18/answers", json={"answers": GOOD})
        assert response.status_code == 404
    with couple.at(datetime(2026, 11, 22, 20, 0, tzinfo=UTC)) as (alex, sam):  # Sunday
        item = _today(alex)["items"][0]
        assert item["kind"] == "weekly"
        assert "week_needs_met" in [q["key"] for q in item["questions"]]


def test_custom_questions_are_asked_and_checked(couple):
    couple.link()
    with couple.at(datetime(2026, 11, 18, 20, 0, tzinfo=UTC)) as (alex, sam):
        response = alex.patch(
            "/api/v1/couple",
            json={
                "modules": {"question": False, "love_languages": False},
                "custom_questions": [
                    {"type": "choice", "prompt": "Tea or coffee?", "options": ["Tea", "Coffee"]},
                    {"type": "scale", "prompt": "How rested are you?"},
                ],
            },
        )
        assert response.status_code == 200, response.get_json()
        custom = response.get_json()["custom_questions"]
        assert [q["type"] for q in custom] == ["choice", "scale"]
        choice_key = custom[0]["key"]
        keys = [q["key"] for q in _today(sam)["items"][0]["questions"]]
        assert choice_key in keys and "question_of_the_day" not in keys
        assert "love_languages_felt" not in keys
        response = sam.put(
            "/api/v1/checkins/2026-11-18/answers", json={"answers": {**GOOD, choice_key: "Juice"}}
        )
        assert response.status_code == 422
        assert response.get_json()["errors"] == {
            f"answers.{choice_key}": ["Choose one of the options."]
        }
        response = sam.put(
            "/api/v1/checkins/2026-11-18/answers", json={"answers": {**GOOD, choice_key: "Tea"}}
        )
        assert response.status_code == 200
    with couple.at(datetime(2026, 11, 18, 20, 30, tzinfo=UTC)) as (alex, sam):
        # Removing a question keeps it in the check-in that asked it.
        response = alex.patch(
            "/api/v1/couple",
            json={"custom_questions": [{"id": custom[1]["id"], "prompt": "Rested?"}]},
        )
        assert [q["prompt"] for q in response.get_json()["custom_questions"]] == ["Rested?"]
        item = _today(sam)["items"][0]
        assert item["my_answers"][choice_key] == "Tea"


def test_settings_refuse_bad_input_and_change_nothing(couple):
    couple.link()
    with couple.at(datetime(2026, 11, 18, 20, 0, tzinfo=UTC)) as (alex, _):
        _refuses_bad_settings(alex)


def _refuses_bad_settings(alex):
    before = alex.get("/api/v1/couple").get_json()
    for body in (
        {"schedule": {"nightly_days": ["someday"]}},
        {"schedule": {"nightly_days": [], "weekly_day": None}},
        {"modules": {"dancing": True}},
        {"custom_questions": [{"type": "choice", "prompt": "Pick", "options": ["one"]}]},
        {"custom_questions": [{"type": "text", "prompt": "Hi", "options": ["a", "b"]}]},
        {"custom_questions": [{"type": "poll", "prompt": "Hi"}]},
        {"custom_questions": [{"id": "999", "prompt": "Hi"}]},
        {"custom_questions": [{"type": "text", "prompt": ""}]},
        {"colour": "blue"},
    ):
        response = alex.patch("/api/v1/couple", json=body)
        assert response.status_code == 422, body
        assert response.get_json()["errors"], body
    assert alex.get("/api/v1/couple").get_json() == before


def test_not_linked_is_404(outsider):
    assert outsider.get("/api/v1/checkins/today").status_code == 404
    assert outsider.get("/api/v1/checkins").status_code == 404
    assert (
        outsider.put("/api/v1/checkins/2026-11-18/answers", json={"answers": GOOD}).status_code
        == 404
    )
    assert outsider.patch("/api/v1/couple", json={}).status_code == 404


def test_history_pages_newest_first_with_a_cursor(couple):
    couple.link()
    for day in range(10, 16):
        with couple.at(datetime(2026, 11, day, 20, 0, tzinfo=UTC)) as (alex, sam):
            answers = {**GOOD, "week_needs_met": 7} if day == 15 else GOOD  # Sunday: weekly
            for who in (alex, sam):
                assert (
                    who.put(
                        f"/api/v1/checkins/2026-11-{day}/answers", json={"answers": answers}
                    ).status_code
                    == 200
                )
    with couple.at(datetime(2026, 11, 16, 9, 0, tzinfo=UTC)) as (alex, _):
        first = alex.get("/api/v1/checkins?limit=4").get_json()
        assert [i["date"][-2:] for i in first["items"]] == ["15", "14", "13", "12"]
        second = alex.get(f"/api/v1/checkins?limit=4&cursor={first['next_cursor']}").get_json()
        assert [i["date"][-2:] for i in second["items"]] == ["11", "10"]
        assert second["next_cursor"] is None
        assert alex.get("/api/v1/checkins?cursor=banana").status_code == 422


def test_checkin_answers_are_exactly_what_their_schemas_dump(couple):
    from couples.api.checkins import CheckinSchema, HistorySchema, TodaySchema

    couple.link()
    with couple.at(datetime(2026, 11, 22, 20, 0, tzinfo=UTC)) as (alex, sam):  # Sunday
        assert sam.post("/api/v1/appreciations", json={"text": "thanks"}).status_code == 201
        answers = {**GOOD, "week_needs_met": 7, "on_my_mind": True, "on_my_mind_text": "x"}
        mine = alex.put("/api/v1/checkins/2026-11-22/answers", json={"answers": answers})
        assert mine.get_json() == CheckinSchema().dump(mine.get_json())
        today = alex.get("/api/v1/checkins/today").get_json()
        assert today["items"][0]["agenda"]["appreciations"]
        assert today == TodaySchema().dump(today)
        both = sam.put("/api/v1/checkins/2026-11-22/answers", json={"answers": answers})
        assert both.get_json()["partner_answers"]
        assert both.get_json() == CheckinSchema().dump(both.get_json())
        history = alex.get("/api/v1/checkins").get_json()
        assert history["items"] and history == HistorySchema().dump(history)
