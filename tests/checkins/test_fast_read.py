"""Tonight's check-ins read in one statement without an ORM session
(``services.open_checkins``, ``checkins.queries``) give exactly what the ORM path gives, in
every state a partner meets; and a PUT answers with what it wrote, as a read afterwards
would."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import event

from couples.accounts.models import User
from couples.checkins import services
from couples.checkins.models import Checkin, CheckinAnswer
from couples.db import is_read_only
from couples.extensions import db
from couples.pairing.services import active_pairing

# 10:00 UTC on Saturday the 21st: 05:00 in New York (Alex: the 21st and, until noon,
# the 20th), 10:00 in London (Sam: the same two dates).
MORNING = datetime(2026, 11, 21, 10, 0, tzinfo=UTC)
# 20:00 UTC: only the 21st is open for both.
EVENING = datetime(2026, 11, 21, 20, 0, tzinfo=UTC)
GOOD = {"needs_met": 4, "mood": 4}


def _pairing(email: str):
    user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
    return active_pairing(user)


def _plain(views) -> list[dict]:
    return [{**view.__dict__, "revealed": view.revealed} for view in views]


def _both_ways(app, email: str, now: datetime):
    """(fast, orm): what ``open_checkins`` gives in a fresh app context (no session yet,
    so the one-statement read), and what ``today`` plus ``days_together_this_month``
    give through the ORM. The fast one must not have touched the ORM session (the weekly
    agenda included)."""
    with app.app_context():
        user_id = db.session.execute(
            db.select(User.id).filter_by(email=email)).scalar_one()
    from couples.pairing.services import user_and_pairing

    with app.test_request_context("/", method="GET"):
        user, pairing = user_and_pairing(user_id, read_only=True)
        assert not db.session.registry.has()
        statements, stop = _orm_statements(app)
        try:
            views, together = services.open_checkins(pairing=pairing, now=now)
        finally:
            stop()
        assert statements == [], "the fast read went through the ORM"
        assert not db.session.registry.has()
        fast = (_plain(views), together)
    with app.app_context():
        pairing = _pairing(email)
        orm = (_plain(services.today(pairing=pairing, now=now)),
               services.days_together_this_month(pairing=pairing, now=now))
    return fast, orm


def _api_today(app, email: str, now: datetime) -> tuple[dict, dict]:
    """(the answer of GET /api/v1/checkins/today, what ``TodaySchema`` dumps of the ORM
    path's views)."""
    from couples.api.checkins import TodaySchema, checkin_data
    from tests.factories import ApiClient

    with time_machine.travel(now, tick=False):
        response = ApiClient(app).login(email).get("/api/v1/checkins/today")
        assert response.status_code == 200
        assert response.mimetype == "application/json"
        with app.app_context():
            pairing = _pairing(email)
            expected = TodaySchema().dump({
                "items": [checkin_data(v) for v in services.today(pairing=pairing, now=now)],
                "next_cursor": None,
                "days_together_this_month": services.days_together_this_month(
                    pairing=pairing, now=now)})
    return response.get_json(), expected


def _same(app, now):
    for email in ("alex@example.com", "sam@example.com"):
        fast, orm = _both_ways(app, email, now)
        assert fast == orm, email
        answered, expected = _api_today(app, email, now)
        assert answered == expected, email
    return fast


@pytest.mark.parametrize("now", [MORNING, EVENING], ids=["morning", "evening"])
def test_nothing_answered_yet(couple, now):
    couple.link()
    views, together = _same(couple.app, now)
    assert [v["day"] for v in views] == ([date(2026, 11, 21), date(2026, 11, 20)]
                                         if now is MORNING else [date(2026, 11, 21)])
    assert together == 0


def test_partner_answered_and_i_have_not(couple):
    couple.link()
    with couple.at(MORNING) as (alex, sam):
        assert sam.put("/api/v1/checkins/2026-11-21/answers",
                       json={"answers": {**GOOD, "needs_help": "a slow breakfast"}}
                       ).status_code == 200
    views, _ = _same(couple.app, MORNING)
    assert views[0]["partner_answered"] is False  # Sam's own view: waiting for Alex
    alex_fast, _ = _both_ways(couple.app, "alex@example.com", MORNING)
    assert alex_fast[0][0]["partner_answered"] is True
    assert alex_fast[0][0]["partner_answers"] is None
    assert "a slow breakfast" not in repr(alex_fast)


@pytest.mark.parametrize("profile", [None, ["touch", "time", "words", "acts", "gifts"]],
                         ids=["no-profile", "profile"])
def test_waiting_for_the_partner_brings_a_small_move(couple, profile):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        if profile:
            assert sam.put("/api/v1/love-languages", json={"ranking": profile}).status_code == 200
        assert alex.put("/api/v1/checkins/2026-11-21/answers",
                        json={"answers": GOOD}).status_code == 200
    fast, orm = _both_ways(couple.app, "alex@example.com", EVENING)
    assert fast == orm
    move = fast[0][0]["small_move"]
    assert move is not None and move["language"] == (profile[0] if profile else None)


def test_revealed_both_ways_and_counted_this_month(couple):
    couple.link()
    for day, instant in (("2026-11-02", datetime(2026, 11, 2, 20, tzinfo=UTC)),
                         ("2026-10-31", datetime(2026, 10, 31, 20, tzinfo=UTC)),
                         ("2026-11-21", EVENING)):
        with couple.at(instant) as (alex, sam):
            assert alex.put(f"/api/v1/checkins/{day}/answers",
                            json={"answers": {"needs_met": 1, "mood": 2}}).status_code == 200
            assert sam.put(f"/api/v1/checkins/{day}/answers",
                           json={"answers": {**GOOD, "on_my_mind": True,
                                             "on_my_mind_text": "the move"}}
                           ).status_code == 200
    views, together = _same(couple.app, EVENING)
    assert together == 2  # the 2nd and the 21st; October is another month
    assert views[0]["revealed"] is True and views[0]["partner_answers"]
    assert views[0]["next_steps"]


def test_the_couples_own_questions_and_modules_off(couple):
    couple.link()
    with couple.at(MORNING) as (alex, sam):
        response = alex.patch("/api/v1/couple", json={
            "modules": {"question": False, "love_languages": False},
            "custom_questions": [
                {"type": "text", "prompt": "What made you laugh?"},
                {"type": "scale", "prompt": "How rested are you?"},
                {"type": "choice", "prompt": "Dinner?", "options": ["in", "out"]},
                {"type": "text", "prompt": "Removed soon"}]})
        assert response.status_code == 200, response.get_json()
        kept = [q for q in response.get_json()["custom_questions"]
                if q["prompt"] != "Removed soon"]
        assert alex.patch("/api/v1/couple", json={"custom_questions": [
            {"id": q["id"], "prompt": q["prompt"]} for q in kept]}).status_code == 200
        # Today's check-in is made (its questions fixed); yesterday's is built live.
        assert sam.put("/api/v1/checkins/2026-11-21/answers",
                       json={"answers": GOOD}).status_code == 200
    views, _ = _same(couple.app, MORNING)
    live = views[1]
    prompts = [q["prompt"] for q in live["questions"]]
    assert prompts[-3:] == ["What made you laugh?", "How rested are you?", "Dinner?"]
    assert "Removed soon" not in prompts
    assert not any(q["key"] == "question" for q in live["questions"])


def test_a_day_outside_the_schedule_and_the_weekly_day(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        # Saturday the 21st becomes the weekly day; an appreciation goes on its agenda.
        assert alex.patch("/api/v1/couple", json={"schedule": {
            "nightly_days": ["mon", "tue"], "weekly_day": "sat"}}).status_code == 200
        assert sam.post("/api/v1/appreciations",
                        json={"text": "you fixed the bike"}).status_code == 201
    views, _ = _same(couple.app, EVENING)
    assert views[0]["kind"] == "weekly"
    assert views[0]["agenda"]["appreciations"]
    with couple.at(MORNING) as (alex, _sam):
        assert alex.patch("/api/v1/couple", json={"schedule": {
            "nightly_days": ["mon"], "weekly_day": None}}).status_code == 200
    views, _ = _same(couple.app, MORNING)
    assert views == []  # neither Saturday nor Friday has a check-in now


def test_an_outsider_couple_never_shows(couple):
    """The statement is bound to the couple: another couple's answers on the same dates
    never come into it."""
    from tests.factories import make_couple, make_user

    couple.link()
    with time_machine.travel(EVENING, tick=False), couple.app.app_context():
        make_couple(make_user(email="kim@example.com"), make_user(email="lee@example.com"))
    from tests.factories import ApiClient

    with time_machine.travel(EVENING, tick=False):
        kim = ApiClient(couple.app).login("kim@example.com")
        assert kim.put("/api/v1/checkins/2026-11-21/answers",
                       json={"answers": {**GOOD, "needs_help": "kim's marker"}}
                       ).status_code == 200
    fast = _same(couple.app, EVENING)
    assert "kim's marker" not in repr(fast)
    assert fast[0][0]["partner_answered"] is False


# ------------------------------------------------------------------ the PUT's answer
def _put_then_get(client, day: str, answers: dict) -> tuple[dict, dict]:
    response = client.put(f"/api/v1/checkins/{day}/answers", json={"answers": answers})
    assert response.status_code == 200, response.get_json()
    again = client.get(f"/api/v1/checkins/{day}")
    assert again.status_code == 200
    return response.get_json(), again.get_json()


def test_a_put_answers_what_a_read_afterwards_gives(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        assert sam.put("/api/v1/love-languages", json={
            "ranking": ["gifts", "time", "words", "acts", "touch"]}).status_code == 200
        first, read = _put_then_get(alex, "2026-11-21", {**GOOD, "needs_help": "tea"})
        assert first == read and first["small_move"]["language"] == "gifts"
        edit, read = _put_then_get(alex, "2026-11-21", {**GOOD, "needs_help": "coffee"})
        assert edit == read and edit["my_answers"]["needs_help"] == "coffee"
        reveal, read = _put_then_get(sam, "2026-11-21", {"needs_met": 2, "mood": 3})
        assert reveal == read and reveal["revealed"] is True
        assert reveal["partner_answers"]["needs_help"] == "coffee"


def _logged(app, act) -> list[str]:
    """What ``act()`` ran through SQLAlchemy: transactions begun (read-only or not),
    commits, and each statement's first word (" users" when it reads the users)."""
    log: list[str] = []

    def on_begin(conn):
        log.append("BEGIN read" if is_read_only() else "BEGIN")

    def on_commit(conn):
        log.append("COMMIT")

    def on_statement(_conn, _cursor, statement, *_args):
        log.append("sql " + statement.split()[0]
                   + (" users" if "FROM users" in statement else ""))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "begin", on_begin)
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "before_cursor_execute", on_statement)
    try:
        act()
    finally:
        event.remove(engine, "begin", on_begin)
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "before_cursor_execute", on_statement)
    return log


def _one_write_transaction(log: list[str], statement: str) -> None:
    """One write transaction, with ``statement`` in it and no read of the users; after
    its commit nothing more is read."""
    writes = [i for i, entry in enumerate(log) if entry == "BEGIN"]
    assert len(writes) == 1, log
    commit = log.index("COMMIT")
    inside = log[writes[0]:commit]
    assert f"sql {statement}" in inside, log
    assert not any(entry.endswith(" users") for entry in inside), log
    # After the commit nothing more: the partner's love profile (the small move in the
    # answer) came with the check before the write.
    assert not [entry for entry in log[commit + 1:] if entry.startswith("sql")], log


def test_a_first_answer_takes_the_write_lock_once_and_only_to_write(couple):
    """The user is loaded before the write transaction begins, the 404/409 checks read
    outside it, and after the commit nothing is read again: one write transaction per
    PUT, in which the user is not read."""
    couple.link()
    app = couple.app
    with couple.at(EVENING) as (alex, _sam):
        log = _logged(app, lambda: _expect(alex.put(
            "/api/v1/checkins/2026-11-21/answers", json={"answers": GOOD}), 200))
    _one_write_transaction(log, "INSERT")
    with app.app_context():
        assert db.session.query(Checkin).count() == 1


def test_an_edit_is_one_statement(couple, monkeypatch):
    """Replacing my answers to a check-in my partner has not answered: one statement,
    its own transaction, nothing through the ORM. Saved and shown."""
    couple.link()
    app = couple.app
    with couple.at(EVENING) as (alex, _sam):
        first = alex.put("/api/v1/checkins/2026-11-21/answers",
                         json={"answers": {**GOOD, "needs_help": "first words"}})
        assert first.status_code == 200
        calls = _counting(monkeypatch)
        responses = []
        log = _logged(app, lambda: responses.append(alex.put(
            "/api/v1/checkins/2026-11-21/answers",
            json={"answers": {**GOOD, "needs_help": "second words"}})))
        monkeypatch.undo()
        again = alex.get("/api/v1/checkins/2026-11-21").get_json()
    edited = _expect(responses[0], 200)
    assert edited["my_answers"]["needs_help"] == "second words" == again["my_answers"]["needs_help"]
    assert {k: v for k, v in edited.items() if k != "my_answers"} == {
        k: v for k, v in first.get_json().items() if k != "my_answers"}
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
        kept = db.session.execute(db.select(CheckinAnswer.answers)).scalars().all()
    assert [answers["needs_help"] for answers in kept] == ["second words"]
    assert log == [], log
    if postgresql:  # the check-in read with the user
        assert calls == {"user_read": [True], "open_read": 0, "edit": 1}
    else:
        assert calls == {"user_read": [False], "open_read": 1, "edit": 1}


def test_invalid_answers_to_an_edit_change_nothing(couple, monkeypatch):
    """An edit with answers that don't fit the questions: 422 with the field, and the
    answers kept are the earlier ones: nothing is written at all."""
    couple.link()
    with couple.at(EVENING) as (alex, _sam):
        assert alex.put("/api/v1/checkins/2026-11-21/answers",
                        json={"answers": {**GOOD, "needs_help": "kept"}}).status_code == 200
        calls = _counting(monkeypatch)
        refused = alex.put("/api/v1/checkins/2026-11-21/answers",
                           json={"answers": {**GOOD, "mood": 99, "needs_help": "lost?"}})
        monkeypatch.undo()
        again = alex.get("/api/v1/checkins/2026-11-21").get_json()
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert list(refused.get_json()["errors"]) == ["answers.mood"]
    assert again["my_answers"]["needs_help"] == "kept" and again["my_answers"]["mood"] == 4
    assert calls["edit"] == 0


def _expect(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_questions_as_json_the_same_both_ways(couple):
    """With a session already there (the ORM path) as without (the one statement), the
    questions as JSON text decode to the questions the ORM path gives; a date whose
    check-in exists and one built live."""
    import json

    couple.link()
    with couple.at(MORNING) as (_alex, sam):
        assert sam.put("/api/v1/checkins/2026-11-21/answers",
                       json={"answers": GOOD}).status_code == 200
    app = couple.app
    with app.app_context():
        user_id = _pairing("alex@example.com").me.id
        expected = [v.questions for v in services.today(
            pairing=_pairing("alex@example.com"), now=MORNING)]
    from couples.pairing.services import user_and_pairing

    for with_session in (False, True):
        with app.test_request_context("/", method="GET"):
            if with_session:
                db.session.execute(db.select(User.id).limit(1)).all()
            _user, pairing = user_and_pairing(user_id, read_only=True)
            views, _ = services.open_checkins(pairing=pairing, now=MORNING,
                                              questions_as_json=True)
            assert [v.questions for v in views] == [[], []]
            assert [json.loads(v.questions_json) for v in views] == expected, with_session


# ------------------------------------------------- read along with the user (PostgreSQL)
def _forget_kept_answers(app) -> None:
    """Forget the answers of GET today kept so far (``queries.TodayAnswers``), as a
    process that never answered would start: the next request reads."""
    from couples.checkins import queries as checkin_queries

    with app.app_context():
        checkin_queries.today_answers().clear()


def _counting(monkeypatch):
    """Count the raw reads: the user loader's (whether the open check-ins were folded
    into it), the open check-ins' own, and the one-statement edits of answers."""
    from couples.checkins import queries as checkin_queries
    from couples.db import fetch_raw, write_raw
    from couples.pairing import queries as pairing_queries

    calls = {"user_read": [], "open_read": 0, "edit": 0}

    def user_read(engine, statement, values):
        calls["user_read"].append("checkins" in statement.sql)  # the open check-ins folded in
        return fetch_raw(engine, statement, values)

    def open_read(engine, statement, values):
        calls["open_read"] += 1
        return fetch_raw(engine, statement, values)

    def edit(engine, statement, values):
        calls["edit"] += 1
        return write_raw(engine, statement, values)

    monkeypatch.setattr(pairing_queries, "fetch_raw", user_read)
    monkeypatch.setattr(checkin_queries, "fetch_raw", open_read)
    monkeypatch.setattr(checkin_queries, "write_raw", edit)
    return calls


def test_tonight_travels_with_the_users_read_on_postgresql(couple, monkeypatch):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        assert sam.put("/api/v1/checkins/2026-11-21/answers",
                       json={"answers": {**GOOD, "needs_help": "sam's words"}}
                       ).status_code == 200
        first = alex.get("/api/v1/checkins/today").get_json()  # learns Alex's couple
        _forget_kept_answers(couple.app)
        calls = _counting(monkeypatch)
        again = alex.get("/api/v1/checkins/today").get_json()
    assert again == first
    with couple.app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:  # one round trip: one statement for both reads, nothing after
        assert calls == {"user_read": [True], "open_read": 0, "edit": 0}
    else:  # SQLite has no round trip to save: the two reads, one after the other
        assert calls == {"user_read": [False], "open_read": 1, "edit": 0}


def test_every_row_read_along_comes_back_once(couple, monkeypatch):
    """Read along with the user, each kind of row at once (an answered check-in, a date
    built live from the couple's own questions, the count of the month and the partner's
    ranking): the answer is the ORM path's, every row once, and nothing is read again."""
    couple.link()
    with couple.at(datetime(2026, 11, 2, 20, tzinfo=UTC)) as (alex, sam):
        for partner in (alex, sam):
            assert partner.put("/api/v1/checkins/2026-11-02/answers",
                               json={"answers": GOOD}).status_code == 200
    with couple.at(MORNING) as (alex, sam):
        assert alex.patch("/api/v1/couple", json={"custom_questions": [
            {"type": "text", "prompt": "What made you laugh?"},
            {"type": "choice", "prompt": "Dinner?", "options": ["in", "out"]}]}
        ).status_code == 200
        assert sam.put("/api/v1/love-languages", json={
            "ranking": ["touch", "time", "words", "acts", "gifts"]}).status_code == 200
        assert alex.put("/api/v1/checkins/2026-11-21/answers",
                        json={"answers": GOOD}).status_code == 200
        first = alex.get("/api/v1/checkins/today").get_json()  # learns Alex's couple
        _forget_kept_answers(couple.app)
        calls = _counting(monkeypatch)
        again = alex.get("/api/v1/checkins/today").get_json()
    monkeypatch.undo()
    _answered, expected = _api_today(couple.app, "alex@example.com", MORNING)
    assert again == first == expected
    assert again["days_together_this_month"] == 1
    today, yesterday = again["items"]
    assert today["small_move"]["language"] == "touch"
    assert [q["prompt"] for q in yesterday["questions"]][-2:] == ["What made you laugh?",
                                                                  "Dinner?"]
    with couple.app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    assert calls == ({"user_read": [True], "open_read": 0, "edit": 0} if postgresql
                     else {"user_read": [False], "open_read": 1, "edit": 0})


def test_the_read_along_is_guessed_only_where_it_travels(couple, monkeypatch):
    """Guessing tonight's read costs a little: on SQLite, where it would not travel with
    the user's read, it is never guessed."""
    couple.link()
    adapter = couple.app.url_map.bind("localhost")
    endpoint, _args = adapter.match("/api/v1/checkins/today")
    view = couple.app.view_functions[endpoint]
    guessed = []

    def guess(user_id):
        guessed.append(user_id)
        return original(user_id)

    original = view.read_along
    monkeypatch.setattr(view, "read_along", guess)
    with couple.at(EVENING) as (alex, _sam):
        for _ in range(2):
            assert alex.get("/api/v1/checkins/today").status_code == 200
    with couple.app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    assert len(guessed) == (2 if postgresql else 0)


def test_a_wrong_guess_is_never_used(couple, monkeypatch):
    """The rows read along are used only for exactly the couple, partner and dates the
    request then asks for: guessed from another couple, they are read again."""
    from couples.checkins import queries as checkin_queries
    from tests.factories import ApiClient, make_couple, make_user

    couple.link()
    with time_machine.travel(EVENING, tick=False), couple.app.app_context():
        other = make_couple(make_user(email="kim@example.com"),
                            make_user(email="lee@example.com"))
        other_ids = (other.couple.id, other.partner.id)
    with time_machine.travel(EVENING, tick=False):
        kim = ApiClient(couple.app).login("kim@example.com")
        assert kim.put("/api/v1/checkins/2026-11-21/answers",
                       json={"answers": {**GOOD, "needs_help": "kim's marker"}}
                       ).status_code == 200
    with couple.at(EVENING) as (alex, _sam):
        alex.get("/api/v1/checkins/today")
        with couple.app.app_context():
            alex_id = _pairing("alex@example.com").me.id
        checkin_queries._GUESSES[alex_id] = (*other_ids, "America/New_York", 6)
        _forget_kept_answers(couple.app)
        calls = _counting(monkeypatch)
        response = alex.get("/api/v1/checkins/today")
    assert response.status_code == 200
    assert "kim's marker" not in response.get_data(as_text=True)
    assert response.get_json()["items"][0]["partner_answered"] is False
    assert calls["open_read"] == 1  # the guess was wrong: read again for Alex's couple


def test_a_put_of_answers_reads_its_date_with_the_user_on_postgresql(couple, monkeypatch):
    """The PUT's checks before its write read the date's check-in with the user's own
    statement on PostgreSQL; the answer is what the two reads one after the other give."""
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        assert sam.put("/api/v1/checkins/2026-11-21/answers",
                       json={"answers": {**GOOD, "needs_help": "sam's words"}}
                       ).status_code == 200
        assert alex.put("/api/v1/checkins/2026-11-21/answers",
                        json={"answers": GOOD}).status_code == 200  # learns Alex's couple
        calls = _counting(monkeypatch)
        folded = alex.put("/api/v1/checkins/2026-11-21/answers",
                          json={"answers": {**GOOD, "mood": 5}})
        monkeypatch.undo()
        revealed = alex.get("/api/v1/checkins/2026-11-21")
    assert folded.status_code == 409  # revealed by Alex's first answer: no edit now
    assert revealed.get_json()["my_answers"]["mood"] == 4
    with couple.app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    if postgresql:
        assert calls == {"user_read": [True], "open_read": 0, "edit": 0}
    else:
        assert calls == {"user_read": [False], "open_read": 1, "edit": 0}


def test_a_put_to_a_path_that_is_no_date_reads_nothing_along(couple, monkeypatch):
    couple.link()
    with couple.at(EVENING) as (alex, _sam):
        assert alex.put("/api/v1/checkins/2026-11-21/answers",
                        json={"answers": GOOD}).status_code == 200
        calls = _counting(monkeypatch)
        response = alex.put("/api/v1/checkins/2026-13-45/answers", json={"answers": GOOD})
    assert response.status_code == 404
    assert calls == {"user_read": [False], "open_read": 0, "edit": 0}


# ------------------------------------------- the weekly check-in's agenda, read along too
# Sunday the 22nd, the default weekly day: 15:00 in New York (Alex), 20:00 in London (Sam).
SUNDAY_EVENING = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


def _orm_statements(app):
    """Every statement the ORM sends until the returned function is called (the reads
    without a session are not among them)."""
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    return statements, lambda: event.remove(engine, "before_cursor_execute", count)


def _a_week_to_talk_about(couple):
    """The 18th answered by both, the 19th by Alex alone (never shown to Sam), and two
    appreciations from Sam on the 16th in UTC: one before the week begins in New York
    (05:00 UTC), after it began in London, and one as it begins in New York."""
    couple.link()
    with couple.at(datetime(2026, 11, 16, 4, 59, 59, tzinfo=UTC)) as (_alex, sam):
        assert sam.post("/api/v1/appreciations",
                        json={"text": "sam-thanks-early"}).status_code == 201
    with couple.at(datetime(2026, 11, 16, 5, 0, tzinfo=UTC)) as (_alex, sam):
        assert sam.post("/api/v1/appreciations",
                        json={"text": "sam-thanks-on-time"}).status_code == 201
    with couple.at(datetime(2026, 11, 18, 20, 0, tzinfo=UTC)) as (alex, sam):
        for who, words in ((alex, "alex-help-18"), (sam, "sam-help-18")):
            assert who.put("/api/v1/checkins/2026-11-18/answers", json={"answers": {
                **GOOD, "needs_help": words}}).status_code == 200
    with couple.at(datetime(2026, 11, 19, 20, 0, tzinfo=UTC)) as (alex, _sam):
        assert alex.put("/api/v1/checkins/2026-11-19/answers", json={"answers": {
            **GOOD, "on_my_mind": True, "on_my_mind_text": "alex-mind-19"}}).status_code == 200


def test_the_weekly_agenda_comes_with_tonight_in_one_statement(couple, monkeypatch):
    """On the weekly day the agenda is read in the same statement as the rest (on
    PostgreSQL, the user's own), in the reader's time zone, with nothing through the ORM;
    what it shows is what the ORM path shows, and the partner's answers to a check-in I
    never answered are in no answer of mine."""
    _a_week_to_talk_about(couple)
    app = couple.app
    seen = {}
    with couple.at(SUNDAY_EVENING) as (alex, sam):
        for name, who in (("alex", alex), ("sam", sam)):
            first = who.get("/api/v1/checkins/today")  # learns their couple and zone
            _forget_kept_answers(app)
            calls = _counting(monkeypatch)
            statements, stop = _orm_statements(app)
            again = who.get("/api/v1/checkins/today")
            stop()
            monkeypatch.undo()
            assert statements == [], name
            with app.app_context():
                postgresql = db.engine.dialect.name == "postgresql"
            assert calls == ({"user_read": [True], "open_read": 0, "edit": 0} if postgresql
                             else {"user_read": [False], "open_read": 1, "edit": 0}), name
            assert again.get_json() == first.get_json()
            seen[name] = again
    for name in ("alex", "sam"):
        _answered, expected = _api_today(app, f"{name}@example.com", SUNDAY_EVENING)
        assert seen[name].get_json() == expected, name
    alex_item, = seen["alex"].get_json()["items"]
    sam_item, = seen["sam"].get_json()["items"]
    assert alex_item["kind"] == sam_item["kind"] == "weekly"
    assert [a["text"] for a in alex_item["agenda"]["appreciations"]] == ["sam-thanks-on-time"]
    assert [a["text"] for a in sam_item["agenda"]["appreciations"]] == [
        "sam-thanks-early", "sam-thanks-on-time"]
    assert alex_item["agenda"]["on_my_mind"] == [
        {"date": "2026-11-19", "who": "me", "text": "alex-mind-19"}]
    assert sam_item["agenda"]["on_my_mind"] == []
    assert "alex-mind-19" not in seen["sam"].get_data(as_text=True)
    assert sorted((a["date"], a["who"], a["text"]) for a in sam_item["agenda"]["would_help"]
                  ) == [("2026-11-18", "me", "sam-help-18"),
                        ("2026-11-18", "partner", "alex-help-18")]


def test_an_edit_on_the_weekly_day_answers_with_the_agenda_read_along(couple, monkeypatch):
    _a_week_to_talk_about(couple)
    answers = {**GOOD, "week_needs_met": 7}
    with couple.at(SUNDAY_EVENING) as (alex, _sam):
        assert alex.put("/api/v1/checkins/2026-11-22/answers",
                        json={"answers": answers}).status_code == 200
        today = alex.get("/api/v1/checkins/today").get_json()["items"][0]
        calls = _counting(monkeypatch)
        statements, stop = _orm_statements(couple.app)
        edited = alex.put("/api/v1/checkins/2026-11-22/answers",
                          json={"answers": {**answers, "week_needs_met": 8}})
        stop()
        monkeypatch.undo()
    assert edited.status_code == 200
    assert edited.get_json()["my_answers"]["week_needs_met"] == 8
    assert edited.get_json()["agenda"] == today["agenda"]
    assert [a["text"] for a in today["agenda"]["appreciations"]] == ["sam-thanks-on-time"]
    assert statements == []  # the edit is one statement; the agenda came with the user
    with couple.app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    assert calls == ({"user_read": [True], "open_read": 0, "edit": 1} if postgresql
                     else {"user_read": [False], "open_read": 1, "edit": 1})


def test_a_weekly_check_in_off_the_schedule_still_gets_its_agenda(couple):
    """A weekly check-in made on Saturday, the weekly day then, keeps its kind when the
    schedule moves the weekly day to Sunday: its agenda is read through the ORM, and is
    the same."""
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        assert alex.patch("/api/v1/couple", json={"schedule": {
            "weekly_day": "sat"}}).status_code == 200
        assert sam.post("/api/v1/appreciations", json={"text": "sam-thanks"}).status_code == 201
        assert sam.put("/api/v1/checkins/2026-11-21/answers", json={"answers": {
            **GOOD, "week_needs_met": 6}}).status_code == 200
        assert alex.patch("/api/v1/couple", json={"schedule": {
            "weekly_day": "sun"}}).status_code == 200
        alex.get("/api/v1/checkins/today")
        answered = alex.get("/api/v1/checkins/today").get_json()
    _answered, expected = _api_today(couple.app, "alex@example.com", EVENING)
    assert answered == expected
    item, = answered["items"]
    assert item["kind"] == "weekly" and item["partner_answered"] is True
    assert [a["text"] for a in item["agenda"]["appreciations"]] == ["sam-thanks"]
