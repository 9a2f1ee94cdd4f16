"""Declarative base, naming convention and column types shared by every model."""

import contextlib
import copy
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from operator import itemgetter

from flask import has_request_context, request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
from sqlalchemy.pool import QueuePool
from sqlalchemy.types import TypeDecorator

from couples.clock import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# Read-only work (requests that only read: GET, HEAD, OPTIONS) may begin a plain deferred
# transaction so that readers never queue for the write lock; everything else begins with
# BEGIN IMMEDIATE. The request's method is looked at when a transaction begins, so a
# request that never begins one pays nothing; ``set_read_only`` overrides it.
READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_read_only: ContextVar[bool | None] = ContextVar("sqlite_read_only", default=None)


def reads_first(view):
    """Mark a view that writes, but reads before it writes: its user is loaded as for a
    read (no transaction), so the write transaction (on SQLite BEGIN IMMEDIATE, the
    database's one write lock) begins only when the view first needs it, and is held
    for the write alone, not for the whole request."""
    view.reads_first = True
    return view


def reads_along(guess):
    """Mark a view whose next read can be guessed from the user's id alone: ``guess(user
    id)`` gives a ``pairing.queries.ReadAlong`` (or None), which the user loader folds
    into the user's own read (one round trip on PostgreSQL)."""
    def mark(view):
        view.read_along = guess
        return view
    return mark


def set_read_only(flag: bool | None):
    return _read_only.set(flag)


def reset_read_only(token) -> None:
    _read_only.reset(token)


def is_read_only() -> bool:
    """Whether a transaction beginning now only reads: ``set_read_only``'s flag when
    set, else whether the current request's method only reads (False outside one)."""
    flag = _read_only.get()
    if flag is not None:
        return flag
    return has_request_context() and request.method in READ_METHODS


def per_dialect(build):
    """``build(dialect)`` made once per dialect (on first use, when every model and column
    is known) and kept: a function of an engine. None, kept too, when ``build`` raises
    TypeError: the models have something it does not handle, and the caller uses the
    ORM instead."""
    made: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def for_engine(engine: Engine):
        try:
            return made[engine.dialect]
        except KeyError:
            pass
        try:
            value = build(engine.dialect)
        except TypeError:
            value = None
        made[engine.dialect] = value
        return value

    return for_engine


class Prebuilt:
    """A statement compiled once for a dialect, for ``fetch_raw`` (or ``write_raw``): its
    SQL and the names of its parameters in order.

    For psycopg it is written with PostgreSQL's own placeholders ($1, $2...) and run on
    a ``RawCursor``, which sends it as it is. psycopg's ordinary cursor rewrites
    ``%(name)s`` placeholders on every execution, and remembers the rewrite only for
    statements under 4 KB: a long read (the user's read with tonight's check-ins folded
    in is about 11 KB) would be parsed again on every request."""

    __slots__ = ("sql", "names", "positional", "native", "_pick")

    def __init__(self, stmt, dialect):
        self.native = dialect.name == "postgresql" and dialect.driver == "psycopg"
        compiled = stmt.compile(dialect=_numbered(dialect) if self.native else dialect)
        self.sql = compiled.string
        self.positional = self.native or dialect.positional
        self.names = tuple(compiled.positiontup if self.positional else compiled.params)
        pick = itemgetter(*self.names) if self.names else (lambda _values: ())
        # itemgetter of one name gives the value itself, not a tuple of one.
        self._pick = (lambda values: (pick(values),)) if len(self.names) == 1 else pick

    def params(self, values: Mapping):
        """The driver's parameters from values by name (a name used twice is there
        twice in positional styles that repeat it, such as SQLite's ``?``)."""
        if self.positional:
            return self._pick(values)
        return values


def _numbered(dialect):
    """The dialect as it would be with the ``numeric_dollar`` parameter style: a copy,
    so that everything else (the server's version, the type compiler) stays as the
    engine set it up."""
    numbered = copy.copy(dialect)
    numbered.paramstyle, numbered.positional = "numeric_dollar", True
    numbered.identifier_preparer = numbered.preparer(numbered)
    return numbered


class _Kept:
    """One thread's kept connection, with the process that made it and when, and a
    cursor on it for each statement run there (``cursor``)."""

    __slots__ = ("pid", "born", "connection", "cursors", "closed", "__weakref__")

    def __init__(self, connection):
        self.pid, self.born, self.connection = os.getpid(), time.monotonic(), connection
        self.cursors: dict[Prebuilt, object] = {}
        self.closed = False  # closed by ``_ReadConnections`` (sqlite3 does not tell)

    def usable(self) -> bool:
        """Not closed as far as can be told without a round trip: psycopg knows when
        the server ended the session; an sqlite3 connection closed elsewhere fails on
        its next statement instead (a disconnect, ``fetch_raw``)."""
        return not (self.closed or getattr(self.connection, "closed", False))

    def cursor(self, statement: Prebuilt):
        """This statement's own cursor on the connection, made on its first run. A
        cursor run again with the very same query keeps what it worked out the first
        time (psycopg's loaders for each column of the result and dumpers for the
        parameters) instead of working it out anew for a cursor of its own each time."""
        cursor = self.cursors.get(statement)
        if cursor is None:
            connection = self.connection
            cursor = self.cursors[statement] = (
                RawCursor(connection) if statement.native else connection.cursor())
        return cursor

    def close(self) -> None:
        self.closed = True
        _close_in(self.pid, self.connection)


def _close_in(pid: int, connection) -> None:
    """Close ``connection`` if this process made it: closing a connection made before a
    fork would end the session of the process that made it (PostgreSQL). An sqlite3
    connection made with ``check_same_thread`` refuses to be closed from another thread
    (when its thread's end or a dispose closes it): it is closed when it is freed."""
    if os.getpid() == pid:
        with contextlib.suppress(sqlite3.ProgrammingError):
            connection.close()


def keeps_connections(engine: Engine) -> bool:
    """Whether ``fetch_raw`` and ``write_raw`` run on a connection kept for the thread
    (``_ReadConnections``): with psycopg, and with SQLite when its pool hands out
    connections of their own (a database file). An in-memory SQLite database lives in
    the one connection its pool keeps for it: that one stays the pool's."""
    dialect = engine.dialect
    if dialect.name == "postgresql":
        return dialect.driver == "psycopg"
    return dialect.name == "sqlite" and isinstance(engine.pool, QueuePool)


class _ReadConnections:
    """Connections kept for ``fetch_raw`` (reads) and ``write_raw`` (one-statement
    writes), one per thread of an engine: no pool checkout and return around each
    statement. Each is in autocommit mode: psycopg's ``autocommit`` (no BEGIN and
    ROLLBACK around a read); on SQLite no transaction is open between statements
    (``configure_sqlite`` leaves the driver's own off), so a kept connection holds no
    snapshot and no lock while it waits. Each is made by the engine's pool (its connect
    events run) and detached from it, so it is the pool's no longer. Replaced when a
    statement on it fails, in a process forked after it was made, and after the pool's
    recycle time; closed when its thread ends and when the engine is disposed (in the
    process that made it only)."""

    def __init__(self, engine: Engine):
        self.local = threading.local()
        self.made: weakref.WeakSet = weakref.WeakSet()  # every thread's, for dispose
        self.recycle = getattr(engine.pool, "_recycle", -1)
        self.enabled = keeps_connections(engine)
        event.listen(engine, "engine_disposed", lambda _engine: self.close_all())

    def get(self, engine: Engine) -> _Kept:
        kept = getattr(self.local, "kept", None)
        if kept is not None:
            if (kept.pid == os.getpid() and kept.usable()
                    and (self.recycle < 0 or time.monotonic() - kept.born < self.recycle)):
                return kept
            self.drop()
        fairy = engine.raw_connection()
        fairy.detach()
        connection = fairy.dbapi_connection
        try:
            if engine.dialect.name == "sqlite":  # the pool reset it: no transaction open
                connection.isolation_level = None
            else:
                connection.autocommit = True
        except BaseException:
            connection.close()
            raise
        kept = self.local.kept = _Kept(connection)
        # Closed when the thread ends (its locals go, and the holder with them).
        weakref.finalize(kept, _close_in, kept.pid, connection)
        self.made.add(kept)
        return kept

    def run(self, engine: Engine, sql: str, params, work) -> list:
        """``work(kept)`` on this thread's kept connection. A failure raises SQLAlchemy's
        ``DBAPIError`` (``connection_invalidated`` when the connection was gone), and
        the connection is closed (on SQLite that rolls back what it began) and never
        used again: nothing is kept of a statement that failed, no lock stays held and
        no connection is used in a state nobody checked."""
        dialect = engine.dialect
        mine = None
        try:
            mine = self.get(engine)
            return work(mine)
        except dialect.loaded_dbapi.Error as error:
            gone = mine is not None and dialect.is_disconnect(error, mine.connection, None)
            if mine is not None:
                self.drop()
            raise DBAPIError.instance(sql, params, error, dialect.loaded_dbapi.Error,
                                      connection_invalidated=gone, dialect=dialect) from error
        except BaseException:  # interrupted mid-statement: never use that connection again
            if mine is not None:
                self.drop()
            raise

    def drop(self) -> None:
        """Forget this thread's connection, and close it if this process made it."""
        kept, self.local.kept = getattr(self.local, "kept", None), None
        if kept is not None:
            self.made.discard(kept)
            kept.close()

    def connections(self) -> list:
        """Every thread's kept connection in this process."""
        pid = os.getpid()
        return [kept.connection for kept in list(self.made) if kept.pid == pid]

    def close_all(self) -> None:
        for kept in list(self.made):
            self.made.discard(kept)
            kept.close()


_kept: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_kept_lock = threading.Lock()


def _read_connections(engine: Engine) -> _ReadConnections:
    try:
        return _kept[engine]
    except KeyError:
        with _kept_lock:
            if engine not in _kept:
                _kept[engine] = _ReadConnections(engine)
            return _kept[engine]


def fetch_raw(engine: Engine, statement: Prebuilt, values: Mapping) -> list:
    """Every row of one prebuilt statement, run on a DBAPI connection without an ORM
    session or a transaction of SQLAlchemy's (one statement reads one consistent
    snapshot on every database): on this thread's kept connection in autocommit mode
    (``_ReadConnections``) when the engine keeps them (``keeps_connections``), a single
    round trip on PostgreSQL instead of BEGIN, the statement and ROLLBACK; otherwise on
    a pooled connection.

    A failure raises SQLAlchemy's ``DBAPIError`` (``connection_invalidated`` when the
    connection was gone), and the connection is closed rather than used again in a
    state nobody checked."""
    params = statement.params(values)
    kept = _read_connections(engine)
    if kept.enabled:
        def read_kept(mine: _Kept) -> list:
            cursor = mine.cursor(statement)
            cursor.execute(statement.sql, params)
            return cursor.fetchall()

        return kept.run(engine, statement.sql, params, read_kept)

    def read(connection) -> list:
        cursor = connection.cursor()
        try:
            cursor.execute(statement.sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()

    return _on_pooled(engine, statement.sql, params, read)


def _on_pooled(engine: Engine, sql: str, params, run) -> list:
    """``run(connection)`` on a pooled DBAPI connection. A failure raises SQLAlchemy's
    ``DBAPIError`` (``connection_invalidated`` when the connection was gone), and the
    connection is closed rather than used again in a state nobody checked."""
    dialect = engine.dialect
    pooled = engine.raw_connection()
    connection = pooled.dbapi_connection
    clean = False
    try:
        rows = run(connection)
        clean = True
        return rows
    except dialect.loaded_dbapi.Error as error:
        gone = dialect.is_disconnect(error, connection, None)
        raise DBAPIError.instance(sql, params, error, dialect.loaded_dbapi.Error,
                                  connection_invalidated=gone, dialect=dialect) from error
    finally:
        if not clean:
            pooled.invalidate()
        pooled.close()


def writes_raw(dialect) -> bool:
    """Whether ``write_raw`` can run a statement for this dialect."""
    return dialect.name == "sqlite" or (dialect.name == "postgresql"
                                        and dialect.driver == "psycopg")


def write_raw(engine: Engine, statement: Prebuilt, values: Mapping) -> list:
    """The rows of one prebuilt statement that writes (``RETURNING``), run without an
    ORM session as a transaction of its own: with psycopg on this thread's connection
    in autocommit mode (``fetch_raw``), where the statement commits as it ends; on
    SQLite inside BEGIN IMMEDIATE, taken as ``begin_immediate`` takes it, and committed
    at once (on the thread's kept connection when the engine keeps them). Only for the
    dialects of ``writes_raw``. Failures raise as in ``fetch_raw`` (SQLAlchemy's
    ``DBAPIError``, ``connection_invalidated`` when the connection was gone); a
    connection that failed is closed (on SQLite that rolls back what it began), so
    nothing is kept of the statement and no lock stays held."""
    dialect = engine.dialect
    if statement.native:
        return fetch_raw(engine, statement, values)
    if dialect.name != "sqlite":
        raise TypeError(f"write_raw does not run on {dialect.name}")
    params = statement.params(values)

    def write(connection) -> list:
        _begin_immediate(connection.execute, dialect.loaded_dbapi.OperationalError)
        rows = connection.execute(statement.sql, params).fetchall()
        connection.execute("COMMIT")
        return rows

    kept = _read_connections(engine)
    if kept.enabled:
        return kept.run(engine, statement.sql, params,
                        lambda mine: write(mine.connection))
    return _on_pooled(engine, statement.sql, params, write)


try:  # the PostgreSQL driver is optional: SQLite needs nothing of it
    from psycopg import RawCursor
except ImportError:  # pragma: no cover
    RawCursor = None


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC instant. Naive values are refused; SQLite keeps no zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("naive datetime refused: store timezone-aware UTC instants")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(metadata=MetaData(naming_convention=NAMING_CONVENTION),
                        type_annotation_map={datetime: UTCDateTime()})


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite fit for a server: WAL, a busy timeout, foreign keys, and write
    transactions that take the write lock up front (BEGIN IMMEDIATE), so that a
    transaction never fails late with "database is locked"."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy issue BEGIN itself (pysqlite's own handling is off).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        if is_read_only():
            conn.exec_driver_sql("BEGIN")
        else:
            begin_immediate(conn)


BUSY_TIMEOUT_MS = 5000
WRITE_LOCK_WAIT = BUSY_TIMEOUT_MS / 1000  # seconds a writer waits for the write lock
_RETRY_FIRST, _RETRY_MOST = 0.00025, 0.002


def begin_immediate(conn) -> None:
    """BEGIN IMMEDIATE, asked again every 0.25 to 2 ms while another connection holds the
    write lock, for up to ``WRITE_LOCK_WAIT`` seconds. SQLite's own busy handler sleeps
    longer and longer between tries (up to 100 ms at a time), so a writer that just
    missed the lock could sleep through many short transactions: its wait, not the
    work, made the slowest writes. Other statements keep the busy timeout."""
    _begin_immediate(conn.exec_driver_sql, OperationalError)


def _begin_immediate(execute, locked_error: type[Exception]) -> None:
    """``begin_immediate`` with ``execute(sql)`` on a connection of SQLAlchemy's or of
    the driver, whose "database is locked" error is a ``locked_error``."""
    execute("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + WRITE_LOCK_WAIT
        delay = _RETRY_FIRST
        while True:
            try:
                execute("BEGIN IMMEDIATE")
                return
            except locked_error as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, _RETRY_MOST)
    finally:
        execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
