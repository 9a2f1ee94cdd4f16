from datetime import UTC, datetime

import pytest

from couples.db import UTCDateTime


class _Dialect:
    def __init__(self, name):
        self.name = name


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1, 12), _Dialect("postgresql"))


def test_aware_datetimes_are_stored_as_utc_and_read_back_aware():
    from zoneinfo import ZoneInfo

    local = datetime(2026, 7, 1, 21, 0, tzinfo=ZoneInfo("America/New_York"))
    stored = UTCDateTime().process_bind_param(local, _Dialect("sqlite"))
    assert stored == datetime(2026, 7, 2, 1, 0)
    back = UTCDateTime().process_result_value(stored, _Dialect("sqlite"))
    assert back == local and back.tzinfo == UTC


def test_sqlite_connections_overwrite_what_is_deleted(make_app, tmp_path):
    """secure_delete is set by the app, whatever the SQLite build's default: a build
    with it off (simulated by a listener that runs first) still gets it on."""
    from sqlalchemy import event

    from couples.extensions import db

    # SQLite, whichever database the suite runs on: the setting is SQLite's own.
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'secure.sqlite3'}")
    with app.app_context():
        engine = db.engine

        def build_default_off(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA secure_delete=OFF")

        event.listen(engine, "connect", build_default_off, insert=True)
        engine.dispose()
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        assert db.session.execute(db.text("PRAGMA secure_delete")).scalar() == 1
