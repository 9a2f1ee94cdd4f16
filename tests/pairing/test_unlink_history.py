"""Unlinking keeps each person's words, and a couple's shared history for the days it can
come back: linking again brings it back as it was, erasing ends it for good, and nothing
of it pushes anyone. A former partner never sees the other's words."""

from datetime import timedelta

import time_machine

from couples.appreciations.models import Appreciation
from couples.checkins.models import Checkin, CustomQuestion
from couples.extensions import db
from couples.notifications import reminders
from couples.notifications.models import Notification
from couples.pairing import history
from couples.pairing.models import Couple, CoupleMember
from tests.checkins import test_privacy
from tests.checkins.test_privacy import (
    EVENING,
    SUNDAY,
    alex_and_sam,
    get_urls,
    leaks,
    marks,
    put,
    walk,
)
from tests.factories import PASSWORD, page, post_form
from tests.repair.helpers import HEARING, open_repair, step

world = test_privacy.world  # the same app and clients as the check-in privacy tests

MONDAY = SUNDAY + timedelta(days=1)
MONDAY_EVENING = EVENING + timedelta(days=1)  # 15:00 in New York, 20:00 in London


def _answer(client, text: dict[str, str], day=MONDAY):
    response = put(client, day, {"needs_met": 4, "mood": 3, **text})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _link(world, inviter, accepter):
    """Link again through an invite: both say yes (one invites, the other accepts)."""
    code = inviter.post("/api/v1/invites").get_json()["code"]
    response = accepter.post(f"/api/v1/invites/{code}/accept")
    assert response.status_code == 200, response.get_json()
    return response.get_json()["couple"]["id"]


def _couple(world, couple_id) -> Couple:
    with world.app.app_context():
        couple = db.session.get(Couple, int(couple_id))
        db.session.expunge(couple)
        return couple


def _history_days(client) -> list[str]:
    response = client.get("/api/v1/checkins")
    assert response.status_code == 200, response.get_json()
    return [item["date"] for item in response.get_json()["items"]]


# ------------------------------------------------------------------------ relinking
def test_linking_again_within_30_days_brings_back_the_shared_history(world):
    alex_and_sam(world)
    with world.at(MONDAY_EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        couple_id = alex.get("/api/v1/couple").get_json()["id"]
        alex_words = marks("alex", ("felt_seen",))
        sam_words = marks("sam", ("felt_seen",))
        _answer(alex, alex_words)
        assert _answer(sam, sam_words)["revealed"] is True
        assert alex.post("/api/v1/appreciations", json={"text": "thank you"}).status_code == 201
        assert sam.delete("/api/v1/couple").status_code == 204
        assert alex.get("/api/v1/checkins").status_code == 404
    with world.at(MONDAY_EVENING + timedelta(days=29)):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        assert _link(world, alex, sam) == couple_id
        for client in (alex, sam):
            assert _history_days(client) == [MONDAY.isoformat()]
            journal = client.get("/api/v1/appreciations").get_json()["items"]
            assert [n["text"] for n in journal] == ["thank you"]
        shown = alex.get(f"/api/v1/checkins/{MONDAY}").get_json()
        assert shown["partner_answers"]["felt_seen"] == sam_words["felt_seen"]
        assert shown["my_answers"]["felt_seen"] == alex_words["felt_seen"]
        # Same seats, same couple, nothing ended any more.
        couple = _couple(world, couple_id)
        assert couple.ended_at is None and couple.history_erased_at is None
        with world.app.app_context():
            members = db.session.execute(
                db.select(CoupleMember).order_by(CoupleMember.slot)
            ).scalars()
            assert [(m.slot, m.left_at) for m in members] == [(1, None), (2, None)]


def test_the_page_link_says_the_shared_history_is_back(world):
    alex_and_sam(world)
    with world.at(MONDAY_EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        assert alex.delete("/api/v1/couple").status_code == 204
        code = alex.post("/api/v1/invites").get_json()["code"]
        response = post_form(sam, f"/join/{code}", {})
        assert response.status_code == 302
        assert "linked again, with your shared history" in page(sam, "/couple")


def test_only_the_latest_couple_of_the_two_comes_back_after_a_link_with_someone_else(world):
    alex_and_sam(world)
    world.person("pat@example.com", "Pat", "Europe/London")
    with world.at(MONDAY_EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        first = alex.get("/api/v1/couple").get_json()["id"]
        _answer(alex, marks("alex", ("felt_seen",)))
        _answer(sam, marks("sam", ("felt_seen",)))
        assert alex.delete("/api/v1/couple", json={"erase_history": True}).status_code == 204
        # Linked again, this time kept: a second couple of the same two.
        second = _link(world, alex, sam)
        assert second != first
        assert _history_days(alex) == []
        _answer(alex, marks("alex", ("felt_seen",)), day=MONDAY)
        _answer(sam, marks("sam", ("felt_seen",)), day=MONDAY)
        assert alex.delete("/api/v1/couple").status_code == 204
        # Meanwhile Alex links with Pat, and that ends too.
        pat = world.login("pat@example.com")
        with_pat = _link(world, alex, pat)
        assert with_pat not in (first, second)
        assert pat.delete("/api/v1/couple").status_code == 204
    with world.at(MONDAY_EVENING + timedelta(days=2)):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        assert _link(world, sam, alex) == second  # the latest of Alex and Sam's, not erased
        assert _history_days(sam) == [MONDAY.isoformat()]
        # Sam's note that this link ended is read (the one about the erased first link
        # is not, nor Alex's about Pat's link).
        home = page(sam, "/")
        assert "kept out of sight" not in home and "shared history is erased" in home
        assert "Pat ended your link" in page(alex, "/")
        assert _couple(world, with_pat).ended_at is not None
        assert _couple(world, first).ended_at is not None


def test_a_partner_linked_with_someone_else_now_cannot_be_pulled_back(world):
    alex_and_sam(world)
    world.person("pat@example.com", "Pat", "Europe/London")
    with world.at(MONDAY_EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        first = alex.get("/api/v1/couple").get_json()["id"]
        assert sam.delete("/api/v1/couple").status_code == 204
        pat = world.login("pat@example.com")
        _link(world, sam, pat)
        code = alex.post("/api/v1/invites").get_json()["code"]
        assert sam.post(f"/api/v1/invites/{code}/accept").status_code == 409
        assert _couple(world, first).ended_at is not None


# ------------------------------------------------------------------------- erasing
def _erased(world, couple_id) -> bool:
    return _couple(world, couple_id).history_erased_at is not None


def test_after_30_days_the_clock_erases_and_a_new_link_starts_empty(world):
    alex_and_sam(world)
    with world.at(MONDAY_EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        couple_id = alex.get("/api/v1/couple").get_json()["id"]
        alex_words, sam_words = marks("alex", ("felt_seen",)), marks("sam", ("felt_seen",))
        _answer(alex, alex_words)
        _answer(sam, sam_words)
        assert alex.post("/api/v1/appreciations", json={"text": "alexnote"}).status_code == 201
        assert alex.delete("/api/v1/couple").status_code == 204
    ended = MONDAY_EVENING
    with time_machine.travel(ended + timedelta(days=30) - timedelta(minutes=1), tick=False):
        world.deliver()  # the worker's round runs the tick
    assert not _erased(world, couple_id)
    with time_machine.travel(ended + timedelta(days=30), tick=False):
        world.deliver()
    assert _erased(world, couple_id)
    with world.app.app_context():
        assert db.session.execute(db.select(Checkin.revealed_at)).scalars().all() == [None]
        assert db.session.execute(db.select(Appreciation.to_user_id)).scalars().all() == [None]
    with world.at(ended + timedelta(days=31)):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        # Each still has their own words, and only those.
        words = page(alex, "/account/words")
        assert alex_words["felt_seen"] in words and "alexnote" in words
        assert sam_words["felt_seen"] not in words
        assert "shared history is erased" in words
        assert _link(world, alex, sam) != couple_id
        assert _history_days(alex) == []


def test_the_tick_command_erases_too_and_twice_is_the_same_as_once(world):
    alex_and_sam(world)
    with world.at(MONDAY_EVENING):
        alex = world.login("alex@example.com")
        couple_id = alex.get("/api/v1/couple").get_json()["id"]
        assert alex.delete("/api/v1/couple").status_code == 204
    early, later = MONDAY_EVENING + timedelta(days=29), MONDAY_EVENING + timedelta(days=40)
    runner = world.app.test_cli_runner()
    result = runner.invoke(args=["reminders", "tick", "--now", early.isoformat()])
    assert result.exit_code == 0, result.output
    assert _couple(world, couple_id).history_erased_at is None
    result = runner.invoke(args=["reminders", "tick", "--now", later.isoformat()])
    assert result.exit_code == 0, result.output
    assert _couple(world, couple_id).history_erased_at == later
    with world.app.app_context():
        assert reminders.tick(now=later + timedelta(minutes=1)) == 0
        assert history.erase_expired(now=later + timedelta(minutes=1)) == 0
    assert _couple(world, couple_id).history_erased_at == later


def test_erasing_at_unlink_means_linking_again_starts_empty(world):
    alex_and_sam(world)
    with world.at(MONDAY_EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        couple_id = alex.get("/api/v1/couple").get_json()["id"]
        assert (
            alex.patch(
                "/api/v1/couple", json={"custom_questions": [{"type": "text", "prompt": "Ours?"}]}
            ).status_code
            == 200
        )
        _answer(alex, marks("alex", ("felt_seen",)))
        _answer(sam, marks("sam", ("felt_seen",)))
        response = post_form(sam, "/couple/unlink", {"erase": "yes"})
        assert response.status_code == 302
        assert _erased(world, couple_id)
        with world.app.app_context():
            assert db.session.execute(db.select(CustomQuestion)).first() is None
        assert _link(world, sam, alex) != couple_id
        assert _history_days(alex) == []


def test_the_api_can_erase_at_unlink_and_refuses_other_fields(world):
    alex_and_sam(world)
    with world.at(MONDAY_EVENING):
        alex = world.login("alex@example.com")
        couple_id = alex.get("/api/v1/couple").get_json()["id"]
        refused = alex.delete("/api/v1/couple", json={"erase_history": "yes"})
        assert refused.status_code == 422
        assert "erase_history" in refused.get_json()["errors"]
        assert alex.delete("/api/v1/couple", json={"why": 1}).status_code == 422
        assert _couple(world, couple_id).ended_at is None
        assert alex.delete("/api/v1/couple", json={"erase_history": True}).status_code == 204
        assert _erased(world, couple_id)


def test_either_former_partner_may_erase_later_and_outsiders_get_404(world):
    alex_and_sam(world)
    world.person("olive@example.com", "Olive", "UTC")
    with world.at(MONDAY_EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        couple_id = alex.get("/api/v1/couple").get_json()["id"]
        url = f"/account/words/{couple_id}/erase"
        assert post_form(alex, url, {}).status_code == 404  # still linked: nothing to erase
        assert alex.delete("/api/v1/couple").status_code == 204
        olive = world.login("olive@example.com")
        assert post_form(olive, url, {}).status_code == 404
        assert post_form(olive, "/account/words/99999999999/erase", {}).status_code == 404
        assert not _erased(world, couple_id)
        # Sam did not unlink, and may still erase.
        assert "Erase our shared history now" in page(sam, "/account/words")
        assert post_form(sam, url, {}).status_code == 302
        assert _erased(world, couple_id)
        assert "Erase our shared history now" not in page(sam, "/account/words")


# ------------------------------------------------------------------------- the pages
def test_the_unlink_page_says_what_ends_and_what_stays_and_offers_the_export(world):
    alex_and_sam(world)
    with world.at(MONDAY_EVENING):
        alex = world.login("alex@example.com")
        html = page(alex, "/couple/unlink")
        assert "What ends" in html and "What stays" in html
        assert 'href="/account/export"' in html
        assert "within 30 days" in html
        assert 'name="erase"' in html and "checked" not in html
        assert "doesn't need to agree" in html


def test_unlinking_relinking_and_erasing_push_nothing(world):
    alex_and_sam(world)
    with world.at(MONDAY_EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        phones = [world.device(alex), world.device(sam)]
        with world.app.app_context():
            before = db.session.execute(db.select(db.func.max(Notification.id))).scalar()
        assert alex.delete("/api/v1/couple").status_code == 204
        _link(world, sam, alex)
        assert sam.delete("/api/v1/couple", json={"erase_history": True}).status_code == 204
        _link(world, alex, sam)
        assert alex.delete("/api/v1/couple").status_code == 204
    with time_machine.travel(MONDAY_EVENING + timedelta(days=31), tick=False):
        world.deliver()
    with world.app.app_context():
        made = db.session.execute(
            db.select(Notification.kind, Notification.push).where(Notification.id > (before or 0))
        ).all()
    assert made and {kind for kind, _ in made} == {"couple_ended"}
    assert not any(push for _, push in made)
    assert all(world.pushes(phone) == [] for phone in phones)


def test_after_unlinking_each_sees_their_own_words_and_nothing_of_the_other(world):
    """The leak hunt: every page and API answer, and both exports, of each former
    partner, after unlinking; then again after the history is erased."""
    alex_and_sam(world)
    with world.at(MONDAY_EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        own = {"alex": marks("alex", ("felt_seen", "needs_help")), "sam": {}}
        own["sam"] = marks("sam", ("felt_seen", "needs_help"))
        _answer(alex, own["alex"])
        _answer(sam, own["sam"])
        for who, client in (("alex", alex), ("sam", sam)):
            note = f"{who}appreciation{own[who]['felt_seen'][-8:]}"
            assert client.post("/api/v1/appreciations", json={"text": note}).status_code == 201
            own[who]["appreciation"] = note
            bid = f"{who}bid{own[who]['felt_seen'][-8:]}"
            assert client.post("/api/v1/bids", json={"text": bid}).status_code == 201
            own[who]["bid"] = bid
        # A repair: Alex was hurt and says so; Sam apologizes.
        repair_id = open_repair(
            alex, role="hurt", title=f"alextitle{own['alex']['felt_seen'][-8:]}"
        )
        own["alex"]["title"] = f"alextitle{own['alex']['felt_seen'][-8:]}"
        step(alex, repair_id, "ready")
        step(sam, repair_id, "ready", {"view": "apologizing"})
        hurt = {**HEARING, "because": f"alexbecause{own['alex']['felt_seen'][-8:]}"}
        step(alex, repair_id, "hearing", hurt)
        own["alex"]["because"] = hurt["because"]
        # Said back, and what was missed: each one's own words.
        heard, missed = marks("sam", ("heard",)), marks("alex", ("missed",))
        step(sam, repair_id, "reflect", {"what_i_heard": f"You felt lonely {heard['heard']}"})
        step(alex, repair_id, "reflect", {"thats_it": False, "missed": missed["missed"]})
        step(sam, repair_id, "reflect", {"what_i_heard": "You felt lonely and unimportant."})
        step(alex, repair_id, "reflect", {"thats_it": True})
        own["sam"].update(heard)
        own["alex"].update(missed)
        sorry = marks("sam", ("acknowledgement", "restitution"))
        apology = {
            "acknowledgement": f"I'm sorry I read my phone all dinner {sorry['acknowledgement']}",
            "empathy": "When I do that, you feel lonely and unimportant.",
            "restitution": f"I will leave my phone in the hall. {sorry['restitution']}",
        }
        step(sam, repair_id, "apology", apology)
        own["sam"].update(sorry)

        assert sam.delete("/api/v1/couple").status_code == 204
        urls = get_urls(world.app, [MONDAY])
        for me, client, them in (("alex", alex, "sam"), ("sam", sam, "alex")):
            seen = walk(client, urls)
            assert not leaks(seen, own[them]), me
            words = seen["/account/words"].body
            api_words = seen["/api/v1/me/words"].body
            written = {k: v for k, v in own[me].items() if k != "bid"}
            assert [k for k, v in written.items() if v not in words] == [], me
            assert [k for k, v in written.items() if v not in api_words] == [], me
            # Nor the partner's answers, counts or reveal state.
            assert "revealed" not in api_words and "partner" not in api_words.replace(
                "partner_name", ""
            )
            export = seen["POST /api/v1/me/export"].body
            assert [k for k, v in own[me].items() if v not in export] == [], me

    with time_machine.travel(MONDAY_EVENING + timedelta(days=31), tick=False):
        world.deliver()
    with world.at(MONDAY_EVENING + timedelta(days=31)):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        for me, client, them in (("alex", alex, "sam"), ("sam", sam, "alex")):
            seen = walk(client, urls)
            assert not leaks(seen, own[them]), me
            written = {k: v for k, v in own[me].items() if k != "bid"}
            words = seen["/account/words"].body
            assert [k for k, v in written.items() if v not in words] == [], me


def test_deleting_an_account_while_linked_still_works_and_ends_the_history(world):
    alex_and_sam(world)
    with world.at(MONDAY_EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        couple_id = alex.get("/api/v1/couple").get_json()["id"]
        alex_words, sam_words = marks("alex", ("felt_seen",)), marks("sam", ("felt_seen",))
        _answer(alex, alex_words)
        _answer(sam, sam_words)
        assert sam.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
        assert _erased(world, couple_id)
        words = page(alex, "/account/words")
        assert "From your time with a former partner" in words
        assert alex_words["felt_seen"] in words and sam_words["felt_seen"] not in words
        assert alex.get("/api/v1/couple").status_code == 404
