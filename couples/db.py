"""Declarative base, naming convention and column types shared by every model."""

import time
import weakref
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import has_request_context, request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, registry
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


def fetch_raw(engine: Engine, sql: str, params, *, autocommit: bool) -> list:
    """Every row of one prebuilt statement, run on a pooled DBAPI connection without an
    ORM session or a transaction of SQLAlchemy's (one statement reads one consistent
    snapshot on every database). ``autocommit`` (psycopg): a single round trip instead of
    BEGIN, the statement and ROLLBACK.

    A failure raises SQLAlchemy's ``DBAPIError`` (``connection_invalidated`` when the
    connection was gone), and the connection is dropped from the pool rather than
    returned in a state nobody checked."""
    dialect = engine.dialect
    connection = engine.raw_connection()
    dbapi_connection = connection.dbapi_connection
    clean = False
    try:
        if autocommit:
            dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        finally:
            cursor.close()
        if autocommit:
            dbapi_connection.autocommit = False
        clean = True
        return rows
    except dialect.loaded_dbapi.Error as error:
        gone = dialect.is_disconnect(error, dbapi_connection, None)
        raise DBAPIError.instance(sql, params, error, dialect.loaded_dbapi.Error,
                                  connection_invalidated=gone, dialect=dialect) from error
    finally:
        if not clean:
            connection.invalidate()
        connection.close()


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
    write lock, for up to ``wait`` seconds. SQLite's own busy handler sleeps longer and
    longer between tries (up to 100 ms at a time), so a writer that just missed the
    lock could sleep through many short transactions: its wait, not the work, made the
    slowest writes. Gives up after ``WRITE_LOCK_WAIT`` seconds; other statements keep
    the busy timeout."""
    conn.exec_driver_sql("PRAGMA busy_timeout=0")
    try:
        deadline = time.monotonic() + WRITE_LOCK_WAIT
        delay = _RETRY_FIRST
        while True:
            try:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                return
            except OperationalError as error:
                if "locked" not in str(error.orig) or time.monotonic() >= deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, _RETRY_MOST)
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
