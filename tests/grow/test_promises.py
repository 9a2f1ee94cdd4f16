"""Small promises, kept: a promise for a day, on the repair's commitment model, asked about
on that day's evening (its maker's clock), answered by both, my partner's answer shown
once I answered too; in the weekly agenda, the export, the clock and account deletion."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from couples.extensions import db
from couples.notifications import reminders
from couples.repair.models import Commitment, FollowUp, FollowUpAnswer
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
MADE = datetime(2026, 11, 19, 20, 0, tzinfo=UTC)
# 18:00 in New York on Friday the 20th (EST, UTC-5): the evening the promise is asked about.
ASKS = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)
PROMISES = "/api/v1/couple/promises"


def _make(who, text="I'll call you at lunch", day="2026-11-20"):
    response = who.post(PROMISES, json={"text": text, "day": day})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_promise_is_asked_about_on_its_evening_and_answered_by_both(couple):
    couple.link()
    with couple.at(MADE) as (alex, sam):
        made = _make(alex)
        assert (made["by"], made["day"], made["status"]) == ("me", "2026-11-20", "coming")
        assert made["asks_at"] == ASKS.isoformat()
        seen = sam.get(f"{PROMISES}/{made['id']}").get_json()
        assert (seen["by"], seen["text"]) == ("partner", "I'll call you at lunch")
        answer = {"outcome": "kept"}
        assert alex.post(f"{PROMISES}/{made['id']}/answer", json=answer).status_code == 409
    (told,) = notifications_of(couple.app, "sam@example.com", "promise_made")
    assert told.title == "Alex made you a small promise"
    assert "lunch" not in told.title + told.body  # a lock screen shows no words
    assert "Friday" in told.body

    with couple.app.app_context():
        reminders.tick(now=ASKS - timedelta(seconds=1))
    assert notifications_of(couple.app, "alex@example.com", "promise_day") == []
    with couple.app.app_context():
        reminders.tick(now=ASKS)
        reminders.tick(now=ASKS + timedelta(minutes=1))  # twice: nothing twice
    for email in ("alex@example.com", "sam@example.com"):
        (reminder,) = notifications_of(couple.app, email, "promise_day")
        assert reminder.created_at == ASKS and "lunch" not in reminder.body

    with couple.at(ASKS) as (alex, sam):
        url = f"{PROMISES}/{made['id']}/answer"
        done = sam.post(url, json={"outcome": "partly", "note": "We talked at two"})
        assert done.status_code == 200, done.get_json()
        assert done.get_json()["status"] == "answered"
        waiting = alex.get(f"{PROMISES}/{made['id']}").get_json()
        # Sam's answer waits for Alex's own.
        assert waiting["status"] == "open" and waiting["partner_answer"] is None
        assert waiting["partner_answered"] is True
        assert "We talked at two" not in page(alex, "/grow/promises")
        assert "We talked at two" not in alex.get(PROMISES).get_data(as_text=True)
        both = alex.post(url, json={"outcome": "kept"}).get_json()
        assert both["status"] == "done"
        assert both["partner_answer"]["outcome"] == "partly"
        assert both["partner_answer"]["note"] == "We talked at two"
        assert_problem_409(alex.post(url, json={"outcome": "kept"}))
        html = page(alex, "/grow/promises")
        assert "Sam said: Partly" in html and "We talked at two" in html


def assert_problem_409(response):
    assert response.status_code == 409 and response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    ("alex_tz", "made_at", "day", "asks"),
    [
        # 18:00 on the day the clocks go forward in New York: EDT, UTC-4.
        (
            "America/New_York",
            datetime(2027, 3, 1, 12, 0, tzinfo=UTC),
            "2027-03-14",
            datetime(2027, 3, 14, 22, 0, tzinfo=UTC),
        ),
        # Far east of UTC, 18:00 on the 21st is 04:00 UTC the same date; made there on
        # the 20th (it is already the 20th in Kiritimati at 20:00 UTC on the 19th).
        (
            "Pacific/Kiritimati",
            MADE,
            "2026-11-21",
            datetime(2026, 11, 21, 4, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_day_is_on_the_clock_of_the_one_who_promised(couple, alex_tz, made_at, day, asks):
    couple.link(alex_tz=alex_tz, when=made_at - timedelta(days=1))
    with couple.at(made_at) as (alex, _sam):
        made = _make(alex, day=day)
        assert made["asks_at"] == asks.isoformat()
        # The day is Alex's: in Kiritimati "today" is the 20th, so the 19th is refused.
        if alex_tz == "Pacific/Kiritimati":
            assert alex.post(PROMISES, json={"text": "x", "day": "2026-11-19"}).status_code == 422
    with couple.at(asks - timedelta(minutes=1)) as (_alex, sam):
        assert sam.get(f"{PROMISES}/{made['id']}").get_json()["status"] == "coming"
    with couple.at(asks) as (_alex, sam):
        assert sam.get(f"{PROMISES}/{made['id']}").get_json()["status"] == "open"


def test_a_promise_for_today_made_in_the_evening_asks_at_once_without_a_reminder(couple):
    couple.link()
    late = ASKS + timedelta(hours=1)  # 19:00 in New York on the 20th
    with couple.at(late) as (alex, sam):
        made = _make(alex, day="2026-11-20")
        assert made["status"] == "open"
        assert sam.get(f"{PROMISES}/{made['id']}").get_json()["status"] == "open"
    with couple.app.app_context():
        reminders.tick(now=late + timedelta(minutes=1))
    assert notifications_of(couple.app, "alex@example.com", "promise_day") == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "Call", "day": "2026-11-18"}, "day"),  # yesterday in New York
        ({"text": "Call", "day": "2027-01-19"}, "day"),  # 61 days on
        ({"text": "Call", "day": "20/11/2026"}, "day"),
        ({"text": "Call", "day": 20261120}, "day"),
        ({"text": "Call"}, "day"),
        ({"text": "   ", "day": "2026-11-20"}, "text"),
        ({"text": "x" * 201, "day": "2026-11-20"}, "text"),
        ({"text": "Call\x00", "day": "2026-11-20"}, "text"),
        ({"text": "Call", "day": "2026-11-20", "owner": "partner"}, "owner"),
    ],
)
def test_a_bad_promise_is_refused_with_a_message_and_changes_nothing(couple, body, field):
    couple.link()
    with couple.at(MADE) as (alex, _sam):
        response = alex.post(PROMISES, json=body)
        assert response.status_code == 422, response.get_json()
        assert field in response.get_json()["errors"]
    assert _count(couple.app, Commitment) == 0
    assert notifications_of(couple.app, "sam@example.com", "promise_made") == []


def test_the_page_makes_a_promise_and_keeps_a_refused_one(couple):
    couple.link()
    with couple.at(MADE) as (alex, sam):
        html = post_refused(
            alex,
            "/grow/promises",
            {"text": "Cook on Sunday", "day": "2026-11-01"},
            "/grow/promises",
        ).get_data(as_text=True)
        assert "Choose today or a day to come." in html and 'value="Cook on Sunday"' in html
        assert _count(couple.app, Commitment) == 0
        made = post_form(alex, "/grow/promises", {"text": "Cook on Sunday", "day": "2026-11-22"})
        assert made.status_code == 302
        html = page(sam, "/grow/promises")
        assert "Alex promised" in html and "Cook on Sunday" in html and "Coming up" in html
        assert "Take it back" not in html  # only for the one who made it
        assert "Take it back" in page(alex, "/grow/promises")
        assert "Small promises" in page(sam, "/grow")


def test_only_the_maker_takes_a_promise_back_and_only_before_an_answer(couple):
    couple.link()
    with couple.at(MADE) as (alex, sam):
        first, second = _make(alex), _make(alex, text="Plan Saturday", day="2026-11-21")
        assert_problem_409(sam.delete(f"{PROMISES}/{first['id']}"))
        assert alex.delete(f"{PROMISES}/{first['id']}").status_code == 204
        assert alex.get(f"{PROMISES}/{first['id']}").status_code == 404
    with couple.at(datetime(2026, 11, 21, 23, 0, tzinfo=UTC)) as (alex, sam):
        url = f"{PROMISES}/{second['id']}"
        assert sam.post(f"{url}/answer", json={"outcome": "not"}).status_code == 200
        assert_problem_409(alex.delete(url))
    assert _count(couple.app, Commitment) == 1


def test_three_days_on_a_promise_is_over_answered_or_not(couple):
    couple.link()
    with couple.at(MADE) as (alex, sam):
        one, none = _make(alex), _make(sam, text="Bring flowers", day="2026-11-20")
    with couple.at(ASKS) as (alex, _sam):
        alex.post(f"{PROMISES}/{one['id']}/answer", json={"outcome": "kept", "note": "Did it"})
    lapse = datetime(2026, 11, 20, 18, 0, tzinfo=UTC) + timedelta(days=3)  # Sam's 18:00 + 3
    with couple.app.app_context():
        reminders.tick(now=lapse - timedelta(minutes=1))
    with couple.at(lapse - timedelta(minutes=1)) as (_alex, sam):
        assert sam.get(f"{PROMISES}/{none['id']}").get_json()["status"] == "open"
    with couple.app.app_context():
        reminders.tick(now=lapse)
    with couple.at(lapse) as (_alex, sam):
        assert sam.get(f"{PROMISES}/{none['id']}").get_json()["status"] == "done"
        assert sam.get(f"{PROMISES}/{one['id']}").get_json()["status"] == "open"
    with couple.app.app_context():
        reminders.tick(now=ASKS + timedelta(days=3))
    with couple.at(ASKS + timedelta(days=3)) as (_alex, sam):
        over = sam.get(f"{PROMISES}/{one['id']}").get_json()
        # Over now: Alex's answer is Sam's to read, and Sam can no longer add one.
        assert over["status"] == "done" and over["partner_answer"]["note"] == "Did it"
        assert_problem_409(sam.post(f"{PROMISES}/{one['id']}/answer", json={"outcome": "kept"}))


def test_the_weekly_agenda_lists_the_weeks_promises_and_keeps_answers_private(couple):
    couple.link()
    with couple.at(MADE) as (alex, sam):
        kept = _make(alex)
        _make(sam, text="Walk after dinner", day="2026-11-21")
        _make(sam, text="Next week's film", day="2026-11-23")  # not this week's
    with couple.at(ASKS) as (alex, sam):
        sam.post(f"{PROMISES}/{kept['id']}/answer", json={"outcome": "kept", "note": "Sweet"})
    with couple.at(datetime(2026, 11, 22, 20, 0, tzinfo=UTC)) as (alex, sam):
        agenda = alex.get("/api/v1/checkins/today").get_json()["items"][0]["agenda"]
        assert agenda["promises"] == [
            {
                "who": "me",
                "text": "I'll call you at lunch",
                "date": "2026-11-20",
                "mine": None,
                "theirs": None,  # Sam answered; Alex has not
            },
            {
                "who": "partner",
                "text": "Walk after dinner",
                "date": "2026-11-21",
                "mine": None,
                "theirs": None,
            },
        ]
        samagenda = sam.get("/api/v1/checkins/today").get_json()["items"][0]["agenda"]
        assert [(p["who"], p["mine"]) for p in samagenda["promises"]] == [
            ("partner", "kept"),
            ("me", None),
        ]
        html = page(sam, "/checkin/2026-11-22")
        assert "Small promises" in html and "you said kept" in html
        assert "Next week" not in html


def test_promises_stay_within_the_couple(couple):
    couple.link()
    with couple.at(MADE) as (alex, _sam):
        made = _make(alex)
    with couple.app.app_context():
        make_user(email="eve@example.com", display_name="Eve")
    with couple.at(ASKS):
        eve = ApiClient(couple.app).login("eve@example.com")
        url = f"{PROMISES}/{made['id']}"
        for response in (
            eve.get(url),
            eve.get(PROMISES),
            eve.delete(url),
            eve.post(f"{url}/answer", json={"outcome": "kept"}),
            eve.client.get("/grow/promises"),
        ):
            assert response.status_code == 404
        assert "I'll call" not in eve.get("/api/v1/me").get_data(as_text=True)


def test_promises_come_with_the_export_and_their_words_go_with_the_account(couple):
    couple.link()
    with couple.at(MADE) as (alex, sam):
        made = _make(alex)
        theirs = _make(sam, text="Bake bread", day="2026-11-20")
    with couple.at(ASKS) as (alex, sam):
        alex.post(f"{PROMISES}/{theirs['id']}/answer", json={"outcome": "kept", "note": "Warm"})
        sam.post(f"{PROMISES}/{made['id']}/answer", json={"outcome": "partly"})
        exported = alex.export().get_json()
        assert [p["text"] for p in exported["promises"]["promises_made"]] == [
            "I'll call you at lunch"
        ]
        assert [
            (a["promise"], a["outcome"], a["note"]) for a in exported["promises"]["promise_answers"]
        ] == [(theirs["id"], "kept", "Warm")]
        # A promise's answers are not a repair's.
        assert exported["repairs"]["follow_up_answers"] == []
        assert alex.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    with couple.app.app_context():
        texts = set(db.session.scalars(select(Commitment.text)))
        assert "I'll call you at lunch" not in texts and "Bake bread" in texts
        # Sam's own answer stays with Sam.
        assert db.session.scalar(select(func.count()).select_from(FollowUpAnswer)) == 1
        assert db.session.scalar(select(func.count()).select_from(FollowUp)) == 2
