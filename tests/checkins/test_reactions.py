"""Reactions to a partner's answer (a heart, a thank-you, "let's talk about this"): only
once both have answered, only on an answer that was given, seen on the reveal and in
the inbox (never pushed), and taken back with the same button."""

from datetime import UTC, date, datetime, timedelta

from tests.checkins.conftest import plant_history
from tests.factories import ApiClient, make_user, notifications_of, page
from tests.factories import post_form as post

EVENING = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)  # 15:00 New York, 20:00 London
DAY = "2026-11-18"
ALEX_ANSWERS = {"needs_met": 4, "mood": 4, "appreciation": "the soup ALEXSOUP", "on_my_mind": False}
SAM_ANSWERS = {"needs_met": 5, "mood": 3, "appreciation": "the walk SAMWALK"}


def answer(who, answers):
    response = who.put(f"/api/v1/checkins/{DAY}/answers", json={"answers": answers})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_nothing_to_react_to_before_both_answered(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        answer(sam, SAM_ANSWERS)
        # Alex has not answered: Sam's words are not his to react to, and asking cannot
        # tell him whether Sam answered or what.
        before = alex.put(f"/api/v1/checkins/{DAY}/reactions/appreciation", json={"kind": "heart"})
        assert before.status_code == 404
        assert "SAMWALK" not in before.get_data(as_text=True)
        assert (
            post(
                alex, f"/checkin/{DAY}/react", {"key": "appreciation", "kind": "heart"}
            ).status_code
            == 404
        )
        assert notifications_of(couple.app, "sam@example.com", "checkin_reaction") == []


def test_a_heart_reaches_the_partner_on_the_reveal_and_in_the_inbox_once(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        answer(alex, ALEX_ANSWERS)
        answer(sam, SAM_ANSWERS)
        response = alex.put(
            f"/api/v1/checkins/{DAY}/reactions/appreciation", json={"kind": "heart"}
        )
        assert response.status_code == 200
        assert response.get_json() == {
            "mine": {"appreciation": "heart"},
            "partner": {},
            "unseen": [],
        }

        (told,) = notifications_of(couple.app, "sam@example.com", "checkin_reaction")
        assert told.title == "Alex sent a heart"
        assert told.body == "On your answer to “Something I appreciated about you today”"
        assert told.url == f"/checkin/{DAY}#answer-appreciation"
        assert told.status == "inbox" and "SAMWALK" not in told.title + told.body

        seen_by_sam = sam.get(f"/api/v1/checkins/{DAY}").get_json()["reactions"]
        assert seen_by_sam == {
            "mine": {},
            "partner": {"appreciation": "heart"},
            "unseen": ["appreciation"],
        }
        html = page(sam, f"/checkin/{DAY}")
        assert "sent you a heart" in html and ">New<" in html
        # Seen once: no longer new, here or in the inbox.
        again = page(sam, f"/checkin/{DAY}")
        assert "sent you a heart" in again and ">New<" not in again
        assert sam.get(f"/api/v1/checkins/{DAY}").get_json()["reactions"]["unseen"] == []
        inbox = sam.get("/api/v1/notifications").get_json()["items"]
        assert [n["read"] for n in inbox if n["kind"] == "checkin_reaction"] == [True]


def test_the_same_button_takes_a_reaction_back_and_another_replaces_it(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        answer(alex, ALEX_ANSWERS)
        answer(sam, SAM_ANSWERS)
        assert (
            post(
                sam, f"/checkin/{DAY}/react", {"key": "appreciation", "kind": "thanks"}
            ).status_code
            == 302
        )
        html = page(sam, f"/checkin/{DAY}")
        # The pressed button now sends "none": pressing it again takes the thanks back.
        assert (
            'name="kind" value="none" class="reaction-button" aria-pressed="true">Thank you' in html
        )
        post(sam, f"/checkin/{DAY}/react", {"key": "appreciation", "kind": "talk"})
        assert alex.get(f"/api/v1/checkins/{DAY}").get_json()["reactions"]["partner"] == {
            "appreciation": "talk"
        }
        post(sam, f"/checkin/{DAY}/react", {"key": "appreciation", "kind": "none"})
        assert alex.get(f"/api/v1/checkins/{DAY}").get_json()["reactions"]["partner"] == {}
        titles = [
            n.title for n in notifications_of(couple.app, "alex@example.com", "checkin_reaction")
        ]
        assert titles == ["Sam said thank you", "Sam would like to talk about this"]


def test_reactions_are_refused_calmly_where_there_is_nothing_to_react_to(couple):
    couple.link()
    with couple.app.app_context():
        make_user(email="olive@example.com", display_name="Olive", timezone="UTC")
    with couple.at(EVENING) as (alex, sam):
        outsider = ApiClient(couple.app).login("olive@example.com")
        answer(alex, ALEX_ANSWERS)
        answer(sam, SAM_ANSWERS)
        url = f"/api/v1/checkins/{DAY}/reactions"
        # A question Sam left empty, one answered with a number, a question the check-in
        # did not ask, a wrong kind.
        assert alex.put(f"{url}/felt_seen", json={"kind": "heart"}).status_code == 404
        assert alex.put(f"{url}/mood", json={"kind": "heart"}).status_code == 404
        assert alex.put(f"{url}/no_such_question", json={"kind": "heart"}).status_code == 404
        wrong = alex.put(f"{url}/appreciation", json={"kind": "wink"})
        assert wrong.status_code == 422
        assert wrong.get_json()["errors"] == {"kind": ["Use heart, thanks or talk."]}
        assert (
            alex.put(
                "/api/v1/checkins/2026-11-17/reactions/mood", json={"kind": "heart"}
            ).status_code
            == 404
        )
        # Someone of another couple finds nothing there.
        assert outsider.put(f"{url}/appreciation", json={"kind": "heart"}).status_code == 404
        assert outsider.delete(f"{url}/appreciation").status_code == 404
        assert notifications_of(couple.app, "sam@example.com", "checkin_reaction") == []


def test_the_first_check_in_together_is_celebrated_and_then_round_numbers(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        answer(alex, ALEX_ANSWERS)
        html = page(alex, f"/checkin/{DAY}")
        assert "first check-in together" not in html  # not before Sam answers
        answer(sam, SAM_ANSWERS)
        assert "Your first check-in together" in page(alex, f"/checkin/{DAY}")
        assert "Your first check-in together" in page(sam, f"/checkin/{DAY}")


def test_a_round_number_of_evenings_this_month_is_celebrated_never_a_streak(couple):
    couple.link()
    # Revealed on 2, 4, 6 and 8 December (gaps are fine: it counts dates, not a run).
    for day in (2, 4, 6, 8):
        plant_history(couple.app, 1, end=date(2026, 12, day))
    evening = datetime(2026, 12, 9, 20, 0, tzinfo=UTC)
    with couple.at(evening) as (alex, sam):
        fourth = page(alex, "/checkin/2026-12-08")
        assert "together this month" not in fourth and "first check-in" not in fourth
        for who, answers in ((alex, ALEX_ANSWERS), (sam, SAM_ANSWERS)):
            response = who.put("/api/v1/checkins/2026-12-09/answers", json={"answers": answers})
            assert response.status_code == 200
        assert "5 evenings together this month" in page(alex, "/checkin/2026-12-09")
    with couple.at(evening + timedelta(days=1)) as (alex, _sam):
        assert "5 evenings together this month" in page(alex, "/checkin/2026-12-09")


def test_a_made_up_reaction_from_the_page_is_refused_calmly(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        answer(alex, ALEX_ANSWERS)
        answer(sam, SAM_ANSWERS)
        for kind in ("wink", "", "x" * 500):
            response = post(alex, f"/checkin/{DAY}/react", {"key": "appreciation", "kind": kind})
            assert response.status_code == 422
            assert "Some answers need another look" in response.get_data(as_text=True)
        assert sam.get(f"/api/v1/checkins/{DAY}").get_json()["reactions"]["partner"] == {}
