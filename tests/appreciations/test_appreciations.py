"""Appreciations: sending one (the partner hears who, not what), the shared journal, the
refusals, the pages, and the gentle nudge the reminder tick creates."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from markupsafe import escape
from sqlalchemy import func

from couples.accounts.models import User
from couples.appreciations.models import Appreciation
from couples.extensions import db
from couples.notifications import delivery, reminders
from couples.notifications.models import Notification
from tests.factories import (
    notifications_of,
    page,
    partners_with_a_device,
    post_form,
    post_refused,
)

NOON = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
LINK = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)  # a Monday; summer time in both places
# 21:00 (the default reminder time) is 20:00Z in London and 01:00Z the next day in New York.


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def notes_of(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(User.display_name, Appreciation.text)
            .join(User, User.id == Appreciation.from_user_id)
            .order_by(Appreciation.id)
        ).all()
        return [tuple(row) for row in rows]


@pytest.fixture
def couple(couple):
    """Alex (New York) and Sam (London), linked at ``LINK``; ``at(instant)`` logs both in
    there (a session cookie is good only after the moment it was made)."""
    return couple.link(when=LINK)


# ------------------------------------------------------------------------------ sending


def test_sending_an_appreciation_tells_the_partner_who_but_not_what(two_partners, app):
    alex, sam = two_partners
    words = "Thank you for the soup when I was ill on Tuesday"
    response = alex.post("/api/v1/appreciations", json={"text": words, "language": "acts"})
    assert response.status_code == 201
    note = response.get_json()
    assert set(note) == {"id", "from_me", "text", "language", "created_at"}
    assert isinstance(note["id"], str) and note["from_me"] is True
    assert (note["text"], note["language"]) == (words, "acts")
    assert datetime.fromisoformat(note["created_at"]).utcoffset() == timedelta(0)

    [received] = notifications_of(app, "sam@example.com")
    assert received.kind == "appreciation_received"
    assert "Alex" in received.title
    assert "soup" not in received.body and words not in received.body
    assert "soup" not in received.title and "soup" not in str(received.data)
    assert received.url == "/appreciations"
    assert received.topic is None  # content of its own: nothing replaces it
    assert notifications_of(app, "alex@example.com") == []
    inbox = sam.get("/api/v1/notifications").get_json()["items"]
    assert [(n["kind"], "soup" in n["body"]) for n in inbox] == [("appreciation_received", False)]


def test_each_appreciation_is_its_own_notification(two_partners, app):
    alex, sam = two_partners
    for text in ("the coffee", "the coffee", "the walk"):
        assert alex.post("/api/v1/appreciations", json={"text": text}).status_code == 201
    assert sam.post("/api/v1/appreciations", json={"text": "fixing the bike"}).status_code == 201
    assert len(notifications_of(app, "sam@example.com", "appreciation_received")) == 3
    [back] = notifications_of(app, "alex@example.com", "appreciation_received")
    assert "Sam" in back.title and "bike" not in back.body


def test_text_is_trimmed_and_language_is_optional(two_partners, app):
    alex, _ = two_partners
    response = alex.post(
        "/api/v1/appreciations", json={"text": "  You made me laugh\nall evening  \n"}
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["text"] == "You made me laugh\nall evening" and body["language"] is None
    response = alex.post("/api/v1/appreciations", json={"text": "é" * 500, "language": None})
    assert response.status_code == 201  # 500 characters is the limit, not 500 bytes
    assert [text for _, text in notes_of(app)] == ["You made me laugh\nall evening", "é" * 500]


def test_the_push_itself_names_the_sender_and_never_carries_the_words(push_app, fake_push):
    with time_machine.travel(NOON, tick=False):
        alex, sam, device = partners_with_a_device(push_app, fake_push)
        response = alex.post(
            "/api/v1/appreciations",
            json={"text": "The way you sang in the car", "language": "words"},
        )
        assert response.status_code == 201
        with push_app.app_context():
            assert delivery.deliver_due(now_fn=lambda: NOON)["sent"] == 1
    [received] = fake_push.for_endpoint(device["endpoint"])
    message = received.message["notification"]
    assert message["title"] == "Alex sent you an appreciation"
    assert "sang" not in received.plaintext.decode()
    assert message["navigate"] == "http://localhost/appreciations"
    assert message["data"] == {"kind": "appreciation_received"}
    assert "topic" not in received.headers
    assert fake_push.rejected == []


# ------------------------------------------------------------------------------ journal


def test_the_journal_holds_both_partners_notes_newest_first(two_partners):
    alex, sam = two_partners
    sent = [(alex, "one"), (sam, "two"), (alex, "three"), (sam, "four"), (alex, "five")]
    for who, text in sent:
        assert who.post("/api/v1/appreciations", json={"text": text}).status_code == 201
    for who in (alex, sam):
        response = who.get("/api/v1/appreciations")
        assert response.status_code == 200
        body = response.get_json()
        assert body["next_cursor"] is None
        assert [n["text"] for n in body["items"]] == ["five", "four", "three", "two", "one"]
        assert [n["from_me"] for n in body["items"]] == [
            sender is who for sender, _ in reversed(sent)
        ]
        stamps = [n["created_at"] for n in body["items"]]
        assert stamps == sorted(stamps, reverse=True)


def test_the_journal_pages_with_a_cursor(two_partners):
    alex, sam = two_partners
    for n in range(7):
        who = alex if n % 2 == 0 else sam
        assert who.post("/api/v1/appreciations", json={"text": f"note {n}"}).status_code == 201
    seen, cursor, pages = [], None, 0
    while True:
        query = "limit=3" + (f"&cursor={cursor}" if cursor else "")
        body = sam.get(f"/api/v1/appreciations?{query}").get_json()
        assert len(body["items"]) <= 3
        seen += [n["text"] for n in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert isinstance(cursor, str)
    assert pages == 3
    assert seen == [f"note {n}" for n in reversed(range(7))]
    exact = sam.get("/api/v1/appreciations?limit=7").get_json()
    assert len(exact["items"]) == 7 and exact["next_cursor"] is None
    for query in (
        "cursor=abc",
        "cursor=-1",
        "cursor=99999999999",
        "limit=0",
        "limit=101",
        "limit=ten",
    ):
        response = sam.get(f"/api/v1/appreciations?{query}")
        assert response.status_code == 422, query
        assert response.mimetype == "application/problem+json"


# ---------------------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": None}, "text"),
        ({"text": "   \n\t  "}, "text"),
        ({"text": "x" * 501}, "text"),
        ({"text": "thank you", "language": "hugs"}, "language"),
        ({"text": "thank you", "language": "Words"}, "language"),
        ({"text": "thank you", "colour": "red"}, "colour"),
        ({"text": 42}, "text"),
        ({"text": ["thank", "you"]}, "text"),
        ({"text": "thank\x00you"}, "text"),
    ],
    ids=[
        "missing",
        "empty",
        "null",
        "whitespace-only",
        "501-chars",
        "unknown-language",
        "capitalised-language",
        "unknown-field",
        "number",
        "list",
        "nul-character",
    ],
)
def test_a_bad_appreciation_is_422_for_its_field_and_changes_nothing(
    two_partners, app, body, field
):
    alex, sam = two_partners
    response = alex.post("/api/v1/appreciations", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == "/problems/validation"
    assert field in problem["errors"] and problem["errors"][field]
    assert notes_of(app) == []
    assert notifications_of(app, "sam@example.com") == []
    assert sam.get("/api/v1/appreciations").get_json()["items"] == []


def test_bodies_that_are_not_json_objects(two_partners, app):
    alex, _ = two_partners
    assert (
        alex.post(
            "/api/v1/appreciations", data="{not json", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert (
        alex.post(
            "/api/v1/appreciations",
            data="text=hi",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        ).status_code
        == 415
    )
    assert alex.post("/api/v1/appreciations", json=["hi"]).status_code == 422
    assert alex.post("/api/v1/appreciations", json="hi").status_code == 422
    assert alex.client.post("/api/v1/appreciations", json={"text": "hi"}).status_code == 400
    assert notes_of(app) == []


def test_an_outsider_has_no_journal(two_partners, outsider, api, app):
    alex, _ = two_partners
    alex.post("/api/v1/appreciations", json={"text": "for Sam only"})
    assert outsider.post("/api/v1/appreciations", json={"text": "hello"}).status_code == 404
    response = outsider.get("/api/v1/appreciations")
    assert response.status_code == 404 and "for Sam only" not in response.get_data(as_text=True)
    assert outsider.client.get("/appreciations").status_code == 404
    assert outsider.client.get("/appreciations/new").status_code == 404
    assert post_form(outsider, "/appreciations/new", {"text": "hello"}).status_code == 404
    assert api.get("/api/v1/appreciations").status_code == 401
    assert api.post("/api/v1/appreciations", json={"text": "hello"}).status_code == 401
    assert notes_of(app) == [("Alex", "for Sam only")]


# ------------------------------------------------------------------------------- pages


def test_the_journal_page_shows_both_sides_newest_first_and_pages(two_partners, app):
    alex, sam = two_partners
    assert "Nothing here yet." in page(alex, "/appreciations")
    alex.post("/api/v1/appreciations", json={"text": "<b>the flowers</b>", "language": "gifts"})
    sam.post("/api/v1/appreciations", json={"text": "the lift to the station"})
    shown = page(alex, "/appreciations")
    assert shown.index("the lift to the station") < shown.index(str(escape("<b>the flowers</b>")))
    assert "<b>the flowers</b>" not in shown
    assert "Sam ·" in shown and "You ·" in shown and "receiving gifts" in shown
    assert "Alex ·" in page(sam, "/appreciations")
    app.config["APPRECIATION_LIMIT_PER_USER"] = "100 per hour"  # more than a page at once
    for n in range(30):
        alex.post("/api/v1/appreciations", json={"text": f"little thing {n}"})
    first = page(sam, "/appreciations")
    assert "little thing 29" in first and "the lift to the station" not in first
    assert "?before=" in first
    cursor = first.split("?before=")[1].split('"')[0]
    older = page(sam, f"/appreciations?before={cursor}")
    assert "the lift to the station" in older and "little thing 29" not in older
    assert str(escape("<b>the flowers</b>")) in older
    assert "?before=" not in older
    assert "Nothing here yet." not in page(sam, "/appreciations?before=abc")


def test_the_send_page_sends_and_a_refused_one_keeps_the_words(two_partners, app):
    alex, sam = two_partners
    sam.put("/api/v1/love-languages", json={"ranking": ["time", "words", "acts", "gifts", "touch"]})
    form = page(alex, "/appreciations/new")
    assert "Send Sam an appreciation" in form
    assert "Quality time (Sam's top)" in form

    too_long = "You listened to me for an hour & never once looked at your phone. " * 8
    response = post_refused(
        alex, "/appreciations/new", {"text": too_long, "language": "time"}, to="/appreciations/new"
    )
    assert response.status_code == 200
    refused = response.get_data(as_text=True)
    assert str(escape(too_long)) in refused
    assert '<option value="time" selected>' in refused
    assert "Use at most 500 characters." in refused and 'aria-invalid="true"' in refused
    response = post_refused(
        alex, "/appreciations/new", {"text": "", "language": "words"}, to="/appreciations/new"
    )
    assert response.status_code == 200
    assert "Please fill this in." in response.get_data(as_text=True)
    response = post_refused(
        alex, "/appreciations/new", {"text": "hi", "language": "hugs"}, to="/appreciations/new"
    )
    assert response.status_code == 200
    assert notes_of(app) == []
    assert notifications_of(app, "sam@example.com") == []

    response = post_form(
        alex, "/appreciations/new", {"text": "  Dinner was perfect  ", "language": "acts"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/appreciations"
    assert notes_of(app) == [("Alex", "Dinner was perfect")]
    [received] = notifications_of(app, "sam@example.com", "appreciation_received")
    assert "Alex" in received.title and "Dinner" not in received.body
    assert "Sent to Sam." in page(alex, "/appreciations")


def test_the_send_page_refuses_only_whitespace(two_partners, app):
    alex, _ = two_partners
    response = post_refused(
        alex, "/appreciations/new", {"text": "   \r\n  ", "language": ""}, to="/appreciations/new"
    )
    assert response.status_code == 200
    assert notes_of(app) == []


# ------------------------------------------------------------------------------ nudges


def run_ticks(app, until: datetime) -> None:
    """Run the tick at each reminder instant up to ``until``, as the scheduler would."""
    with app.app_context():
        while True:
            due = db.session.execute(
                db.select(func.min(User.next_checkin_reminder_at))
            ).scalar_one()
            if due is None or due > until:
                return
            reminders.tick(now=due)


def nudges(app) -> list[tuple[str, datetime]]:
    with app.app_context():
        rows = db.session.execute(
            db.select(User.display_name, Notification.created_at)
            .join(User, User.id == Notification.user_id)
            .where(Notification.kind == "appreciation_nudge")
            .order_by(Notification.created_at, User.display_name)
        ).all()
        return [tuple(row) for row in rows]


def test_a_nudge_comes_after_three_days_without_one_and_not_the_next_day(couple):
    app = couple.app
    run_ticks(app, utc("2026-06-04 19:59"))
    assert nudges(app) == []  # within 3 days of linking
    run_ticks(app, utc("2026-06-05 01:00"))
    assert nudges(app) == [("Sam", utc("2026-06-04 20:00")), ("Alex", utc("2026-06-05 01:00"))]
    [nudge] = notifications_of(app, "sam@example.com", "appreciation_nudge")
    assert nudge.url == "/appreciations/new"
    assert nudge.push is True and nudge.status == "pending"
    assert nudge.topic is not None  # a reminder: a newer one replaces it on the device
    assert "Sam" not in nudge.title and "Alex" not in nudge.body
    # The check-in reminder still comes as well.
    assert notifications_of(app, "sam@example.com", "checkin_reminder")
    run_ticks(app, utc("2026-06-07 01:00"))
    assert len(nudges(app)) == 2  # not the next day, nor the one after


def test_the_next_nudge_comes_three_days_after_the_last(couple):
    app = couple.app
    run_ticks(app, utc("2026-06-08 01:00"))
    assert nudges(app) == [
        ("Sam", utc("2026-06-04 20:00")),
        ("Alex", utc("2026-06-05 01:00")),
        ("Sam", utc("2026-06-07 20:00")),
        ("Alex", utc("2026-06-08 01:00")),
    ]


def test_the_nudge_comes_at_the_partners_chosen_time(couple):
    with couple.at(LINK + timedelta(hours=1)) as (_, sam):
        response = sam.patch("/api/v1/me", json={"notifications": {"reminder_time": "19:15"}})
        assert response.status_code == 200, response.get_json()
    run_ticks(couple.app, utc("2026-06-05 01:00"))
    assert nudges(couple.app) == [
        ("Sam", utc("2026-06-04 18:15")),
        ("Alex", utc("2026-06-05 01:00")),
    ]


def test_no_nudge_when_the_kind_is_turned_off(couple):
    with couple.at(LINK + timedelta(hours=1)) as (_, sam):
        response = sam.patch(
            "/api/v1/me", json={"notifications": {"kinds": {"appreciation_nudge": False}}}
        )
        assert response.status_code == 200, response.get_json()
    run_ticks(couple.app, utc("2026-06-09 02:00"))
    assert [who for who, _ in nudges(couple.app)] == ["Alex", "Alex"]
    assert notifications_of(couple.app, "sam@example.com", "appreciation_nudge") == []
    assert len(notifications_of(couple.app, "sam@example.com", "checkin_reminder")) >= 7


def test_a_nudge_even_when_check_in_reminders_are_off(couple):
    """The nudge is a kind of its own: turning the check-in reminders off leaves it on."""
    with couple.at(LINK + timedelta(hours=1)) as (_, sam):
        response = sam.patch(
            "/api/v1/me",
            json={"notifications": {"kinds": {"checkin_reminder": False, "weekly_checkin": False}}},
        )
        assert response.status_code == 200, response.get_json()
    run_ticks(couple.app, utc("2026-06-05 01:00"))
    assert notifications_of(couple.app, "sam@example.com", "checkin_reminder") == []
    assert ("Sam", utc("2026-06-04 20:00")) in nudges(couple.app)


def test_no_nudge_for_the_partner_who_sent_one_recently(couple):
    sent_at = utc("2026-06-03 12:00")
    with couple.at(sent_at) as (alex, _):
        assert alex.post("/api/v1/appreciations", json={"text": "the picnic"}).status_code == 201
    run_ticks(couple.app, utc("2026-06-06 01:00"))
    # Sam received one but sent none: Sam is nudged; Alex, who sent one, is not.
    assert nudges(couple.app) == [("Sam", utc("2026-06-04 20:00"))]
    # Three days after Alex's appreciation, at Alex's next reminder time, Alex is nudged.
    run_ticks(couple.app, utc("2026-06-07 01:00"))
    assert nudges(couple.app) == [
        ("Sam", utc("2026-06-04 20:00")),
        ("Alex", utc("2026-06-07 01:00")),
    ]


def test_an_appreciation_after_a_nudge_holds_off_the_next(couple):
    run_ticks(couple.app, utc("2026-06-05 01:00"))
    with couple.at(utc("2026-06-05 09:00")) as (_, sam):
        assert sam.post("/api/v1/appreciations", json={"text": "breakfast"}).status_code == 201
    run_ticks(couple.app, utc("2026-06-08 08:59"))
    assert [who for who, _ in nudges(couple.app)].count("Sam") == 1
    run_ticks(couple.app, utc("2026-06-08 20:00"))
    assert ("Sam", utc("2026-06-08 20:00")) in nudges(couple.app)


def test_deleting_an_account_removes_what_it_wrote_and_keeps_the_partners(couple):
    from tests.factories import PASSWORD

    with couple.at(LINK + timedelta(hours=1)) as (alex, sam):
        assert alex.post("/api/v1/appreciations", json={"text": "alex-note"}).status_code == 201
        assert sam.post("/api/v1/appreciations", json={"text": "sam-note"}).status_code == 201
        assert alex.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    with couple.app.app_context():
        assert [a.text for a in db.session.execute(db.select(Appreciation)).scalars()] == [
            "sam-note"
        ]


def test_unlinking_withdraws_pushes_still_waiting_for_quiet_hours(couple):
    # 23:00 in London: Sam is in quiet hours, so Alex's appreciation waits for 07:30.
    with couple.at(datetime(2026, 6, 2, 22, 0, tzinfo=UTC)) as (alex, sam):
        assert alex.post("/api/v1/appreciations", json={"text": "night note"}).status_code == 201
        with couple.app.app_context():
            waiting = db.session.execute(
                db.select(Notification).filter_by(kind="appreciation_received")
            ).scalar_one()
            assert waiting.status == "pending" and waiting.next_attempt_at > datetime.now(UTC)
        assert alex.delete("/api/v1/couple").status_code == 204
    with couple.app.app_context():
        note = db.session.execute(
            db.select(Notification).filter_by(kind="appreciation_received")
        ).scalar_one()
        assert note.status == "expired"
        ended = db.session.execute(
            db.select(Notification).filter_by(kind="couple_ended")
        ).scalar_one()
        assert ended.status == "inbox"
