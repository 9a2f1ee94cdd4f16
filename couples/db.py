"""Declarative base, naming convention and column types shared by every model."""

from contextvars import ContextVar
from datetime import UTC, datetime

from flask import has_request_context, request
from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
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
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN" if is_read_only() else "BEGIN IMMEDIATE")
