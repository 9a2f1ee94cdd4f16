"""Small reads about couples that other features need too (no imports of their services)."""

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import JSON, Column, Text, bindparam, cast, select, true, union_all
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from couples.accounts.models import User
from couples.db import Prebuilt, fetch_raw, per_dialect
from couples.extensions import adopt_later, db
from couples.pairing.models import Couple, CoupleMember


def is_linked(user_id: int) -> bool:
    """Whether the user is in a couple right now."""
    return db.session.execute(
        db.select(CoupleMember.id).where(CoupleMember.user_id == user_id,
                                         CoupleMember.left_at.is_(None))).first() is not None


def _json_or_none(text: str | None):
    return None if text is None else json.loads(text)


class _Part:
    """One model's columns in the row: the attribute names, the row's slice and the
    dialect's conversions (dates, JSON, booleans) of each value."""

    def __init__(self, mapper, table, dialect, start: int):
        name = mapper.class_.__name__
        if mapper.class_manager.dispatch.load or mapper.class_manager.dispatch.expire:
            raise TypeError(f"{name} has load or expire hooks that a query would run")
        if len(mapper.primary_key) != 1:
            raise TypeError(f"{name} has a composite primary key")
        self.mapper = mapper
        self.keys, self.columns, self.processors = [], [], []
        self.json_indexes: list[int] = []
        (pk,) = mapper.primary_key
        for prop in mapper.column_attrs:
            (column,) = prop.columns
            if not isinstance(column, Column) or column.table is not mapper.local_table:
                raise TypeError(f"{name}.{prop.key} is not a plain column")
            if column is pk:
                self.pk_index = len(self.keys)
            selected = table.c[column.key]
            process = column.type.dialect_impl(dialect).result_processor(dialect, None)
            if isinstance(column.type, JSON):
                if process is None:
                    # The driver would decode it (psycopg): read as text and decoded
                    # here, the row stays hashable and is recognised (``values``).
                    selected, process = cast(selected, Text), _json_or_none
                self.json_indexes.append(len(self.keys))
            self.keys.append(prop.key)
            self.columns.append(selected)
            self.processors.append(process)
        self.slice = slice(start, start + len(self.keys))
        self.relationships = tuple(rel.key for rel in mapper.relationships)
        if set(mapper.class_manager) != {*self.keys, *self.relationships}:
            raise TypeError(f"{name} has attributes that are neither columns nor relationships")
        self.identity_class = mapper._identity_class
        self.new_instance = mapper.class_manager.new_instance
        self.converted: dict[tuple, tuple] = {}

    CACHE_SIZE = 4096
    _PLAIN = (str, int, float, bool, type(None))

    def values(self, raw: tuple):
        """The row's values as Python values. The conversions (dates, booleans, JSON) of
        a row seen before are remembered: the same people and couples are read on every
        request, and their rows seldom change. What can be changed in place (a list or
        a dict) is each instance's own: a copy of a list or dict of plain values, else
        decoded again from its JSON text (cheaper than a deep copy), else a deep copy."""
        try:
            known = self.converted.get(raw)
        except TypeError:  # an unhashable value (a type the driver decoded): no cache
            known = None
            cacheable = False
        else:
            cacheable = True
        if known is None:
            values = tuple(value if process is None else process(value)
                           for process, value in zip(self.processors, raw, strict=True))
            fresh = tuple((index, self._fresh(index, raw[index], value))
                          for index, value in enumerate(values)
                          if isinstance(value, (list, dict)))
            known = (values, fresh)
            if cacheable:
                if len(self.converted) >= self.CACHE_SIZE:
                    self.converted.clear()
                self.converted[raw] = known
        values, fresh = known
        if not fresh:
            return values
        values = list(values)
        for index, make in fresh:
            values[index] = make(values[index])
        return values

    def _fresh(self, index: int, stored, value):
        """How an instance gets its own copy of ``value`` (a list or a dict)."""
        plain = self._PLAIN
        if isinstance(value, list) and all(type(item) in plain for item in value):
            return list.copy
        if isinstance(value, dict) and all(type(item) in plain for item in value.values()):
            return dict.copy
        if index in self.json_indexes:
            process = self.processors[index]
            return lambda _value: process(stored)
        return copy.deepcopy

    def build(self, row, *, expire: bool = True):
        """A detached instance, as a query would have loaded it (no history, no
        session), or None when the outer join found nothing. ``expire=False``: its
        relationships are not marked unloaded, for a caller that sets them all."""
        raw = row[self.slice]
        if raw[self.pk_index] is None:
            return None
        obj = self.new_instance()
        values = self.values(raw)
        obj.__dict__.update(zip(self.keys, values, strict=True))
        # What make_transient_to_detached does for an instance whose every column is set
        # and nothing else: its identity key, and its relationships marked unloaded.
        state = instance_state(obj)
        state.key = (self.identity_class, (values[self.pk_index],), None)
        if expire and self.relationships:
            state._expire_attributes(state.dict, self.relationships)
        return obj

    def complete(self, obj) -> bool:
        """Whether every relationship of ``obj`` is loaded: it needs no session to be
        read."""
        loaded = obj.__dict__
        return all(key in loaded for key in self.relationships)


@dataclass(frozen=True)
class UserRow:
    """What ``UserRead.load`` found: detached instances. ``complete`` tells whether each
    of them has every relationship loaded (for a linked user, the couple's two members),
    so that nothing about them needs a session until one is there anyway."""

    user: User | None
    couple: Couple | None = None
    partner: User | None = None
    members: tuple[CoupleMember, ...] = ()
    complete: bool = True

    @property
    def instances(self) -> list:
        return [obj for obj in (self.user, self.couple, self.partner, *self.members)
                if obj is not None]


class UserRead:
    """The user, their current couple, its members and the partner in one statement,
    compiled once per dialect and run on a DBAPI connection (``db.fetch_raw``) without a
    transaction: no ORM session, no BEGIN/ROLLBACK (one statement reads one consistent
    snapshot on every database). It gives back detached ORM instances, as a query would
    have loaded them."""

    def __init__(self, dialect):
        users, members = User.__table__, CoupleMember.__table__
        me, partner = users.alias("me"), users.alias("partner")
        mine, theirs = members.alias("mine"), members.alias("theirs")
        couples = Couple.__table__
        user_mapper, member_mapper = User.__mapper__, CoupleMember.__mapper__
        self.me = _Part(user_mapper, me, dialect, 0)
        self.couple = _Part(Couple.__mapper__, couples, dialect, self.me.slice.stop)
        self.partner = _Part(user_mapper, partner, dialect, self.couple.slice.stop)
        self.mine = _Part(member_mapper, mine, dialect, self.partner.slice.stop)
        self.theirs = _Part(member_mapper, theirs, dialect, self.mine.slice.stop)
        parts = (self.me, self.couple, self.partner, self.mine, self.theirs)
        self.joined = (
            me.outerjoin(mine, (mine.c.user_id == me.c.id) & mine.c.left_at.is_(None))
            .outerjoin(couples, couples.c.id == mine.c.couple_id)
            .outerjoin(theirs, (theirs.c.couple_id == mine.c.couple_id)
                       & (theirs.c.user_id != me.c.id) & theirs.c.left_at.is_(None))
            .outerjoin(partner, partner.c.id == theirs.c.user_id))
        self.where = me.c.id == bindparam("user_id")
        stmt = (select(*[column for part in parts for column in part.columns])
                .select_from(self.joined).where(self.where))
        self.stmt, self.dialect = stmt, dialect
        self.width = len(stmt.selected_columns)
        self.folded: dict[str, Prebuilt] = {}
        self.statement = Prebuilt(stmt, dialect)
        if set(self.statement.names) != {"user_id"}:
            raise TypeError(f"unexpected parameters {self.statement.names!r}")

    def folded_statement(self, along) -> Prebuilt:
        """This read and ``along``'s as one statement: this read's row joined to each row
        of ``along``'s ``UNION ALL`` (``LEFT OUTER JOIN … ON true``: the user's row comes
        back once, with NULLs in ``along``'s columns, when ``along`` finds nothing).
        Compiled once for each kind of read along.

        Not a ``UNION ALL`` of this read and ``along``'s branches, each padded with NULLs
        for the others' columns: PostgreSQL builds every branch's projection again on each
        execution, and about sixty padded columns in five branches cost more than the
        reads themselves."""
        statement = self.folded.get(along.fold_kind)
        if statement is None:
            theirs = union_all(*along.fold_selects).subquery("along")
            stmt = (select(*self.stmt.selected_columns, *theirs.c)
                    .select_from(self.joined.outerjoin(theirs, true()))
                    .where(self.where))
            statement = self.folded[along.fold_kind] = Prebuilt(stmt, self.dialect)
        return statement

    def fetch(self, engine, user_id: int, along=None):
        """The row for ``user_id``, or None (``db.fetch_raw``). ``along`` (a
        ``ReadAlong``) is folded into the same statement (``folded_statement``) and given
        its rows: the columns after this read's, in the rows of the first user row found
        whose first column of ``along``'s, never NULL in its rows, is not NULL."""
        if along is None:
            rows = fetch_raw(engine, self.statement, {"user_id": user_id})
            return rows[0] if rows else None
        rows = fetch_raw(engine, self.folded_statement(along),
                         {**along.fold_params, "user_id": user_id})
        if not rows:
            return None  # nobody to read for: ``along`` reads for itself, if ever
        width = self.width
        mine = rows[0][:width]
        along.receive([row[width:] for row in rows
                       if row[width] is not None and row[:width] == mine])
        return mine

    def load(self, engine, user_id: int, along=None) -> UserRow:
        row = self.fetch(engine, user_id, along)
        if row is None:
            return UserRow(None)
        user = self.me.build(row)
        # Linked, with both members there: every relationship is set below.
        linked = row[self.theirs.slice][self.theirs.pk_index] is not None and (
            row[self.partner.slice][self.partner.pk_index] is not None)
        couple = self.couple.build(row, expire=not linked)
        if couple is None:
            return UserRow(user, complete=self.me.complete(user))
        partner, mine, theirs = (self.partner.build(row), self.mine.build(row, expire=not linked),
                                 self.theirs.build(row, expire=not linked))
        members = (mine,) if theirs is None else tuple(
            sorted((mine, theirs), key=lambda member: member.slot))
        if linked:
            # A couple never has more than two member rows (slots 1 and 2): when both are
            # active, they are the whole of Couple.members.
            set_committed_value(couple, "members", list(members))
            for member, person in ((mine, user), (theirs, partner)):
                set_committed_value(member, "couple", couple)
                set_committed_value(member, "user", person)
        complete = (self.me.complete(user) and self.couple.complete(couple)
                    and (partner is None or self.partner.complete(partner))
                    and all(self.mine.complete(member) for member in members))
        return UserRow(user, couple, partner, members, complete)


# The compiled read for an engine's dialect; None when the models have something it does
# not handle (a column that is a SQL expression, say): the ORM query is used then.
user_read = per_dialect(UserRead)


class ReadAlong(Protocol):
    """A read that a request will make once its user is known, guessed beforehand, so
    that on PostgreSQL it travels in the user's own statement
    (``UserRead.folded_statement``): the ``fold_selects`` of a ``UNION ALL`` whose first
    column is never NULL, with their parameters' values by name; ``fold_kind`` names it
    for the compiled statement's cache. ``receive`` gets its rows (whoever guessed checks
    that the guess held before using them)."""

    fold_kind: str
    fold_selects: list
    fold_params: dict

    def receive(self, rows: list) -> None: ...


def user_row_without_session(user_id: int,
                             along: Callable[[], ReadAlong | None] | None = None
                             ) -> UserRow | None:
    """The user, couple and partner read without an ORM session, for a request that only
    reads, with the read ``along()`` gives folded in when that saves a round trip (asked
    for only then: guessing it has a cost of its own). The instances join the app
    context's session as if it had loaded them: when the request first uses
    ``db.session`` (``extensions.Session``), so a request that needs nothing else from
    the database never makes one; at once when one of them has a
    relationship left to load (nothing may need a session behind the caller's back).

    None when the caller should run the ORM query instead: a session is already there
    (its identity map may hold these rows), the models have something ``UserRead`` does
    not handle, or the connection was gone."""
    if db.session.registry.has():
        return None
    engine = db.engine
    read = user_read(engine)
    if read is None:
        return None
    # No round trip to save on SQLite: nothing is guessed there.
    along = along() if along is not None and read.statement.native else None
    try:
        found = read.load(engine, user_id, along)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        return None
    if found.user is not None:
        if found.complete:
            adopt_later(found.instances)
        else:
            session = db.session()
            for obj in found.instances:
                session.add(obj)
    return found
