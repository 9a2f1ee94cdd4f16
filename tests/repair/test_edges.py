"""Edges of a repair's life: ids that count nothing, an account deleted mid-repair, a
refused page form that keeps its words, a plan sent again from the page, the grace of a
follow-up that opened late, and a second repair waiting on the same person."""

import re
from datetime import timedelta

from couples.extensions import db
from couples.repair.models import Repair
from tests.factories import PASSWORD, post_form
from tests.repair.helpers import (
    HEARING,
    START,
    call,
    follow_ups,
    open_repair,
    step,
    view,
    walk,
)
from tests.repair.test_notifications import outbox, tick

ALEX, SAM = "alex@example.com", "sam@example.com"


def test_commitment_ids_are_random_like_every_other_id(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        data = walk(sam, alex, open_repair(alex), "following_through")
    ids = [c["id"] for c in data["commitments"]]
    assert ids and all(re.fullmatch(r"[A-Za-z0-9_-]{12}", i) and not i.isdigit() for i in ids)


def test_deleting_an_account_keeps_the_partners_answers_and_clears_its_own_words(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex, title="Alexs private title")
        data = walk(sam, alex, rid, "following_through")
    first = follow_ups(data)[0]
    with couple.at(START + timedelta(days=first["days"], hours=1)) as (alex, sam):
        call(sam, f"{rid}/follow-ups/{first['id']}", {"outcome": "kept", "note": "Sams note"})
        assert alex.delete("/api/v1/me", json={"password": PASSWORD}).status_code in (200, 204)
        export = sam.export().get_json()["repairs"]
    assert [a["note"] for a in export["follow_up_answers"]] == ["Sams note"]
    assert "Alexs private title" not in str(export)
    with couple.app.app_context():
        repair = db.session.execute(db.select(Repair)).scalar_one()
        assert repair.title == "" and repair.reconnect_choice is None
        assert [c.text for c in repair.commitments] == [""]  # Alex wrote the only one


def test_an_odd_cursor_on_the_list_page_starts_at_the_top(couple):
    couple.link()
    with couple.at(START) as (alex, _sam):
        open_repair(alex)
        for cursor in ("%00", "x" * 40, "%F0%9F%98%80"):
            response = alex.get(f"/repairs?before={cursor}")
            assert response.status_code == 200, cursor


def test_a_plan_edit_refused_because_the_plan_is_complete_keeps_every_word(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "plan")
        step(
            alex,
            rid,
            "plan",
            {
                "my_part": "I kept scrolling.",
                "commitments": [{"text": "Next time, I will put it away.", "owner": "me"}],
            },
        )
        step(sam, rid, "plan", {"my_part": "I went quiet."})  # the plan is complete
        response = post_form(
            alex,
            f"/repairs/{rid}/steps/plan",
            {
                "my_part": "I kept scrolling, and I snapped when you said so.",
                "commitments-0-text": "Next time, I will leave it in the hall.",
                "commitments-0-owner": "me",
            },
        )
        page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "I kept scrolling, and I snapped when you said so." in page
    assert "Next time, I will leave it in the hall." in page


def test_a_plan_sent_again_from_the_page_keeps_five_commitments_and_their_days(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "plan")
        five = [
            {"text": f"Next time {n}, I will ask.", "owner": "me", "follow_up_days": [2, 5]}
            for n in range(5)
        ]
        step(alex, rid, "plan", {"my_part": "Mine.", "commitments": five})
        page = alex.get(f"/repairs/{rid}").get_data(as_text=True)
        form = {"my_part": "Mine, again."}
        for n in range(5):
            assert f"Next time {n}, I will ask." in page
            assert f'name="commitments-{n}-days" value="5" checked' in page
            form |= {
                f"commitments-{n}-text": f"Next time {n}, I will ask.",
                f"commitments-{n}-owner": "me",
                f"commitments-{n}-days": ["2", "5"],
            }
        assert post_form(alex, f"/repairs/{rid}/steps/plan", form).status_code == 302
        latest = [s for s in view(alex, rid)["steps"] if s["action"] == "plan"][-1]
    assert latest["written"]["commitments"] == five


def test_a_follow_up_that_opened_late_keeps_three_days_for_both(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "chosen")
    late = START + timedelta(days=8)  # the 3- and 7-day follow-ups are due already
    with couple.at(late) as (alex, sam):
        data = step(sam, rid, "reconnect", {"confirmed": True})
        first = follow_ups(data)[0]
        call(alex, f"{rid}/follow-ups/{first['id']}", {"outcome": "kept"})
    tick(couple.app, late + timedelta(minutes=1))
    with couple.at(late + timedelta(days=1)) as (alex, sam):
        assert not follow_ups(view(sam, rid))[0]["complete"]
        call(sam, f"{rid}/follow-ups/{first['id']}", {"outcome": "partly"})
    tick(couple.app, late + timedelta(days=3, minutes=1))
    with couple.at(late + timedelta(days=3, minutes=2)) as (alex, sam):
        second = follow_ups(view(sam, rid))[1]
        assert second["complete"] is False  # nobody answered it: it keeps


def test_a_second_repair_waiting_on_the_same_person_is_nudged_the_next_day(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        for title in ("The first thing", "The second thing"):
            rid = open_repair(alex, title=title)
            step(alex, rid, "ready")  # now Sam's turn, in both
    for hours in (25, 26, 49, 50, 73):
        tick(couple.app, START + timedelta(hours=hours))
    nudges = [
        n
        for n in outbox(couple.app, SAM, "repair_your_turn")
        if n.dedupe_key.startswith("repair-nudge")
    ]
    assert len(nudges) == 2
    assert nudges[0].data["repair"] != nudges[1].data["repair"]
    assert len({n.dedupe_key for n in nudges}) == 2  # on two different days


def test_hearing_words_are_not_in_the_openers_export(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "apology")
        export = alex.export().get_json()["repairs"]
    assert HEARING["when"] not in str(export)
    assert {s["title"] for s in export["repair_steps"]} == {"Saturday's dinner"}
