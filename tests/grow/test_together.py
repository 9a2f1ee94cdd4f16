"""Plans together: a shared list of ideas (ours, what the weekly check-ins said, and
suggestions from both love languages), a plan proposed for a day and time on its
proposer's clock and answered by the other, a reminder before it, and the next weekly
check-in asking how it was."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from couples.extensions import db
from couples.grow.models import TogetherIdea, TogetherPlan
from couples.notifications import reminders
from tests.factories import (
    PASSWORD,
    ApiClient,
    make_user,
    notifications_of,
    page,
    post_form,
    post_refused,
)

# Alex lives in New York, Sam in London. Thursday 19 November 2026, 15:00 in New York.
NOW = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
# Saturday 21 November, 19:30 in New York (EST): 00:30 on Sunday the 22nd in London.
STARTS = datetime(2026, 11, 22, 0, 30, tzinfo=UTC)
PLANS = "/api/v1/couple/plans"


def _propose(who, text="Dinner at the little Greek place", day="2026-11-21", at="19:30"):
    response = who.post(PLANS, json={"text": text, "day": day, "time": at})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_plan_is_proposed_answered_and_reminded_on_each_clock(couple):
    couple.link()
    with couple.at(NOW) as (alex, sam):
        plan = _propose(alex)
        assert (plan["by"], plan["status"], plan["starts_at"]) == (
            "me",
            "asked",
            STARTS.isoformat(),
        )
        assert sam.get(f"{PLANS}/{plan['id']}").get_json()["by"] == "partner"
        # Alex cannot say yes to Alex's own plan.
        assert alex.post(f"{PLANS}/{plan['id']}/answer", json={"answer": "yes"}).status_code == 409
    (asked,) = notifications_of(couple.app, "sam@example.com", "plan_proposed")
    assert asked.title == "Alex has a plan for you two"
    assert asked.body == "Sun 22 Nov, 00:30. Yes, or another time?"  # Sam's clock
    assert "Greek" not in asked.title + asked.body

    with couple.at(NOW + timedelta(hours=1)) as (alex, sam):
        answered = sam.post(f"{PLANS}/{plan['id']}/answer", json={"answer": "yes", "note": "Yes!"})
        assert answered.status_code == 200, answered.get_json()
        assert answered.get_json()["status"] == "yes"
        again = sam.post(f"{PLANS}/{plan['id']}/answer", json={"answer": "another_time"})
        assert again.status_code == 409
        assert "Sam said yes." in page(alex, "/grow/together")
    (told,) = notifications_of(couple.app, "alex@example.com", "plan_answered")
    assert told.title == "Sam said yes" and told.body == "To your plan for Sat 21 Nov, 19:30."

    soon = STARTS - timedelta(hours=2)
    with couple.app.app_context():
        reminders.tick(now=soon - timedelta(seconds=1))
    assert notifications_of(couple.app, "sam@example.com", "plan_reminder") == []
    with couple.app.app_context():
        reminders.tick(now=soon)
        reminders.tick(now=soon + timedelta(minutes=1))  # twice: nothing twice
    (alex_soon,) = notifications_of(couple.app, "alex@example.com", "plan_reminder")
    (sam_soon,) = notifications_of(couple.app, "sam@example.com", "plan_reminder")
    assert alex_soon.body == "At 19:30. Enjoy each other." and alex_soon.created_at == soon
    assert sam_soon.body == "At 00:30. Enjoy each other."
    with couple.at(STARTS) as (alex, _sam):
        assert alex.get(f"{PLANS}/{plan['id']}").get_json()["status"] == "past"
        assert alex.delete(f"{PLANS}/{plan['id']}").status_code == 409


def test_another_time_is_said_with_a_word_and_nobody_is_reminded(couple):
    couple.link()
    with couple.at(NOW) as (alex, sam):
        plan = _propose(alex)
        post_form(
            sam,
            f"/grow/together/plans/{plan['id']}/answer",
            {"answer": "another_time", "note": "Sunday lunch would suit me"},
        )
        html = page(alex, "/grow/together")
        assert "Sam would like another time." in html and "Sunday lunch would suit me" in html
    (told,) = notifications_of(couple.app, "alex@example.com", "plan_answered")
    assert told.title == "Sam would like another time"
    with couple.app.app_context():
        reminders.tick(now=STARTS - timedelta(hours=1))
    assert notifications_of(couple.app, "alex@example.com", "plan_reminder") == []


def test_a_time_the_clocks_skip_is_read_before_the_change(couple):
    couple.link(when=datetime(2027, 3, 1, tzinfo=UTC))
    with couple.at(datetime(2027, 3, 10, 12, 0, tzinfo=UTC)) as (alex, _sam):
        # 02:30 does not exist in New York on 14 March 2027: read as EST, 07:30 UTC.
        plan = _propose(alex, day="2027-03-14", at="02:30")
        assert plan["starts_at"] == datetime(2027, 3, 14, 7, 30, tzinfo=UTC).isoformat()
        after = _propose(alex, day="2027-03-14", at="19:00")  # EDT now: UTC-4
        assert after["starts_at"] == datetime(2027, 3, 14, 23, 0, tzinfo=UTC).isoformat()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "Walk", "day": "2026-11-19", "time": "14:00"}, "day"),  # an hour ago
        ({"text": "Walk", "day": "2027-01-19", "time": "10:00"}, "day"),  # 61 days on
        ({"text": "Walk", "day": "2026-11-21", "time": "25:00"}, "time"),
        ({"text": "Walk", "day": "2026-11-21", "time": "7pm"}, "time"),
        ({"text": "Walk", "day": "2026-11-21", "time": "19:00\n"}, "time"),
        ({"text": "Walk", "day": "9999-12-31", "time": "23:00"}, "day"),  # past any clock's end
        ({"text": "Walk", "day": "0001-01-01", "time": "00:00"}, "day"),
        ({"text": "Walk", "day": "2026-11-21"}, "time"),
        ({"text": "Walk", "day": "21/11/2026", "time": "10:00"}, "day"),
        ({"text": "  ", "day": "2026-11-21", "time": "10:00"}, "text"),
        ({"text": "x" * 201, "day": "2026-11-21", "time": "10:00"}, "text"),
        ({"text": "Walk", "day": "2026-11-21", "time": "10:00", "who": "sam"}, "who"),
    ],
)
def test_a_bad_plan_is_refused_with_a_message_and_changes_nothing(couple, body, field):
    couple.link()
    with couple.at(NOW) as (alex, _sam):
        response = alex.post(PLANS, json=body)
        assert response.status_code == 422, response.get_json()
        assert field in response.get_json()["errors"]
    assert _count(couple.app, TogetherPlan) == 0
    assert notifications_of(couple.app, "sam@example.com", "plan_proposed") == []


def test_the_page_keeps_a_refused_plan_and_an_idea_becomes_one(couple):
    couple.link()
    with couple.at(NOW) as (alex, sam):
        html = post_refused(
            alex,
            "/grow/together/plans",
            {"text": "Stargazing", "day": "", "time": "21:00"},
            "/grow/together",
        ).get_data(as_text=True)
        assert "Choose the day." in html and 'value="Stargazing"' in html
        post_form(alex, "/grow/together/ideas", {"idea": "Learn to make dumplings"})
        assert "Learn to make dumplings" in page(sam, "/grow/together")
        # "Plan it" fills the plan's words in.
        assert 'value="Learn to make dumplings"' in page(
            sam, "/grow/together?text=Learn+to+make+dumplings"
        )
        made = post_form(
            sam,
            "/grow/together/plans",
            {"text": "Learn to make dumplings", "day": "2026-11-22", "time": "18:00"},
        )
        assert made.status_code == 302
        html = page(alex, "/grow/together")
        assert "Sam has a plan" in html and "Are you in?" in html
        assert "has a plan for you two" in page(alex, "/grow")


def test_ideas_are_shared_and_suggestions_start_from_both_love_languages(couple):
    couple.link()
    with couple.at(NOW) as (alex, sam):
        alex.put(
            "/api/v1/love-languages", json={"ranking": ["touch", "time", "words", "acts", "gifts"]}
        )
        sam.put(
            "/api/v1/love-languages", json={"ranking": ["gifts", "acts", "time", "words", "touch"]}
        )
        added = alex.post("/api/v1/couple/ideas", json={"text": "Pottery class"})
        assert added.status_code == 201 and added.get_json()["by"] == "me"
        ideas = sam.get("/api/v1/couple/ideas").get_json()
        assert [(i["text"], i["by"]) for i in ideas["ours"]] == [("Pottery class", "partner")]
        kinds = [s["kind"] for s in ideas["suggestions"]]
        assert set(kinds[:4]) == {"touch", "gifts"}
        assert {"nostalgic", "playful"} <= set(kinds)
        idea_id = added.get_json()["id"]
        assert sam.delete(f"/api/v1/couple/ideas/{idea_id}").status_code == 204
        assert alex.get("/api/v1/couple/ideas").get_json()["ours"] == []
        assert alex.post("/api/v1/couple/ideas", json={"text": " "}).status_code == 422


def _weekly(who, day: str, together: str):
    answers = {"needs_met": 4, "mood": 4, "week_needs_met": 7, "week_together": together}
    response = who.put(f"/api/v1/checkins/{day}/answers", json={"answers": answers})
    assert response.status_code == 200, response.get_json()


def test_the_weekly_check_in_feeds_the_list_and_asks_how_last_weeks_plans_were(couple):
    couple.link(when=datetime(2026, 11, 1, tzinfo=UTC))
    with couple.at(datetime(2026, 11, 15, 20, 0, tzinfo=UTC)) as (alex, sam):
        _weekly(sam, "2026-11-15", "Try the new climbing wall")
        ideas = alex.get("/api/v1/couple/ideas").get_json()["from_check_ins"]
        assert ideas == []  # Sam's check-in is Sam's until Alex answers too
        assert "climbing wall" not in page(alex, "/grow/together")
        _weekly(alex, "2026-11-15", "A film night")
        ideas = alex.get("/api/v1/couple/ideas").get_json()["from_check_ins"]
        assert {(i["who"], i["text"]) for i in ideas} == {
            ("me", "A film night"),
            ("partner", "Try the new climbing wall"),
        }
    with couple.at(NOW) as (alex, sam):
        plan = _propose(alex, text="Climbing wall")
        sam.post(f"{PLANS}/{plan['id']}/answer", json={"answer": "yes"})
        _propose(alex, text="Unanswered plan", day="2026-11-20")
    with couple.at(datetime(2026, 11, 22, 20, 0, tzinfo=UTC)) as (alex, sam):
        agenda = sam.get("/api/v1/checkins/today").get_json()["items"][0]["agenda"]
        # Sam's dates: the plan was at 00:30 on the 22nd in London, the check-in's own
        # date, so not in Sam's week before it; Alex's is the 21st.
        assert agenda["together"] == []
        alex_agenda = alex.get("/api/v1/checkins/today").get_json()["items"][0]["agenda"]
        assert alex_agenda["together"] == [
            {"text": "Climbing wall", "date": "2026-11-21", "who": "me"}
        ]
        assert {(i["who"], i["text"]) for i in alex_agenda["we_said"]} == {
            ("me", "A film night"),
            ("partner", "Try the new climbing wall"),
        }
        html = page(alex, "/checkin/2026-11-22")
        assert "How was it?" in html and "Last week you said you'd do together" in html


def test_plans_and_ideas_stay_within_the_couple(couple):
    couple.link()
    with couple.at(NOW) as (alex, _sam):
        plan = _propose(alex)
        idea = alex.post("/api/v1/couple/ideas", json={"text": "Picnic"}).get_json()
    with couple.app.app_context():
        make_user(email="eve@example.com", display_name="Eve")
    with couple.at(NOW):
        eve = ApiClient(couple.app).login("eve@example.com")
        for response in (
            eve.get(f"{PLANS}/{plan['id']}"),
            eve.get(PLANS),
            eve.delete(f"{PLANS}/{plan['id']}"),
            eve.post(f"{PLANS}/{plan['id']}/answer", json={"answer": "yes"}),
            eve.get("/api/v1/couple/ideas"),
            eve.delete(f"/api/v1/couple/ideas/{idea['id']}"),
            eve.client.get("/grow/together"),
        ):
            assert response.status_code == 404
    with couple.at(NOW) as (alex, _sam):
        # No id of that shape exists (and PostgreSQL refuses a NUL in a query).
        for path in (f"{PLANS}/a%00b", "/api/v1/couple/promises/a%00b", "/api/v1/me/journal/a%00b"):
            assert alex.get(path).status_code == 404
    assert _count(couple.app, TogetherPlan) == 1 and _count(couple.app, TogetherIdea) == 1


def test_plans_come_with_the_export_and_their_words_go_with_the_account(couple):
    couple.link()
    with couple.at(NOW) as (alex, sam):
        _propose(alex)
        theirs = _propose(sam, text="Bake bread", day="2026-11-22", at="10:00")
        alex.post(f"{PLANS}/{theirs['id']}/answer", json={"answer": "yes", "note": "Rye please"})
        alex.post("/api/v1/couple/ideas", json={"text": "Pottery class"})
        exported = alex.export().get_json()["together"]
        assert [p["text"] for p in exported["plans_proposed"]] == [
            "Dinner at the little Greek place"
        ]
        # My answer to Sam's plan, without Sam's words.
        assert [(p["answer"], p["note"]) for p in exported["plans_answered"]] == [
            ("yes", "Rye please")
        ]
        assert "Bake bread" not in str(exported)
        assert [i["text"] for i in exported["ideas_added"]] == ["Pottery class"]
        assert alex.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    with couple.app.app_context():
        plans = db.session.execute(select(TogetherPlan.text, TogetherPlan.answer_note)).all()
        assert plans == [("Bake bread", None)]
        assert db.session.scalar(select(func.count()).select_from(TogetherIdea)) == 0


def test_erasing_the_shared_history_takes_the_answers_plans_got(couple):
    couple.link()
    with couple.at(NOW) as (alex, sam):
        plan = _propose(alex)
        sam.post(f"{PLANS}/{plan['id']}/answer", json={"answer": "yes", "note": "Can't wait"})
        assert alex.delete("/api/v1/couple", json={"erase_history": True}).status_code == 204
    with couple.app.app_context():
        row = db.session.execute(select(TogetherPlan)).scalar_one()
        assert (row.answer, row.answer_note, row.answered_by_id) == (None, None, None)
        assert row.text == "Dinner at the little Greek place"  # Alex's own words stay
