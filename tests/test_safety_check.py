"""The safety check before words reach the partner: words that suggest the writer may
not be safe are stored for the partner only after the writer has seen where to find
help and chosen to send them; otherwise they may keep them for themselves. The partner
is never told. For the phrases themselves see tests/test_safety.py."""

import html
import logging
from datetime import UTC, datetime, timedelta

import pytest

from couples.checkins.models import CheckinAnswer
from couples.extensions import db
from couples.kept.models import KeptWords
from couples.repair.models import RepairStep
from tests.factories import PASSWORD, notifications_of, page, post_form
from tests.repair.helpers import HEARING, open_repair, step, view, walk

EVENING = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)  # 15:00 in New York, 20:00 in London
DAY = "2026-11-18"
DANGER = "you blocked the door so I couldn't leave"
SAM = "sam@example.com"


@pytest.fixture
def couple(couple):
    return couple.link()


def problem_of(response) -> dict:
    assert response.status_code == 409, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "/problems/safety-check"
    numbers = {
        line["number"] for section in body["resources"]["sections"] for line in section["lines"]
    }
    assert {"112", "911", "999"} <= numbers
    assert body["resources"]["quick_exit"].startswith("https://")
    return body


def count(app, model) -> int:
    with app.app_context():
        return db.session.query(model).count()


def kept(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [(k.source, k.text) for k in db.session.query(KeptWords).order_by(KeptWords.id)]


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


# ---------------------------------------------------------------------------------- API


def test_an_appreciation_with_words_of_danger_waits_until_the_writer_has_seen_help(couple):
    with couple.at(EVENING) as (alex, sam):
        words = "Thank you for staying, even though you pushed me"
        body = problem_of(alex.post("/api/v1/appreciations", json={"text": words}))
        assert body["fields"] == {"text": ["harm"]}
        assert words not in str(body)  # the help, not an echo of the words
        assert alex.get("/api/v1/appreciations").get_json()["items"] == []
        assert sam.get("/api/v1/appreciations").get_json()["items"] == []
        assert notifications_of(couple.app, SAM) == []
        sent = alex.post("/api/v1/appreciations", json={"text": words, "send_anyway": True})
        assert sent.status_code == 201, sent.get_json()
        assert "send_anyway" not in sent.get_json()
        assert [n["text"] for n in sam.get("/api/v1/appreciations").get_json()["items"]] == [words]
        assert [n.kind for n in notifications_of(couple.app, SAM)] == ["appreciation_received"]


def test_everyday_words_are_sent_at_once(couple):
    with couple.at(EVENING) as (alex, _sam):
        sent = alex.post("/api/v1/appreciations", json={"text": "You hit the gym for us, thanks"})
        assert sent.status_code == 201


def test_a_bid_with_words_of_danger_waits_and_one_noticed_in_person_does_not(couple):
    with couple.at(EVENING) as (alex, sam):
        words = "Can we talk about the night you threw my phone against the wall?"
        body = problem_of(alex.post("/api/v1/bids", json={"text": words}))
        assert body["fields"] == {"text": ["harm"]}
        assert sam.get("/api/v1/bids").get_json()["items"] == []
        assert notifications_of(couple.app, SAM) == []
        sent = alex.post("/api/v1/bids", json={"text": words, "send_anyway": True})
        assert sent.status_code == 201
        assert [b["text"] for b in sam.get("/api/v1/bids").get_json()["items"]] == [words]
        # Noticed in person: only the one who logs it ever reads it.
        noticed = {"text": "he pushed me", "noticed": True, "my_response": "away"}
        assert alex.post("/api/v1/bids", json=noticed).status_code == 201


def test_check_in_answers_with_words_of_danger_are_not_saved_until_help_was_seen(couple):
    with couple.at(EVENING) as (alex, sam):
        answers = {"needs_met": 2, "mood": 2, "needs_help": "I need to feel safe at home"}
        url = f"/api/v1/checkins/{DAY}/answers"
        body = problem_of(alex.put(url, json={"answers": answers}))
        assert body["fields"] == {"needs_help": ["fear"]}
        assert count(couple.app, CheckinAnswer) == 0
        item = sam.get("/api/v1/checkins/today").get_json()["items"][0]
        assert item["partner_answered"] is False
        assert notifications_of(couple.app, SAM) == []
        saved = alex.put(url, json={"answers": answers, "send_anyway": True})
        assert saved.status_code == 200, saved.get_json()
        assert saved.get_json()["my_answers"]["needs_help"] == "I need to feel safe at home"


def test_a_repair_step_with_words_of_danger_is_not_taken_until_help_was_seen(couple):
    with couple.at(EVENING) as (alex, sam):
        rid = open_repair(alex)  # Alex apologizes; Sam is hurt
        walk(sam, alex, rid, "hearing")
        hearing = {**HEARING, "when": DANGER}
        response = sam.post(f"/api/v1/repairs/{rid}/steps/hearing", json=hearing)
        body = problem_of(response)
        assert body["fields"] == {"when": ["control"]}
        assert view(sam, rid)["state"] == view(alex, rid)["state"] == "hearing"
        before = count(couple.app, RepairStep)
        assert DANGER not in alex.get(f"/api/v1/repairs/{rid}").get_data(as_text=True)
        data = step(sam, rid, "hearing", {**hearing, "send_anyway": True})
        assert data["state"] == "reflect"
        assert count(couple.app, RepairStep) == before + 1
        with couple.app.app_context():
            payload = db.session.query(RepairStep).order_by(RepairStep.id.desc()).first().payload
        assert "send_anyway" not in payload and payload["when"] == DANGER


def test_a_repair_name_and_a_closing_note_with_words_of_danger_wait_too(couple):
    with couple.at(EVENING) as (alex, sam):
        title = {"title": "The night you pushed me", "role": "hurt"}
        body = problem_of(sam.post("/api/v1/repairs", json=title))
        assert body["fields"] == {"title": ["harm"]}
        assert alex.get("/api/v1/repairs").get_json()["items"] == []
        assert notifications_of(couple.app, "alex@example.com") == []
        opened = sam.post("/api/v1/repairs", json={**title, "send_anyway": True})
        assert opened.status_code == 201
        rid = opened.get_json()["id"]
        note = {"note": "I'm closing this because I'm scared of you"}
        problem_of(sam.post(f"/api/v1/repairs/{rid}/close", json=note))
        assert view(alex, rid)["state"] == "ready"
        assert [n.kind for n in notifications_of(couple.app, "alex@example.com")] == [
            "repair_started"
        ]
        closed = sam.post(f"/api/v1/repairs/{rid}/close", json={**note, "send_anyway": True})
        assert closed.status_code == 200, closed.get_json()
        assert view(alex, rid)["closing_note"] == note["note"]


def test_a_follow_up_note_with_words_of_danger_waits_too(couple):
    with couple.at(EVENING) as (alex, sam):
        rid = open_repair(alex)
        data = walk(sam, alex, rid, "following_through")
        follow_up = data["commitments"][0]["follow_ups"][0]["id"]
    with couple.at(EVENING + timedelta(days=8)) as (alex, sam):
        url = f"/api/v1/repairs/{rid}/follow-ups/{follow_up}"
        answer = {"outcome": "not", "note": "He hit me again on Sunday."}
        assert problem_of(sam.post(url, json=answer))["fields"] == {"note": ["harm"]}
        assert "hit me again" not in alex.get(f"/api/v1/repairs/{rid}").get_data(as_text=True)
        assert "hit me again" not in sam.get(f"/api/v1/repairs/{rid}").get_data(as_text=True)
        sent = sam.post(url, json={**answer, "send_anyway": True})
        assert sent.status_code == 200, sent.get_json()
        assert "hit me again" in sam.get(f"/api/v1/repairs/{rid}").get_data(as_text=True)


def test_the_close_page_shows_help_first(couple):
    with couple.at(EVENING) as (alex, sam):
        rid = open_repair(alex)
        note = {"note": "you threw my phone against the wall"}
        response = post_form(sam, f"/repairs/{rid}/close", note)
        assert response.status_code == 200 and "Before you send this" in text_of(response)
        assert view(alex, rid)["state"] == "ready"
        sent = post_form(sam, f"/repairs/{rid}/close", {**note, "send_anyway": "1"})
        assert sent.status_code == 302
        assert view(alex, rid)["closing_note"] == note["note"]


def test_the_api_document_names_send_anyway_on_every_body_that_reaches_the_partner(api):
    schemas = api.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    for name, schema in schemas.items():
        if name.startswith(
            ("AppreciationIn", "BidIn", "Answers", "HearingIn", "ApologyIn", "PlanIn", "CloseIn")
        ):
            assert schema["properties"]["send_anyway"]["type"] == "boolean", name
    assert any(name.startswith("HearingIn") for name in schemas)


def test_the_words_are_never_logged(couple, caplog):
    caplog.set_level(logging.DEBUG)
    with couple.at(EVENING) as (alex, _sam):
        problem_of(alex.post("/api/v1/appreciations", json={"text": DANGER}))
        alex.post("/api/v1/appreciations", json={"text": DANGER, "send_anyway": True})
    assert "blocked the door" not in caplog.text


# -------------------------------------------------------------------------------- pages


def test_the_appreciation_page_shows_help_first_and_keeps_the_words(couple):
    with couple.at(EVENING) as (alex, sam):
        response = post_form(alex, "/appreciations/new", {"text": DANGER, "language": "time"})
        assert response.status_code == 200
        shown = text_of(response)
        assert "Before you send this" in shown and "data-quick-exit" in shown
        assert "112" in shown and "Only you see this page; Sam is not told." in shown
        assert f">{DANGER}</textarea>" in shown
        assert 'name="language" value="time"' in shown
        assert count(couple.app, KeptWords) == 0
        assert sam.get("/api/v1/appreciations").get_json()["items"] == []
        assert notifications_of(couple.app, SAM) == []
        sent = post_form(
            alex, "/appreciations/new", {"text": DANGER, "language": "time", "send_anyway": "1"}
        )
        assert sent.status_code == 302
        [note] = sam.get("/api/v1/appreciations").get_json()["items"]
        assert (note["text"], note["language"]) == (DANGER, "time")


def test_keep_it_to_myself_keeps_the_words_for_the_writer_alone(couple):
    with couple.at(EVENING) as (alex, sam):
        shown = text_of(post_form(alex, "/appreciations/new", {"text": DANGER}))
        assert 'formaction="/kept"' in shown
        form = {
            "text": DANGER + " (and I'm scared)",
            "kept_field": "text",
            "kept_label": "What you appreciated",
            "kept_source": "an appreciation",
            "kept_next": "/appreciations",
        }
        response = post_form(alex, "/kept", form)
        assert response.status_code == 302 and response.headers["Location"] == "/appreciations"
        assert kept(couple.app) == [
            ("an appreciation", f"What you appreciated\n{DANGER} (and I'm scared)")
        ]
        assert sam.get("/api/v1/appreciations").get_json()["items"] == []
        assert notifications_of(couple.app, SAM) == []
        assert DANGER in text_of(alex.client.get("/kept"))
        assert DANGER not in text_of(sam.client.get("/kept"))
        assert [i["text"] for i in alex.get("/api/v1/kept").get_json()["items"]] == [
            f"What you appreciated\n{DANGER} (and I'm scared)"
        ]
        assert sam.get("/api/v1/kept").get_json()["items"] == []
        [item] = alex.get("/api/v1/kept").get_json()["items"]
        assert post_form(sam, f"/kept/{item['id']}/remove", {}).status_code == 404
        assert post_form(alex, f"/kept/{item['id']}/remove", {}).status_code == 302
        assert kept(couple.app) == []


def test_keeping_goes_back_only_to_a_page_of_this_site(couple):
    with couple.at(EVENING) as (alex, _sam):
        form = {"text": "x", "kept_field": "text", "kept_label": "Words"}
        for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
            response = post_form(alex, "/kept", {**form, "kept_next": target})
            assert response.headers["Location"] == "/kept", target


def test_the_check_in_page_shows_help_first_then_keeps_or_sends(couple):
    with couple.at(EVENING) as (alex, sam):
        form = {"needs_met": "2", "mood": "2", "needs_help": "I'm afraid of him"}
        response = post_form(alex, f"/checkin/{DAY}", form)
        assert response.status_code == 200
        shown = text_of(response)
        assert "Before you send this" in shown and ">I'm afraid of him</textarea>" in shown
        assert 'name="needs_met" value="2"' in shown
        assert count(couple.app, CheckinAnswer) == 0
        kept_form = {
            **form,
            "kept_field": "needs_help",
            "kept_label": "What would help?",
            "kept_source": "check-in answers for 18 November 2026",
            "kept_next": f"/checkin/{DAY}",
        }
        assert post_form(alex, "/kept", kept_form).status_code == 302
        assert count(couple.app, CheckinAnswer) == 0
        assert kept(couple.app)[0][0] == "check-in answers for 18 November 2026"
        sent = post_form(alex, f"/checkin/{DAY}", {**form, "send_anyway": "1"})
        assert sent.status_code == 302
        assert count(couple.app, CheckinAnswer) == 1
        assert sam.get("/api/v1/checkins/today").get_json()["items"][0]["partner_answered"]


def test_the_bid_page_shows_help_first(couple):
    with couple.at(EVENING) as (alex, sam):
        response = post_form(alex, "/bids", {"text": "I need to feel safe at home"})
        assert response.status_code == 200 and "Before you send this" in text_of(response)
        assert sam.get("/api/v1/bids").get_json()["items"] == []
        sent = post_form(alex, "/bids", {"text": "I need to feel safe at home", "send_anyway": "1"})
        assert sent.status_code == 302
        assert len(sam.get("/api/v1/bids").get_json()["items"]) == 1


def test_the_repair_page_shows_help_first_and_sends_the_whole_step_after(couple):
    with couple.at(EVENING) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "hearing")
        form = {
            "feelings": ["scared", "hurt"],
            "i_feel": "scared",
            "when": "you punched the wall next to my head",
            "because": "",
            "i_need": "to feel safe",
            "need_now": "space",
        }
        response = sam.client.post(
            f"/repairs/{rid}/steps/hearing", data={"csrf_token": sam.csrf(), **form}
        )
        assert response.status_code == 200
        shown = text_of(response)
        assert "Before you send this" in shown
        assert ">you punched the wall next to my head</textarea>" in shown
        assert 'name="feelings" value="scared"' in shown
        assert 'name="need_now" value="space"' in shown
        assert view(alex, rid)["state"] == "hearing"
        assert "punched" not in page(alex, f"/repairs/{rid}")
        sent = sam.client.post(
            f"/repairs/{rid}/steps/hearing",
            data={"csrf_token": sam.csrf(), **form, "send_anyway": "1"},
        )
        assert sent.status_code == 302
        data = view(alex, rid)
        assert data["state"] == "reflect"
        assert "punched the wall" in str(data["steps"])


def test_kept_words_come_with_my_export_and_go_with_my_account(couple):
    with couple.at(EVENING) as (alex, sam):
        kept_now = alex.post("/api/v1/kept", json={"source": "a bid", "text": DANGER})
        assert kept_now.status_code == 201
        sam.post("/api/v1/kept", json={"source": "a bid", "text": "Sam's own"})
        exported = alex.export().get_json()
        assert [k["text"] for k in exported["kept"]["kept_words"]] == [DANGER]
        assert "Sam's own" not in str(exported)
        gone = alex.delete("/api/v1/me", json={"password": PASSWORD})
        assert gone.status_code == 204, gone.get_data(as_text=True)
        assert [text for _, text in kept(couple.app)] == ["Sam's own"]


def test_promises_and_plans_with_words_of_danger_wait_until_help_was_seen(couple):
    from couples.grow.models import TogetherPlan
    from couples.repair.models import Commitment

    with couple.at(datetime(2026, 11, 19, 20, 0, tzinfo=UTC)) as (alex, sam):
        promise = {"text": DANGER, "day": "2026-11-20"}
        problem_of(alex.post("/api/v1/couple/promises", json=promise))
        plan = {"text": DANGER, "day": "2026-11-21", "time": "19:00"}
        problem_of(alex.post("/api/v1/couple/plans", json=plan))
        assert count(couple.app, Commitment) == count(couple.app, TogetherPlan) == 0
        made = alex.post("/api/v1/couple/plans", json={**plan, "text": "A walk"}).get_json()
        answer = {"answer": "another_time", "note": DANGER}
        problem_of(sam.post(f"/api/v1/couple/plans/{made['id']}/answer", json=answer))
        assert sam.get(f"/api/v1/couple/plans/{made['id']}").get_json()["answer"] is None
        sent = sam.post(
            f"/api/v1/couple/plans/{made['id']}/answer", json={**answer, "send_anyway": True}
        )
        assert sent.status_code == 200 and sent.get_json()["answer_note"] == DANGER
