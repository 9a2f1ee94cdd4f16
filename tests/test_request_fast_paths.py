"""What every request goes through, kept cheap without changing what it does: the user
and couple read without an ORM session on requests that only read, the session cookie
verified once, the security headers, the transaction mode, and /me without a marshmallow
pass."""

import time

import pytest
from flask import g, session
from flask_login import current_user
from sqlalchemy import event, inspect, text

from couples.accounts.models import User
from couples.api.serializers import MeSchema
from couples.api.views_data import me_data
from couples.db import per_dialect, reset_read_only, set_read_only
from couples.extensions import db
from couples.pairing import queries
from couples.pairing.models import Couple, CoupleMember
from couples.pairing.services import active_pairing, user_and_pairing
from couples.web import current_pairing
from tests.factories import ApiClient, make_couple, make_user


def _columns(obj) -> dict:
    return {prop.key: getattr(obj, prop.key) for prop in inspect(type(obj)).column_attrs}


# ------------------------------------------------------------------------------ /me


@pytest.mark.parametrize("linked", [False, True])
def test_me_answers_exactly_what_the_schema_dumps(app, linked):
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex")
        sam = make_user(email="sam@example.com", display_name="Sam", timezone="Asia/Tokyo")
        if linked:
            make_couple(alex, sam)
    body = ApiClient(app).login("alex@example.com").get("/api/v1/me").get_json()
    with app.app_context():
        user = db.session.scalars(db.select(User).filter_by(email="alex@example.com")).one()
        expected = me_data(user, active_pairing(user))
        assert MeSchema().dump(expected) == expected
    assert body == expected
    assert (body["partner"] is not None) is linked


# ------------------------------------------------------------ the user read on GET


@pytest.mark.parametrize("linked", [False, True])
def test_the_read_without_a_session_gives_what_the_orm_loads(app, linked):
    with app.app_context():
        alex = make_user(email="alex@example.com")
        sam = make_user(email="sam@example.com", timezone="Europe/Paris")
        if linked:
            make_couple(alex, sam)
        alex_id = alex.id
    with app.test_request_context("/", method="GET"):
        user, pairing = user_and_pairing(alex_id, read_only=True)
        assert not db.session.registry.has()  # nothing needed a session yet
        assert inspect(user).detached
        fast = {"user": _columns(user)}
        if linked:
            fast |= {"couple": _columns(pairing.couple), "partner": _columns(pairing.partner),
                     "members": [_columns(m) for m in pairing.couple.members]}
            assert [m.user for m in pairing.couple.members] in (
                [user, pairing.partner], [pairing.partner, user])
            assert all(m.couple is pairing.couple for m in pairing.couple.members)
        else:
            assert pairing is None
        # The first use of the session takes them in, as if it had loaded them.
        assert db.session.get(User, alex_id) is user
        assert inspect(user).persistent and not db.session.dirty
        if linked:
            assert db.session.get(Couple, pairing.couple.id) is pairing.couple
    with app.test_request_context("/", method="GET"):
        user, pairing = user_and_pairing(alex_id)  # the ORM query
        orm = {"user": _columns(user)}
        if linked:
            orm |= {"couple": _columns(pairing.couple), "partner": _columns(pairing.partner),
                    "members": [_columns(m) for m in pairing.couple.members]}
    assert fast == orm


@pytest.mark.parametrize("linked", [False, True])
def test_the_instances_have_the_state_make_transient_to_detached_gives(app, linked):
    """The read sets each instance's identity key and marks its unloaded relationships
    itself; the state must be what SQLAlchemy's own make_transient_to_detached makes."""
    from sqlalchemy.orm import make_transient_to_detached

    with app.app_context():
        alex = make_user(email="alex@example.com")
        sam = make_user(email="sam@example.com")
        if linked:
            make_couple(alex, sam)
        alex_id = alex.id
    with app.app_context():
        read = queries.user_read(db.engine)
        row = read.fetch(db.engine, alex_id)
    parts = [read.me] + ([read.couple, read.partner, read.mine, read.theirs] if linked else [])
    for part in parts:
        ours = part.build(row)
        theirs = part.mapper.class_manager.new_instance()
        theirs.__dict__.update({key: ours.__dict__[key] for key in part.keys})
        make_transient_to_detached(theirs)
        mine, reference = inspect(ours), inspect(theirs)
        assert mine.key == reference.key and mine.key[1][0] is not None
        assert mine.expired_attributes == reference.expired_attributes
        assert mine.unloaded == reference.unloaded
        assert mine.committed_state == reference.committed_state == {}
        assert not mine.modified and mine.detached


def test_remembered_conversions_never_share_a_value_that_can_change(app):
    """A row read before is converted from memory: its JSON values are each instance's
    own copy, and a row that changed is converted again."""
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex")
        make_couple(alex, make_user(email="sam@example.com")).couple.modules_off = ["mood"]
        db.session.commit()
        alex_id = alex.id
    with app.app_context():
        read = queries.user_read(db.engine)
        first = read.couple.build(read.fetch(db.engine, alex_id))
        second = read.couple.build(read.fetch(db.engine, alex_id))
        assert first.modules_off == second.modules_off == ["mood"]
        first.modules_off.append("question")
        assert second.modules_off == ["mood"]
        assert read.couple.build(read.fetch(db.engine, alex_id)).modules_off == ["mood"]
        user = db.session.get(User, alex_id)
        user.display_name = "Alexandra"
        db.session.commit()
        assert read.me.build(read.fetch(db.engine, alex_id)).display_name == "Alexandra"


def test_a_row_read_again_is_converted_from_memory_on_every_database(app, monkeypatch):
    """A row read before is converted from memory (dates, booleans, JSON), with nothing
    converted again; every instance still has lists of its own: JSON comes as text on
    every database (psycopg would decode it into lists, which cannot be remembered), and
    a list of plain values is copied for each instance."""
    with app.app_context():
        alex = make_user(email="alex@example.com")
        make_couple(alex, make_user(email="sam@example.com")).couple.modules_off = ["mood"]
        db.session.commit()
        alex_id = alex.id
    with app.app_context():
        read = queries.user_read(db.engine)
        parts = [read.me, read.couple, read.partner, read.mine, read.theirs]
        row = read.fetch(db.engine, alex_id)
        first = [part.build(row) for part in parts]
        conversions = []

        def counted(part, index, process):
            return None if process is None else (
                lambda value: conversions.append((part.keys[index], value)) or process(value))

        for part in parts:
            monkeypatch.setattr(part, "processors", [counted(part, index, p) for index, p
                                                     in enumerate(part.processors)])
        again = [part.build(read.fetch(db.engine, alex_id)) for part in parts]
    assert conversions == []
    assert {"kinds_off", "modules_off"} <= {
        part.keys[index] for part in parts for index in part.json_indexes}
    for old, new in zip(first, again, strict=True):
        assert _columns(old) == _columns(new)
    assert again[1].modules_off == ["mood"] and again[1].modules_off is not first[1].modules_off
    again[1].modules_off.append("appreciation")  # changed in place: the next one is as stored
    with app.app_context():
        third = read.couple.build(read.fetch(db.engine, alex_id))
    assert third.modules_off == ["mood"]


def test_json_that_is_not_a_list_of_plain_values_is_decoded_for_each_instance(app):
    """A remembered JSON value holding lists or dicts is decoded again from its text for
    each instance: no instance shares anything that can be changed in place."""
    with app.app_context():
        part = queries.user_read(db.engine).couple
    index = part.keys.index("modules_off")
    stored = '[["mood"], {"a": [1]}]'
    decoded = part.processors[index](stored)
    make = part._fresh(index, stored, decoded)
    one, two = make(decoded), make(decoded)
    assert one == two == [["mood"], {"a": [1]}]
    assert one is not two and one[0] is not two[0] and one[1]["a"] is not two[1]["a"]
    assert part._fresh(index, '["mood"]', ["mood"]) is list.copy


def test_an_unknown_user_or_an_old_session_version_is_no_session(app):
    with app.app_context():
        alex_id = make_user(email="alex@example.com").id
    from couples.accounts.auth import load_user

    with app.test_request_context("/", method="GET"):
        assert user_and_pairing(alex_id + 1, read_only=True) == (None, None)
        assert load_user(f"{alex_id}:2") is None
        assert load_user(f"{alex_id}:1").id == alex_id
        assert g.pairing is None


def test_logout_everywhere_ends_old_cookies_on_reads(app):
    with app.app_context():
        make_user(email="alex@example.com")
    phone = ApiClient(app).login("alex@example.com")
    laptop = ApiClient(app).login("alex@example.com")
    assert phone.get("/api/v1/me").status_code == 200
    assert phone.get("/").status_code == 200
    assert laptop.post("/api/v1/auth/logout-everywhere").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert phone.get("/account").status_code == 302


def test_a_read_that_writes_through_current_user_is_saved(make_app):
    app = make_app()

    @app.get("/api/v1/test-rename")
    def rename():
        user = current_user._get_current_object()
        user.display_name = "Renamed"  # before anything made a session
        db.session.commit()
        return {"ok": True}

    with app.app_context():
        make_user(email="alex@example.com")
    alex = ApiClient(app).login("alex@example.com")
    assert alex.get("/api/v1/test-rename").status_code == 200
    assert alex.get("/api/v1/me").get_json()["user"]["display_name"] == "Renamed"


def test_a_read_can_follow_the_couple_s_relationships_without_a_session(make_app):
    app = make_app()

    @app.get("/api/v1/test-members")
    def members():
        couple = current_pairing().couple
        names = [member.user.display_name for member in couple.members]
        made_session = db.session.registry.has()
        assert db.session.get(Couple, couple.id) is couple
        return {"names": names, "made_session": made_session}

    with app.app_context():
        make_couple(make_user(email="alex@example.com", display_name="Alex"),
                    make_user(email="sam@example.com", display_name="Sam"))
    body = ApiClient(app).login("sam@example.com").get("/api/v1/test-members").get_json()
    assert body == {"names": ["Alex", "Sam"], "made_session": False}


def test_a_model_with_a_relationship_left_to_load_joins_the_session_at_once(app,
                                                                        monkeypatch):
    with app.app_context():
        alex_id = make_user(email="alex@example.com").id
    monkeypatch.setattr(queries._Part, "complete", lambda self, obj: False)
    with app.test_request_context("/", method="GET"):
        user, _ = user_and_pairing(alex_id, read_only=True)
        assert db.session.registry.has() and user in db.session


def test_with_a_session_already_there_the_orm_loads_the_user(app, two_partners):
    alex, _ = two_partners
    with app.app_context():
        db.session.execute(text("SELECT 1"))  # this app context has a session now
        response = alex.get("/api/v1/me")  # the request shares the app context
        assert response.status_code == 200
        assert response.get_json()["partner"]["display_name"] == "Sam"


def test_writes_still_load_the_user_in_their_transaction(two_partners):
    alex, _ = two_partners
    response = alex.patch("/api/v1/me", json={"display_name": "Alexandra"})
    assert response.status_code == 200
    assert response.get_json()["user"]["display_name"] == "Alexandra"
    assert alex.get("/api/v1/me").get_json()["user"]["display_name"] == "Alexandra"


def test_a_pooled_connection_that_is_gone_is_replaced(app, two_partners):
    alex, _ = two_partners
    assert alex.get("/api/v1/me").status_code == 200
    with app.app_context():
        event.listen(db.engine.pool, "checkout",
                     lambda dbapi_connection, record, proxy: dbapi_connection.close(),
                     once=True)
    response = alex.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["partner"]["display_name"] == "Sam"


def test_models_the_read_cannot_handle_fall_back_to_the_orm(app, two_partners,
                                                            monkeypatch):
    alex, _ = two_partners

    def refuse(self, dialect):
        raise TypeError("a column that is a SQL expression")

    monkeypatch.setattr(queries.UserRead, "__init__", refuse)
    monkeypatch.setattr(queries, "user_read", per_dialect(queries.UserRead))  # built anew
    response = alex.get("/api/v1/me")
    assert response.status_code == 200
    assert response.get_json()["partner"]["display_name"] == "Sam"


def _in_transaction(dbapi_connection) -> bool:
    if hasattr(dbapi_connection, "in_transaction"):  # sqlite3
        return dbapi_connection.in_transaction
    return dbapi_connection.info.transaction_status != 0  # psycopg: 0 is idle


def _postgresql(app) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def _kept(app):
    from couples.db import _read_connections

    with app.app_context():
        return _read_connections(db.engine)


def _the_kept_connection(app):
    """This process's one kept read connection, without making one."""
    (connection,) = _kept(app).connections()
    return connection


def _closed(connection) -> bool:
    """Whether a DBAPI connection is closed: psycopg says so; an sqlite3 connection
    refuses any statement once closed."""
    import sqlite3

    if hasattr(connection, "closed"):
        return connection.closed
    try:
        connection.execute("SELECT 1").fetchall()
    except sqlite3.ProgrammingError:
        return True
    return False


def _autocommit(connection) -> bool:
    if hasattr(connection, "autocommit"):  # psycopg
        return connection.autocommit
    return connection.isolation_level is None  # sqlite3: no BEGIN of the driver's own


def test_the_read_leaves_its_connection_as_it_found_it(app, two_partners):
    """The read runs on this thread's kept connection, in autocommit and idle after it,
    the same one request after request, and the pool is not touched. On SQLite the kept
    connection holds no snapshot between requests: a checkpoint can empty the whole
    write-ahead log."""
    alex, _ = two_partners
    seen = []
    with app.app_context():
        event.listen(db.engine.pool, "checkout",
                     lambda dbapi_connection, record, proxy: seen.append(dbapi_connection))
    assert alex.get("/api/v1/checkins/today").status_code == 200
    first = _the_kept_connection(app)
    seen.clear()
    for path in ("/api/v1/me", "/api/v1/checkins/today", "/api/v1/me"):
        assert alex.get(path).status_code == 200
    assert seen == []
    assert _the_kept_connection(app) is first
    assert _autocommit(first) and not _in_transaction(first)
    if not _postgresql(app):
        import sqlite3

        with app.app_context():
            path = db.engine.url.database
        other = sqlite3.connect(path, isolation_level=None)
        try:
            busy, log, done = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            other.close()
        assert (busy, log, done) == (0, 0, 0)


def test_an_in_memory_sqlite_database_keeps_its_one_connection_in_the_pool():
    """An in-memory database lives in its pool's one connection: the read without a
    session uses that one (taking it away from the pool would leave the app an empty
    database) and keeps none of its own."""
    from couples import create_app
    from couples.db import keeps_connections
    from tests.conftest import BASE_CONFIG

    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        db.create_all()
        user_id = make_user(email="alex@example.com", display_name="Alex").id
        db.session.remove()
        assert not keeps_connections(db.engine)
        found = queries.user_row_without_session(user_id)
        assert found is not None and found.user.display_name == "Alex"
        db.session.remove()
        assert db.session.get(User, user_id).email == "alex@example.com"
        assert _kept(app).connections() == []
        db.session.remove()
        db.engine.dispose()


def test_postgresql_sessions_are_in_utc_unless_the_operator_sets_their_own(tmp_path):
    """Every PostgreSQL connection asks for the UTC zone at connect time; options the
    operator gives (in the engine options or in the URL) are left as they are; SQLite
    gets none."""
    from couples import create_app
    from tests.conftest import BASE_CONFIG

    def connect_args(uri, **extra):
        app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": uri, **extra})
        return app.config["SQLALCHEMY_ENGINE_OPTIONS"].get("connect_args")

    url = "postgresql+psycopg://couples@127.0.0.1:5432/couples"
    assert connect_args(url) == {"options": "-c TimeZone=UTC"}
    own = {"options": "-c TimeZone=Europe/Paris", "connect_timeout": 3}
    assert connect_args(url, SQLALCHEMY_ENGINE_OPTIONS={"connect_args": own}) == own
    assert connect_args(url + "?options=-c%20TimeZone%3DAsia%2FTokyo") == {}
    assert connect_args(f"sqlite:///{tmp_path / 'couples.db'}") is None


def test_instants_come_back_in_utc_on_every_connection(app, two_partners):
    """An instant read through the ORM and through the read without a session is the
    stored one, in UTC; on PostgreSQL both kinds of connection are in the UTC zone."""
    from datetime import UTC

    alex, _ = two_partners
    assert alex.get("/api/v1/me").status_code == 200
    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email="alex@example.com")
                                  ).scalar_one()
        stored, user_id = user.created_at, user.id
        row = queries.user_read(db.engine).load(db.engine, user_id)
        zone = (db.session.execute(text("SHOW TimeZone")).scalar_one()
                if _postgresql(app) else None)
    assert stored.tzinfo is UTC and row.user.created_at.tzinfo is UTC
    assert row.user.created_at == stored
    if _postgresql(app):
        assert zone == "UTC"
        assert _the_kept_connection(app).info.parameter_status("TimeZone") == "UTC"


def test_a_read_connection_the_server_ended_is_replaced(app, two_partners):
    """The connection the read uses is ended under it (PostgreSQL: its backend is
    terminated; SQLite: the kept connection is closed): that request is answered through
    the ORM, and the broken connection is dropped and never used again; the next request
    reads without the ORM on a new connection."""
    alex, _ = two_partners
    assert alex.get("/api/v1/me").status_code == 200
    old = _the_kept_connection(app)
    if _postgresql(app):
        with app.app_context():
            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT pg_terminate_backend(:pid)"),
                                    {"pid": old.info.backend_pid}).scalar()
            db.session.remove()
    else:
        old.close()
    through_orm = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *args: through_orm.append(statement))
    answers = []
    for _ in range(2):
        response = alex.get("/api/v1/me")
        assert response.status_code == 200
        assert response.get_json()["partner"]["display_name"] == "Sam"
        answers.append(len(through_orm))
    assert answers[0] > 0 and answers[1] == answers[0]  # the ORM once, then not again
    assert _closed(old) and _the_kept_connection(app) is not old


def _kept_after_a_read(app, api):
    """This engine's kept read connections after one read, and the one made so far."""
    assert api.get("/api/v1/me").status_code == 200
    kept = _kept(app)
    made = set(kept.connections())
    assert len(made) == 1
    return kept, made


def test_disposing_the_engine_closes_the_kept_read_connections(app, two_partners):
    alex, _ = two_partners
    kept, made = _kept_after_a_read(app, alex)
    with app.app_context():
        db.engine.dispose()
    assert kept.connections() == [] and all(_closed(connection) for connection in made)
    assert alex.get("/api/v1/me").status_code == 200


def test_a_kept_read_connection_stays_in_the_process_that_made_it(app, two_partners,
                                                                 monkeypatch):
    """After a fork, the child makes its own connection and never closes the parent's,
    neither when it replaces it nor when it disposes the engine (SQLAlchemy's advice for
    a child is ``dispose(close=False)``; a plain dispose must not close it either)."""
    import os

    alex, _ = two_partners
    kept, before = _kept_after_a_read(app, alex)
    parent = os.getpid()
    monkeypatch.setattr(os, "getpid", lambda: parent + 1)
    with app.app_context():
        db.engine.dispose(close=False)
    assert not any(_closed(connection) for connection in before)
    assert alex.get("/api/v1/me").status_code == 200
    after = set(kept.connections())
    assert not any(_closed(connection) for connection in before)
    assert not (after & before) and len(after) == len(before)
    with app.app_context():
        db.engine.dispose()
    assert not any(_closed(connection) for connection in before)
    assert all(_closed(connection) for connection in after)
    monkeypatch.undo()
    for connection in before:  # this test's process is the parent too
        connection.close()


def test_a_kept_read_connection_is_closed_when_its_thread_ends(app, two_partners):
    import threading

    _alex, _ = two_partners
    with app.app_context():
        alex_id = db.session.execute(
            db.select(User.id).where(User.email == "alex@example.com")).scalar_one()
        db.session.remove()
    made = []

    def read():
        with app.app_context():
            found = user_and_pairing(alex_id, read_only=True)
            assert found[0] is not None
            made.extend(_kept(app).connections())

    thread = threading.Thread(target=read)
    thread.start()
    thread.join()
    import gc

    gc.collect()
    assert len(made) == 1
    assert all(_closed(connection) for connection in made)
    assert not (set(made) & set(_kept(app).connections()))


def test_a_kept_read_connection_is_replaced_after_the_pools_recycle_time(app, two_partners):
    alex, _ = two_partners
    kept, before = _kept_after_a_read(app, alex)
    kept.recycle = 0  # every connection is older than that
    assert alex.get("/api/v1/me").status_code == 200
    after = set(kept.connections())
    assert all(_closed(connection) for connection in before)
    assert len(after) == len(before) and not (after & before)


# ----------------------------------------------------------------- the session cookie


def _session_cookie(api: ApiClient, app) -> str:
    return api.client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def _with_cookie(app, value: str) -> ApiClient:
    other = ApiClient(app)
    other.client.set_cookie(app.config["SESSION_COOKIE_NAME"], value)
    return other


def test_a_tampered_cookie_is_refused_after_the_real_one_was_seen(app, two_partners):
    alex, _ = two_partners
    assert alex.get("/api/v1/me").status_code == 200
    cookie = _session_cookie(alex, app)
    # A character inside the signature (the last one also holds padding bits).
    at = len(cookie) - 5
    tampered = cookie[:at] + ("A" if cookie[at] != "A" else "B") + cookie[at + 1:]
    assert _with_cookie(app, tampered).get("/api/v1/me").status_code == 401
    assert _with_cookie(app, cookie).get("/api/v1/me").status_code == 200


def test_a_remembered_cookie_still_expires(app, two_partners, monkeypatch):
    alex, _ = two_partners
    assert alex.get("/api/v1/me").status_code == 200
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 60
    monkeypatch.setattr("couples.security.time.time", lambda: later)
    assert alex.get("/api/v1/me").status_code == 401


def test_a_change_to_the_session_stays_in_its_own_request(make_app):
    app = make_app()

    @app.get("/api/v1/test-session")
    def probe():
        before = session.get("probe")
        session["probe"] = "changed"
        return {"before": before}

    with app.app_context():
        make_user(email="alex@example.com")
    alex = ApiClient(app).login("alex@example.com")
    cookie = _session_cookie(alex, app)
    assert alex.get("/api/v1/me").status_code == 200
    assert _with_cookie(app, cookie).get("/api/v1/test-session").get_json() == {"before": None}
    assert _with_cookie(app, cookie).get("/api/v1/test-session").get_json() == {"before": None}
    assert alex.get("/api/v1/test-session").get_json() == {"before": None}
    assert alex.get("/api/v1/test-session").get_json() == {"before": "changed"}


def test_a_read_sets_no_cookie_and_varies_on_it(two_partners):
    alex, _ = two_partners
    response = alex.get("/api/v1/me")
    assert "Set-Cookie" not in response.headers
    assert response.headers.getlist("Vary") == ["Cookie"]


# ------------------------------------------------------------------------- headers


def test_me_has_every_security_header_and_no_store(two_partners):
    alex, _ = two_partners
    headers = alex.get("/api/v1/me").headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Permissions-Policy"].startswith("camera=()")
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers.getlist("Cache-Control") == ["no-store"]


def test_a_header_the_view_sets_is_kept_and_cache_control_is_replaced(make_app):
    app = make_app()

    @app.get("/test-headers")
    def own_headers():
        return "ok", 200, {"X-Frame-Options": "SAMEORIGIN", "Cache-Control": "max-age=60",
                           "Vary": "Accept"}

    response = app.test_client().get("/test-headers")
    assert response.headers.getlist("X-Frame-Options") == ["SAMEORIGIN"]
    assert response.headers.getlist("Cache-Control") == ["no-store"]
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --------------------------------------------------------------- transaction mode


@pytest.fixture
def sqlite_pair(make_app, tmp_path):
    """Alex and Sam on a SQLite database of their own, whichever database the suite runs
    on: what is checked here is how SQLite transactions begin."""
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'own.sqlite3'}")
    with app.app_context():
        db.create_all()
        make_couple(make_user(email="alex@example.com", display_name="Alex"),
                    make_user(email="sam@example.com", display_name="Sam"))
    return app, ApiClient(app).login("alex@example.com")


def test_reads_begin_deferred_and_everything_else_immediate(sqlite_pair):
    app, alex = sqlite_pair
    begins = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *args: statement.startswith("BEGIN")
                     and begins.append(statement))
    alex.get("/api/v1/me/export")  # a read that uses the session
    assert begins == ["BEGIN"]
    begins.clear()
    alex.patch("/api/v1/me", json={"display_name": "Alexandra"})
    assert begins and set(begins) == {"BEGIN IMMEDIATE"}
    begins.clear()
    with app.app_context():
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
        token = set_read_only(True)
        try:
            db.session.execute(text("SELECT 1"))
        finally:
            db.session.rollback()
            reset_read_only(token)
    assert begins == ["BEGIN IMMEDIATE", "BEGIN"]


def test_me_needs_no_transaction_at_all(app, two_partners):
    alex, _ = two_partners
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *args: statements.append(statement))
    assert alex.get("/api/v1/me").status_code == 200
    assert statements == []  # the user's read runs on the DBAPI connection, one SELECT


@pytest.mark.parametrize("slot", [1, 3])
def test_a_couple_never_has_a_third_member_row(app, two_partners, slot):
    """What the read relies on to fill in Couple.members from the two active rows."""
    from sqlalchemy.exc import IntegrityError

    with app.app_context():
        couple_id = db.session.scalars(db.select(Couple.id)).one()
        olive = make_user(email="olive@example.com")
        db.session.add(CoupleMember(couple_id=couple_id, user_id=olive.id, slot=slot))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_handlers_are_looked_at_once_and_a_coroutine_is_never_taken_for_plain(app,
                                                                             monkeypatch):
    import inspect as inspect_module

    import flask.app

    asked = []
    real = inspect_module.iscoroutinefunction
    monkeypatch.setattr(flask.app, "iscoroutinefunction",
                        lambda func: asked.append(func) or real(func))

    def plain():
        return "plain"

    async def coroutine():
        return "coroutine"

    assert app.ensure_sync(plain) is plain and app.ensure_sync(plain) is plain
    assert asked == [plain]
    for _ in range(2):
        try:
            wrapped = app.ensure_sync(coroutine)
        except RuntimeError as error:  # Flask's answer without its async extra
            assert "async" in str(error).lower()
        else:
            assert wrapped is not coroutine and wrapped() == "coroutine"


# ------------------------------------------------------- one statement that writes
def _rename(app, name: str | None, *, email: str = "alex@example.com") -> list:
    """``db.write_raw``: one UPDATE of a user's display name, with RETURNING."""
    from sqlalchemy import bindparam, update

    from couples.db import Prebuilt, write_raw

    users = User.__table__
    with app.app_context():
        engine = db.engine
        statement = Prebuilt(update(users).where(users.c.email == bindparam("email"))
                             .values(display_name=bindparam("name"),
                                     updated_at=text("CURRENT_TIMESTAMP"))
                             .returning(users.c.id), engine.dialect)
        return write_raw(engine, statement, {"email": email, "name": name})


def _display_name(app) -> str:
    with app.app_context():
        name = db.session.execute(text(
            "SELECT display_name FROM users WHERE email = 'alex@example.com'")).scalar_one()
        db.session.remove()
        return name


def _write_through_the_orm(app) -> None:
    """A write through the ORM session, which would wait for a lock left held."""
    with app.app_context():
        db.session.execute(text("UPDATE users SET display_name = 'Al' "
                                "WHERE email = 'alex@example.com'"))
        db.session.commit()
    assert _display_name(app) == "Al"


def test_a_raw_write_is_committed_when_it_returns(app, two_partners):
    assert len(_rename(app, "Alexandra")) == 1
    assert _display_name(app) == "Alexandra"  # seen from another connection
    assert _rename(app, "Nobody", email="nobody@example.com") == []
    _write_through_the_orm(app)  # nothing left holding a lock


def test_a_raw_write_that_fails_keeps_nothing_and_holds_no_lock(app, two_partners):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        _rename(app, None)  # display_name is NOT NULL
    assert _display_name(app) == "Alex"
    # The next write, raw or through the ORM, is not kept waiting by the failed one.
    assert len(_rename(app, "Alexandra")) == 1
    _write_through_the_orm(app)


def test_a_raw_write_waits_for_the_write_lock_another_holds(app, two_partners):
    """Another transaction holds what the write needs (on SQLite the write lock, on
    PostgreSQL the row): the write waits for it, then is made, after the other's."""
    import threading

    holding, release, done = threading.Event(), threading.Event(), threading.Event()

    def hold():
        with app.app_context():
            db.session.execute(text("UPDATE users SET display_name = 'First' "
                                    "WHERE email = 'alex@example.com'"))
            holding.set()
            release.wait(10)
            db.session.commit()
            db.session.remove()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    writer = threading.Thread(target=lambda: (_rename(app, "Second"), done.set()))
    writer.start()
    try:
        assert not done.wait(0.3)  # waiting for the other transaction
    finally:
        release.set()
        holder.join(10)
        writer.join(10)
    assert done.is_set()
    assert _display_name(app) == "Second"


def test_a_raw_write_is_refused_where_it_cannot_run(app):
    from sqlalchemy import bindparam, update
    from sqlalchemy.dialects import postgresql

    from couples.db import Prebuilt, write_raw, writes_raw

    users = User.__table__
    psycopg2 = postgresql.psycopg2.dialect()
    assert not writes_raw(psycopg2)
    statement = Prebuilt(update(users).values(display_name=bindparam("name")), psycopg2)

    class Engine:
        dialect = psycopg2

    with pytest.raises(TypeError):
        write_raw(Engine(), statement, {"name": "x"})
