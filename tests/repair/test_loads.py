"""Each request reads the repair's row once: a step, a follow-up answer and a read,
through the API and through the pages (and a refused step, whose page comes back), run
the same statements for a repair just begun and for one with a long history (apology
rounds, pauses, commitments, follow-ups)."""

from datetime import timedelta

from tests.factories import post_form
from tests.repair.helpers import (
    APOLOGY,
    CHOICE,
    HEARD,
    PLAN_SORRY,
    START,
    call,
    follow_ups,
    open_repair,
    repair_loads,
    statements,
    step,
    view,
    walk,
)

MANY = {
    "my_part": "I went quiet.",
    "commitments": [
        {
            "text": f"Next time, I will say so that evening ({n}).",
            "owner": "me",
            "follow_up_days": [3, 7, 14],
        }
        for n in range(5)
    ],
}


def short_repair(alex, sam) -> str:
    """Alex apologizing, Sam hurt, at ``reconnect`` with one commitment."""
    rid = open_repair(alex)
    walk(sam, alex, rid, "reconnect")
    return rid


def long_repair(alex, sam) -> str:
    """The same, after three rounds of apology with a pause in each, and six
    commitments with seventeen follow-ups."""
    rid = open_repair(alex, title="The long one")
    walk(sam, alex, rid, "response")
    for _ in range(3):
        call(sam, f"{rid}/pause", {"minutes": 20})
        call(sam, f"{rid}/resume")
        step(sam, rid, "response", {"heard": False, "missing": "More, please."})
        step(alex, rid, "apology", APOLOGY)
    step(sam, rid, "response", HEARD)
    step(sam, rid, "plan", MANY)
    step(alex, rid, "plan", PLAN_SORRY)
    return rid


def measured(app, act) -> tuple[tuple[int, int], object]:
    """(statements, reads of a repair's row) of ``act()``, and what it returned."""
    returned = []
    seen = statements(app, lambda: returned.append(act()))
    return (len(seen), repair_loads(seen)), returned[0]


def test_each_request_reads_the_repair_once_however_long_its_history(couple):
    couple.link(when=START - timedelta(days=1))
    app = couple.app
    found: dict[str, list[tuple[int, int]]] = {}

    def measure(name, act):
        counted, returned = measured(app, act)
        found.setdefault(name, []).append(counted)
        return returned

    with couple.at(START) as (alex, sam):
        rids = short_repair(alex, sam), long_repair(alex, sam)
        for rid in rids:
            answer = measure("api step", lambda rid=rid: step(alex, rid, "reconnect", CHOICE))
            assert answer == view(alex, rid)  # the answer is the repair as it is stored
            measure(
                "page step",
                lambda rid=rid: _post(sam, f"/repairs/{rid}/steps/reconnect", {"confirmed": "yes"}),
            )
            measure("api read", lambda rid=rid: view(sam, rid))
            measure("page read", lambda rid=rid: _get(alex, f"/repairs/{rid}"))
        assert [len(follow_ups(view(alex, rid))) for rid in rids] == [2, 17]

    with couple.at(START + timedelta(days=3, minutes=1)) as (alex, sam):
        for rid in rids:
            first = follow_ups(view(alex, rid))[0]["id"]
            answer = measure(
                "api follow-up",
                lambda rid=rid, first=first: call(
                    alex, f"{rid}/follow-ups/{first}", {"outcome": "kept"}
                ),
            )
            assert answer == view(alex, rid)
            measure(
                "page follow-up",
                lambda rid=rid, first=first: _post(
                    sam, f"/repairs/{rid}/follow-ups/{first}", {"outcome": "kept"}
                ),
            )
            measure("page read, later", lambda rid=rid: _get(sam, f"/repairs/{rid}"))
            measure(
                "page step refused",
                lambda rid=rid: _post(
                    alex, f"/repairs/{rid}/steps/plan", {"my_part": "Mine."}, status=409
                ),
            )

    for name, (short, long) in found.items():
        assert short[1] == long[1] == 1, (name, found[name])
        assert short == long, (name, found[name])


def _get(who, path) -> None:
    assert who.client.get(path).status_code == 200


def _post(who, path, data, status=302) -> None:
    response = post_form(who, path, data)
    assert response.status_code == status, response.get_data(as_text=True)


def test_opening_pausing_resuming_and_closing_answer_the_repair_as_stored(couple):
    """Each answers with the repair as a read of it afterwards shows it, having read its
    row once (opening: not at all, it has just been written)."""
    couple.link(when=START - timedelta(days=1))
    app = couple.app
    with couple.at(START) as (alex, sam):
        (_, loads), opened = measured(
            app,
            lambda: alex.post(
                "/api/v1/repairs", json={"title": "Saturday's dinner", "role": "hurt"}
            ).get_json(),
        )
        assert loads == 0
        rid = opened["id"]
        assert opened == view(alex, rid)
        for path, body in (
            (f"{rid}/pause", {"minutes": 20}),
            (f"{rid}/resume", None),
            (f"{rid}/close", {"note": "Another day."}),
        ):
            (_, loads), answer = measured(app, lambda path=path, body=body: call(sam, path, body))
            assert loads == 1, path
            assert answer == view(sam, rid), path
