"""What is waiting for me: each thing my partner did that asks something of me, newest
first, gone as soon as it is done; never what they wrote in a check-in before I have
answered; nothing for someone not linked."""

from datetime import UTC, datetime, timedelta

import time_machine

from tests.factories import page
from tests.repair.helpers import call, open_repair

EVENING = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)  # 15:00 New York, 20:00 London
DAY = "2026-11-18"


def waiting(who) -> list[dict]:
    body = who.get("/api/v1/me/waiting").get_json()
    assert body["count"] == len(body["items"])
    return body["items"]


def test_what_my_partner_did_waits_for_me_until_it_is_done(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        assert waiting(alex) == []
        assert "Nothing new from Sam right now." in page(alex, "/")

        sam.put(
            f"/api/v1/checkins/{DAY}/answers",
            json={"answers": {"needs_met": 2, "mood": 2, "appreciation": "SECRETWORDS"}},
        )
    with couple.at(EVENING + timedelta(minutes=5)) as (alex, sam):
        bid = sam.post("/api/v1/bids", json={"preset": "hug"}).get_json()
    with couple.at(EVENING + timedelta(minutes=10)) as (alex, sam):
        sam.post("/api/v1/appreciations", json={"text": "Thank you for the soup."})
    with couple.at(EVENING + timedelta(minutes=15)) as (alex, sam):
        repair = open_repair(sam, role="hurt")
        call(sam, f"{repair}/steps/ready", {"view": "hurt"})

    with couple.at(EVENING + timedelta(hours=2)) as (alex, sam):
        items = waiting(alex)
        assert [(i["kind"], i["title"], i["detail"], i["url"]) for i in items] == [
            ("repair", "Saturday's dinner", "Your step is waiting", f"/repairs/{repair}"),
            ("appreciation", "Sam appreciated you", "Read it in your journal.", "/appreciations"),
            ("bid", "Sam: Hug?", "10 hours left", "/bids"),
            (
                "checkin",
                "Sam answered tonight",
                "Add yours, and you'll see each other's answers.",
                f"/checkin/{DAY}",
            ),
        ]
        home = page(alex, "/")
        assert "Sam answered tonight" in home and "Sam: Hug?" in home
        assert '<span data-n>4</span><span class="visually-hidden"> waiting</span>' in home
        # What Sam wrote stays hers until Alex has answered too.
        assert "SECRETWORDS" not in home
        assert "SECRETWORDS" not in alex.get("/api/v1/me/waiting").get_data(as_text=True)
        # Nothing of it waits for Sam.
        assert waiting(sam) == []

        # Each goes away once done: the bid answered, the journal read, the check-in
        # answered, the repair's step taken.
        alex.post(f"/api/v1/bids/{bid['id']}/response", json={"response": "toward"})
        page(alex, "/appreciations")
        alex.put(
            f"/api/v1/checkins/{DAY}/answers",
            json={"answers": {"needs_met": 4, "mood": 4}},
        )
        call(alex, f"{repair}/steps/ready", {"view": "apologizing"})
        assert [i["kind"] for i in waiting(alex)] == []


def test_a_bid_no_longer_waits_once_its_twelve_hours_are_over(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        sam.post("/api/v1/bids", json={"text": "A walk after dinner?"})
        assert [(i["title"], i["detail"]) for i in waiting(alex)] == [
            ("Sam: A walk after dinner?", "12 hours left")
        ]
    with couple.at(EVENING + timedelta(hours=11, minutes=30)) as (alex, _sam):
        assert [i["detail"] for i in waiting(alex)] == ["Less than an hour left"]
    with couple.at(EVENING + timedelta(hours=12)) as (alex, _sam):
        assert waiting(alex) == []


def test_a_reaction_waits_until_seen_on_the_reveal(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        for who in (alex, sam):
            who.put(
                f"/api/v1/checkins/{DAY}/answers",
                json={"answers": {"needs_met": 4, "mood": 4, "appreciation": "the tea"}},
            )
        sam.put(f"/api/v1/checkins/{DAY}/reactions/appreciation", json={"kind": "thanks"})
        assert [(i["kind"], i["title"], i["url"]) for i in waiting(alex)] == [
            ("reaction", "Sam said thank you", f"/checkin/{DAY}")
        ]
        page(alex, f"/checkin/{DAY}")
        assert waiting(alex) == []


def test_nothing_waits_for_someone_not_linked(app):
    from tests.factories import ApiClient, make_user

    with time_machine.travel(EVENING, tick=False):
        with app.app_context():
            make_user(email="kim@example.com", display_name="Kim")
        kim = ApiClient(app).login("kim@example.com")
        assert kim.get("/api/v1/me/waiting").get_json() == {"items": [], "count": 0}
        assert "data-waiting-count" in page(kim, "/")
