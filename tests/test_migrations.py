"""`flask db upgrade` from an empty database, then `flask db check`: no difference."""

import json
import uuid

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, run_flask


def _fresh_database(tmp_path):
    """An empty database of the kind the suite runs on; a function that drops it."""
    if not PG_URL:
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}", lambda: None
    name = f"couples_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), drop


def _couple_with_a_checkin(engine, *, ended: bool = False) -> None:
    """A couple (ended a day later, when ``ended``) with one check-in, written as rows
    the schema of the revision in place accepts."""
    with engine.begin() as conn:
        couple_id = conn.execute(
            text(
                "INSERT INTO couples (created_at, ended_at) VALUES "
                "('2026-11-21 20:00:00+00', :ended) RETURNING id"
            ),
            {"ended": "2026-11-22 20:00:00+00" if ended else None},
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO checkins (couple_id, day, kind, questions, created_at) "
                "VALUES (:couple, '2026-11-21', 'nightly', '[]', '2026-11-21 20:00:00+00')"
            ),
            {"couple": couple_id},
        )


def test_upgrade_from_empty_then_check_reports_no_difference(tmp_path):
    url, drop = _fresh_database(tmp_path)
    env = {"COUPLES_SQLALCHEMY_DATABASE_URI": url, "COUPLES_INSTANCE_PATH": str(tmp_path)}
    try:
        upgrade = run_flask(["db", "upgrade"], env)
        assert upgrade.returncode == 0, upgrade.stderr
        check = run_flask(["db", "check"], env)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "No new upgrade operations detected" in check.stdout + check.stderr
    finally:
        drop()


def test_downgrade_to_base_and_upgrade_again(tmp_path):
    url, drop = _fresh_database(tmp_path)
    env = {"COUPLES_SQLALCHEMY_DATABASE_URI": url, "COUPLES_INSTANCE_PATH": str(tmp_path)}
    try:
        for command in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
            result = run_flask(command, env)
            assert result.returncode == 0, (command, result.stderr)
    finally:
        drop()


def test_dropping_the_revision_keeps_every_check_in_and_no_trigger(tmp_path):
    """The couple's revision and its triggers come and go in place: a copy of the
    table would delete, on its way, every row that refers to a couple, and a trigger
    left behind would write to a column that is gone."""
    url, drop = _fresh_database(tmp_path)
    env = {"COUPLES_SQLALCHEMY_DATABASE_URI": url, "COUPLES_INSTANCE_PATH": str(tmp_path)}
    engine = create_engine(url)

    def counts():
        with engine.connect() as conn:
            return (
                conn.execute(text("SELECT count(*) FROM couples")).scalar_one(),
                conn.execute(text("SELECT count(*) FROM checkins")).scalar_one(),
            )

    def revision_triggers():
        query = (
            "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
            if engine.dialect.name == "sqlite"
            else "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
        )
        with engine.connect() as conn:
            return conn.execute(text(query)).scalar_one()

    try:
        assert run_flask(["db", "upgrade", "5c1e2f7a9b30"], env).returncode == 0
        assert revision_triggers() > 0
        _couple_with_a_checkin(engine)
        up = run_flask(["db", "upgrade"], env)
        assert up.returncode == 0, up.stderr
        assert counts() == (1, 1)
        assert revision_triggers() == 0
        assert "revision" not in {c["name"] for c in inspect(engine).get_columns("couples")}
        with engine.begin() as conn:  # a write that a leftover trigger would refuse
            conn.execute(text("UPDATE checkins SET kind = 'weekly'"))
        down = run_flask(["db", "downgrade", "d68764e80db0"], env)
        assert down.returncode == 0, down.stderr
        assert counts() == (1, 1)
    finally:
        engine.dispose()
        drop()


def test_the_app_still_logs_after_an_upgrade_in_the_same_process(tmp_path):
    """`serve` migrates in the process that then serves: Alembic's logging setup must
    leave the app's loggers (made at import) working."""
    import logging

    import flask_migrate

    from couples import create_app
    from couples.extensions import db
    from tests.conftest import BASE_CONFIG
    from tests.factories import ApiClient, make_user
    from tests.logs import logging_kept

    app = create_app(
        {**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"}
    )
    ours = [name for name in logging.Logger.manager.loggerDict if name.startswith("couples")]
    assert "couples.audit" in ours
    seen = []

    class Keep(logging.Handler):
        def emit(self, record):
            seen.append(record.getMessage())

    audit = logging.getLogger("couples.audit")
    with logging_kept():
        audit.addHandler(Keep())
        audit.setLevel(logging.INFO)
        with app.app_context():
            flask_migrate.upgrade()
            assert [name for name in ours if logging.getLogger(name).disabled] == []
            make_user(email="alex@example.com")
        ApiClient(app).login("alex@example.com")
        with app.app_context():
            db.engine.dispose()
    assert any("event=login outcome=ok" in line for line in seen)


def test_ids_never_given_again_keep_every_row_that_points_at_them(tmp_path):
    """On SQLite the tables whose ids reach cookies, URLs and exports are copied to gain
    AUTOINCREMENT: foreign keys are off while the copy is made, so no row that points at
    a copied table is deleted (a cascade) on the way, up or down. SQLite whichever
    database the suite runs on: the copy happens only there."""
    url = f"sqlite:///{tmp_path / 'ids.sqlite3'}"
    env = {"COUPLES_SQLALCHEMY_DATABASE_URI": url, "COUPLES_INSTANCE_PATH": str(tmp_path)}
    engine = create_engine(url)
    tables = ("users", "couples", "couple_members", "checkins", "checkin_answers")

    def counts():
        with engine.connect() as conn:
            return [
                conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()  # noqa: S608
                for table in tables
            ]

    def autoincrement():
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
            return {name for name, sql in rows if "AUTOINCREMENT" in sql}

    try:
        assert run_flask(["db", "upgrade", "7e3b9c41d2a8"], env).returncode == 0
        at = {"at": "2026-12-01 20:00:00+00"}
        with engine.begin() as conn:
            for n in (1, 2):
                conn.execute(
                    text(
                        "INSERT INTO users (id, email, password_hash, display_name, timezone, "
                        "session_version, created_at, updated_at, reminder_minute, "
                        "quiet_start_minute, quiet_end_minute, discreet, kinds_off) VALUES "
                        "(:n, :email, 'x', 'U', 'UTC', 1, :at, :at, 1260, 0, 0, 0, '[]')"
                    ),
                    {"n": n, "email": f"u{n}@example.com", **at},
                )
            conn.execute(text("INSERT INTO couples (id, created_at) VALUES (1, :at)"), at)
            for n in (1, 2):
                conn.execute(
                    text(
                        "INSERT INTO couple_members (couple_id, user_id, slot, joined_at) "
                        "VALUES (1, :n, :n, :at)"
                    ),
                    {"n": n, **at},
                )
            conn.execute(
                text(
                    "INSERT INTO checkins (id, couple_id, day, kind, questions, created_at) "
                    "VALUES (1, 1, '2026-12-01', 'nightly', '[]', :at)"
                ),
                at,
            )
            conn.execute(
                text(
                    "INSERT INTO checkin_answers (checkin_id, user_id, answers, created_at, "
                    "updated_at) VALUES (1, 1, '{}', :at, :at)"
                ),
                at,
            )
        before = counts()
        assert before == [2, 1, 2, 1, 1]
        up = run_flask(["db", "upgrade"], env)
        assert up.returncode == 0, up.stderr
        assert counts() == before
        assert autoincrement() >= {
            "users",
            "couples",
            "custom_questions",
            "appreciations",
            "notifications",
            "push_subscriptions",
        }
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
        down = run_flask(["db", "downgrade", "7e3b9c41d2a8"], env)
        assert down.returncode == 0, down.stderr
        assert counts() == before
        assert autoincrement() == set()
    finally:
        engine.dispose()


def test_the_erased_history_column_comes_and_goes_in_place(tmp_path):
    """``couples.history_erased_at`` is added and dropped without copying the table (a
    copy would delete, on SQLite, every row that refers to a couple)."""
    url, drop = _fresh_database(tmp_path)
    env = {"COUPLES_SQLALCHEMY_DATABASE_URI": url, "COUPLES_INSTANCE_PATH": str(tmp_path)}
    engine = create_engine(url)

    def counts():
        with engine.connect() as conn:
            return (
                conn.execute(text("SELECT count(*) FROM couples")).scalar_one(),
                conn.execute(text("SELECT count(*) FROM checkins")).scalar_one(),
            )

    def columns():
        return {c["name"] for c in inspect(engine).get_columns("couples")}

    try:
        assert run_flask(["db", "upgrade", "aaae1b77d2dc"], env).returncode == 0
        _couple_with_a_checkin(engine, ended=True)
        up = run_flask(["db", "upgrade"], env)
        assert up.returncode == 0, up.stderr
        assert counts() == (1, 1)
        assert "history_erased_at" in columns()
        assert "ix_couples_ended_not_erased" in {
            i["name"] for i in inspect(engine).get_indexes("couples")
        }
        with engine.connect() as conn:
            assert conn.execute(text("SELECT history_erased_at FROM couples")).scalar() is None
        down = run_flask(["db", "downgrade", "aaae1b77d2dc"], env)
        assert down.returncode == 0, down.stderr
        assert counts() == (1, 1)
        assert "history_erased_at" not in columns()
    finally:
        engine.dispose()
        drop()


def test_a_couple_that_turned_needs_off_keeps_the_help_question_off(tmp_path):
    """ "One thing that would help" left the needs module for a module of its own: a
    couple that had needs off does not find the question back on."""
    url, drop = _fresh_database(tmp_path)
    env = {"COUPLES_SQLALCHEMY_DATABASE_URI": url, "COUPLES_INSTANCE_PATH": str(tmp_path)}
    engine = create_engine(url)

    def modules_off():
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT modules_off FROM couples ORDER BY id")).scalars()
            return [json.loads(r) if isinstance(r, str) else r for r in rows]

    try:
        assert run_flask(["db", "upgrade", "c3a91f0e7b52"], env).returncode == 0
        with engine.begin() as conn:
            for off in ('["mood", "needs"]', '["question"]'):
                conn.execute(
                    text(
                        "INSERT INTO couples (created_at, modules_off) VALUES "
                        "('2026-11-21 20:00:00+00', :off)"
                    ),
                    {"off": off},
                )
        up = run_flask(["db", "upgrade", "9d4e1b7c3a20"], env)
        assert up.returncode == 0, up.stderr
        assert modules_off() == [["help", "mood", "needs"], ["question"]]
        down = run_flask(["db", "downgrade", "c3a91f0e7b52"], env)
        assert down.returncode == 0, down.stderr
        assert modules_off() == [["mood", "needs"], ["question"]]
    finally:
        engine.dispose()
        drop()
