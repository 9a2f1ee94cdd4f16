"""Who sees what of a repair: nobody outside the couple sees it at all; a partner's plan
part waits until I have sent mine, their follow-up answer until I have answered; and the
signposts (therapy guidance, emergency resources) are only for the person they concern."""

import json
from datetime import timedelta

import pytest

from couples.repair import signpost
from tests.repair.helpers import (
    HEARING,
    PLAN_HURT,
    REFLECTION,
    STAGES,
    START,
    THATS_IT,
    call,
    follow_ups,
    login,
    make_outsiders,
    open_repair,
    sides,
    step,
    view,
    walk,
)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def test_outsiders_never_see_a_repair_in_any_state_nor_in_their_list(couple):
    couple.link()
    make_outsiders(couple.app)
    with couple.at(START) as (alex, sam):
        carol, dan = login(couple.app, "carol@example.com"), login(couple.app, "dan@example.com")
        olive = login(couple.app, "olive@example.com")
        theirs = open_repair(carol, title="Carol's own")
        ours = []
        for stage in STAGES:
            rid = open_repair(alex, title=f"Ours at {stage}")
            walk(sam, alex, rid, stage)
            ours.append(rid)
        closed = open_repair(sam, "hurt", title="Ours, closed")
        call(sam, f"{closed}/close")
        ours.append(closed)
        for rid in ours:
            for outsider in (carol, dan, olive):
                response = outsider.get(f"/api/v1/repairs/{rid}")
                assert response.status_code == 404
                assert "Ours" not in text_of(response)
        for outsider in (carol, dan):
            listed = outsider.get("/api/v1/repairs").get_json()["items"]
            assert [i["id"] for i in listed] == [theirs]
        assert olive.get("/api/v1/repairs").status_code == 404
        for who in (alex, sam):
            listed = [i["id"] for i in who.get("/api/v1/repairs").get_json()["items"]]
            assert sorted(listed) == sorted(ours) and theirs not in listed
            assert who.get(f"/api/v1/repairs/{theirs}").status_code == 404


HIDDEN_PART = {
    "my_part": "I went quiet, a private marmalade thought.",
    "commitments": [{"text": "Next time, I will say the marmalade thing.", "owner": "me"}],
}


@pytest.mark.parametrize("first", ["hurt", "sorry"])
def test_my_partners_plan_part_is_hidden_until_i_have_sent_mine(couple, first):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "plan")
        writer, reader = (hurt, sorry) if first == "hurt" else (sorry, hurt)
        mine = step(writer, rid, "plan", HIDDEN_PART)
        assert mine["steps"][-1]["written"]["my_part"] == HIDDEN_PART["my_part"]
        response = reader.get(f"/api/v1/repairs/{rid}")
        assert "marmalade" not in text_of(response)
        data = response.get_json()
        assert data["steps"][-1] == {
            **data["steps"][-1],
            "by": "partner",
            "written": {"sent": True},
        }
        assert data["plan_sent"] == {"me": False, "partner": True}
        assert data["commitments"] == []
        # sent again by the writer: still hidden
        step(writer, rid, "plan", {**HIDDEN_PART, "my_part": "More marmalade."})
        assert "marmalade" not in text_of(reader.get(f"/api/v1/repairs/{rid}"))
        assert "marmalade" not in text_of(reader.get("/api/v1/repairs"))
        data = step(reader, rid, "plan", PLAN_HURT)
        assert data["state"] == "reconnect"
        parts = [s["written"].get("my_part") for s in data["steps"] if s["action"] == "plan"]
        assert parts == [HIDDEN_PART["my_part"], "More marmalade.", PLAN_HURT["my_part"]]


def test_my_partners_follow_up_answer_is_hidden_until_i_have_answered(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        follow_up = follow_ups(walk(hurt, sorry, rid, "following_through"))[0]
    with couple.at(START + timedelta(days=3)) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        call(
            hurt,
            f"{rid}/follow-ups/{follow_up['id']}",
            {"outcome": "not", "note": "The pelican phone came back."},
        )
        response = sorry.get(f"/api/v1/repairs/{rid}")
        assert "pelican" not in text_of(response)
        data = response.get_json()
        (seen,) = [f for f in follow_ups(data) if f["id"] == follow_up["id"]]
        assert seen["partner_answered"] is True
        assert (seen["partner_outcome"], seen["partner_note"]) == (None, None)
        assert data["steps"][-1]["written"] == {"follow_up": follow_up["id"], "answered": True}
        assert data["next_actor"] == "me"
        assert "pelican" not in text_of(sorry.get("/api/v1/repairs"))
        data = call(sorry, f"{rid}/follow-ups/{follow_up['id']}", {"outcome": "kept"})
        (seen,) = [f for f in follow_ups(data) if f["id"] == follow_up["id"]]
        assert (seen["partner_outcome"], seen["partner_note"]) == (
            "not",
            "The pelican phone came back.",
        )
        assert (seen["my_outcome"], seen["my_note"]) == ("kept", None)
        written = [s["written"] for s in data["steps"] if s["action"] == "follow_up"]
        assert written[0] == {
            "follow_up": follow_up["id"],
            "outcome": "not",
            "note": "The pelican phone came back.",
        }


# ------------------------------------------------------------------------- signposts

DANGER = "you pushed me against the wall"
SAFE = "you pushed my chair over there"


def test_danger_words_signpost_only_the_person_who_wrote_them(couple):
    assert signpost.danger_words(DANGER) and not signpost.danger_words(SAFE)
    couple.link()
    with couple.at(START) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        dangerous, calm = open_repair(alex), open_repair(alex)
        for rid in (dangerous, calm):
            walk(hurt, sorry, rid, "hearing")
        # The writer saw where to find help first, and chose to send.
        step(hurt, dangerous, "hearing", {**HEARING, "when": DANGER, "send_anyway": True})
        step(hurt, calm, "hearing", {**HEARING, "when": SAFE})
        assert view(hurt, dangerous)["signpost"] == {"therapy": True, "danger": True}
        assert view(hurt, calm)["signpost"] is None
        assert view(sorry, dangerous)["signpost"] is None
        assert view(sorry, calm)["signpost"] is None
        # Nothing else differs for the partner either: the same repair, but for the words.
        seen = {rid: text_of(sorry.get(f"/api/v1/repairs/{rid}")) for rid in (dangerous, calm)}
        as_calm = seen[dangerous].replace(dangerous, calm).replace(DANGER, SAFE)
        assert json.loads(as_calm) == json.loads(seen[calm])
        # Words of danger from the apologizing partner are theirs to see, not the hurt's.
        step(sorry, calm, "reflect", REFLECTION)
        step(hurt, calm, "reflect", THATS_IT)
        step(
            sorry,
            calm,
            "apology",
            {
                "acknowledgement": "I'm sorry I pushed your chair.",
                "empathy": "You felt scared and alone.",
                "restitution": "I want to kill myself when I get like this. I will get help.",
                "send_anyway": True,
            },
        )
        assert view(sorry, calm)["signpost"] == {"therapy": True, "danger": True}
        assert view(hurt, calm)["signpost"] is None


def test_the_opener_of_a_third_repair_in_30_days_sees_therapy_guidance(couple):
    couple.link()
    opened = {}
    for day, who_opens in ((0, "alex"), (10, "sam"), (31, "alex"), (35, "alex")):
        with couple.at(START + timedelta(days=day)) as (alex, sam):
            opener = alex if who_opens == "alex" else sam
            opened[day] = (who_opens, open_repair(opener))
    with couple.at(START + timedelta(days=36)) as (alex, sam):
        clients = {"alex": alex, "sam": sam}
        seen = {
            (day, name): view(client, rid)["signpost"]
            for day, (_, rid) in opened.items()
            for name, client in clients.items()
        }
    # day 31: only two repairs in the 30 days before it (days 10 and 31)
    # day 35: three (days 10, 31 and 35), opened by Alex: only Alex is shown the guidance
    assert seen == {
        (0, "alex"): None,
        (0, "sam"): None,
        (10, "alex"): None,
        (10, "sam"): None,
        (31, "alex"): None,
        (31, "sam"): None,
        (35, "alex"): {"therapy": True, "danger": False},
        (35, "sam"): None,
    }


@pytest.mark.parametrize("ending", ["close", "pause"])
def test_a_plan_part_stays_hidden_when_the_repair_is_closed_or_paused_before_mine(couple, ending):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "plan")
        step(hurt, rid, "plan", HIDDEN_PART)
        if ending == "close":
            call(sorry, f"{rid}/close")
        else:
            call(hurt, f"{rid}/pause", {"minutes": 30})
        response = sorry.get(f"/api/v1/repairs/{rid}")
        assert "marmalade" not in text_of(response)
        plans = [s for s in response.get_json()["steps"] if s["action"] == "plan"]
        assert [s["written"] for s in plans] == [{"sent": True}]
        assert "marmalade" in text_of(hurt.get(f"/api/v1/repairs/{rid}"))  # still the writer's
