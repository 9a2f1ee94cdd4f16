"""Bids that ask for a particular answer: good news (share the joy), a hard day (be with
them), "can we talk tonight?" (listen before answering). The one they are sent to sees a
few words on how to answer while the bid is open; the push names the gesture."""

import pytest

from couples.lovelanguages.content import BID_GUIDES
from tests.factories import notifications_of, page

from .test_bids import listed, respond, send


@pytest.mark.parametrize(
    ("preset", "title", "guide"),
    [
        ("good_news", "Alex has good news", "Share the joy"),
        ("hard_day", "Alex is having a hard day", "Be with them"),
        ("talk_tonight", "Alex is reaching out", "Listen before you answer"),
    ],
)
def test_the_receiver_is_offered_a_guide_while_the_bid_is_open(
    two_partners, app, preset, title, guide
):
    alex, sam = two_partners
    bid_id = send(alex, preset=preset)
    [received] = notifications_of(app, "sam@example.com", "bid_received")
    assert received.title == title

    theirs = listed(sam)[bid_id]
    assert theirs["guide"] == {"title": guide, "steps": list(BID_GUIDES[preset].steps)}
    html = page(sam, "/bids")
    assert guide in html and BID_GUIDES[preset].steps[0].replace("'", "&#39;") in html
    # The sender is not coached on their own bid.
    assert listed(alex)[bid_id]["guide"] is None
    assert guide not in page(alex, "/bids")

    # Once answered, the guide has done its work.
    assert respond(sam, bid_id, response="toward").status_code == 200
    assert listed(sam)[bid_id]["guide"] is None
    assert guide not in page(sam, "/bids")


def test_everyday_bids_come_without_a_guide(two_partners):
    alex, sam = two_partners
    for preset in ("thinking_of_you", "hug", "look_at_this", None):
        bid_id = send(alex, preset=preset, text=None if preset else "Tea?")
        assert listed(sam)[bid_id]["guide"] is None


def test_a_hard_day_noticed_in_person_is_logged_without_a_guide(two_partners):
    _alex, sam = two_partners
    made = sam.post(
        "/api/v1/bids", json={"preset": "hard_day", "noticed": True, "my_response": "toward"}
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["guide"] is None
