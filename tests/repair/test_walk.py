"""A whole repair through the HTTP API, as two partners, from both openers."""

from datetime import UTC, datetime, timedelta

import pytest

from couples.notifications import reminders
from tests.factories import notifications_of

START = datetime(2026, 6, 15, 17, 0, tzinfo=UTC)  # 13:00 New York, 18:00 London

HEARING = {"feelings": ["hurt", "lonely"], "i_feel": "hurt and lonely",
           "when": "you read your phone all through dinner",
           "because": "dinner is our time", "i_need": "phones away at the table",
           "need_now": "talk"}
APOLOGY = {"acknowledgement": "I'm sorry I read my phone through our whole dinner.",
           "empathy": "When I do that, you feel lonely and unimportant.",
           "restitution": "You matter more to me than any message. I will leave my phone "
                          "in the hall. What do you need from me tonight?"}


def step(who, repair_id, name, body=None, status=200):
    response = who.post(f"/api/v1/repairs/{repair_id}/steps/{name}", json=body or {})
    assert response.status_code == status, response.get_json()
    return response.get_json()


@pytest.mark.parametrize("opener_role", ["apologizing", "hurt"])
def test_a_whole_repair_from_either_opener(couple, opener_role):
    couple.link()
    with couple.at(START) as (alex, sam):
        response = alex.post("/api/v1/repairs", json={"title": "Saturday's dinner",
                                                      "role": opener_role})
        assert response.status_code == 201, response.get_json()
        repair = response.get_json()
        rid = repair["id"]
        assert repair["state"] == "ready" and repair["next_actor"] == "both"
        hurt, sorry = (sam, alex) if opener_role == "apologizing" else (alex, sam)
        step(hurt, rid, "ready")
        assert step(hurt, rid, "ready")["state"] == "ready"  # again: nothing new
        data = step(sorry, rid, "ready")
        assert data["state"] == "hearing"
        step(sorry, rid, "hearing", HEARING, status=403)
        step(hurt, rid, "apology", APOLOGY, status=409)
        step(hurt, rid, "hearing", {**HEARING, "need_now": "soup"}, status=422)
        data = step(hurt, rid, "hearing", HEARING)
        assert data["state"] == "apology"
        data = step(sorry, rid, "apology", {**APOLOGY, "empathy": "I know that was bad."})
        assert [w["code"] for w in data["warnings"]] == ["no_feeling"]
        data = step(hurt, rid, "response", {"heard": False, "missing": "Why it kept happening."})
        assert data["state"] == "apology" and data["apology_rounds"] == 1
        data = step(sorry, rid, "apology", APOLOGY)
        assert data["warnings"] == [] and data["state"] == "response"
        step(hurt, rid, "response", {"heard": True, "forgive": True})
        step(hurt, rid, "plan", {"my_part": "I went quiet instead of saying so."})
        data = step(sorry, rid, "plan", {"my_part": "I kept scrolling.", "commitments": [
            {"text": "Next time we eat, I will leave my phone in the hall.", "owner": "me"},
            {"text": "Next time it bothers me, I will say so kindly.", "owner": "partner",
             "follow_up_days": [2]}]})
        assert data["state"] == "reconnect"
        assert data["reconnect_suggestions"]
        step(hurt, rid, "reconnect", {"confirmed": True}, status=403)
        step(sorry, rid, "reconnect", {"choice": "A walk together, phones at home."})
        step(hurt, rid, "reconnect", {"confirmed": False})
        step(sorry, rid, "reconnect", {"choice": "A long hug, now."})
        data = step(hurt, rid, "reconnect", {"confirmed": True})
        assert data["state"] == "following_through"
        follow_ups = [f for c in data["commitments"] for f in c["follow_ups"]]
        assert sorted(f["days"] for f in follow_ups) == [2, 3, 7]
        assert data["next_actor"] is None  # nothing is due yet
    for days in (2, 3, 7):
        with couple.at(START + timedelta(days=days, minutes=1)) as (alex, sam):
            hurt, sorry = (sam, alex) if opener_role == "apologizing" else (alex, sam)
            for f in [f for f in follow_ups if f["days"] == days]:
                url = f"/api/v1/repairs/{rid}/follow-ups/{f['id']}"
                assert hurt.post(url, json={"outcome": "kept"}).status_code == 200
                assert hurt.post(url, json={"outcome": "kept"}).status_code == 409
                last = sorry.post(url, json={"outcome": "partly", "note": "Mostly."})
                assert last.status_code == 200, last.get_json()
    assert last.get_json()["state"] == "resolved"
    assert last.get_json()["next_actor"] is None


def test_notifications_never_carry_repair_text(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = alex.post("/api/v1/repairs", json={"title": "The zebra evening",
                                                 "role": "apologizing"}).get_json()["id"]
        step(alex, rid, "ready")
        step(sam, rid, "ready")
        step(sam, rid, "hearing", {**HEARING, "when": "the zebra moment"})
    with couple.app.app_context():
        reminders.tick(now=START + timedelta(days=2))
    rows = (notifications_of(couple.app, "alex@example.com")
            + notifications_of(couple.app, "sam@example.com"))
    assert {"repair_started", "repair_your_turn"} <= {row.kind for row in rows}
    for row in rows:
        assert "zebra" not in f"{row.title} {row.body} {row.data}".lower()
