"""A repair across the couple's life: the export, ending the couple, deleting an account."""

from datetime import UTC, datetime, timedelta

from couples.extensions import db
from couples.repair.models import Repair, RepairStep
from tests.factories import PASSWORD, notifications_of
from tests.repair.helpers import HEARING, step

START = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)


def _opened_with_hearing(alex, sam) -> str:
    rid = alex.post(
        "/api/v1/repairs", json={"title": "The late train", "role": "apologizing"}
    ).get_json()["id"]
    step(alex, rid, "ready")
    step(sam, rid, "ready", {"view": "hurt"})
    step(sam, rid, "hearing", HEARING)
    return rid


def test_my_export_holds_what_i_wrote_in_repairs_and_not_my_partners_words(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        _opened_with_hearing(alex, sam)
        mine = sam.export().get_json()["repairs"]
        theirs = alex.export().get_json()["repairs"]
    assert [s["action"] for s in mine["repair_steps"]] == ["ready", "hearing"]
    assert mine["repair_steps"][1]["written"]["when"] == HEARING["when"]
    assert [s["action"] for s in theirs["repair_steps"]] == ["open", "ready"]
    assert HEARING["when"] not in str(theirs)


def test_after_the_couple_ends_neither_sees_the_repair_and_waiting_pushes_are_withdrawn(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = _opened_with_hearing(alex, sam)
        assert alex.delete("/api/v1/couple").status_code == 204
        for who in (alex, sam):
            assert who.get(f"/api/v1/repairs/{rid}").status_code == 404
            assert who.get(f"/repairs/{rid}").status_code == 404
            assert who.post(f"/api/v1/repairs/{rid}/steps/apology", json={}).status_code == 404
    with couple.app.app_context():
        from couples.notifications import reminders

        # The nudge would have fallen due a day later: an ended couple gets none.
        assert reminders.tick(now=START + timedelta(days=2)) == 0
    nudges = [
        n
        for n in notifications_of(couple.app, "alex@example.com", "repair_your_turn")
        if n.dedupe_key.startswith("repair-nudge")
    ]
    assert nudges == []


def test_deleting_an_account_removes_what_it_wrote_and_keeps_the_partners_words(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        _opened_with_hearing(alex, sam)
        response = sam.delete("/api/v1/me", json={"password": PASSWORD})
        assert response.status_code in (200, 204), response.get_json()
    with couple.app.app_context():
        steps = db.session.execute(db.select(RepairStep.action, RepairStep.payload)).all()
        assert [action for action, _ in steps] == ["open", "ready"]  # Alex's own
        assert HEARING["when"] not in str(steps)
        repair = db.session.execute(db.select(Repair)).scalar_one()
        assert repair.hurt_id is None and repair.apologizing_id is not None


def test_a_hard_day_at_the_reveal_offers_a_repair(couple):
    couple.link("Europe/London", "Europe/London")
    evening = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
    with couple.at(evening) as (alex, sam):
        for who, needs in ((alex, 1), (sam, 4)):
            response = who.put(
                "/api/v1/checkins/2026-03-02/answers",
                json={"answers": {"needs_met": needs, "mood": 3}},
            )
            assert response.status_code == 200, response.get_json()
        page = alex.get("/checkin/2026-03-02").get_data(as_text=True)
    assert 'href="/repairs/new"' in page
