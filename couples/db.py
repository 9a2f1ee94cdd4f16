"""Declarative base, naming convention, column types and SQLite's server settings."""

import re
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, bindparam, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, registry, scoped_session
from sqlalchemy.types import TypeDecorator

from couples.clock import utcnow

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

BUSY_TIMEOUT_MS = 5000
# The execution option that tells the "begin" event how to begin a SQLite transaction.
SQLITE_BEGIN = "sqlite_begin"


def in_ids(column, ids):
    """``column IN (ids)`` for a batch of integer ids (the tick's thousand users), with the
    numbers written into the SQL: a thousand bound parameters would cost more to render,
    and on psycopg to parse, than the query costs the database."""
    values = [int(value) for value in ids]
    return column.in_(bindparam(None, values, expanding=True, literal_execute=True))


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
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


def configure_sqlite(engine: Engine) -> None:
    """Make SQLite fit for a server: WAL, a busy timeout, foreign keys, deleted content
    overwritten (secure_delete), and transactions that SQLAlchemy begins itself, so
    that a command that writes can take the write lock up front (``begin_write``)."""
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
        # What is deleted (an account, its words) is overwritten on disk, not just
        # unlinked from the file: set here, whatever the build's default.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        mode = conn.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def begin_write(session: Session | scoped_session) -> None:
    """Begin the session's transaction as one that writes. On SQLite that is BEGIN
    IMMEDIATE: the database's one write lock is taken before anything is read, so a
    command never reads a snapshot that another writer has made stale meanwhile (SQLite
    would refuse its first write at once with "database is locked"). A read-only
    transaction still open (the user loaded at the start of a request) is ended first:
    what it loaded is read again under the lock. On PostgreSQL commands lock the rows
    they change instead, and nothing is done here.

    Call it at the start of every command that writes, before its first read."""
    if isinstance(session, scoped_session):  # db.session: this request's own
        session = session()
    if session.get_bind().dialect.name != "sqlite":
        return
    if session.in_transaction():
        if session.connection().get_execution_options().get(SQLITE_BEGIN) == "IMMEDIATE":
            return  # already a writer (a command called by another)
        if session.new or session.dirty or session.deleted:
            raise RuntimeError("begin_write() comes before the command's first change")
        session.rollback()
    session.connection(execution_options={SQLITE_BEGIN: "IMMEDIATE"})


# The shape of a public id: random and URL-safe. Anything else names nothing, and is not
# sent to the database (PostgreSQL refuses a NUL in a query).
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,16}")


def is_public_id(value) -> bool:
    return isinstance(value, str) and PUBLIC_ID.fullmatch(value) is not None


def locked(session: Session | scoped_session, query):
    """``query`` for a command about to change what it reads: read afresh, and on
    PostgreSQL each row it selects held until the commit (on SQLite ``begin_write`` has
    taken the one write lock already). Two partners answering at once then take turns,
    and the second sees the first's answer."""
    query = query.execution_options(populate_existing=True)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return query
