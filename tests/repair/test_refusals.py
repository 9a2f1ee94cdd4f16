"""What a repair refuses, through the API: 404 for outsiders and unknown steps, 409 when
the repair is in another state (or paused, or ended), 403 when it is the partner's turn,
422 for a bad body with an error per field — checked in that order (after 401 and 400),
answered as problem+json, and changing nothing."""

from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest

from couples.repair.machine import STEP_STATES
from tests.factories import ApiClient
from tests.repair.helpers import (
    APOLOGY,
    CHOICE,
    CONFIRM,
    HEARD,
    HEARING,
    PLAN_HURT,
    PLAN_SORRY,
    REFLECTION,
    START,
    THATS_IT,
    assert_problem,
    call,
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

# A body that passes for each step, and who sends it (by role).
GOOD = {
    "ready": ("hurt", {"view": "hurt"}),
    "hearing": ("hurt", HEARING),
    "reflect": ("sorry", REFLECTION),
    "apology": ("sorry", APOLOGY),
    "response": ("hurt", HEARD),
    "plan": ("sorry", PLAN_SORRY),
    "reconnect": ("sorry", CHOICE),
}
BAD = {"nonsense": True}
# The state each stage of the walk is in, and the step name it takes.
STATE_OF = {
    "ready": "ready",
    "hearing": "hearing",
    "reflect": "reflect",
    "reflected": "reflect",
    "apology": "apology",
    "response": "response",
    "plan": "plan",
    "reconnect": "reconnect",
    "chosen": "reconnect",
    "following_through": "following_through",
}


@contextmanager
def repair_at(couple, stage, opener_role="apologizing"):
    """Alex and Sam with one repair taken to ``stage``, and two outsiders: Carol (linked
    to Dan) and Olive (linked to nobody), all logged in at START."""
    couple.link()
    make_outsiders(couple.app)
    with couple.at(START) as (alex, sam):
        hurt, sorry = sides(alex, sam, opener_role)
        rid = open_repair(alex, opener_role)
        walk(hurt, sorry, rid, stage)
        yield SimpleNamespace(
            app=couple.app,
            alex=alex,
            sam=sam,
            hurt=hurt,
            sorry=sorry,
            rid=rid,
            carol=login(couple.app, "carol@example.com"),
            olive=login(couple.app, "olive@example.com"),
            anonymous=ApiClient(couple.app),
        )


def who(r, role):
    return r.hurt if role == "hurt" else r.sorry


def post(client, path, body=None, **kwargs):
    if "data" in kwargs:
        return client.post(f"/api/v1/repairs/{path}", **kwargs)
    return client.post(f"/api/v1/repairs/{path}", json=body if body is not None else {})


# ------------------------------------------------------------------------------ 409


@pytest.mark.parametrize(
    "stage",
    [
        "ready",
        "hearing",
        "reflect",
        "reflected",
        "apology",
        "response",
        "plan",
        "reconnect",
        "chosen",
        "following_through",
    ],
)
def test_a_step_for_another_state_is_409_from_either_partner_and_changes_nothing(couple, stage):
    with repair_at(couple, stage) as r:
        before = everything(r.app, r.alex, r.sam, r.rid)
        wrong = [name for name in STEP_STATES if name != STATE_OF[stage]]
        assert wrong
        for name in wrong:
            _, good = GOOD[name]
            for client in (r.hurt, r.sorry):
                for body in (good, BAD):  # a bad body too: the state is checked first
                    problem = assert_problem(
                        post(client, f"{r.rid}/steps/{name}", body), 409, "repair-state"
                    )
                    assert "errors" not in problem
        assert everything(r.app, r.alex, r.sam, r.rid) == before


def test_wrong_state_wrong_actor_and_bad_body_together_get_409(couple):
    with repair_at(couple, "hearing") as r:
        before = everything(r.app, r.alex, r.sam, r.rid)
        # The apology is the apologizing partner's step, and the repair is at hearing.
        assert_problem(
            post(r.hurt, f"{r.rid}/steps/apology", {"acknowledgement": 5}), 409, "repair-state"
        )
        assert_problem(
            post(r.sorry, f"{r.rid}/steps/response", {"heard": "maybe"}), 409, "repair-state"
        )
        assert everything(r.app, r.alex, r.sam, r.rid) == before


# ------------------------------------------------------------------------------ 403

WRONG_ACTOR = [  # (stage, who sends, step, a body that would pass for that person)
    ("hearing", "sorry", "hearing", HEARING),
    ("reflect", "hurt", "reflect", THATS_IT),  # nothing said back yet to confirm
    ("reflect", "hurt", "reflect", REFLECTION),  # saying it back is the apologizer's
    ("reflected", "sorry", "reflect", REFLECTION),  # waiting for the hurt partner now
    ("reflected", "sorry", "reflect", THATS_IT),
    ("apology", "hurt", "apology", APOLOGY),
    ("response", "sorry", "response", HEARD),
    ("reconnect", "hurt", "reconnect", CONFIRM),  # nothing chosen yet to confirm
    ("reconnect", "hurt", "reconnect", CHOICE),  # the choice is the apologizing partner's
    ("chosen", "sorry", "reconnect", CHOICE),  # waiting for the hurt partner now
    ("chosen", "sorry", "reconnect", CONFIRM),
]


@pytest.mark.parametrize("stage", sorted({s for s, *_ in WRONG_ACTOR}))
def test_a_step_that_is_the_partners_is_403_even_with_a_bad_body(couple, stage):
    with repair_at(couple, stage) as r:
        before = everything(r.app, r.alex, r.sam, r.rid)
        for _, role, name, body in [w for w in WRONG_ACTOR if w[0] == stage]:
            for sent in (body, BAD, {**body, "extra": 1}, []):
                problem = assert_problem(
                    post(who(r, role), f"{r.rid}/steps/{name}", sent), 403, "not-your-turn"
                )
                assert "errors" not in problem
        assert everything(r.app, r.alex, r.sam, r.rid) == before


def test_ready_and_plan_are_both_partners_steps(couple):
    """No 403 in ``ready`` or ``plan``: each partner has a part there."""
    with repair_at(couple, "ready") as r:
        assert step(r.sorry, r.rid, "ready")["state"] == "ready"
        assert step(r.hurt, r.rid, "ready", {"view": "hurt"})["state"] == "hearing"
        walk(r.hurt, r.sorry, r.rid, "plan", start="hearing")
        assert step(r.sorry, r.rid, "plan", PLAN_SORRY)["state"] == "plan"
        assert step(r.hurt, r.rid, "plan", PLAN_HURT)["state"] == "reconnect"


# ------------------------------------------------------------------------------ 404


@pytest.mark.parametrize("stage", ["hearing", "following_through"])
def test_outsiders_get_404_for_everything_even_with_a_bad_body(couple, stage):
    with repair_at(couple, stage) as r:
        data = view(r.hurt, r.rid)
        follow_up = follow_ups(data)[0]["id"] if stage == "following_through" else "abc"
        before = everything(r.app, r.alex, r.sam, r.rid)
        paths = [f"{r.rid}/steps/{name}" for name in STEP_STATES] + [
            f"{r.rid}/steps/nonsense",
            f"{r.rid}/pause",
            f"{r.rid}/resume",
            f"{r.rid}/close",
            f"{r.rid}/follow-ups/{follow_up}",
        ]
        for outsider in (r.carol, r.olive):
            assert_problem(outsider.get(f"/api/v1/repairs/{r.rid}"), 404)
            for path in paths:
                for body in ({}, BAD, {"minutes": 30}, HEARING, {"outcome": "kept"}):
                    assert_problem(post(outsider, path, body), 404)
        assert everything(r.app, r.alex, r.sam, r.rid) == before


def test_not_logged_in_is_401_and_bad_json_or_csrf_is_400_before_anything_else(couple):
    with repair_at(couple, "hearing") as r:
        before = everything(r.app, r.alex, r.sam, r.rid)
        for path in (
            f"{r.rid}/steps/apology",
            f"{r.rid}/steps/nonsense",
            f"{r.rid}/pause",
            "nope/steps/hearing",
        ):
            assert_problem(post(r.anonymous, path, BAD), 401)
            for client in (r.sorry, r.carol, r.olive):  # the wrong actor, outsiders
                assert_problem(
                    post(client, path, data="{not json", content_type="application/json"), 400
                )
            for client in (r.sorry, r.carol, r.olive):  # no CSRF token, or a wrong one
                for token in ("", "not-the-token"):
                    response = client.post(
                        f"/api/v1/repairs/{path}", json=BAD, headers={"X-CSRF-Token": token}
                    )
                    assert_problem(response, 400, "csrf")
        assert_problem(r.anonymous.get(f"/api/v1/repairs/{r.rid}"), 401)
        assert everything(r.app, r.alex, r.sam, r.rid) == before


def test_an_unknown_step_or_repair_or_follow_up_is_404(couple):
    with repair_at(couple, "hearing") as r:
        before = everything(r.app, r.alex, r.sam, r.rid)
        for name in (
            "nonsense",
            "following_through",
            "resolved",
            "closed",
            "open",
            "reconnect_choose",
            "reconnect_confirm",
            "HEARING",
            "pause",
        ):
            for client in (r.hurt, r.sorry):
                assert_problem(post(client, f"{r.rid}/steps/{name}", HEARING), 404)
        for rid in (
            "nope",
            "x" * 17,
            "0",
            r.rid.upper() if r.rid.upper() != r.rid else "Z",
            "%00",
            f"{r.rid[:-1]}%00",
            "%ED%A0%80",
            "a%20b",
            "%C3%A9",
        ):
            assert_problem(r.hurt.get(f"/api/v1/repairs/{rid}"), 404)
            assert_problem(post(r.hurt, f"{rid}/steps/hearing", HEARING), 404)
            assert_problem(post(r.hurt, f"{rid}/pause", {"minutes": 30}), 404)
        assert_problem(post(r.hurt, f"{r.rid}/follow-ups/nope", {"outcome": "kept"}), 404)
        assert everything(r.app, r.alex, r.sam, r.rid) == before


def test_another_couples_follow_up_id_is_404(couple):
    with repair_at(couple, "following_through") as r:
        theirs = follow_ups(view(r.hurt, r.rid))[0]["id"]
        dan = login(r.app, "dan@example.com")
        rid = open_repair(r.carol)
        before = everything(r.app, r.alex, r.sam, r.rid)
        assert_problem(post(dan, f"{rid}/follow-ups/{theirs}", {"outcome": "kept"}), 404)
        assert everything(r.app, r.alex, r.sam, r.rid) == before


# ------------------------------------------------------------------------------ 422

BAD_BODIES = {  # stage → [(who, step, body, the fields that get an error)]
    "ready": [
        ("hurt", "ready", {"calm": True}, {"calm"}),
        ("hurt", "ready", [], {"body"}),
        ("sorry", "ready", "ready", {"body"}),
    ],
    "hearing": [
        ("hurt", "hearing", {}, {"feelings", "i_feel", "when", "i_need", "need_now"}),
        ("hurt", "hearing", {**HEARING, "need_now": "soup"}, {"need_now"}),
        ("hurt", "hearing", {**HEARING, "feelings": []}, {"feelings"}),
        ("hurt", "hearing", {**HEARING, "feelings": ["hurt", "no. 5!"]}, {"feelings.1"}),
        ("hurt", "hearing", {**HEARING, "feelings": "hurt"}, {"feelings"}),
        ("hurt", "hearing", {**HEARING, "i_feel": "   "}, {"i_feel"}),
        ("hurt", "hearing", {**HEARING, "when": None}, {"when"}),
        ("hurt", "hearing", {**HEARING, "i_need": "x" * 501}, {"i_need"}),
        ("hurt", "hearing", {**HEARING, "mood": 3}, {"mood"}),
    ],
    "apology": [
        (
            "sorry",
            "apology",
            {"acknowledgement": "I'm sorry I was late."},
            {"empathy", "restitution"},
        ),
        ("sorry", "apology", {**APOLOGY, "empathy": ""}, {"empathy"}),
        ("sorry", "apology", {**APOLOGY, "acknowledgement": 5}, {"acknowledgement"}),
        ("sorry", "apology", {**APOLOGY, "restitution": "ok\x00"}, {"restitution"}),
        ("sorry", "apology", {**APOLOGY, "round": 2}, {"round"}),
    ],
    "response": [
        ("hurt", "response", {}, {"heard"}),
        ("hurt", "response", {"forgive": True}, {"heard"}),
        ("hurt", "response", {"heard": "yes"}, {"heard"}),
        ("hurt", "response", {"heard": 1}, {"heard"}),
        ("hurt", "response", {"heard": False}, {"missing"}),
        ("hurt", "response", {"heard": False, "missing": "   "}, {"missing"}),
        ("hurt", "response", {"heard": False, "missing": "Why.", "forgive": True}, {"forgive"}),
        ("hurt", "response", {"heard": True, "forgive": "yes"}, {"forgive"}),
        ("hurt", "response", {"heard": True, "sorry": True}, {"sorry"}),
    ],
    "plan": [
        ("hurt", "plan", {}, {"my_part"}),
        (
            "hurt",
            "plan",
            {"my_part": "Mine.", "commitments": [{"text": "", "owner": "me"}]},
            {"commitments.0.text"},
        ),
        (
            "hurt",
            "plan",
            {
                "my_part": "Mine.",
                "commitments": [
                    {"text": "Next time I will ask.", "owner": "me"},
                    {"owner": "them"},
                ],
            },
            {"commitments.1.text", "commitments.1.owner"},
        ),
        (
            "sorry",
            "plan",
            {
                "my_part": "Mine.",
                "commitments": [
                    {"text": "Next time I will ask.", "owner": "me", "follow_up_days": [0, 61]}
                ],
            },
            {"commitments.0.follow_up_days.0", "commitments.0.follow_up_days.1"},
        ),
        (
            "sorry",
            "plan",
            {
                "my_part": "Mine.",
                "commitments": [
                    {"text": "Next time I will ask.", "owner": "me", "follow_up_days": []}
                ],
            },
            {"commitments.0.follow_up_days"},
        ),
        (
            "sorry",
            "plan",
            {
                "my_part": "Mine.",
                "commitments": [
                    {"text": "Next time I will ask.", "owner": "me", "follow_up_days": ["3"]}
                ],
            },
            {"commitments.0.follow_up_days.0"},
        ),
        (
            "sorry",
            "plan",
            {
                "my_part": "Mine.",
                "commitments": [{"text": "Next time I will ask.", "owner": "me", "when": "soon"}],
            },
            {"commitments.0.when"},
        ),
        (
            "sorry",
            "plan",
            {
                "my_part": "Mine.",
                "commitments": [
                    {"text": f"Next time {n}, I will ask.", "owner": "me"} for n in range(6)
                ],
            },
            {"commitments"},
        ),
        ("sorry", "plan", {"my_part": "Mine.", "commitments": "one"}, {"commitments"}),
    ],
    "reconnect": [
        ("sorry", "reconnect", {}, {"choice"}),
        ("sorry", "reconnect", {"choice": " "}, {"choice"}),
        ("sorry", "reconnect", {"choice": "x" * 301}, {"choice"}),
        ("sorry", "reconnect", {"confirmed": True}, {"choice", "confirmed"}),
    ],
    "chosen": [
        ("hurt", "reconnect", {}, {"confirmed"}),
        ("hurt", "reconnect", {"confirmed": "yes"}, {"confirmed"}),
        ("hurt", "reconnect", {"confirmed": 1}, {"confirmed"}),
        ("hurt", "reconnect", {"confirmed": None}, {"confirmed"}),
        ("hurt", "reconnect", {"choice": "A hug."}, {"choice", "confirmed"}),
    ],
}


@pytest.mark.parametrize("stage", list(BAD_BODIES))
def test_a_bad_body_for_the_right_step_is_422_with_an_error_per_field(couple, stage):
    with repair_at(couple, stage) as r:
        before = everything(r.app, r.alex, r.sam, r.rid)
        for role, name, body, fields in BAD_BODIES[stage]:
            response = post(who(r, role), f"{r.rid}/steps/{name}", body)
            problem = assert_problem(response, 422, "validation")
            assert set(problem["errors"]) == fields, (body, problem["errors"])
            assert all(
                isinstance(m, list) and m and all(isinstance(t, str) for t in m)
                for m in problem["errors"].values()
            )
        assert everything(r.app, r.alex, r.sam, r.rid) == before


def test_a_second_plan_part_that_leaves_no_commitment_is_422(couple):
    with repair_at(couple, "plan") as r:
        step(r.hurt, r.rid, "plan", PLAN_HURT)
        before = everything(r.app, r.alex, r.sam, r.rid)
        problem = assert_problem(
            post(r.sorry, f"{r.rid}/steps/plan", {"my_part": "Mine.", "commitments": []}), 422
        )
        assert set(problem["errors"]) == {"commitments"}
        assert_problem(post(r.sorry, f"{r.rid}/steps/plan", {"my_part": "Mine."}), 422)
        assert everything(r.app, r.alex, r.sam, r.rid) == before
        # A part sent again replaces the earlier one: one with a commitment, then one
        # without, leaves none.
        step(r.hurt, r.rid, "plan", PLAN_SORRY)
        step(r.hurt, r.rid, "plan", PLAN_HURT)
        assert_problem(post(r.sorry, f"{r.rid}/steps/plan", {"my_part": "Mine."}), 422)
        assert step(r.sorry, r.rid, "plan", PLAN_SORRY)["state"] == "reconnect"


def test_a_body_of_json_null_or_not_an_object_is_422(couple):
    with repair_at(couple, "ready") as r:
        before = everything(r.app, r.alex, r.sam, r.rid)
        for data in ("null", "[]", "3", '"ready"'):
            for path in (f"{r.rid}/steps/ready", f"{r.rid}/pause", f"{r.rid}/close"):
                response = post(r.hurt, path, data=data, content_type="application/json")
                assert_problem(response, 422, "validation")
        assert everything(r.app, r.alex, r.sam, r.rid) == before


def test_a_body_that_is_not_json_is_415(couple):
    with repair_at(couple, "ready") as r:
        before = everything(r.app, r.alex, r.sam, r.rid)
        response = post(
            r.hurt,
            f"{r.rid}/steps/ready",
            data="calm=1",
            content_type="application/x-www-form-urlencoded",
        )
        assert_problem(response, 415)
        assert everything(r.app, r.alex, r.sam, r.rid) == before


# ------------------------------------------------------------------- pause, close, ...


def test_pause_minutes_from_20_to_1440(couple):
    with repair_at(couple, "hearing") as r:
        before = everything(r.app, r.alex, r.sam, r.rid)
        for body, fields in (
            ({"minutes": 19}, {"minutes"}),
            ({"minutes": 1441}, {"minutes"}),
            ({"minutes": 0}, {"minutes"}),
            ({"minutes": -30}, {"minutes"}),
            ({"minutes": "30"}, {"minutes"}),
            ({"minutes": 30.5}, {"minutes"}),
            ({"minutes": True}, {"minutes"}),
            ({}, {"minutes"}),
            ({"minutes": 30, "why": "x"}, {"why"}),
        ):
            for client in (r.hurt, r.sorry):
                problem = assert_problem(post(client, f"{r.rid}/pause", body), 422)
                assert set(problem["errors"]) == fields, (body, problem["errors"])
        assert everything(r.app, r.alex, r.sam, r.rid) == before
        for minutes in (20, 1440):
            data = call(r.sorry, f"{r.rid}/pause", {"minutes": minutes})
            assert data["paused_until"] == (START + timedelta(minutes=minutes)).isoformat()
            call(r.hurt, f"{r.rid}/resume")


def test_a_paused_repair_refuses_every_step_with_409_and_takes_resume_or_close(couple):
    with repair_at(couple, "hearing") as r:
        call(r.sorry, f"{r.rid}/pause", {"minutes": 30})
        before = everything(r.app, r.alex, r.sam, r.rid)
        assert before[0]["next_actor"] is None and before[1]["next_actor"] is None
        for name in STEP_STATES:
            _, good = GOOD[name]
            for client in (r.hurt, r.sorry):
                for body in (good, BAD):
                    assert_problem(
                        post(client, f"{r.rid}/steps/{name}", body), 409, "repair-paused"
                    )
        assert_problem(post(r.hurt, f"{r.rid}/steps/nonsense", HEARING), 404)  # 404 first
        # The right actor with the right step: still paused.
        assert_problem(post(r.hurt, f"{r.rid}/steps/hearing", HEARING), 409, "repair-paused")
        for client in (r.hurt, r.sorry):  # already paused, whatever the body
            assert_problem(post(client, f"{r.rid}/pause", {"minutes": 30}), 409)
            assert_problem(post(client, f"{r.rid}/pause", {"minutes": 5}), 409)
            # resume takes no body: 422 (but only once the repair may be resumed)
            problem = assert_problem(post(client, f"{r.rid}/resume", {"early": True}), 422)
            assert set(problem["errors"]) == {"early"}
        assert everything(r.app, r.alex, r.sam, r.rid) == before
        data = call(r.hurt, f"{r.rid}/resume")  # either partner may come back early
        assert data["paused_until"] is None and data["next_actor"] == "me"
        assert_problem(post(r.hurt, f"{r.rid}/resume"), 409)  # not paused any more
        assert step(r.hurt, r.rid, "hearing", HEARING)["state"] == "reflect"


def test_no_pause_in_the_follow_through(couple):
    with repair_at(couple, "following_through") as r:
        before = everything(r.app, r.alex, r.sam, r.rid)
        for client in (r.hurt, r.sorry):
            assert_problem(post(client, f"{r.rid}/pause", {"minutes": 30}), 409)
            assert_problem(post(client, f"{r.rid}/pause", {"minutes": 5}), 409)  # 409 first
            assert_problem(post(client, f"{r.rid}/resume"), 409)
        assert everything(r.app, r.alex, r.sam, r.rid) == before


def test_close_takes_an_optional_note_and_refuses_a_bad_one(couple):
    with repair_at(couple, "apology") as r:
        before = everything(r.app, r.alex, r.sam, r.rid)
        for body, fields in (
            ({"note": 5}, {"note"}),
            ({"note": "x" * 1001}, {"note"}),
            ({"why": "x"}, {"why"}),
        ):
            problem = assert_problem(post(r.hurt, f"{r.rid}/close", body), 422)
            assert set(problem["errors"]) == fields
        assert everything(r.app, r.alex, r.sam, r.rid) == before
        data = call(r.hurt, f"{r.rid}/close", {"note": "  Let's talk in person.  "})
        assert (data["state"], data["closing_note"], data["next_actor"]) == (
            "closed",
            "Let's talk in person.",
            None,
        )
        assert data["ended_at"] == START.isoformat()
        assert data["steps"][-1]["action"] == "close"
        assert data["steps"][-1]["state_before"] == "apology"
        assert data["steps"][-1]["state_after"] == "closed"


def assert_ended(r, follow_up_id: str | None) -> None:
    """Nothing more can happen to the repair: 409, whatever is sent, by anyone in it."""
    before = everything(r.app, r.alex, r.sam, r.rid)
    for client in (r.hurt, r.sorry):
        for name in STEP_STATES:
            for body in (GOOD[name][1], BAD):
                assert_problem(post(client, f"{r.rid}/steps/{name}", body), 409, "repair-ended")
        calls = [
            ("pause", {"minutes": 30}),
            ("pause", {"minutes": 1}),
            ("resume", {}),
            ("close", {}),
            ("close", {"note": 5}),
        ]
        if follow_up_id is not None:
            calls += [
                (f"follow-ups/{follow_up_id}", {"outcome": "kept"}),
                (f"follow-ups/{follow_up_id}", {"outcome": "great"}),
            ]
        for path, body in calls:
            assert_problem(post(client, f"{r.rid}/{path}", body), 409)
        # a follow-up or a step that does not exist is still not found
        assert_problem(post(client, f"{r.rid}/follow-ups/nope", {"outcome": "kept"}), 404)
        assert_problem(post(client, f"{r.rid}/steps/nonsense", BAD), 404)
    assert everything(r.app, r.alex, r.sam, r.rid) == before


def test_a_closed_repair_refuses_everything_with_409(couple):
    with repair_at(couple, "following_through") as r:
        follow_up = follow_ups(view(r.hurt, r.rid))[0]["id"]
        call(r.sorry, f"{r.rid}/close")
        assert_ended(r, follow_up)


def test_a_closed_paused_repair_is_ended_not_paused(couple):
    with repair_at(couple, "plan") as r:
        call(r.sorry, f"{r.rid}/pause", {"minutes": 60})
        data = call(r.hurt, f"{r.rid}/close")
        assert data["state"] == "closed" and data["paused_until"] is None
        assert_ended(r, None)


def test_a_resolved_repair_refuses_everything_with_409(couple):
    with repair_at(couple, "following_through") as r:
        ids = [f["id"] for f in follow_ups(view(r.hurt, r.rid))]
    with couple.at(START + timedelta(days=7)) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        for follow_up in ids:
            for client in (hurt, sorry):
                data = call(client, f"{r.rid}/follow-ups/{follow_up}", {"outcome": "kept"})
        assert data["state"] == "resolved"
        ended = SimpleNamespace(app=r.app, alex=alex, sam=sam, hurt=hurt, sorry=sorry, rid=r.rid)
        assert_ended(ended, ids[0])


# ----------------------------------------------------------------------- follow-ups


def test_follow_ups_are_answered_once_each_from_their_date_with_a_valid_body(couple):
    with repair_at(couple, "following_through") as r:
        first, second = follow_ups(view(r.hurt, r.rid))
        assert (first["days"], second["days"]) == (3, 7)
        before = everything(r.app, r.alex, r.sam, r.rid)
        for client in (r.hurt, r.sorry):
            problem = assert_problem(
                post(client, f"{r.rid}/follow-ups/{first['id']}", {"outcome": "kept"}), 409
            )
            assert "errors" not in problem
            # not yet its date, and a bad body: 409 first
            assert_problem(post(client, f"{r.rid}/follow-ups/{first['id']}", BAD), 409)
        assert everything(r.app, r.alex, r.sam, r.rid) == before
    due = START + timedelta(days=3)
    with couple.at(due - timedelta(seconds=1)) as (alex, sam):
        hurt, _ = sides(alex, sam, "apologizing")
        assert_problem(post(hurt, f"{r.rid}/follow-ups/{first['id']}", {"outcome": "kept"}), 409)
    with couple.at(due) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        path = f"{r.rid}/follow-ups/{first['id']}"
        before = everything(r.app, alex, sam, r.rid)
        for body, fields in (
            ({}, {"outcome"}),
            ({"outcome": "great"}, {"outcome"}),
            ({"outcome": "kept", "note": 5}, {"note"}),
            ({"outcome": "kept", "note": "x" * 1001}, {"note"}),
            ({"outcome": "kept", "mood": 3}, {"mood"}),
        ):
            problem = assert_problem(post(hurt, path, body), 422)
            assert set(problem["errors"]) == fields
        assert everything(r.app, alex, sam, r.rid) == before
        # the second one's date has not come
        assert_problem(post(hurt, f"{r.rid}/follow-ups/{second['id']}", {"outcome": "kept"}), 409)
        call(hurt, path, {"outcome": "kept", "note": "We did."})
        before = everything(r.app, alex, sam, r.rid)
        for body in ({"outcome": "not"}, BAD):  # once each: 409, even with a bad body
            assert_problem(post(hurt, path, body), 409)
        assert everything(r.app, alex, sam, r.rid) == before
        data = call(sorry, path, {"outcome": "partly"})
        (answered,) = [f for f in follow_ups(data) if f["id"] == first["id"]]
        assert answered["complete"]
        before = everything(r.app, alex, sam, r.rid)
        for client in (hurt, sorry):  # complete
            assert_problem(post(client, path, {"outcome": "kept"}), 409)
        assert everything(r.app, alex, sam, r.rid) == before


def test_a_follow_up_cannot_be_answered_before_the_reconnect_is_confirmed(couple):
    with repair_at(couple, "chosen") as r:
        ids = [f["id"] for f in follow_ups(view(r.hurt, r.rid))]
        assert len(ids) == 2  # made with the plan
    with couple.at(START + timedelta(days=8)) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        before = everything(r.app, alex, sam, r.rid)
        for client in (hurt, sorry):
            for follow_up in ids:
                for body in ({"outcome": "kept"}, BAD):
                    assert_problem(
                        post(client, f"{r.rid}/follow-ups/{follow_up}", body), 409, "repair-state"
                    )
        assert everything(r.app, alex, sam, r.rid) == before
