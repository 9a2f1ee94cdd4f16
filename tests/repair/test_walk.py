"""A whole repair through the HTTP API, as two partners, from both openers."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from couples.clock import isoformat
from couples.notifications import reminders
from tests.factories import notifications_of
from tests.repair.helpers import (
    APOLOGY,
    HEARING,
    START,
    follow_ups,
    open_repair,
    sides,
    step,
    view,
)

__all__ = ["APOLOGY", "HEARING", "START", "step"]  # other modules import them from here

SORRY_PLAN = {
    "my_part": "I kept scrolling.",
    "commitments": [
        {"text": "Next time we eat, I will leave my phone in the hall.", "owner": "me"},
        {
            "text": "Next time it bothers me, I will say so kindly.",
            "owner": "partner",
            "follow_up_days": [2],
        },
    ],
}
FIRST_APOLOGY = {**APOLOGY, "empathy": "I know that was bad."}


class Walk:
    """Takes steps a minute apart and keeps what each should have recorded."""

    def __init__(self, traveller, hurt, sorry, repair_id):
        self.traveller, self.hurt, self.sorry, self.rid = traveller, hurt, sorry, repair_id
        self.expected = []  # (action, "hurt" or "sorry", state_before, state_after, at)

    def role(self, who) -> str:
        return "hurt" if who is self.hurt else "sorry"

    def take(self, who, name, body=None, action=None):
        self.traveller.shift(60)
        before = view(who, self.rid)["state"]
        data = step(who, self.rid, name, body)
        at = isoformat(datetime.now(UTC))
        self.expected.append((action or name, self.role(who), before, data["state"], at))
        return data

    def turn(self, state, hurt_sees, sorry_sees):
        """Both partners see the repair at ``state``, and whose move it is."""
        for who, expected in ((self.hurt, hurt_sees), (self.sorry, sorry_sees)):
            data = view(who, self.rid)
            assert (data["state"], data["next_actor"]) == (state, expected), (
                who is self.hurt,
                data["state"],
                data["next_actor"],
            )

    def recorded(self, who, data):
        """The steps of ``data`` (as ``who`` sees them) are exactly the ones taken."""
        steps = data["steps"][1:]  # after "open"
        assert [(s["action"], s["state_before"], s["state_after"], s["at"]) for s in steps] == [
            (a, before, after, at) for a, _, before, after, at in self.expected
        ]
        assert [s["by"] for s in steps] == [
            "me" if actor == self.role(who) else "partner" for _, actor, _, _, _ in self.expected
        ]


@pytest.mark.parametrize("opener_role", ["apologizing", "hurt"])
def test_a_whole_repair_through_the_api_from_either_opener(couple, opener_role):
    couple.link()
    with couple.at(START) as (alex, sam), time_machine.travel(START, tick=False) as traveller:
        hurt, sorry = sides(alex, sam, opener_role)
        response = alex.post(
            "/api/v1/repairs", json={"title": "Saturday's dinner", "role": opener_role}
        )
        assert response.status_code == 201, response.get_json()
        opened = response.get_json()
        rid = opened["id"]
        assert opened["state"] == "ready" and opened["next_actor"] == "both"
        assert (opened["my_role"], opened["opened_by"]) == (opener_role, "me")
        assert opened["title"] == "Saturday's dinner"
        assert opened["created_at"] == isoformat(START)
        seen_by_sam = view(sam, rid)
        # No role for Sam, nor Alex's view, until Sam has said how Sam sees it.
        assert seen_by_sam["my_role"] is None
        assert seen_by_sam["views"] == {"settled": False, "mine": None, "partner": None}
        assert seen_by_sam["opened_by"] == "partner"
        assert [s["action"] for s in seen_by_sam["steps"]] == ["open"]
        assert seen_by_sam["steps"][0]["by"] == "partner"
        assert "role" not in seen_by_sam["steps"][0]["written"]
        assert view(alex, rid)["steps"][0]["by"] == "me"

        walk = Walk(traveller, hurt, sorry, rid)
        walk.turn("ready", "both", "both")
        data = walk.take(hurt, "ready", {"view": "hurt"})
        assert data["ready"] == {"me": True, "partner": False}
        walk.turn("ready", "partner", "me")
        again = step(hurt, rid, "ready", {"view": "hurt"})  # saying it again is not a step
        assert again["state"] == "ready" and len(again["steps"]) == 2
        data = walk.take(sorry, "ready", {"view": "apologizing"})
        assert data["ready"] == {"me": True, "partner": True}
        walk.turn("hearing", "me", "partner")

        data = walk.take(hurt, "hearing", HEARING)
        written = data["steps"][-1]["written"]
        assert written["feelings"] == ["hurt", "lonely"] and written["need_now"] == "talk"
        assert written["statement"].startswith("I feel hurt and lonely when you read")
        walk.turn("reflect", "partner", "me")

        # Before any apology: what was heard, said back, until it is that.
        data = walk.take(sorry, "reflect", {"what_i_heard": "You felt lonely at dinner."})
        assert data["reflection"] == "You felt lonely at dinner."
        walk.turn("reflect", "me", "partner")
        data = walk.take(
            hurt,
            "reflect",
            {"thats_it": False, "missed": "And unimportant."},
            action="reflect_confirm",
        )
        assert data["state"] == "reflect" and data["reflection"] is None
        assert data["steps"][-1]["written"] == {"thats_it": False, "missed": "And unimportant."}
        walk.turn("reflect", "partner", "me")
        said = "You felt lonely and unimportant at dinner, because it is our time."
        walk.take(sorry, "reflect", {"what_i_heard": said})
        walk.turn("reflect", "me", "partner")
        data = walk.take(hurt, "reflect", {"thats_it": True}, action="reflect_confirm")
        assert data["reflection"] == said
        walk.turn("apology", "partner", "me")

        data = walk.take(sorry, "apology", FIRST_APOLOGY)
        assert [w["code"] for w in data["warnings"]] == ["no_feeling"]
        assert data["apology_rounds"] == 1
        walk.turn("response", "me", "partner")

        data = walk.take(hurt, "response", {"heard": False, "missing": "Why it kept happening."})
        assert data["state"] == "apology" and data["apology_rounds"] == 1
        walk.turn("apology", "partner", "me")

        data = walk.take(sorry, "apology", APOLOGY)
        assert data["warnings"] == [] and data["apology_rounds"] == 2
        walk.turn("response", "me", "partner")

        walk.take(hurt, "response", {"heard": True, "forgive": True})
        walk.turn("plan", "both", "both")

        data = walk.take(hurt, "plan", {"my_part": "I went quiet instead of saying so."})
        assert data["plan_sent"] == {"me": True, "partner": False}
        walk.turn("plan", "partner", "me")
        # The hurt partner's top love language shapes the ways to reconnect.
        assert (
            hurt.put(
                "/api/v1/love-languages",
                json={"ranking": ["time", "touch", "words", "acts", "gifts"]},
            ).status_code
            == 200
        )
        data = walk.take(sorry, "plan", SORRY_PLAN)
        assert data["state"] == "reconnect"
        planned_at = datetime.now(UTC)
        suggestions = data["reconnect_suggestions"]
        assert suggestions and suggestions[0]["language"] == "time"
        assert {s["language"] for s in suggestions} <= {"time", "touch", None}
        walk.turn("reconnect", "partner", "me")

        walk.take(
            sorry,
            "reconnect",
            {"choice": "A walk together, phones at home."},
            action="reconnect_choose",
        )
        walk.turn("reconnect", "me", "partner")
        assert view(hurt, rid)["reconnect_choice"] == "A walk together, phones at home."
        data = walk.take(hurt, "reconnect", {"confirmed": False}, action="reconnect_confirm")
        assert data["state"] == "reconnect" and data["reconnect_choice"] is None
        walk.turn("reconnect", "partner", "me")
        walk.take(sorry, "reconnect", {"choice": "A long hug, now."}, action="reconnect_choose")
        data = walk.take(hurt, "reconnect", {"confirmed": True}, action="reconnect_confirm")
        assert data["state"] == "following_through"
        assert data["reconnect_choice"] == "A long hug, now."
        walk.turn("following_through", None, None)  # nothing is due yet

        # Every step recorded: who, when, the state before and after, as either sees it.
        walk.recorded(hurt, view(hurt, rid))
        walk.recorded(sorry, view(sorry, rid))
        steps = view(sorry, rid)["steps"]
        apologies = [s["written"] for s in steps if s["action"] == "apology"]
        assert [(a["round"], a["empathy"]) for a in apologies] == [
            (1, FIRST_APOLOGY["empathy"]),
            (2, APOLOGY["empathy"]),
        ]  # the revision is kept
        answers = [s["written"] for s in steps if s["action"] == "response"]
        assert answers == [
            {"heard": False, "missing": "Why it kept happening.", "forgive": None},
            {"heard": True, "missing": None, "forgive": True},
        ]

        # Two commitments, with their owners from each side, and follow-ups counted from
        # the moment the plan was complete.
        for who, owners in ((sorry, ["me", "partner"]), (hurt, ["partner", "me"])):
            data = view(who, rid)
            assert [(c["text"], c["owner"]) for c in data["commitments"]] == [
                (c["text"], owner)
                for c, owner in zip(SORRY_PLAN["commitments"], owners, strict=True)
            ]
        dues = follow_ups(data)
        assert [(f["days"], f["due_at"]) for f in dues] == [
            (days, isoformat(planned_at + timedelta(days=days))) for days in (2, 3, 7)
        ]
        assert not any(f["open"] or f["complete"] for f in dues)
        early = hurt.post(
            f"/api/v1/repairs/{rid}/follow-ups/{dues[0]['id']}", json={"outcome": "kept"}
        )
        assert early.status_code == 409

        for items in (who.get("/api/v1/repairs").get_json() for who in (alex, sam)):
            assert items["next_cursor"] is None
            assert [(i["id"], i["state"], i["next_actor"]) for i in items["items"]] == [
                (rid, "following_through", None)
            ]

    for n, follow_up in enumerate(dues):
        due = datetime.fromisoformat(follow_up["due_at"])
        with couple.at(due + timedelta(minutes=1)) as (alex, sam):
            hurt, sorry = sides(alex, sam, opener_role)
            first, second = (hurt, sorry) if n % 2 == 0 else (sorry, hurt)
            walk.hurt, walk.sorry = hurt, sorry
            state = "following_through"
            walk.turn(state, "both", "both")
            url = f"/api/v1/repairs/{rid}/follow-ups/{follow_up['id']}"
            response = first.post(url, json={"outcome": "kept"})
            assert response.status_code == 200, response.get_json()
            walk.expected.append(
                ("follow_up", walk.role(first), state, state, isoformat(due + timedelta(minutes=1)))
            )
            walk.turn(state, *(("partner", "me") if first is hurt else ("me", "partner")))
            assert first.post(url, json={"outcome": "kept"}).status_code == 409
            last = second.post(url, json={"outcome": "partly", "note": "Mostly."})
            assert last.status_code == 200, last.get_json()
            after = "resolved" if n == len(dues) - 1 else state
            walk.expected.append(
                (
                    "follow_up",
                    walk.role(second),
                    state,
                    after,
                    isoformat(due + timedelta(minutes=1)),
                )
            )
            answered = [f for f in follow_ups(last.get_json()) if f["id"] == follow_up["id"]]
            assert answered[0]["complete"] and answered[0]["my_outcome"] == "partly"
            assert answered[0]["partner_outcome"] == "kept"
            walk.turn(after, None, None)

        with couple.at(due + timedelta(minutes=2)) as (alex, sam):
            walk.hurt, walk.sorry = sides(alex, sam, opener_role)
            for who in (walk.hurt, walk.sorry):
                walk.recorded(who, view(who, rid))

    data = last.get_json()
    assert data["state"] == "resolved" and data["next_actor"] is None
    assert data["ended_at"] == isoformat(
        datetime.fromisoformat(dues[-1]["due_at"]) + timedelta(minutes=1)
    )
    with couple.at(START + timedelta(days=30)) as (alex, sam):
        for who in (alex, sam):
            (item,) = who.get("/api/v1/repairs").get_json()["items"]
            assert (item["id"], item["state"], item["next_actor"]) == (rid, "resolved", None)
            assert view(who, rid)["next_actor"] is None


def test_notifications_never_carry_repair_text(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex, title="The zebra evening")
        step(alex, rid, "ready")
        step(sam, rid, "ready", {"view": "hurt"})
        step(sam, rid, "hearing", {**HEARING, "when": "the zebra moment"})
    with couple.app.app_context():
        reminders.tick(now=START + timedelta(days=2))
    rows = notifications_of(couple.app, "alex@example.com") + notifications_of(
        couple.app, "sam@example.com"
    )
    assert {"repair_started", "repair_your_turn"} <= {row.kind for row in rows}
    for row in rows:
        assert "zebra" not in f"{row.title} {row.body} {row.data}".lower()
