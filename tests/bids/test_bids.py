"""Bids for connection: sending one, the answers (toward, later, away), missed after 12
hours, the order of refusals, bids noticed in person (private to the one who logged
them), and the /bids page."""

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import pytest
import time_machine
from markupsafe import escape

from couples.bids.models import Bid
from couples.extensions import db
from couples.notifications import delivery
from tests import factories
from tests.factories import (
    ApiClient,
    make_couple,
    make_user,
    notifications_of,
    partners_with_a_device,
    post_form,
    post_refused,
)

MORNING = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)  # 05:00 New York, 10:00 London


def bids_in_db(app) -> list[tuple]:
    with app.app_context():
        return [
            (b.preset, b.text, b.response, b.later_at, b.logged_by_id is not None)
            for b in db.session.execute(db.select(Bid).order_by(Bid.id)).scalars()
        ]


def send(who, **body) -> str:
    response = who.post("/api/v1/bids", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def respond(who, bid_id, **body):
    return who.post(f"/api/v1/bids/{bid_id}/response", json=body)


def listed(who) -> dict[str, dict]:
    response = who.get("/api/v1/bids")
    assert response.status_code == 200
    return {b["id"]: b for b in response.get_json()["items"]}


def page(who, path="/bids") -> str:
    return factories.page(who, path)


def iso(instant: datetime) -> str:
    return instant.isoformat()


@pytest.fixture
def couple(couple):
    """Alex (New York) and Sam (London), linked the day before ``MORNING``; ``at(instant)``
    logs both in there."""
    return couple.link(when=MORNING - timedelta(days=1))


# ------------------------------------------------------------------------------ sending


def test_a_preset_bid_reaches_the_partner(two_partners, app):
    alex, sam = two_partners
    response = alex.post("/api/v1/bids", json={"preset": "hug"})
    assert response.status_code == 201
    bid = response.get_json()
    assert set(bid) == {
        "id",
        "from_me",
        "noticed_in_person",
        "preset",
        "label",
        "text",
        "created_at",
        "status",
        "later_at",
        "guide",
    }
    assert bid["from_me"] is True and bid["noticed_in_person"] is False
    assert (bid["preset"], bid["label"], bid["text"]) == ("hug", "Hug?", None)
    assert (bid["status"], bid["later_at"]) == ("open", None)
    [received] = notifications_of(app, "sam@example.com")
    assert received.kind == "bid_received" and "Alex" in received.title
    assert received.url == "/bids" and received.topic is None
    assert notifications_of(app, "alex@example.com") == []
    theirs = listed(sam)[bid["id"]]
    assert theirs["from_me"] is False and theirs["status"] == "open"
    assert theirs["label"] == "Hug?"


@pytest.mark.parametrize(
    "body",
    [
        {"text": "Fancy a walk by the river at six?"},
        {"preset": "talk_tonight", "text": "Fancy a walk by the river at six?"},
        {"preset": None, "text": "  Fancy a walk by the river at six?  "},
    ],
    ids=["own-words", "preset-and-words", "padded"],
)
def test_own_words_reach_the_partner_in_the_app_but_never_in_the_push(two_partners, app, body):
    alex, sam = two_partners
    bid_id = send(alex, **body)
    assert listed(sam)[bid_id]["text"] == "Fancy a walk by the river at six?"
    [received] = notifications_of(app, "sam@example.com", "bid_received")
    assert "Alex" in received.title
    for part in (received.title, received.body, json.dumps(received.data), received.url):
        assert "river" not in part
    if body.get("preset"):
        assert received.body == "Can we talk tonight?"


def test_the_push_payload_itself_never_carries_own_words(push_app, fake_push):
    with time_machine.travel(MORNING, tick=False):
        alex, sam, device = partners_with_a_device(push_app, fake_push)
        send(alex, text="Meet me at the bakery on Elm Street")
        with push_app.app_context():
            assert delivery.deliver_due(now_fn=lambda: MORNING)["sent"] == 1
    [received] = fake_push.for_endpoint(device["endpoint"])
    assert received.message["notification"]["title"] == "Alex is reaching out"
    plaintext = received.plaintext.decode()
    assert "bakery" not in plaintext and "Elm" not in plaintext
    assert received.message["notification"]["data"] == {"kind": "bid_received"}
    assert "topic" not in received.headers
    assert fake_push.rejected == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "text"),
        ({"text": ""}, "text"),
        ({"text": "   \t "}, "text"),
        ({"preset": None, "text": None}, "text"),
        ({"text": "x" * 281}, "text"),
        ({"preset": "kiss"}, "preset"),
        ({"preset": "Hug?"}, "preset"),
        ({"preset": "hug", "mood": "playful"}, "mood"),
        ({"preset": "hug", "my_response": "toward"}, "my_response"),
        ({"preset": "hug", "noticed": "yes", "my_response": "toward"}, "noticed"),
        ({"preset": "hug", "noticed": 1, "my_response": "toward"}, "noticed"),
        ({"preset": "hug", "noticed": True}, "my_response"),
        ({"preset": "hug", "noticed": True, "my_response": "maybe"}, "my_response"),
        ({"text": "hi\x00there"}, "text"),
        ({"text": ["hi"]}, "text"),
    ],
    ids=[
        "empty-body",
        "empty-text",
        "whitespace",
        "nulls",
        "281-chars",
        "unknown-preset",
        "label-as-preset",
        "unknown-field",
        "response-without-noticed",
        "noticed-string",
        "noticed-number",
        "noticed-without-response",
        "unknown-response",
        "nul",
        "list",
    ],
)
def test_a_bad_bid_is_422_and_stores_nothing(two_partners, app, body, field):
    alex, sam = two_partners
    response = alex.post("/api/v1/bids", json=body)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert bids_in_db(app) == []
    assert notifications_of(app, "sam@example.com") == []


def test_the_list_pages_with_a_cursor(two_partners):
    alex, sam = two_partners
    ids = [send(alex if n % 2 else sam, preset="thinking_of_you") for n in range(5)]
    seen, cursor = [], None
    while True:
        query = "limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = alex.get(f"/api/v1/bids?{query}").get_json()
        seen += [b["id"] for b in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == list(reversed(ids))
    for query in ("cursor=abc", "limit=0", "limit=101"):
        assert alex.get(f"/api/v1/bids?{query}").status_code == 422, query


# --------------------------------------------------------------------------- answering


def test_turning_toward_tells_the_sender(two_partners, app):
    alex, sam = two_partners
    bid_id = send(alex, preset="look_at_this")
    response = respond(sam, bid_id, response="toward")
    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["status"], body["later_at"], body["from_me"]) == (
        bid_id,
        "toward",
        None,
        False,
    )
    [answer] = notifications_of(app, "alex@example.com")
    assert answer.kind == "bid_answered" and "Sam" in answer.title and answer.url == "/bids"
    assert [n.kind for n in notifications_of(app, "sam@example.com")] == ["bid_received"]
    assert listed(alex)[bid_id]["status"] == "toward"


@pytest.mark.parametrize(
    ("preset", "body"),
    [
        ("hug", "Go and find them."),
        ("thinking_of_you", "Your thought reached them."),
        ("talk_tonight", "They'd like to talk too. Find a quiet moment."),
        ("look_at_this", "They took a look."),
        (None, "Your words reached them."),
    ],
)
def test_the_sender_is_told_what_turning_toward_means_for_that_bid(two_partners, app, preset, body):
    """Only a hug asks the sender to come and find the partner; a thought of them or a
    link to look at does not."""
    alex, sam = two_partners
    bid_id = send(alex, preset=preset, text=None if preset else "Tea on the balcony?")
    assert respond(sam, bid_id, response="toward").status_code == 200
    [answer] = notifications_of(app, "alex@example.com")
    assert answer.body == body


def test_a_bid_shows_its_preset_and_the_words_apart(two_partners):
    alex, sam = two_partners
    send(alex, preset="talk_tonight", text="about the weekend")
    html = page(sam)
    assert "<p>Can we talk tonight?</p>" in html
    assert '<p class="prose">about the weekend</p>' in html
    assert "?:" not in html


def test_later_needs_a_time_in_the_next_seven_days(couple):
    with couple.at(MORNING) as (alex, sam):
        bid_id = send(alex, preset="talk_tonight")
        refusals = [
            {"response": "later"},
            {"response": "later", "later_at": None},
            {"response": "later", "later_at": iso(MORNING - timedelta(minutes=1))},
            {"response": "later", "later_at": iso(MORNING)},
            {"response": "later", "later_at": iso(MORNING + timedelta(days=7, minutes=1))},
            {"response": "later", "later_at": "2026-06-15T19:30:00"},  # no offset
            {"response": "later", "later_at": "tonight"},
            {"response": "toward", "later_at": iso(MORNING + timedelta(hours=2))},
            {"response": "away", "later_at": iso(MORNING + timedelta(hours=2))},
        ]
        for body in refusals:
            response = respond(sam, bid_id, **body)
            assert response.status_code == 422, body
            assert "later_at" in response.get_json()["errors"], body
        assert listed(sam)[bid_id]["status"] == "open"
        assert bids_in_db(couple.app) == [("talk_tonight", None, None, None, False)]
        assert notifications_of(couple.app, "alex@example.com") == []

        response = respond(sam, bid_id, response="later", later_at="2026-06-15T19:30:00+01:00")
        assert response.status_code == 200
        body = response.get_json()
        assert body["status"] == "later"
        assert body["later_at"] == "2026-06-15T18:30:00+00:00"
        assert listed(alex)[bid_id]["later_at"] == "2026-06-15T18:30:00+00:00"
        [answer] = notifications_of(couple.app, "alex@example.com")
        assert answer.kind == "bid_answered" and "Sam" in answer.title

        other = send(alex, preset="hug")
        almost_a_week = iso(MORNING + timedelta(days=7) - timedelta(minutes=1))
        assert respond(sam, other, response="later", later_at=almost_a_week).status_code == 200


def test_away_sends_nothing_to_the_sender(two_partners, app):
    alex, sam = two_partners
    bid_id = send(alex, text="Want to hear about my day?")
    response = respond(sam, bid_id, response="away")
    assert response.status_code == 200 and response.get_json()["status"] == "away"
    assert notifications_of(app, "alex@example.com") == []
    assert listed(alex)[bid_id]["status"] == "away"


def test_a_bid_is_answered_once(two_partners, app):
    alex, sam = two_partners
    bid_id = send(alex, preset="hug")
    assert respond(sam, bid_id, response="toward").status_code == 200
    for response in ("toward", "away", "later"):
        again = respond(
            sam,
            bid_id,
            response=response,
            **(
                {"later_at": iso(datetime.now(UTC) + timedelta(hours=1))}
                if response == "later"
                else {}
            ),
        )
        assert again.status_code == 409, response
        assert again.mimetype == "application/problem+json"
        assert again.get_json()["type"] == "/problems/conflict"
    assert listed(sam)[bid_id]["status"] == "toward"
    assert len(notifications_of(app, "alex@example.com", "bid_answered")) == 1


def test_my_own_bid_is_not_mine_to_answer(two_partners, app):
    alex, _ = two_partners
    bid_id = send(alex, preset="hug")
    response = respond(alex, bid_id, response="toward")
    assert response.status_code == 403
    assert response.get_json()["type"] == "/problems/forbidden"
    assert listed(alex)[bid_id]["status"] == "open"
    assert notifications_of(app, "alex@example.com") == []


def test_refusals_come_in_the_order_404_409_403_422(two_partners, app):
    alex, sam = two_partners
    with app.app_context():
        olive = make_user(email="olive@example.com", display_name="Olive", timezone="UTC")
        pat = make_user(email="pat@example.com", display_name="Pat", timezone="UTC")
        make_couple(olive, pat)
    olive = ApiClient(app).login("olive@example.com")
    answered = send(alex, preset="hug")
    respond(sam, answered, response="toward")
    open_bid = send(alex, preset="look_at_this")
    bad = {"response": "maybe", "extra": 1}

    # 404 first: another couple's bid, whatever its state or the body.
    assert respond(olive, answered, **bad).status_code == 404
    assert respond(olive, open_bid, response="toward").status_code == 404
    assert respond(sam, "99999", **bad).status_code == 404
    # 409 before 403: my own bid, answered already.
    assert respond(alex, answered, response="toward").status_code == 409
    # 409 before 422: answered already, with a bad body.
    assert respond(sam, answered, **bad).status_code == 409
    assert respond(alex, answered, **bad).status_code == 409
    # 403 before 422: my own open bid, with a bad body.
    assert respond(alex, open_bid, **bad).status_code == 403
    # 422 once the rest is in order.
    response = respond(sam, open_bid, **bad)
    assert response.status_code == 422
    assert set(response.get_json()["errors"]) == {"response", "extra"}
    assert respond(sam, open_bid).status_code == 422
    assert listed(sam)[open_bid]["status"] == "open"


def test_an_unanswered_bid_is_missed_after_twelve_hours(couple):
    with couple.at(MORNING) as (alex, _):
        bid_id = send(alex, preset="thinking_of_you")
        unanswered = send(alex, preset="hug")
    with couple.at(MORNING + timedelta(hours=11, minutes=59)) as (alex, sam):
        assert listed(sam)[bid_id]["status"] == "open"
        assert f'action="/bids/{bid_id}/response"' in page(sam)
        assert respond(sam, unanswered, response="toward").status_code == 200
    with couple.at(MORNING + timedelta(hours=12)) as (alex, sam):
        assert listed(sam)[bid_id]["status"] == "missed"
        assert listed(alex)[bid_id]["status"] == "missed"
        assert listed(alex)[unanswered]["status"] == "toward"
        response = respond(sam, bid_id, response="toward")
        assert response.status_code == 409
        assert response.get_json()["type"] == "/problems/conflict"
        # 409 before 403 and 422 here too.
        assert respond(alex, bid_id, response="toward").status_code == 409
        assert respond(sam, bid_id, response="nope").status_code == 409
        shown = page(sam)
        assert f'action="/bids/{bid_id}/response"' not in shown
        assert "It slipped by. It happens." in shown
        response = post_form(sam, f"/bids/{bid_id}/response", {"response": "toward"})
        assert response.status_code == 302
    assert bids_in_db(couple.app)[0] == ("thinking_of_you", None, None, None, False)


# ------------------------------------------------------------------ noticed in person


def test_a_bid_noticed_in_person_is_only_for_the_one_who_logged_it(two_partners, app):
    alex, sam = two_partners
    words = "Alex asked me to come and see the sunset"
    response = sam.post(
        "/api/v1/bids", json={"noticed": True, "text": words, "my_response": "away"}
    )
    assert response.status_code == 201
    bid = response.get_json()
    assert bid["noticed_in_person"] is True and bid["from_me"] is False
    assert (bid["text"], bid["status"], bid["preset"]) == (words, "away", None)
    assert (
        sam.post(
            "/api/v1/bids", json={"noticed": True, "preset": "hug", "my_response": "toward"}
        ).status_code
        == 201
    )

    assert len(listed(sam)) == 2 and listed(sam)[bid["id"]]["text"] == words
    assert listed(alex) == {}
    assert "sunset" not in page(alex) and "only you see this" not in page(alex)
    mine = page(sam)
    assert "sunset" in mine and "Noticed in person · only you see this" in mine
    alex_export = alex.export()
    assert alex_export.status_code == 200
    assert "sunset" not in alex_export.get_data(as_text=True)
    assert alex_export.get_json()["bids"]["bids"] == []
    sam_export = sam.export().get_json()
    assert [b["text"] for b in sam_export["bids"]["bids"]] == [words, None]
    assert all(b["noticed_in_person"] for b in sam_export["bids"]["bids"])
    assert notifications_of(app, "alex@example.com") == []
    assert notifications_of(app, "sam@example.com") == []
    # Alex cannot answer it or even find it; Sam's own answer is already in it.
    assert respond(alex, bid["id"], response="toward").status_code == 404
    assert respond(sam, bid["id"], response="toward").status_code == 409


def test_an_outsider_gets_404_everywhere(two_partners, outsider, app):
    alex, _ = two_partners
    bid_id = send(alex, text="for Sam only")
    assert (
        outsider.post(f"/api/v1/bids/{bid_id}/response", json={"response": "toward"}).status_code
        == 404
    )
    assert outsider.post(f"/api/v1/bids/{bid_id}/response", json={}).status_code == 404
    assert outsider.get("/api/v1/bids").status_code == 404
    assert outsider.post("/api/v1/bids", json={"preset": "hug"}).status_code == 404
    assert outsider.client.get("/bids").status_code == 404
    assert (
        post_form(outsider, f"/bids/{bid_id}/response", {"response": "toward"}).status_code == 404
    )
    assert post_form(outsider, "/bids", {"preset": "hug"}).status_code == 404
    assert bids_in_db(app) == [(None, "for Sam only", None, None, False)]


@pytest.mark.parametrize(
    "raw",
    [
        "99999999999",
        "2147483648",
        "abc",
        "0",
        "-1",
        "1.0",
        "1e3",
        "１",
        "٣",
        " 1",
        "99999999999999999999999999999",
    ],
)
def test_odd_ids_are_404_never_500(two_partners, raw):
    _, sam = two_partners
    response = sam.post(f"/api/v1/bids/{quote(raw)}/response", json={"response": "toward"})
    assert response.status_code == 404, raw
    assert response.mimetype == "application/problem+json"
    page_response = post_form(sam, f"/bids/{quote(raw)}/response", {"response": "toward"})
    assert page_response.status_code == 404, raw


# ------------------------------------------------------------------------------- pages


def test_the_page_sends_a_preset_or_own_words(two_partners, app):
    alex, sam = two_partners
    form = page(alex)
    assert "Reach out to Sam" in form
    for key, label in (
        ("thinking_of_you", "Thinking of you"),
        ("hug", "Hug?"),
        ("talk_tonight", "Can we talk tonight?"),
        ("look_at_this", "Look at this"),
    ):
        assert f'name="preset" value="{key}"' in form and label in form
    response = post_form(alex, "/bids", {"preset": "hug", "text": ""})
    assert response.status_code == 302 and response.headers["Location"] == "/bids"
    response = post_form(alex, "/bids", {"text": "Coffee on the balcony?"})
    assert response.status_code == 302
    assert bids_in_db(app) == [
        ("hug", None, None, None, False),
        (None, "Coffee on the balcony?", None, None, False),
    ]
    assert len(notifications_of(app, "sam@example.com", "bid_received")) == 2
    assert "Sent to Sam." in page(alex)
    theirs = page(sam)
    assert "Hug?" in theirs and "Coffee on the balcony?" in theirs


def test_a_refused_send_form_keeps_what_was_typed(two_partners, app):
    alex, _ = two_partners
    response = post_refused(alex, "/bids", {"text": "", "preset": ""}, to="/bids")
    assert response.status_code == 200
    assert "Choose a bid or write your own words." in response.get_data(as_text=True)
    long_words = "Shall we <plan> the weekend & call your mum? " * 7
    response = post_refused(
        alex, "/bids", {"text": long_words, "preset": "talk_tonight"}, to="/bids"
    )
    assert response.status_code == 200
    form = response.get_data(as_text=True)
    assert (
        f'id="bid-text" name="text" type="text" maxlength="280" value="{escape(long_words)}"'
        in form
    )
    assert 'name="preset" value="talk_tonight" checked' in form
    assert "Use at most 280 characters." in form
    assert 'id="noticed-text" name="text" type="text" maxlength="280" value=""' in form
    assert bids_in_db(app) == []


def test_the_partner_answers_with_the_buttons(couple):
    with couple.at(MORNING) as (alex, sam):
        toward = send(alex, preset="hug")
        away = send(alex, preset="look_at_this")
        later = send(alex, text="Can we plan the trip?")
        mine = page(alex)
        assert "/response" not in mine and "Waiting" in mine
        theirs = page(sam)
        for bid_id in (toward, away, later):
            assert f'action="/bids/{bid_id}/response"' in theirs
        assert 'name="response" value="toward"' in theirs and "I'm here" in theirs
        assert 'name="response" value="away"' in theirs
        assert 'name="response" value="later"' in theirs
        assert f'id="later-{later}" name="later_at" type="datetime-local"' in theirs

        assert (
            post_form(
                sam, f"/bids/{toward}/response", {"response": "toward", "later_at": ""}
            ).status_code
            == 302
        )
        assert (
            post_form(
                sam, f"/bids/{away}/response", {"response": "away", "later_at": ""}
            ).status_code
            == 302
        )
        # A local time in Sam's zone (London, summer time).
        assert (
            post_form(
                sam,
                f"/bids/{later}/response",
                {"response": "later", "later_at": "2026-06-15T19:30"},
            ).status_code
            == 302
        )
        states = listed(alex)
        assert [states[i]["status"] for i in (toward, away, later)] == ["toward", "away", "later"]
        assert states[later]["later_at"] == "2026-06-15T18:30:00+00:00"
        assert "Later, 15 Jun, 19:30" in page(sam)
        assert "Later, 15 Jun, 14:30" in page(alex)  # in New York
        answered = notifications_of(couple.app, "alex@example.com", "bid_answered")
        assert len(answered) == 2
        # Answering again from the page changes nothing.
        response = post_form(sam, f"/bids/{toward}/response", {"response": "away"})
        assert response.status_code == 302
        assert listed(alex)[toward]["status"] == "toward"


def test_a_refused_later_keeps_the_bid_open_and_says_why(couple):
    with couple.at(MORNING) as (alex, sam):
        bid_id = send(alex, preset="talk_tonight")
        for when, message in (
            ("", "Say when"),
            ("2026-06-15T08:00", "Pick a time"),
            ("2026-06-30T10:00", "Pick a time"),
            ("soon", "Say when"),
        ):
            response = post_refused(
                sam, f"/bids/{bid_id}/response", {"response": "later", "later_at": when}, to="/bids"
            )
            assert response.status_code == 200, when
            shown = response.get_data(as_text=True)
            assert message in shown and f'action="/bids/{bid_id}/response"' in shown
        assert listed(sam)[bid_id]["status"] == "open"
        assert notifications_of(couple.app, "alex@example.com") == []


@pytest.mark.parametrize(
    "form",
    [{}, {"response": ""}, {"response": "maybe"}, {"response": "toward-and-away-and-later"}],
    ids=["none", "empty", "unknown", "long"],
)
def test_a_made_up_answer_from_the_page_is_refused_and_changes_nothing(two_partners, app, form):
    alex, sam = two_partners
    bid_id = send(alex, preset="hug")
    response = post_form(sam, f"/bids/{bid_id}/response", form)
    # Refused: back to the bids, with the message (or 400 for a form that cannot be read)
    refused = response.status_code == 303 and response.headers["Location"] == "/bids"
    assert refused or response.status_code == 400, response.status_code
    assert listed(sam)[bid_id]["status"] == "open"
    assert bids_in_db(app) == [("hug", None, None, None, False)]
    assert notifications_of(app, "alex@example.com") == []


def test_the_noticed_form_logs_a_private_bid(two_partners, app):
    alex, sam = two_partners
    form = page(sam)
    assert "Noticed one in person?" in form and 'name="noticed" value="1"' in form
    for value in ("toward", "later", "away"):
        assert f'name="my_response" value="{value}"' in form
    response = post_form(
        sam, "/bids", {"noticed": "1", "text": "Alex showed me a heron", "my_response": "toward"}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/bids"
    assert "Noted, just for you." in page(sam)
    assert bids_in_db(app) == [(None, "Alex showed me a heron", "toward", None, True)]
    assert "heron" in page(sam) and "heron" not in page(alex)
    assert listed(alex) == {}
    assert notifications_of(app, "alex@example.com") == []


def test_a_refused_noticed_form_keeps_the_words(two_partners, app):
    _, sam = two_partners
    response = post_refused(
        sam, "/bids", {"noticed": "1", "text": "A hand on my shoulder"}, to="/bids"
    )
    assert response.status_code == 200
    form = response.get_data(as_text=True)
    assert "How did you respond?" in form
    assert (
        'id="noticed-text" name="text" type="text" maxlength="280" value="A hand on my shoulder"'
    ) in form
    assert 'id="bid-text" name="text" type="text" maxlength="280" value=""' in form
    assert bids_in_db(app) == []


def test_a_refused_noticed_form_keeps_the_chosen_response(two_partners, app):
    _, sam = two_partners
    response = post_refused(
        sam, "/bids", {"noticed": "1", "text": "", "my_response": "later"}, to="/bids"
    )
    assert response.status_code == 200
    form = response.get_data(as_text=True)
    assert "Choose a bid or write your own words." in form
    assert 'name="my_response" value="later" checked' in form
    assert bids_in_db(app) == []


def test_ids_are_random_so_a_private_note_leaves_no_gap_to_count(couple):
    with couple.at(MORNING) as (alex, sam):
        first = alex.post("/api/v1/bids", json={"preset": "hug"}).get_json()["id"]
        assert (
            sam.post(
                "/api/v1/bids",
                json={"text": "a wink across the room", "noticed": True, "my_response": "toward"},
            ).status_code
            == 201
        )
        second = alex.post("/api/v1/bids", json={"preset": "hug"}).get_json()["id"]
        ids = [item["id"] for item in alex.get("/api/v1/bids").get_json()["items"]]
    assert ids == [second, first]
    assert not any(i.isdigit() for i in ids) and all(len(i) >= 12 for i in ids)


def test_deleting_an_account_removes_the_bids_it_sent_and_keeps_the_partners(couple):
    from tests.factories import PASSWORD

    with couple.at(MORNING) as (alex, sam):
        assert alex.post("/api/v1/bids", json={"text": "alex-words"}).status_code == 201
        assert sam.post("/api/v1/bids", json={"text": "sam-words"}).status_code == 201
        assert alex.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    with couple.app.app_context():
        assert [b.text for b in db.session.execute(db.select(Bid)).scalars()] == ["sam-words"]


def test_the_words_explain_a_bid_and_leaving_one_is_said_kindly(couple):
    from tests.factories import page

    with couple.at(datetime(2026, 11, 18, 20, 0, tzinfo=UTC)) as (alex, sam):
        sam.post("/api/v1/bids", json={"preset": "hug"})
        html = page(alex, "/bids")
        assert "What&#39;s a bid?" in html or "What's a bid?" in html
        assert "Turning toward it means noticing it and answering warmly" in html
        assert ">Not right now</button>" in html and "Leave it" not in html
        checkin = page(alex, "/checkin/2026-11-18")
        assert (
            "When you reached for me (a word, a look, a touch), did I notice and answer?" in checkin
        )
