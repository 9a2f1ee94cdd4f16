"""The repair API's own rules (DESIGN 4 and 8): opening, the list and one repair, a
``ready`` said twice, a plan part sent again, follow-up days, the response, the reconnect
choice sent back, follow-ups that lapse with one answer, and the apology check."""

from datetime import timedelta

import time_machine

from couples.clock import isoformat
from couples.notifications import reminders
from tests.repair.helpers import (
    APOLOGY,
    CHOICE,
    PLAN_HURT,
    PLAN_SORRY,
    START,
    assert_problem,
    call,
    counts,
    everything,
    follow_ups,
    login,
    make_outsiders,
    open_repair,
    sides,
    step,
    view,
    walk,
)


def commitment(text, owner="me", **extra):
    return {"text": text, "owner": owner, **extra}


# ---------------------------------------------------------------------------- opening


def test_opening_checks_title_and_role(couple):
    couple.link()
    make_outsiders(couple.app)
    with couple.at(START) as (alex, _):
        before = counts(couple.app)
        for body, fields in (
            ({}, {"title", "role"}),
            ({"title": "", "role": "hurt"}, {"title"}),
            ({"title": "   ", "role": "hurt"}, {"title"}),
            ({"title": "x" * 121, "role": "hurt"}, {"title"}),
            ({"title": "Dinner", "role": "angry"}, {"role"}),
            ({"title": "Dinner", "role": "hurt", "state": "plan"}, {"state"}),
        ):
            problem = assert_problem(alex.post("/api/v1/repairs", json=body), 422, "validation")
            assert set(problem["errors"]) == fields, problem
        olive = login(couple.app, "olive@example.com")  # linked to nobody
        assert_problem(olive.post("/api/v1/repairs", json={"title": "x", "role": "hurt"}), 404)
        assert_problem(olive.get("/api/v1/repairs"), 404)
        assert counts(couple.app) == before
        response = alex.post("/api/v1/repairs", json={"title": "  Dinner  ", "role": "hurt"})
        assert response.status_code == 201
        assert response.get_json()["title"] == "Dinner"


def test_the_list_is_newest_first_in_pages_for_both_partners(couple):
    couple.link()
    make_outsiders(couple.app)
    with couple.at(START) as (alex, sam), time_machine.travel(START, tick=False) as clock:
        ids = []
        for n in range(3):
            clock.shift(60)
            ids.append(open_repair(alex if n % 2 == 0 else sam, title=f"Repair {n}"))
        carol = login(couple.app, "carol@example.com")
        theirs = open_repair(carol)
        for who in (alex, sam):
            first = who.get("/api/v1/repairs?limit=2").get_json()
            assert [i["id"] for i in first["items"]] == [ids[2], ids[1]]
            assert first["next_cursor"]
            rest = who.get(f"/api/v1/repairs?limit=2&cursor={first['next_cursor']}").get_json()
            assert [i["id"] for i in rest["items"]] == [ids[0]]
            assert rest["next_cursor"] is None
            every = who.get("/api/v1/repairs").get_json()["items"]
            assert [i["title"] for i in every] == ["Repair 2", "Repair 1", "Repair 0"]
            assert all(i["state"] == "ready" and i["next_actor"] == "both" for i in every)
            # another couple's repair is no cursor here
            assert_problem(who.get(f"/api/v1/repairs?cursor={theirs}"), 422)
        # Sam opened the middle one: Alex has not said how Alex sees it, so no role.
        assert [i["my_role"] for i in alex.get("/api/v1/repairs").get_json()["items"]] == [
            "apologizing",
            None,
            "apologizing",
        ]
        for bad in ("limit=0", "limit=101", "limit=x", "cursor=%2F%2F"):
            assert_problem(alex.get(f"/api/v1/repairs?{bad}"), 422)


# ------------------------------------------------------------------------------ ready


def test_saying_ready_again_changes_nothing(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        step(alex, rid, "ready")
        before = everything(couple.app, alex, sam, rid)
        again = step(alex, rid, "ready")
        assert again == before[0]
        assert everything(couple.app, alex, sam, rid) == before  # no step, no notification
        step(sam, rid, "ready", {"view": "hurt"})
        assert view(sam, rid)["state"] == "hearing"
        assert [s["action"] for s in view(sam, rid)["steps"]] == ["open", "ready", "ready"]


# ------------------------------------------------------------------------------- plan


def test_a_plan_part_sent_again_replaces_the_earlier_one_until_the_plan_is_complete(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "plan")
        step(
            hurt,
            rid,
            "plan",
            {"my_part": "First words.", "commitments": [commitment("Next time, I will text.")]},
        )
        data = step(
            hurt,
            rid,
            "plan",
            {
                "my_part": "Better words.",
                "commitments": [
                    commitment("Next time, I will call."),
                    commitment("Next time, you ask.", "partner"),
                ],
            },
        )
        assert data["state"] == "plan" and data["plan_sent"] == {"me": True, "partner": False}
        data = step(sorry, rid, "plan", PLAN_SORRY)
        assert data["state"] == "reconnect"
        assert [(c["text"], c["owner"]) for c in data["commitments"]] == [
            ("Next time, I will call.", "partner"),
            ("Next time, you ask.", "me"),
            (PLAN_SORRY["commitments"][0]["text"], "me"),
        ]
        # Both parts the hurt partner sent are kept in the record.
        parts = [(s["by"], s["written"]["my_part"]) for s in data["steps"] if s["action"] == "plan"]
        assert parts == [
            ("partner", "First words."),
            ("partner", "Better words."),
            ("me", PLAN_SORRY["my_part"]),
        ]
        before = everything(couple.app, alex, sam, rid)
        assert_problem(hurt.post(f"/api/v1/repairs/{rid}/steps/plan", json=PLAN_HURT), 409)
        assert everything(couple.app, alex, sam, rid) == before


def test_follow_up_days_default_to_3_and_7_from_the_moment_the_plan_is_complete(couple):
    couple.link()
    with couple.at(START) as (alex, sam), time_machine.travel(START, tick=False) as clock:
        rid = open_repair(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "plan")
        step(
            hurt,
            rid,
            "plan",
            {
                "my_part": "Mine.",
                "commitments": [
                    commitment("Next time, I will say it.", follow_up_days=[14, 1, 14])
                ],
            },
        )
        clock.shift(timedelta(hours=5, minutes=7))
        step(sorry, rid, "plan", PLAN_SORRY)
        complete = START + timedelta(hours=5, minutes=7)
        data = view(sorry, rid)
        by_text = {
            c["text"]: [(f["days"], f["due_at"]) for f in c["follow_ups"]]
            for c in data["commitments"]
        }
        assert by_text == {
            "Next time, I will say it.": [
                (d, isoformat(complete + timedelta(days=d))) for d in (1, 14)
            ],
            PLAN_SORRY["commitments"][0]["text"]: [
                (d, isoformat(complete + timedelta(days=d))) for d in (3, 7)
            ],
        }


# --------------------------------------------------------------------------- response

RESPONSES = [  # (body, the state it leads to)
    ({"heard": True}, "plan"),
    ({"heard": True, "forgive": False}, "plan"),
    ({"heard": True, "forgive": None}, "plan"),
    ({"heard": True, "missing": ""}, "plan"),
    ({"heard": False, "missing": "Why it kept happening."}, "apology"),
    ({"heard": False, "missing": "Why.", "forgive": False}, "apology"),
    ({"heard": False, "missing": "Why.", "forgive": None}, "apology"),
]


def test_the_response_says_heard_or_not_yet_and_forgiving_is_never_required(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        for body, state in RESPONSES:
            rid = open_repair(alex)
            walk(hurt, sorry, rid, "response")
            data = step(hurt, rid, "response", body)
            assert data["state"] == state, body
            written = data["steps"][-1]["written"]
            assert written["heard"] is body["heard"]
            assert written["forgive"] is body.get("forgive")
            assert written["missing"] == (body.get("missing") or None)
            if state == "apology":  # back to the apologizing partner for another round
                assert (data["next_actor"], view(sorry, rid)["next_actor"]) == ("partner", "me")
                assert step(sorry, rid, "apology", APOLOGY)["apology_rounds"] == 2


# -------------------------------------------------------------------------- reconnect


def test_not_confirming_the_choice_sends_it_back_to_the_apologizing_partner(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(sam, "hurt")
        hurt, sorry = sam, alex
        data = walk(hurt, sorry, rid, "reconnect")
        assert data["reconnect_suggestions"]  # GET carries them in reconnect
        assert view(hurt, rid)["reconnect_suggestions"] == data["reconnect_suggestions"]
        step(sorry, rid, "reconnect", CHOICE)
        data = step(hurt, rid, "reconnect", {"confirmed": False})
        assert (data["state"], data["reconnect_choice"], data["next_actor"]) == (
            "reconnect",
            None,
            "partner",
        )
        assert view(sorry, rid)["next_actor"] == "me"
        step(hurt, rid, "reconnect", {"confirmed": True}, status=403)  # nothing to confirm
        step(sorry, rid, "reconnect", {"choice": "Cook together tonight."})
        data = step(hurt, rid, "reconnect", {"confirmed": True})
        assert data["state"] == "following_through"
        assert data["reconnect_choice"] == "Cook together tonight."
        assert data["reconnect_suggestions"] == []
        confirms = [s["written"] for s in data["steps"] if s["action"] == "reconnect_confirm"]
        assert confirms == [
            {"confirmed": False, "choice": CHOICE["choice"]},
            {"confirmed": True, "choice": "Cook together tonight."},
        ]


# ------------------------------------------------------------------------- follow-ups


def test_a_follow_up_with_one_answer_is_complete_three_days_after_its_date(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "plan")
        step(hurt, rid, "plan", PLAN_HURT)
        step(
            sorry,
            rid,
            "plan",
            {
                "my_part": "Mine.",
                "commitments": [commitment("Next time, I will ask first.", follow_up_days=[2])],
            },
        )
        walk(hurt, sorry, rid, "following_through", start="reconnect")
        (follow_up,) = follow_ups(view(hurt, rid))
    due = START + timedelta(days=2)
    with couple.at(due) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        call(hurt, f"{rid}/follow-ups/{follow_up['id']}", {"outcome": "partly", "note": "Some."})
    with couple.app.app_context():
        reminders.tick(now=due + timedelta(days=3) - timedelta(minutes=1))
    with couple.at(due + timedelta(days=3) - timedelta(minutes=1)) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        data = view(sorry, rid)
        assert data["state"] == "following_through" and data["next_actor"] == "me"
        (f,) = follow_ups(data)
        assert not f["complete"] and f["partner_answered"] and f["partner_outcome"] is None
    with couple.app.app_context():
        reminders.tick(now=due + timedelta(days=3))
        reminders.tick(now=due + timedelta(days=3, minutes=1))  # twice: nothing twice
    with couple.at(due + timedelta(days=3, minutes=2)) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        data = view(sorry, rid)
        assert (data["state"], data["next_actor"]) == ("resolved", None)
        assert data["ended_at"] == isoformat(due + timedelta(days=3))
        (f,) = follow_ups(data)
        assert f["complete"] and (f["partner_outcome"], f["partner_note"]) == ("partly", "Some.")
        assert f["my_outcome"] is None
        lapsed = [s for s in data["steps"] if s["action"] == "follow_up" and s["by"] is None]
        assert len(lapsed) == 1
        assert (lapsed[0]["state_before"], lapsed[0]["state_after"]) == (
            "following_through",
            "resolved",
        )
        assert_problem(
            sorry.post(f"/api/v1/repairs/{rid}/follow-ups/{f['id']}", json={"outcome": "kept"}), 409
        )


def test_a_follow_up_nobody_answered_keeps_and_the_repair_waits(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "following_through")
    later = START + timedelta(days=30)
    with couple.app.app_context():
        reminders.tick(now=later)
    with couple.at(later) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        data = view(hurt, rid)
        assert (data["state"], data["next_actor"]) == ("following_through", "both")
        assert not any(f["complete"] for f in follow_ups(data))
        for f in follow_ups(data):
            call(hurt, f"{rid}/follow-ups/{f['id']}", {"outcome": "kept"})
            data = call(sorry, f"{rid}/follow-ups/{f['id']}", {"outcome": "not"})
        assert data["state"] == "resolved"


# ---------------------------------------------------------------------- apology check


def test_the_apology_check_reads_a_whole_text_or_its_parts(couple):
    couple.link()
    make_outsiders(couple.app)
    with couple.at(START) as (alex, _):
        url = "/api/v1/apology-check"
        response = alex.post(
            url,
            json={
                "text": "I'm sorry you feel that way, but you always "
                "make a scene. I'll try to do better."
            },
        )
        assert response.status_code == 200
        codes = {w["code"] for w in response.get_json()["warnings"]}
        assert {"sorry_you_feel", "sorry_but", "always_never"} <= codes
        assert all(w["message"] and "part" not in w for w in response.get_json()["warnings"])

        response = alex.post(
            url,
            json={
                "acknowledgement": "Sorry if it upset you.",
                "empathy": "You made me do it.",
                "restitution": "I will try to do better.",
            },
        )
        assert response.status_code == 200
        found = {(w["code"], w.get("part")) for w in response.get_json()["warnings"]}
        assert {
            ("sorry_if", "acknowledgement"),
            ("you_made_me", "empathy"),
            ("will_try", "restitution"),
        } <= found

        response = alex.post(url, json=APOLOGY)
        assert response.status_code == 200 and response.get_json() == {"warnings": []}

        for body in (
            {**APOLOGY, "text": "I'm sorry."},
            {"text": "Sorry.", "empathy": "x"},
            {},
            {"feelings": ["hurt"]},
            {"text": 5},
            {"text": "Sorry.", "tone": "x"},
        ):
            problem = assert_problem(alex.post(url, json=body), 422, "validation")
            assert problem["errors"], body
        olive = login(couple.app, "olive@example.com")
        assert_problem(olive.post(url, json={"text": "I'm sorry I was late."}), 404)


def test_an_apology_with_warnings_is_still_sent_and_only_its_writer_gets_them(couple):
    """The notes help the writer; the partner never reads them as a grade."""
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "apology")
        data = step(
            sorry,
            rid,
            "apology",
            {
                "acknowledgement": "Sorry if it upset you.",
                "empathy": "You made me do it.",
                "restitution": "I will try.",
            },
        )
        assert data["state"] == "response"
        codes = [w["code"] for w in data["warnings"]]
        assert {"sorry_if", "you_made_me", "will_try"} <= set(codes)
        for who in (sorry, hurt):
            seen = view(who, rid)
            assert "warnings" not in seen  # only the answer to the apology has them
            assert "warnings" not in seen["steps"][-1]["written"]
            assert not any(code in str(seen) for code in codes)


def test_follow_ups_nobody_answered_never_hold_back_one_that_lapsed(couple):
    """However many old follow-ups lie unanswered, one answered follow-up is complete
    three days after its date (the clock works through what is due, in batches)."""
    from couples.repair import clock

    one_day = {
        "my_part": "Mine.",
        "commitments": [
            {"text": "Next time, I will ask first.", "owner": "me", "follow_up_days": [1]}
        ],
    }
    couple.link()
    repairs = []
    for day in (0, 1, 2):  # two left unanswered, then one answered by Sam
        with couple.at(START + timedelta(days=day)) as (alex, sam):
            rid = open_repair(alex)
            walk(sam, alex, rid, "plan")
            step(sam, rid, "plan", PLAN_HURT)
            step(alex, rid, "plan", one_day)
            (follow_up,) = follow_ups(walk(sam, alex, rid, "following_through", start="reconnect"))
            repairs.append((rid, follow_up["id"]))
    rid, follow_up = repairs[-1]
    due = START + timedelta(days=3)
    with couple.at(due) as (alex, sam):
        call(sam, f"{rid}/follow-ups/{follow_up}", {"outcome": "kept"})
    with couple.app.app_context():
        for minute in range(3):
            clock.tick(now=due + timedelta(days=3, minutes=minute), batch=1)
    with couple.at(due + timedelta(days=3, minutes=5)) as (alex, sam):
        assert view(alex, rid)["state"] == "resolved"
        for other, _ in repairs[:-1]:
            assert view(alex, other)["state"] == "following_through"


def test_partner_has_read_follows_what_the_partner_has_opened(couple):
    """``partner_has_read``: null before I wrote anything; false once I have written until
    my partner opens the repair; a revised apology is unread again."""
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        assert view(alex, rid)["partner_has_read"] is None
        walk(sam, alex, rid, "apology")
        # Sam's hearing: Alex has not opened the repair since.
        assert view(sam, rid)["partner_has_read"] is False
        view(alex, rid)
        assert view(sam, rid)["partner_has_read"] is True
        step(alex, rid, "apology", APOLOGY)
        assert view(alex, rid)["partner_has_read"] is False
        view(sam, rid)
        assert view(alex, rid)["partner_has_read"] is True
        step(sam, rid, "response", {"heard": False, "missing": "More, please."})
        step(alex, rid, "apology", APOLOGY)
        assert view(alex, rid)["partner_has_read"] is False


def test_something_else_may_say_what_instead_and_the_apologizing_partner_reads_it(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        hurt, sorry = sam, alex
        walk(hurt, sorry, rid, "chosen")
        assert view(sorry, rid)["reconnect_instead"] is None
        # Words for "something else" only go with a "not this one".
        problem = assert_problem(
            hurt.post(
                f"/api/v1/repairs/{rid}/steps/reconnect",
                json={"confirmed": True, "instead": "A hug."},
            ),
            422,
        )
        assert "instead" in problem["errors"]
        assert_problem(
            hurt.post(
                f"/api/v1/repairs/{rid}/steps/reconnect",
                json={"confirmed": False, "instead": "x" * 301},
            ),
            422,
        )
        data = step(hurt, rid, "reconnect", {"confirmed": False, "instead": "  A long hug. "})
        assert data["reconnect_instead"] == "A long hug."
        seen = view(sorry, rid)
        assert seen["reconnect_instead"] == "A long hug." and seen["next_actor"] == "me"
        confirms = [s["written"] for s in seen["steps"] if s["action"] == "reconnect_confirm"]
        assert confirms == [
            {"confirmed": False, "choice": CHOICE["choice"], "instead": "A long hug."}
        ]
        # Once a new choice is made, it has been answered.
        step(sorry, rid, "reconnect", {"choice": "A long hug on the sofa."})
        assert view(sorry, rid)["reconnect_instead"] is None
