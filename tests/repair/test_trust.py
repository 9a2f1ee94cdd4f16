"""A repair of broken trust: help offered to both from the start, the hurt partner's
questions over the weeks with the other's answers (no push carries either), and a weekly
"how safe does this feel?" for the weeks the hurt partner chose, theirs alone to answer,
seen by both."""

from datetime import timedelta

import pytest

from couples.notifications import reminders
from tests.factories import PASSWORD, notifications_of
from tests.repair.helpers import (
    START,
    assert_problem,
    call,
    everything,
    sides,
    view,
    walk,
)

QUESTION = {"question": "Were there other nights you told me you were working late?"}
ANSWER = {"answer": "Two, in March. I should have told you myself, and I'm telling you now."}


def open_trust(who, role="apologizing") -> str:
    response = who.post(
        "/api/v1/repairs", json={"title": "The messages", "role": role, "kind": "trust"}
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["kind"] == "trust"
    return response.get_json()["id"]


def test_help_is_offered_to_both_from_the_start(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_trust(alex)
        for who in (alex, sam):
            assert view(who, rid)["signpost"] == {"therapy": True, "danger": False}
        everyday = alex.post("/api/v1/repairs", json={"title": "Dinner", "role": "hurt"})
        assert everyday.get_json()["kind"] == "everyday"
        assert view(sam, everyday.get_json()["id"])["signpost"] is None
        bad = alex.post("/api/v1/repairs", json={"title": "X", "role": "hurt", "kind": "big"})
        assert_problem(bad, 422)


def test_the_hurt_partner_asks_and_the_other_answers_and_no_push_carries_the_words(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_trust(alex)  # Alex apologizes; Sam was hurt
        hurt, sorry = sides(alex, sam, "apologizing")
        # Not before both have begun.
        assert_problem(hurt.post(f"/api/v1/repairs/{rid}/questions", json=QUESTION), 409)
        walk(hurt, sorry, rid, "hearing")
        before = everything(couple.app, alex, sam, rid)
        assert_problem(sorry.post(f"/api/v1/repairs/{rid}/questions", json=QUESTION), 403)
        assert_problem(hurt.post(f"/api/v1/repairs/{rid}/questions", json={"question": " "}), 422)
        assert everything(couple.app, alex, sam, rid) == before
        data = call(hurt, f"{rid}/questions", QUESTION, status=201)
        (asked,) = data["questions"]
        assert (asked["asked_by"], asked["answer"]) == ("me", None)
        seen = view(sorry, rid)["questions"][0]
        assert (seen["asked_by"], seen["question"]) == ("partner", QUESTION["question"])
        url = f"{rid}/questions/{asked['id']}/answer"
        assert_problem(hurt.post(f"/api/v1/repairs/{url}", json=ANSWER), 403)
        answered = call(sorry, url, ANSWER)["questions"][0]
        assert answered["answer"] == ANSWER["answer"]
        assert_problem(sorry.post(f"/api/v1/repairs/{url}", json=ANSWER), 409)
        assert view(hurt, rid)["questions"][0]["answer"] == ANSWER["answer"]
        assert (
            sorry.post(f"/api/v1/repairs/{rid}/questions/nope/answer", json=ANSWER).status_code
            == 404
        )
    told = notifications_of(couple.app, "alex@example.com", "repair_question")
    back = notifications_of(couple.app, "sam@example.com", "repair_question")
    assert [n.title for n in told] == ["Sam asked a question in your repair"]
    assert [n.title for n in back] == ["Alex answered your question"]
    for note in told + back:
        assert "working late" not in note.title + note.body and "March" not in note.body


def test_an_everyday_repair_has_no_questions_or_trust_checkins(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = alex.post(
            "/api/v1/repairs", json={"title": "Dinner", "role": "apologizing"}
        ).get_json()["id"]
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "hearing")
        assert_problem(hurt.post(f"/api/v1/repairs/{rid}/questions", json=QUESTION), 409)
        assert_problem(hurt.put(f"/api/v1/repairs/{rid}/trust-checkins", json={"weeks": 4}), 409)


def test_weekly_trust_checkins_for_the_chosen_weeks_answered_by_the_hurt_partner(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_trust(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "hearing")
        assert_problem(sorry.put(f"/api/v1/repairs/{rid}/trust-checkins", json={"weeks": 4}), 403)
        for bad in ({"weeks": 5}, {"weeks": "4"}, {}, {"weeks": 4.5}):
            assert_problem(hurt.put(f"/api/v1/repairs/{rid}/trust-checkins", json=bad), 422)
        data = hurt.put(f"/api/v1/repairs/{rid}/trust-checkins", json={"weeks": 4.0}).get_json()
        assert data["trust_weeks"] == 4
        assert [c["due_at"] for c in data["trust_checks"]] == [
            (START + timedelta(days=7 * n)).isoformat() for n in range(1, 5)
        ]
        assert_problem(
            hurt.post(f"/api/v1/repairs/{rid}/trust-checkins/1", json={"score": 3}), 409
        )  # not its day yet
    week1 = START + timedelta(days=7)
    with couple.app.app_context():
        reminders.tick(now=week1 - timedelta(seconds=1))
    assert notifications_of(couple.app, "sam@example.com", "trust_checkin") == []
    with couple.app.app_context():
        reminders.tick(now=week1)
        reminders.tick(now=week1 + timedelta(minutes=1))
    (asked,) = notifications_of(couple.app, "sam@example.com", "trust_checkin")
    assert asked.created_at == week1 and asked.url == f"/repairs/{rid}"
    assert notifications_of(couple.app, "alex@example.com", "trust_checkin") == []
    with couple.at(week1) as (alex, sam):
        hurt, sorry = sides(alex, sam, "apologizing")
        url = f"/api/v1/repairs/{rid}/trust-checkins/1"
        assert_problem(sorry.post(url, json={"score": 5}), 403)
        for bad in ({"score": 0}, {"score": 6}, {"score": "3"}, {}):
            assert_problem(hurt.post(url, json=bad), 422)
        assert (
            hurt.post(f"/api/v1/repairs/{rid}/trust-checkins/9", json={"score": 3}).status_code
            == 404
        )
        data = call(hurt, f"{rid}/trust-checkins/1", {"score": 2, "note": "Still checking."})
        assert data["trust_checks"][0]["score"] == 2
        assert_problem(hurt.post(url, json={"score": 3}), 409)
        # Both see it.
        mine = view(sorry, rid)["trust_checks"][0]
        assert (mine["score"], mine["note"]) == (2, "Still checking.")
        # Chosen again: the answered week stays; the rest are planned from now.
        data = hurt.put(f"/api/v1/repairs/{rid}/trust-checkins", json={"weeks": 6}).get_json()
        assert [c["week"] for c in data["trust_checks"]] == [1, 2, 3, 4, 5, 6]
        assert data["trust_checks"][0]["score"] == 2
        assert data["trust_checks"][1]["due_at"] == (week1 + timedelta(days=7)).isoformat()


def test_a_closed_repair_asks_nothing_more(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_trust(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "hearing")
        hurt.put(f"/api/v1/repairs/{rid}/trust-checkins", json={"weeks": 4})
        call(hurt, f"{rid}/close", {})
        assert_problem(hurt.post(f"/api/v1/repairs/{rid}/questions", json=QUESTION), 409)
    with couple.app.app_context():
        reminders.tick(now=START + timedelta(days=8))
    assert notifications_of(couple.app, "sam@example.com", "trust_checkin") == []


@pytest.mark.parametrize("leaving", ["alex@example.com", "sam@example.com"])
def test_the_thread_comes_with_the_export_and_its_words_go_with_the_account(couple, leaving):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_trust(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "hearing")
        qid = call(hurt, f"{rid}/questions", QUESTION, status=201)["questions"][0]["id"]
        call(sorry, f"{rid}/questions/{qid}/answer", ANSWER)
        sams = sam.export().get_json()["repair_trust"]
        alexs = alex.export().get_json()["repair_trust"]
        assert [q["question"] for q in sams["questions_asked"]] == [QUESTION["question"]]
        assert sams["answers_given"] == [] and alexs["questions_asked"] == []
        assert [a["answer"] for a in alexs["answers_given"]] == [ANSWER["answer"]]
        assert QUESTION["question"] not in str(alexs)  # my partner's words are theirs
        gone = alex if leaving == "alex@example.com" else sam
        assert gone.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    from couples.extensions import db
    from couples.repair.models import RepairQuestion

    with couple.app.app_context():
        row = db.session.execute(db.select(RepairQuestion)).scalar_one()
        if leaving == "sam@example.com":
            assert (row.question, row.answer) == ("", ANSWER["answer"])
        else:
            assert (row.question, row.answer) == (QUESTION["question"], None)


def test_the_pages_ask_answer_and_check_in(couple):
    from tests.factories import page, post_form, post_refused

    couple.link()
    with couple.at(START) as (alex, sam):
        made = post_form(
            alex, "/repairs/new", {"title": "The messages", "role": "apologizing", "kind": "trust"}
        )
        assert made.status_code == 302
        rid = made.headers["Location"].rsplit("/", 1)[1]
        url = f"/repairs/{rid}"
        assert view(alex, rid)["kind"] == "trust"
        assert "Rebuilding trust" not in page(alex, url)  # not before both have begun
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "hearing")
        sams, alexs = page(sam, url), page(alex, url)
        assert "Rebuilding trust" in sams and f'action="{url}/questions"' in sams
        assert f'action="{url}/questions"' not in alexs and "No questions yet." in alexs
        assert "couples therapist" in sams.lower() or "therapist" in sams.lower()
        refused = post_refused(sam, f"{url}/questions", {"question": "  "}, url)
        assert "Please fill this in." in refused.get_data(as_text=True)
        post_form(sam, f"{url}/questions", QUESTION)
        alexs = page(alex, url)
        assert QUESTION["question"].replace("'", "&#39;") in alexs and "Your answer" in alexs
        qid = view(alex, rid)["questions"][0]["id"]
        post_form(alex, f"{url}/questions/{qid}/answer", ANSWER)
        assert "Two, in March." in page(sam, url)
        post_form(sam, f"{url}/trust-checkins", {"weeks": "6"})
        assert view(alex, rid)["trust_weeks"] == 6
        assert "Alex will be asked" not in page(alex, url) and "Sam will be asked" in page(
            alex, url
        )
    with couple.at(START + timedelta(days=7)) as (alex, sam):
        sams = page(sam, url)
        assert "Week 1: how safe does this feel now?" in sams
        post_form(sam, f"{url}/trust-checkins/1", {"score": "3", "note": "A bit better."})
        assert "Week 1: 3 of 5" in page(alex, url) and "A bit better." in page(alex, url)


def test_after_unlinking_each_keeps_their_own_questions_or_answers_only(couple):
    from tests.factories import page

    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_trust(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "hearing")
        qid = call(hurt, f"{rid}/questions", QUESTION, status=201)["questions"][0]["id"]
        call(sorry, f"{rid}/questions/{qid}/answer", ANSWER)
        assert alex.delete("/api/v1/couple").status_code == 204
        sams, alexs = page(sam, "/account/words"), page(alex, "/account/words")
        assert "working late" in sams and "Two, in March." not in sams
        assert "Two, in March." in alexs and "working late" not in alexs


def test_refusals_come_in_order_404_409_403_then_422(couple):
    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_trust(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "hearing")
        qid = call(hurt, f"{rid}/questions", QUESTION, status=201)["questions"][0]["id"]
        bad = {"answer": 5}
        assert_problem(sorry.post(f"/api/v1/repairs/{rid}/questions/nope/answer", json=bad), 404)
        assert_problem(hurt.post(f"/api/v1/repairs/{rid}/questions/nope/answer", json=bad), 404)
        url = f"/api/v1/repairs/{rid}/questions/{qid}/answer"
        assert_problem(hurt.post(url, json=bad), 403)
        assert_problem(sorry.post(url, json=bad), 422)
        call(sorry, f"{rid}/questions/{qid}/answer", ANSWER)
        assert_problem(sorry.post(url, json=bad), 409)  # answered: no second answer
        hurt.put(f"/api/v1/repairs/{rid}/trust-checkins", json={"weeks": 4})
        week = f"/api/v1/repairs/{rid}/trust-checkins"
        assert_problem(hurt.post(f"{week}/7", json={"score": "x"}), 404)
        assert_problem(hurt.post(f"{week}/1", json={"score": "x"}), 409)  # not its day yet
        assert_problem(sorry.post(f"{week}/7", json={"score": "x"}), 404)


def test_a_refused_question_or_answer_leaves_the_steps_words_alone(couple):
    from tests.factories import post_refused

    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_trust(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "apology")  # Alex's apology form is open
        qid = call(hurt, f"{rid}/questions", QUESTION, status=201)["questions"][0]["id"]
        url = f"/repairs/{rid}"
        shown = post_refused(alex, f"{url}/questions/{qid}/answer", {"answer": " "}, url)
        html = shown.get_data(as_text=True)
        assert "Please fill this in." in html
        assert ">None<" not in html  # the apology's boxes are not filled from this form
        assert 'name="acknowledgement"' in html


def test_the_weeks_of_trust_go_on_after_the_follow_through_is_done(couple):
    from couples.extensions import db
    from couples.repair.models import Repair
    from tests.factories import page

    couple.link()
    with couple.at(START) as (alex, sam):
        rid = open_trust(alex)
        hurt, sorry = sides(alex, sam, "apologizing")
        walk(hurt, sorry, rid, "hearing")
    with couple.app.app_context():
        db.session.execute(db.update(Repair).values(state="resolved"))
        db.session.commit()
    with couple.at(START) as (alex, sam):
        html = page(sam, f"/repairs/{rid}")
        assert "Repaired" in html and f'action="/repairs/{rid}/questions"' in html
        assert f'action="/repairs/{rid}/trust-checkins"' in html
