"""``GET /api/v1/checkins/today`` keeps its answer while nothing it is drawn from has
changed (``queries.TodayAnswers``): the couple's revision, which the database counts up in
the same transaction as every change to those rows, is in the key. These tests change
each kind of row, every way it can be changed, and check that the next answer is the
one the ORM path gives at that moment; and that a kept answer is only ever its reader's."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from couples.accounts.models import User
from couples.appreciations.models import Appreciation
from couples.checkins.models import Checkin, CheckinAnswer, CustomQuestion
from couples.extensions import db
from couples.lovelanguages.models import LoveProfile
from couples.pairing.models import Couple, CoupleMember
from tests.checkins.test_fast_read import GOOD, _api_today, _counting
from tests.factories import make_couple, make_user

# Saturday the 21st, 14:00 UTC: 09:00 in New York (Alex: the 21st and, until noon, the
# 20th), 14:00 in London (Sam: the 21st).
SATURDAY = datetime(2026, 11, 21, 14, 0, tzinfo=UTC)
# 17:30 UTC: 12:30 in New York, the 20th has closed for Alex.
SATURDAY_AFTERNOON = datetime(2026, 11, 21, 17, 30, tzinfo=UTC)
# Sunday the 22nd, 20:00 UTC: the weekly check-in's day for both.
SUNDAY = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


def _revisions(app) -> dict[int, int]:
    with app.app_context():
        found = dict(db.session.execute(db.select(Couple.id, Couple.revision)).all())
        db.session.remove()
    return found


# ------------------------------------------------------------------- the database counts
def _two_couples(app):
    with app.app_context():
        alex, sam = make_user(email="alex@example.com"), make_user(email="sam@example.com")
        kim, lee = make_user(email="kim@example.com"), make_user(email="lee@example.com")
        ours, theirs = make_couple(alex, sam).couple.id, make_couple(kim, lee).couple.id
        ids = {"alex": alex.id, "sam": sam.id, "ours": ours, "theirs": theirs}
        db.session.remove()
    return ids


def _orm_changes(ids):
    """(what, change) pairs: each changes one row of ours through the ORM."""
    ours, alex, sam = ids["ours"], ids["alex"], ids["sam"]
    day = date(2026, 11, 21)

    def one(model, **where):
        return db.session.execute(db.select(model).filter_by(**where)).scalar_one()

    return [
        ("a check-in is made", lambda: db.session.add(
            Checkin(couple_id=ours, day=day, kind="nightly", questions=[]))),
        ("a check-in is revealed", lambda: setattr(
            one(Checkin, couple_id=ours), "revealed_at", SATURDAY)),
        ("an answer is given", lambda: db.session.add(CheckinAnswer(
            checkin_id=one(Checkin, couple_id=ours).id, user_id=alex, answers=GOOD))),
        ("an answer is changed", lambda: setattr(
            one(CheckinAnswer, user_id=alex), "answers", {**GOOD, "mood": 2})),
        ("a question is added", lambda: db.session.add(
            CustomQuestion(couple_id=ours, type="text", prompt="Anything else?"))),
        ("a question is removed", lambda: setattr(
            one(CustomQuestion, couple_id=ours), "removed_at", SATURDAY)),
        ("an appreciation is sent", lambda: db.session.add(Appreciation(
            couple_id=ours, from_user_id=sam, to_user_id=alex, text="thank you"))),
        ("an appreciation is changed", lambda: setattr(
            one(Appreciation, couple_id=ours), "text", "thank you!")),
        ("a partner ranks the love languages", lambda: db.session.add(LoveProfile(
            user_id=sam, ranking=["touch", "time", "words", "acts", "gifts"],
            source="manual"))),
        ("a partner ranks them again", lambda: setattr(
            one(LoveProfile, user_id=sam), "ranking",
            ["time", "touch", "words", "acts", "gifts"])),
        ("an answer is deleted", lambda: db.session.delete(one(CheckinAnswer, user_id=alex))),
        ("a question is deleted", lambda: db.session.delete(
            one(CustomQuestion, couple_id=ours))),
        ("an appreciation is deleted", lambda: db.session.delete(
            one(Appreciation, couple_id=ours))),
        ("a love profile is deleted", lambda: db.session.delete(one(LoveProfile, user_id=sam))),
        ("a check-in is deleted", lambda: db.session.delete(one(Checkin, couple_id=ours))),
    ]


def test_every_change_to_what_a_couple_shares_counts_its_revision(app):
    """Through the ORM: each insert, update and delete of a check-in, an answer, a
    question of the couple's own, an appreciation or a partner's love profile counts up
    that couple's revision, in the same transaction, and no other couple's."""
    ids = _two_couples(app)
    for what, change in _orm_changes(ids):
        before = _revisions(app)
        with app.app_context():
            change()
            db.session.commit()
        after = _revisions(app)
        assert after[ids["ours"]] > before[ids["ours"]], what
        assert after[ids["theirs"]] == before[ids["theirs"]], what


def test_a_change_made_by_hand_in_sql_counts_too(app):
    """Statements no model sees (an operator's, a one-statement write, a cascade) count
    the revision the same way: the database does the counting."""
    ids = _two_couples(app)
    statements = [
        ("INSERT INTO checkins (couple_id, day, kind, questions, created_at) "
         "VALUES (:ours, '2026-11-21', 'nightly', '[]', '2026-11-21 14:00:00+00')"),
        ("INSERT INTO checkin_answers (checkin_id, user_id, answers, created_at, updated_at) "
         "SELECT id, :alex, '{}', created_at, created_at FROM checkins WHERE couple_id = :ours"),
        "UPDATE checkin_answers SET answers = '{\"mood\": 3}' WHERE user_id = :alex",
        "INSERT INTO appreciations (couple_id, from_user_id, text, created_at) "
        "VALUES (:ours, :sam, 'thanks', '2026-11-21 14:00:00+00')",
        "INSERT INTO love_profiles (user_id, ranking, source, updated_at) "
        "VALUES (:sam, '[\"time\"]', 'manual', '2026-11-21 14:00:00+00')",
        # The check-in's answers go with it (ON DELETE CASCADE).
        "DELETE FROM checkins WHERE couple_id = :ours",
    ]
    for statement in statements:
        before = _revisions(app)
        with app.app_context():
            db.session.execute(text(statement), ids)
            db.session.commit()
        after = _revisions(app)
        assert after[ids["ours"]] > before[ids["ours"]], statement
        assert after[ids["theirs"]] == before[ids["theirs"]], statement
    with app.app_context():
        assert db.session.execute(db.select(CheckinAnswer)).first() is None
    # A row moved from one couple to another counts both.
    before = _revisions(app)
    with app.app_context():
        db.session.execute(text("UPDATE appreciations SET couple_id = :theirs"), ids)
        db.session.commit()
    after = _revisions(app)
    assert after[ids["ours"]] > before[ids["ours"]]
    assert after[ids["theirs"]] > before[ids["theirs"]]


def test_a_change_rolled_back_leaves_the_revision_as_it_was(app):
    ids = _two_couples(app)
    before = _revisions(app)
    with app.app_context():
        db.session.add(Appreciation(couple_id=ids["ours"], from_user_id=ids["sam"],
                                    text="never sent"))
        db.session.flush()
        db.session.rollback()
    assert _revisions(app) == before


# ---------------------------------------------------------------------- the kept answer
def test_an_unchanged_couple_is_answered_from_what_was_kept(couple, monkeypatch):
    """Asked again with nothing changed, the answer is the one kept: no read of tonight's
    check-ins, and on PostgreSQL none folded into the user's read either."""
    couple.link()
    with couple.at(SATURDAY) as (alex, sam):
        assert sam.put("/api/v1/checkins/2026-11-21/answers",
                       json={"answers": GOOD}).status_code == 200
        first = alex.get("/api/v1/checkins/today")
        calls = _counting(monkeypatch)
        again = [alex.get("/api/v1/checkins/today") for _ in range(3)]
    assert all(response.status_code == 200 for response in again)
    assert all(response.get_data() == first.get_data() for response in again)
    assert calls == {"user_read": [False, False, False], "open_read": 0, "edit": 0}


def _check(app, previous: dict | None, response, now, *, changed: bool = True) -> dict:
    """The answer is what the ORM path gives now for Alex; ``changed``: and it is not the
    answer before the change (a kept answer would be)."""
    assert response.status_code == 200
    body = response.get_json()
    _answered, expected = _api_today(app, "alex@example.com", now)
    assert body == expected
    if changed:
        assert body != previous
    return body


def test_every_change_through_the_app_is_in_the_next_answer(couple):
    """Alex asks after each change a couple can make, at the times it matters: the
    partner's answer, my answer and my edit of it (a one-statement write), the couple's
    own questions, the partner's love languages, the reveal, an appreciation, the
    schedule, and the clock passing noon and midnight."""
    app = couple.app
    couple.link()
    with couple.at(SATURDAY) as (alex, sam):
        body = _check(app, None, alex.get("/api/v1/checkins/today"), SATURDAY)
        assert [item["date"] for item in body["items"]] == ["2026-11-21", "2026-11-20"]
        assert alex.get("/api/v1/checkins/today").get_json() == body  # kept

        assert alex.patch("/api/v1/couple", json={"custom_questions": [
            {"type": "text", "prompt": "What made you laugh?"}]}).status_code == 200
        body = _check(app, body, alex.get("/api/v1/checkins/today"), SATURDAY)
        assert body["items"][1]["questions"][-1]["prompt"] == "What made you laugh?"

        assert sam.put("/api/v1/checkins/2026-11-21/answers",
                       json={"answers": GOOD}).status_code == 200
        body = _check(app, body, alex.get("/api/v1/checkins/today"), SATURDAY)
        assert body["items"][0]["partner_answered"] is True

        assert alex.put("/api/v1/checkins/2026-11-20/answers",
                        json={"answers": {**GOOD, "needs_help": "first words"}}
                        ).status_code == 200
        body = _check(app, body, alex.get("/api/v1/checkins/today"), SATURDAY)
        assert body["items"][1]["my_answers"]["needs_help"] == "first words"
        assert body["items"][1]["small_move"]["language"] is None

        assert alex.put("/api/v1/checkins/2026-11-20/answers",
                        json={"answers": {**GOOD, "needs_help": "second words"}}
                        ).status_code == 200
        body = _check(app, body, alex.get("/api/v1/checkins/today"), SATURDAY)
        assert body["items"][1]["my_answers"]["needs_help"] == "second words"

        assert sam.put("/api/v1/love-languages", json={
            "ranking": ["touch", "time", "words", "acts", "gifts"]}).status_code == 200
        body = _check(app, body, alex.get("/api/v1/checkins/today"), SATURDAY)
        assert body["items"][1]["small_move"]["language"] == "touch"

        assert alex.put("/api/v1/checkins/2026-11-21/answers",
                        json={"answers": GOOD}).status_code == 200
        body = _check(app, body, alex.get("/api/v1/checkins/today"), SATURDAY)
        assert body["items"][0]["revealed"] is True
        assert body["days_together_this_month"] == 1

    with couple.at(SATURDAY_AFTERNOON) as (alex, _sam):
        body = _check(app, body, alex.get("/api/v1/checkins/today"), SATURDAY_AFTERNOON)
        assert [item["date"] for item in body["items"]] == ["2026-11-21"]

    with couple.at(SUNDAY) as (alex, sam):
        body = _check(app, body, alex.get("/api/v1/checkins/today"), SUNDAY)
        (weekly,) = body["items"]
        assert weekly["kind"] == "weekly" and weekly["agenda"]["appreciations"] == []
        assert sam.post("/api/v1/appreciations",
                        json={"text": "thanks for the soup"}).status_code == 201
        body = _check(app, body, alex.get("/api/v1/checkins/today"), SUNDAY)
        assert [a["text"] for a in body["items"][0]["agenda"]["appreciations"]] == [
            "thanks for the soup"]

        assert alex.patch("/api/v1/couple", json={"schedule": {"weekly_day": "sat"}}
                           ).status_code == 200
        body = _check(app, body, alex.get("/api/v1/checkins/today"), SUNDAY)
        assert body["items"][0]["kind"] == "nightly"


@pytest.mark.parametrize("kept_first", ["alex", "sam"])
def test_a_kept_answer_is_only_ever_its_readers(couple, kept_first):
    """Alex's answer, with Alex's words in it, is kept; Sam, who has not answered the
    same date, asking at the same moment (before or after Alex), never gets it, nor
    anything of Alex's words."""
    marker = "alex-words-kept-from-sam"
    couple.link()
    with couple.at(SATURDAY) as (alex, sam):
        assert alex.put("/api/v1/checkins/2026-11-21/answers",
                        json={"answers": {**GOOD, "needs_help": marker}}).status_code == 200
        order = (alex, sam) if kept_first == "alex" else (sam, alex)
        for _ in range(2):
            answers = {who: who.get("/api/v1/checkins/today") for who in order}
            assert marker in answers[alex].get_data(as_text=True)
            assert marker not in answers[sam].get_data(as_text=True)
            today = answers[sam].get_json()["items"][0]
            assert today["my_answers"] is None and today["partner_answered"] is True


def test_the_kept_answers_of_one_app_are_not_anothers(make_app, couple):
    """Two apps on different databases may have the same ids and revisions: each keeps
    its own answers."""
    couple.link()
    with couple.at(SATURDAY) as (alex, _sam):
        assert alex.put("/api/v1/checkins/2026-11-21/answers",
                        json={"answers": {**GOOD, "needs_help": "first app"}}
                        ).status_code == 200
        assert "first app" in alex.get("/api/v1/checkins/today").get_data(as_text=True)
    other = make_app(RATELIMIT_ENABLED=False)
    from couples.checkins import queries

    with couple.app.app_context():
        mine = queries.today_answers()
    with other.app_context():
        assert queries.today_answers() is not mine
        assert queries.today_answers().bodies == {}


def test_a_couple_id_used_again_is_another_key(app):
    """The key holds the instant the couple was made: a couple made again with an id
    once used (SQLite reuses the highest) never matches a key of the one before."""
    from couples.checkins import services
    from couples.pairing.services import active_pairing

    with app.app_context():
        alex = make_user(email="alex@example.com")
        sam = make_user(email="sam@example.com")
        first = make_couple(alex, sam, now=SATURDAY)
        key = services.open_checkins_key(pairing=first, now=SATURDAY)
        couple_id = first.couple.id
        db.session.execute(db.delete(CoupleMember).where(CoupleMember.couple_id == couple_id))
        db.session.execute(db.delete(Couple).where(Couple.id == couple_id))
        db.session.commit()
        again = make_couple(db.session.get(User, alex.id), db.session.get(User, sam.id),
                            now=SUNDAY)
        again_pairing = active_pairing(db.session.get(User, alex.id))
        assert again_pairing.couple.revision == first.couple.revision == 0
        assert services.open_checkins_key(pairing=again_pairing, now=SATURDAY) != key
        assert again.couple.created_at != first.couple.created_at


def test_a_writer_holds_the_couples_row_only_while_it_commits(app):
    """PostgreSQL: the revision is counted as the transaction commits (deferred
    triggers), so a transaction that has written an answer and goes on with other work
    does not hold its couple's row meanwhile: a writer that needs the row (an account
    being deleted counts the revision of its couple) never waits for it while the first
    waits for a row of its own, a deadlock. SQLite has one writer at a time; there every
    trigger is in the migrated schema."""
    ids = _two_couples(app)
    with app.app_context():
        engine = db.engine
        postgresql = engine.dialect.name == "postgresql"
        if not postgresql:
            names = set(db.session.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
            db.session.remove()
            assert names == {f"{table}_revision_{event}" for table in (
                "checkins", "checkin_answers", "custom_questions", "appreciations",
                "love_profiles") for event in ("insert", "update", "moved", "delete")}
            return
        checkin = Checkin(couple_id=ids["ours"], day=date(2026, 11, 21), kind="nightly",
                          questions=[])
        db.session.add(checkin)
        db.session.commit()
        checkin_id = checkin.id
        db.session.remove()
    before = _revisions(app)
    with engine.connect() as writer, engine.connect() as other:
        writer.execute(text("INSERT INTO checkin_answers (checkin_id, user_id, answers, "
                            "created_at, updated_at) VALUES (:checkin, :alex, '{}', now(), "
                            "now())"), {"checkin": checkin_id, "alex": ids["alex"]})
        other.execute(text("SET lock_timeout = '2s'"))
        other.execute(text("UPDATE couples SET nightly_days = nightly_days WHERE id = :ours"),
                      ids)  # would time out if the writer held the row
        other.commit()
        assert _revisions(app)[ids["ours"]] == before[ids["ours"]]  # not counted yet
        writer.commit()
    assert _revisions(app)[ids["ours"]] > before[ids["ours"]]
