"""The check-in pages, used as a partner would on a phone: forms with their CSRF token."""

from datetime import UTC, date, datetime

from sqlalchemy import event

from couples.checkins.models import CheckinAnswer, CustomQuestion
from couples.extensions import db
from tests.checkins.conftest import plant_history
from tests.factories import page
from tests.factories import post_form as post

EVENING = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)  # Wednesday; 15:00 New York, 20:00 London


def test_tonight_for_someone_not_linked_leads_to_linking(app):
    from tests.factories import ApiClient, make_user

    with app.app_context():
        make_user(email="kim@example.com", display_name="Kim")
    kim = ApiClient(app).login("kim@example.com")
    response = kim.client.get("/checkin")
    assert response.status_code == 302
    assert response.headers["Location"] == "/pair"
    html = page(kim, "/pair")
    assert "tonight&#39;s opens once you and your partner are linked" in html


def test_tonight_waiting_and_reveal_as_pages(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        assert "Tonight&#39;s check-in" in page(alex, "/")
        response = alex.client.get("/checkin")
        assert response.status_code == 302
        assert response.headers["Location"] == "/checkin/2026-11-18"
        form = page(alex, "/checkin/2026-11-18")
        assert 'name="needs_met"' in form and 'name="love_languages_felt"' in form
        # A refused form keeps every word and says what is missing.
        # It goes back to its own page (redirect after POST), which shows them, reloaded too.
        response = post(alex, "/checkin/2026-11-18", {"needs_help": "tea in bed", "mood": "4"})
        assert response.status_code == 303
        assert response.headers["Location"] == "/checkin/2026-11-18"
        for _ in range(2):
            html = page(alex, "/checkin/2026-11-18")
            assert "tea in bed" in html and "Please answer this one." in html
        response = post(
            alex,
            "/checkin/2026-11-18",
            {
                "needs_met": "4",
                "mood": "4",
                "needs_help": "tea in bed",
                "love_languages_felt": ["time", "touch"],
                "on_my_mind": "no",
            },
        )
        assert response.status_code == 302
        waiting = page(alex, "/checkin/2026-11-18")
        assert "Waiting for Sam" in waiting and "tea in bed" in waiting
        home = page(sam, "/")
        assert "Alex has answered" in home and "tea in bed" not in home
        sams_form = page(sam, "/checkin/2026-11-18")
        assert "tea in bed" not in sams_form
        response = post(
            sam,
            "/checkin/2026-11-18",
            {"needs_met": "5", "mood": "3", "felt_seen": "the note on the fridge"},
        )
        assert response.status_code == 302
        both = page(alex, "/checkin/2026-11-18")
        assert "the note on the fridge" in both and "tea in bed" in both
        assert "Quality time, Physical touch" in both
        assert "the note on the fridge" in page(alex, "/checkins")


def test_editing_before_the_reveal_keeps_the_answers_in_the_form(couple):
    couple.link()
    with couple.at(EVENING) as (alex, _):
        post(
            alex, "/checkin/2026-11-18", {"needs_met": "2", "mood": "3", "felt_seen": "first draft"}
        )
        form = page(alex, "/checkin/2026-11-18?edit=1")
        assert "first draft" in form and 'value="2" checked' in form
        post(alex, "/checkin/2026-11-18", {"needs_met": "3", "mood": "3", "felt_seen": ""})
    with couple.app.app_context():
        stored = db.session.execute(db.select(CheckinAnswer)).scalar_one().answers
        assert stored["needs_met"] == 3 and stored["felt_seen"] is None


def test_a_form_sent_after_noon_is_refused_calmly_and_keeps_every_word(couple):
    couple.link()
    with couple.at(EVENING) as (alex, _):
        assert alex.client.get("/checkin/2026-11-10").status_code == 404
        assert alex.client.get("/checkin/not-a-date").status_code == 404
        # Yesterday's form, opened in the morning and sent after noon (15:00 in New York).
        response = post(
            alex,
            "/checkin/2026-11-17",
            {"needs_met": "4", "mood": "4", "felt_seen": "the long phone call"},
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 409
        assert "This check-in is closed" in html and "the long phone call" in html
        assert 'value="4" checked' in html
    with couple.app.app_context():
        assert db.session.query(CheckinAnswer).count() == 0


def test_settings_page_adds_and_removes_questions_and_keeps_a_refused_one(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        base = {
            "day-mon": "on",
            "day-tue": "on",
            "day-wed": "on",
            "day-thu": "on",
            "day-fri": "on",
            "weekly_day": "sun",
            "module-needs": "on",
            "module-mood": "on",
        }
        response = post(
            alex,
            "/couple/checkins",
            {
                **base,
                "action": "add",
                "new_prompt": "Tea or coffee?",
                "new_type": "choice",
                "new_options": "",
            },
        )
        assert response.status_code == 303
        assert response.headers["Location"] == "/couple/checkins"
        for _ in range(2):  # the page, then reloaded
            html = page(alex, "/couple/checkins")
            assert 'value="Tea or coffee?"' in html and "A choice needs 2 to 6 options." in html
            assert '<option value="choice" selected>' in html
            assert 'name="day-sat">' in html and 'name="day-mon" checked>' in html
        response = post(
            alex,
            "/couple/checkins",
            {
                **base,
                "action": "add",
                "new_prompt": "Tea or coffee?",
                "new_type": "choice",
                "new_options": "Tea\nCoffee",
            },
        )
        assert response.status_code == 302
        settings = sam.get("/api/v1/couple").get_json()
        assert settings["schedule"] == {
            "nightly_days": ["mon", "tue", "wed", "thu", "fri"],
            "weekly_day": "sun",
        }
        assert settings["modules"] == {
            "needs": True,
            "appreciation": False,
            "love_languages": False,
            "connection": False,
            "mood": True,
            "on_my_mind": False,
            "help": False,
            "question": False,
        }
        [question] = settings["custom_questions"]
        form = page(sam, "/checkin/2026-11-18")
        assert "Tea or coffee?" in form and 'name="felt_seen"' not in form
        response = post(alex, "/couple/checkins", {**base, "action": f"remove-{question['id']}"})
        assert response.status_code == 302
    with couple.app.app_context():
        assert db.session.execute(db.select(CustomQuestion)).scalar_one().removed_at is not None


def _statements(app, who, path) -> int:
    seen = []
    with app.app_context():
        engine = db.engine

    def count(*args):
        seen.append(1)

    if path == "POST /api/v1/me/export":  # a read that asks for the password
        who.csrf()
        read = who.export
    else:
        read = lambda: who.client.get(path)  # noqa: E731
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert read().status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_pages_run_the_same_number_of_queries_for_one_day_or_a_year(couple, make_app):
    """Every list page and every API read (the repairs' are in tests/repair)."""
    couple.link()
    counts = {}
    paths = (
        "/",
        "/checkins",
        "/checkin/2026-11-17",
        "/api/v1/checkins",
        "/api/v1/checkins/today",
        "/api/v1/checkins/2026-11-17",
        "/insights?days=90",
        "/api/v1/insights?days=90",
        "/appreciations",
        "/api/v1/appreciations",
        "/bids",
        "/api/v1/bids",
        "/connect",
        "/notifications",
        "/api/v1/notifications",
        "/settings/notifications",
        "/api/v1/me",
        "/api/v1/couple",
        "/couple",
        "/account",
        "/love-languages",
        "/api/v1/love-languages",
        "POST /api/v1/me/export",
    )
    plant_history(couple.app, 1, end=date(2026, 11, 17))
    with couple.at(datetime(2026, 11, 18, 10, 0, tzinfo=UTC)) as (alex, _):
        counts[1] = [_statements(couple.app, alex, p) for p in paths]
    with couple.app.app_context():
        for table in ("checkin_answers", "checkins", "appreciations", "bids", "notifications"):
            db.session.execute(db.text(f"DELETE FROM {table}"))  # noqa: S608
        db.session.commit()
    plant_history(couple.app, 365, end=date(2026, 11, 17))
    with couple.at(datetime(2026, 11, 18, 10, 0, tzinfo=UTC)) as (alex, _):
        counts[365] = [_statements(couple.app, alex, p) for p in paths]
        assert "a walk together" in alex.client.get("/checkins").get_data(as_text=True)
    assert counts[1] == counts[365], counts


def test_a_hard_day_offers_a_next_step_that_only_starts_when_chosen(couple):
    from couples.bids.models import Bid

    couple.link()
    with couple.at(EVENING) as (alex, sam):
        post(alex, "/checkin/2026-11-18", {"needs_met": "1", "mood": "2"})
        post(sam, "/checkin/2026-11-18", {"needs_met": "4", "mood": "4"})
        html = page(alex, "/checkin/2026-11-18")
        assert "Something to talk about?" in html and "Ask Sam to talk tonight" in html
        with couple.app.app_context():
            assert db.session.query(Bid).count() == 0  # offered, never started for them
        response = post(alex, "/bids", {"preset": "talk_tonight", "text": ""})
        assert response.status_code == 302
    with couple.app.app_context():
        bid = db.session.execute(db.select(Bid)).scalar_one()
        assert bid.preset == "talk_tonight"


def test_a_refused_schedule_is_kept_on_the_settings_page_for_this_browser_only(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        before = sam.get("/api/v1/couple").get_json()["schedule"]
        response = post(
            alex,
            "/couple/checkins",
            {"day-sat": "on", "weekly_day": "funday", "new_prompt": "Who cooks?", "action": "save"},
        )
        assert response.status_code == 303
        assert response.headers["Location"] == "/couple/checkins"
        html = page(alex, "/couple/checkins")
        assert 'id="weekly_day-error"' in html and "Something needs another look." in html
        assert 'value="Who cooks?"' in html and 'name="day-sat" checked>' in html
        # The schedule is as it was, and Sam's page shows it, not Alex's words.
        theirs = page(sam, "/couple/checkins")
        assert "Who cooks?" not in theirs and "another look" not in theirs
        assert sam.get("/api/v1/couple").get_json()["schedule"] == before


def test_the_nightly_label_says_two_minutes_and_the_weekly_one_says_longer(couple):
    couple.link()
    with couple.at(EVENING) as (alex, _sam):
        nightly = page(alex, "/checkin/2026-11-18")
        assert "About two minutes. Private until Sam answers too." in nightly
        assert "Go deeper" in nightly and "Your week together" not in nightly
    sunday = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
    with couple.at(sunday) as (alex, _sam):
        weekly = page(alex, "/checkin/2026-11-22")
        assert "A longer one tonight, about ten minutes: your week together." in weekly
        assert "About two minutes" not in weekly
        assert "Your week together" in weekly and 'name="week_went_well"' in weekly
