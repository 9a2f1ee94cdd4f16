"""SQLite's write lock: a command that writes begins with it (``db.begin_write``, BEGIN
IMMEDIATE), readers never take it. These run on an SQLite file of their own, whichever
database the suite uses."""

import sqlite3
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from couples.db import begin_write, configure_sqlite


@pytest.fixture
def engine(tmp_path):
    path = tmp_path / "lock.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    configure_sqlite(engine)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (n INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (0)"))
    yield engine, path
    engine.dispose()


def _hold_lock(path, taken: threading.Event, release: threading.Event):
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        taken.set()
        release.wait(10)
        other.execute("INSERT INTO t VALUES (1)")
        other.execute("COMMIT")
    finally:
        other.close()


def _write_elsewhere(path, n: int) -> None:
    with sqlite3.connect(path, isolation_level=None) as other:
        other.execute("INSERT INTO t VALUES (?)", (n,))


def _values(session) -> list[int]:
    return session.execute(text("SELECT n FROM t ORDER BY rowid")).scalars().all()


def test_a_command_that_writes_waits_for_the_lock_and_writes_after_the_holder(engine):
    engine, path = engine
    taken, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(path, taken, release))
    holder.start()
    assert taken.wait(5)
    waited = threading.Event()

    def command():
        with Session(engine) as session:
            begin_write(session)  # waits here until the holder commits
            waited.set()
            session.execute(text("INSERT INTO t VALUES (2)"))
            session.commit()

    writer = threading.Thread(target=command)
    writer.start()
    assert not waited.wait(0.2)  # still waiting while the lock is held
    release.set()
    holder.join()
    writer.join(10)
    assert waited.is_set()
    with Session(engine) as session:
        assert _values(session) == [0, 1, 2]


def test_a_read_begun_before_the_command_is_read_again_under_the_lock(engine):
    """The user is read at the start of a request, in a transaction that only reads;
    another writer commits; the command then begins its write and sees that write."""
    engine, path = engine
    with Session(engine) as session:
        assert _values(session) == [0]  # a deferred transaction holds its snapshot
        _write_elsewhere(path, 5)
        begin_write(session)
        assert _values(session) == [0, 5]
        session.execute(text("INSERT INTO t VALUES (6)"))
        session.commit()
    with Session(engine) as session:
        assert _values(session) == [0, 5, 6]


def test_without_begin_write_a_stale_read_cannot_write(engine):
    """Why commands call ``begin_write``: a transaction that read before another writer
    committed is refused its first write at once."""
    engine, path = engine
    with Session(engine) as session:
        assert _values(session) == [0]
        _write_elsewhere(path, 5)
        with pytest.raises(OperationalError, match="locked"):
            session.execute(text("INSERT INTO t VALUES (6)"))
        session.rollback()


def test_begin_write_inside_a_write_keeps_it(engine):
    engine, _path = engine
    with Session(engine) as session:
        begin_write(session)
        session.execute(text("INSERT INTO t VALUES (7)"))
        begin_write(session)  # a command called by another: nothing is rolled back
        session.commit()
        assert _values(session) == [0, 7]


def test_begin_write_after_a_change_is_refused(engine):
    from couples.accounts.models import User

    engine, _path = engine
    with Session(engine) as session:
        _values(session)
        session.add(
            User(email="x@example.com", display_name="X", password_hash="x", timezone="UTC")
        )
        with pytest.raises(RuntimeError):
            begin_write(session)


def test_readers_do_not_take_the_write_lock(engine):
    engine, path = engine
    taken, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_lock, args=(path, taken, release))
    holder.start()
    assert taken.wait(5)
    try:
        with Session(engine) as session:
            assert _values(session) == [0]  # read while the writer holds the lock
        assert holder.is_alive()
    finally:
        release.set()
        holder.join()
