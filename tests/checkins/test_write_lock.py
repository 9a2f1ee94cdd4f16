"""SQLite's write lock (BEGIN IMMEDIATE) is asked for again every few milliseconds while
another connection holds it, rather than by SQLite's busy handler, which sleeps longer and
longer. These run on an SQLite file of their own, whichever database the suite uses."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from couples import db as couples_db
from couples.db import configure_sqlite, set_read_only


@pytest.fixture
def engine(tmp_path):
    path = tmp_path / "lock.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    configure_sqlite(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
    yield engine, path
    engine.dispose()


def _hold_lock(path, seconds: float, taken: threading.Event):
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        other.execute("INSERT INTO t VALUES (1)")
        other.execute("COMMIT")
    finally:
        other.close()


def test_a_writer_waits_for_the_lock_and_writes_after_the_holder(engine):
    engine, path = engine
    taken = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(path, 0.15, taken))
    holder.start()
    assert taken.wait(5)
    token = set_read_only(False)
    try:
        with engine.begin() as conn:  # BEGIN IMMEDIATE through the "begin" event
            assert not holder.is_alive() or _committed(path)
            conn.execute(text("INSERT INTO t VALUES (2)"))
    finally:
        couples_db.reset_read_only(token)
    holder.join()
    with engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM t ORDER BY rowid")).scalars().all() == [1, 2]
        # The busy timeout for other statements is back.
        assert conn.execute(text("PRAGMA busy_timeout")).scalar_one() == 5000


def _committed(path) -> bool:
    with sqlite3.connect(path) as other:
        return other.execute("SELECT count(*) FROM t").fetchone()[0] == 1


def test_a_writer_gives_up_after_its_wait(engine, monkeypatch):
    engine, path = engine
    monkeypatch.setattr(couples_db, "WRITE_LOCK_WAIT", 0.1)
    taken = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(path, 0.6, taken))
    holder.start()
    assert taken.wait(5)
    token = set_read_only(False)
    try:
        with pytest.raises(OperationalError, match="locked"), engine.begin():
            pass
        # It gave up while the lock was still held (0.6 s), not after the 5 s timeout.
        assert holder.is_alive()
    finally:
        couples_db.reset_read_only(token)
        holder.join()
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 5000


def test_readers_do_not_take_the_write_lock(engine):
    engine, path = engine
    taken = threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(path, 0.3, taken))
    holder.start()
    assert taken.wait(5)
    token = set_read_only(True)
    try:
        with engine.begin() as conn:
            assert conn.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
        assert holder.is_alive()  # read while the writer still held the lock
    finally:
        couples_db.reset_read_only(token)
        holder.join()
