"""The attachment self-check: where I lean, in gentle words, one practice a week with a
private "did I try it?", retaken any time, shared with my partner only when I choose."""

from datetime import UTC, date, datetime, timedelta

from couples.grow import selfcheck
from couples.grow.selfcheck import KEYS, LEANS, STATEMENTS, lean_of, practice_for, week_of
from tests.factories import page, post_form

EVENING = datetime(2026, 12, 5, 21, 0, tzinfo=UTC)  # a Saturday


def leaning(lean: str) -> dict[str, int]:
    return {s.key: 5 if s.lean == lean else 2 for s in STATEMENTS}


def test_each_lean_is_found_and_a_tie_goes_to_the_harder_one():
    for lean in LEANS:
        assert lean_of(leaning(lean)) == lean
    assert lean_of({k: 3 for k in KEYS}) == "anxious"
    tie = {s.key: 4 if s.lean in ("avoidant", "secure") else 1 for s in STATEMENTS}
    assert lean_of(tie) == "avoidant"


def test_practices_take_turns_week_by_week_within_a_lean():
    monday = week_of(date(2026, 12, 5))
    assert monday == date(2026, 11, 30)
    for lean in LEANS:
        own = [p for p in selfcheck.PRACTICES if p.lean == lean]
        weeks = [
            practice_for(lean, date.fromordinal(monday.toordinal() + 7 * n))
            for n in range(len(own))
        ]
        assert sorted(p.key for p in weeks) == sorted(p.key for p in own)
    assert practice_for("avoidant", date(2026, 12, 1)) == practice_for("avoidant", monday)


def test_the_self_check_is_mine_until_i_share_where_i_lean(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        assert alex.get("/api/v1/me/self-check").get_json()["check"] is None
        taken = alex.post("/api/v1/me/self-check", json={"answers": leaning("avoidant")})
        assert taken.status_code == 201, taken.get_json()
        state = taken.get_json()
        assert state["check"]["lean"] == "avoidant" and state["check"]["shared"] is False
        assert state["check"]["title"] == "You may lean toward needing room"
        assert state["practice"]["key"] in {
            p.key for p in selfcheck.PRACTICES if p.lean == "avoidant"
        }
        assert state["week"] == "2026-11-30" and state["tried"] is None

        # Sam learns nothing: no lean, no count, not in a page or an export.
        assert sam.get("/api/v1/couple/self-check").status_code == 404
        for path in ("/", "/grow", "/grow/self-check"):
            assert "needing room" not in page(sam, path)
        assert "avoidant" not in sam.export().get_data(as_text=True)

        # Alex shares: Sam reads where Alex leans, in words about what helps; never the answers.
        shared = alex.put("/api/v1/me/self-check/shared", json={"shared": True})
        assert shared.status_code == 200 and shared.get_json()["check"]["shared"] is True
        theirs = sam.get("/api/v1/couple/self-check").get_json()
        assert theirs == {
            "lean": "avoidant",
            "words": selfcheck.PARTNER_WORDS["avoidant"].format(name="Alex"),
        }
        assert "Alex may need room" in page(sam, "/grow")
        # A retake keeps the choice to share; taking it back hides it again.
        alex.post("/api/v1/me/self-check", json={"answers": leaning("secure")})
        assert sam.get("/api/v1/couple/self-check").get_json()["lean"] == "secure"
        alex.put("/api/v1/me/self-check/shared", json={"shared": False})
        assert sam.get("/api/v1/couple/self-check").status_code == 404
        assert "Alex feels mostly steady" not in page(sam, "/grow")


def test_did_i_try_it_is_private_and_answered_once_a_week(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        assert alex.put("/api/v1/me/practice", json={"tried": "yes"}).status_code == 404
        alex.post("/api/v1/me/self-check", json={"answers": leaning("anxious")})
        assert (
            alex.put("/api/v1/me/practice", json={"tried": "not_yet"}).get_json()["tried"]
            == "not_yet"
        )
        assert post_form(alex, "/grow/practice", {"tried": "partly"}).status_code == 302
        assert alex.get("/api/v1/me/self-check").get_json()["tried"] == "partly"
        assert "It'll keep" not in page(alex, "/grow/self-check")
        exported = alex.export().get_json()["grow"]
        assert [w["tried"] for w in exported["practice_weeks"]] == ["partly"]
        assert [c["lean"] for c in exported["self_checks"]] == ["anxious"]
        assert sam.export().get_json()["grow"] == {
            "journal": [],
            "self_checks": [],
            "practice_weeks": [],
            "month_goals": [],
        }
        for bad in ({"tried": "maybe"}, {}, {"tried": True}):
            response = alex.put("/api/v1/me/practice", json=bad)
            assert response.status_code == 422 and response.get_json()["errors"]


def test_a_self_check_with_answers_missing_is_refused_and_kept(couple):
    couple.link()
    with couple.at(EVENING) as (alex, _sam):
        half = dict(list(leaning("secure").items())[:6])
        response = alex.post("/api/v1/me/self-check", json={"answers": half})
        assert response.status_code == 422
        assert set(response.get_json()["errors"]) == {f"answers.{k}" for k in KEYS[6:]}
        for bad in (
            {"answers": {**leaning("secure"), "quiet-worry": 6}},
            {"answers": {**leaning("secure"), "nope": 3}},
        ):
            assert alex.post("/api/v1/me/self-check", json=bad).status_code == 422
        # The page keeps what was chosen and marks only what is missing.
        refused = post_form(alex, "/grow/self-check", {k: str(v) for k, v in half.items()})
        assert refused.status_code == 303
        html = page(alex, refused.headers["Location"])
        assert html.count("Choose how much this is like you.") == 6
        assert html.count("checked") == 6
        assert alex.get("/api/v1/me/self-check").get_json()["check"] is None
        # Answered in full on the page: the result, and this week's practice.
        done = post_form(
            alex, "/grow/self-check", {k: str(v) for k, v in leaning("secure").items()}
        )
        assert done.status_code == 302
        result = page(alex, "/grow/self-check")
        assert "You seem mostly steady" in result and "This week's practice" in result
        assert "isn't a clinical test" in result and "/repairs/help" in result


def test_the_result_and_journal_dates_are_on_my_own_clock(couple):
    couple.link(alex_tz="Pacific/Auckland")
    with couple.at(datetime(2026, 11, 30, 12, 0, tzinfo=UTC)) as (alex, _sam):  # 1 Dec there
        alex.post("/api/v1/me/self-check", json={"answers": leaning("secure")})
        entry = alex.post("/api/v1/me/journal", json={"text": "Early start."}).get_json()
        assert "From your self-check on <time" in page(alex, "/grow/self-check")
        assert ">1 December 2026</time>" in page(alex, "/grow/self-check")
        assert ">1 December 2026</time>" in page(alex, "/grow/journal")
        assert ">Tuesday 1 December 2026</time>" in page(alex, f"/grow/journal/{entry['id']}")


def _run_reminder_ticks(app, until: datetime) -> None:
    """The tick at each reminder instant up to ``until``, as the scheduler runs it."""
    from couples.accounts.models import User
    from couples.extensions import db
    from couples.notifications import reminders

    with app.app_context():
        while True:
            due = db.session.execute(
                db.select(db.func.min(User.next_checkin_reminder_at))
            ).scalar_one()
            if due is None or due > until:
                return
            reminders.tick(now=due)


def test_the_weeks_practice_is_reminded_on_my_monday_evening_until_i_answer(couple):
    from tests.factories import notifications_of

    couple.link(when=datetime(2026, 11, 26, 12, 0, tzinfo=UTC))  # a Thursday
    with couple.at(datetime(2026, 11, 27, 12, 0, tzinfo=UTC)) as (alex, _sam):
        taken = alex.post("/api/v1/me/self-check", json={"answers": leaning("avoidant")})
        assert taken.status_code == 201, taken.get_json()
    # Monday 30 November, 21:00 in New York (the default reminder time): 02:00 UTC.
    monday_evening = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    _run_reminder_ticks(couple.app, monday_evening - timedelta(minutes=1))
    assert notifications_of(couple.app, "alex@example.com", "practice_week") == []
    _run_reminder_ticks(couple.app, monday_evening)
    (reminder,) = notifications_of(couple.app, "alex@example.com", "practice_week")
    assert reminder.created_at == monday_evening and reminder.url == "/grow"
    assert "avoid" not in (reminder.title + reminder.body).lower()  # nothing of the lean
    # Sam took no self-check: no practice, no reminder.
    _run_reminder_ticks(couple.app, datetime(2026, 12, 7, 3, 0, tzinfo=UTC))
    assert notifications_of(couple.app, "sam@example.com", "practice_week") == []
    # Once a week only: the week's other evenings bring none.
    assert len(notifications_of(couple.app, "alex@example.com", "practice_week")) == 1
    # Said already on the Monday morning: no reminder that evening.
    with couple.at(datetime(2026, 12, 7, 15, 0, tzinfo=UTC)) as (alex, _sam):
        assert alex.put("/api/v1/me/practice", json={"tried": "partly"}).status_code == 200
    _run_reminder_ticks(couple.app, datetime(2026, 12, 8, 3, 0, tzinfo=UTC))
    assert len(notifications_of(couple.app, "alex@example.com", "practice_week")) == 1
    # Turned off, none either.
    with couple.at(datetime(2026, 12, 8, 12, 0, tzinfo=UTC)) as (alex, _sam):
        off = {"notifications": {"kinds": {"practice_week": False}}}
        assert alex.patch("/api/v1/me", json=off).status_code == 200
    _run_reminder_ticks(couple.app, datetime(2026, 12, 15, 3, 0, tzinfo=UTC))
    assert len(notifications_of(couple.app, "alex@example.com", "practice_week")) == 1
