"""Tonight's check-ins read in one statement, without an ORM session, and an edit of
answers written in one.

``GET /api/v1/checkins/today`` is what a partner opens every evening. Everything it needs
besides the user and the couple (which the user loader read) comes from one prebuilt
``UNION ALL``, compiled once per dialect and run without a session (``db.fetch_raw``):
the open dates' check-ins with their answers, the couple's own questions, the count of
dates both answered this month, the partner's love-language ranking and, when one of the
dates is the weekly day, what that check-in's agenda draws on. JSON columns come
as their text: a check-in's questions can go out in the answer as stored, without being
decoded and encoded again. The other values are converted by the dialect as a query
would have converted them;
``services.open_checkins`` turns them into the same ``CheckinDay`` views as the ORM path
(tests/checkins/test_fast_read.py compares the two). ``AnswerEdit`` replaces a
partner's answers to a check-in not yet revealed in one statement (``db.write_raw``)."""

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app, g, request
from sqlalchemy import (
    Date,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    exists,
    func,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.types import JSON

from couples.appreciations.models import Appreciation
from couples.checkins import rules
from couples.checkins.models import Checkin, CheckinAnswer, CustomQuestion
from couples.clock import utcnow
from couples.db import Prebuilt, UTCDateTime, fetch_raw, per_dialect, write_raw, writes_raw
from couples.extensions import db
from couples.lovelanguages.models import LoveProfile

ANSWER, CUSTOM, MONTH, PROFILE, AGENDA, NOTE = 0, 1, 2, 3, 4, 5
PARAMS = ("couple_id", "day1", "day2", "first", "last", "partner_id", "agenda_first",
          "agenda_day", "notes_from", "notes_until")


@dataclass
class Found:
    """One date's check-in row with its answers by user id; its questions as the JSON
    text they are stored as (``questions`` decodes them)."""

    id: int
    day: date
    kind: str
    questions_json: str
    revealed_at: datetime | None
    answers: dict[int, dict] = field(default_factory=dict)

    @property
    def questions(self) -> list:
        return json.loads(self.questions_json)


@dataclass(frozen=True)
class CustomRow:
    """An active question of the couple's own, as ``rules.custom_question`` takes it."""

    id: int
    type: str
    prompt: str
    options: list | None


@dataclass(frozen=True)
class AgendaAnswer:
    """A check-in's answers from the week before a weekly check-in."""

    day: date
    revealed_at: datetime | None
    user_id: int
    answers: dict


@dataclass(frozen=True)
class AgendaNote:
    """An appreciation sent in that week."""

    id: int
    from_user_id: int
    text: str


@dataclass
class AgendaRows:
    """What the weekly check-in of ``day`` draws its agenda from (``rules.AgendaWindow``):
    answers by date, then user id; appreciations in the order they were sent."""

    day: date
    answers: list[AgendaAnswer] = field(default_factory=list)
    notes: list[AgendaNote] = field(default_factory=list)


@dataclass
class OpenRows:
    checkins: dict[date, Found]
    custom: list[CustomRow]
    together_this_month: int
    partner_ranking: list | None
    agenda: AgendaRows | None = None  # when one of the dates is the weekly day


class OpenRead:
    """The statement, compiled once for a dialect, and how to read its rows."""

    def __init__(self, dialect):
        checkins, answers = Checkin.__table__, CheckinAnswer.__table__
        custom, profiles = CustomQuestion.__table__, LoveProfile.__table__
        notes = Appreciation.__table__
        couple = bindparam("couple_id", type_=Integer)

        def row(tag, *, id_=None, day=None, kind=None, data=None, revealed_at=None,
                user_id=None, answers_=None, prompt=None):
            return (literal_column(str(tag), Integer).label("tag"),
                    (cast(null(), Integer) if id_ is None else id_).label("id"),
                    (cast(null(), Date) if day is None else day).label("day"),
                    (cast(null(), String) if kind is None else kind).label("kind"),
                    (cast(null(), Text) if data is None else cast(data, Text)).label("data"),
                    (cast(null(), UTCDateTime) if revealed_at is None
                     else revealed_at).label("revealed_at"),
                    (cast(null(), Integer) if user_id is None else user_id).label("user_id"),
                    (cast(null(), JSON) if answers_ is None else answers_).label("answers"),
                    (cast(null(), Text) if prompt is None else prompt).label("prompt"))

        stmt = union_all(
            select(*row(ANSWER, id_=checkins.c.id, day=checkins.c.day, kind=checkins.c.kind,
                        data=checkins.c.questions, revealed_at=checkins.c.revealed_at,
                        user_id=answers.c.user_id, answers_=answers.c.answers))
            .select_from(checkins.outerjoin(answers, answers.c.checkin_id == checkins.c.id))
            .where(checkins.c.couple_id == couple,
                   checkins.c.day.in_([bindparam("day1", type_=Date),
                                       bindparam("day2", type_=Date)])),
            select(*row(CUSTOM, id_=custom.c.id, kind=custom.c.type, data=custom.c.options,
                        prompt=custom.c.prompt))
            .where(custom.c.couple_id == couple, custom.c.removed_at.is_(None)),
            select(*row(MONTH, id_=func.count()))
            .select_from(checkins)
            .where(checkins.c.couple_id == couple, checkins.c.revealed_at.is_not(None),
                   checkins.c.day >= bindparam("first", type_=Date),
                   checkins.c.day <= bindparam("last", type_=Date)),
            select(*row(PROFILE, id_=profiles.c.user_id, data=profiles.c.ranking))
            .where(profiles.c.user_id == bindparam("partner_id", type_=Integer)),
            # The weekly check-in's agenda (``services.week_agenda``); with no weekly day
            # among the dates its parameters are NULL, and these two find nothing.
            select(*row(AGENDA, id_=checkins.c.id, day=checkins.c.day,
                        revealed_at=checkins.c.revealed_at, user_id=answers.c.user_id,
                        answers_=answers.c.answers))
            .select_from(checkins.join(answers, answers.c.checkin_id == checkins.c.id))
            .where(checkins.c.couple_id == couple,
                   checkins.c.day >= bindparam("agenda_first", type_=Date),
                   checkins.c.day < bindparam("agenda_day", type_=Date)),
            select(*row(NOTE, id_=notes.c.id, user_id=notes.c.from_user_id,
                        prompt=notes.c.text))
            .where(notes.c.couple_id == couple,
                   notes.c.created_at >= bindparam("notes_from", type_=UTCDateTime),
                   notes.c.created_at < bindparam("notes_until", type_=UTCDateTime)),
        )
        self.selects = stmt.selects
        self.statement = Prebuilt(stmt, dialect)
        if set(self.statement.names) != set(PARAMS):
            raise TypeError(f"unexpected parameters {self.statement.names!r}")
        date_bind = Date().dialect_impl(dialect).bind_processor(dialect)
        self.bind_date = date_bind or (lambda value: value)
        instant_bind = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
        self.bind_instant = instant_bind or (lambda value: value)

        def convert(type_):
            return type_.dialect_impl(dialect).result_processor(dialect, None) or (
                lambda value: value)

        self.to_date = convert(Date())
        self.to_json = convert(JSON())
        self.to_instant = convert(UTCDateTime())

    def values(self, key: tuple) -> dict:
        """The statement's parameters by name, as the driver takes them."""
        couple_id, days, first, last, partner_id, window = key
        bind, instant = self.bind_date, self.bind_instant
        agenda = ({"agenda_first": None, "agenda_day": None, "notes_from": None,
                   "notes_until": None} if window is None else
                  {"agenda_first": bind(window.first), "agenda_day": bind(window.day),
                   "notes_from": instant(window.notes_from),
                   "notes_until": instant(window.notes_until)})
        return {"couple_id": couple_id, "day1": bind(days[0]), "day2": bind(days[-1]),
                "first": bind(first), "last": bind(last), "partner_id": partner_id,
                **agenda}

    def load(self, engine, key: tuple) -> OpenRows:
        return self.rows(fetch_raw(engine, self.statement, self.values(key)), key)

    def rows(self, rows: list, key: tuple) -> OpenRows:
        found: dict[date, Found] = {}
        custom: list[CustomRow] = []
        together, ranking = 0, None
        window = key[-1]
        agenda = None if window is None else AgendaRows(window.day)
        for tag, id_, day, kind, data, revealed_at, user_id, answers, prompt in rows:
            if tag == ANSWER:
                day = self.to_date(day)
                checkin = found.get(day)
                if checkin is None:
                    checkin = found[day] = Found(id_, day, kind, data,
                                                 self.to_instant(revealed_at))
                if user_id is not None:
                    checkin.answers[user_id] = self.to_json(answers)
            elif tag == CUSTOM:
                custom.append(CustomRow(id_, kind, prompt,
                                        None if data is None else json.loads(data)))
            elif tag == MONTH:
                together = id_
            elif tag == PROFILE:
                ranking = None if data is None else json.loads(data)
            elif tag == AGENDA:
                agenda.answers.append(AgendaAnswer(self.to_date(day),
                                                   self.to_instant(revealed_at), user_id,
                                                   self.to_json(answers)))
            else:
                agenda.notes.append(AgendaNote(id_, user_id, prompt))
        custom.sort(key=lambda question: question.id)
        if agenda is not None:
            agenda.answers.sort(key=lambda answer: (answer.day, answer.user_id))
            agenda.notes.sort(key=lambda note: note.id)
        return OpenRows(found, custom, together, ranking, agenda)


open_read = per_dialect(OpenRead)


def _key(couple_id: int, days: list[date], first: date, last: date, partner_id: int,
         zone: str, weekly_day: int | None) -> tuple:
    """The statement's parameters: the couple, the dates and the month counted, the
    partner, and the weekly check-in's agenda window when one of the dates falls on the
    weekly day (``rules.agenda_window``, in the reader's time zone)."""
    day = rules.weekly_day_of(days, weekly_day)
    window = None if day is None else rules.agenda_window(day, zone)
    return couple_id, tuple(days), first, last, partner_id, window


def open_rows(*, couple_id: int, days: list[date], first: date, last: date,
              partner_id: int, zone: str, weekly_day: int | None,
              remember: int | None = None) -> OpenRows | None:
    """The rows without a session, or None when the caller should use the ORM: a session
    is already there (it may hold changes this connection would not see), or the
    connection was gone. ``zone``: the reader's time zone; ``weekly_day``: the
    schedule's. Rows read along with the user (``read_along``) for exactly these
    parameters are used instead of reading again. ``remember``: the id of the partner
    reading, for ``read_along`` to guess their next read from."""
    key = _key(couple_id, days, first, last, partner_id, zone, weekly_day)
    if remember is not None:
        if len(_GUESSES) >= GUESSES_KEPT:
            _GUESSES.clear()
        _GUESSES[remember] = (couple_id, partner_id, zone, weekly_day)
    along = g.pop(_ALONG, None)
    if db.session.registry.has():
        return None
    engine = db.engine
    read = open_read(engine)
    if read is None:
        return None
    if along is not None and along[0] == key:
        return read.rows(along[1], key)
    try:
        return read.load(engine, key)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        return None


# user id -> (couple id, partner id, time zone, weekly day) of their last read, per process.
_GUESSES: dict[int, tuple[int, int, str, int | None]] = {}
GUESSES_KEPT = 10_000
_ALONG = "couples_open_rows_along"


class _Along:
    """The open check-ins' read for a guessed couple and dates, to be folded into the
    user's read (``pairing.queries.ReadAlong``); its rows wait in ``g`` for ``open_rows``,
    which uses them only when the real parameters are the guessed ones."""

    fold_kind = "checkins.open"  # its first column, the tag, is never NULL

    def __init__(self, key: tuple, selects, params: dict):
        self.key, self.fold_selects, self.fold_params = key, selects, params

    def receive(self, rows: list) -> None:
        g.setdefault(_ALONG, (self.key, rows))


def _guessed(user_id: int, days_for) -> _Along | None:
    guess = _GUESSES.get(user_id)
    if guess is None:
        return None
    read = open_read(db.engine)
    if read is None:
        return None
    couple_id, partner_id, zone, weekly_day = guess
    days, first, last = days_for(zone)
    key = _key(couple_id, days, first, last, partner_id, zone, weekly_day)
    return _Along(key, read.selects, read.values(key))


class TodayAnswers:
    """The answers of ``GET /api/v1/checkins/today`` already made, in this process, for
    one app: each under everything it was made from (``services.open_checkins_key``),
    the couple's revision among it. The database counts the revision up, in the same
    transaction, on every change to the rows the answer is drawn from (the triggers of
    the migration 5c1e2f7a9b30), so an answer is used only while its rows are as they
    were. ``readers``: whose last answer came from here, or went in (their next read is
    not folded into the user's: ``read_along``)."""

    SIZE = 4096

    def __init__(self):
        self.bodies: dict[tuple, str] = {}
        self.readers: set[int] = set()

    def get(self, key: tuple, reader: int) -> str | None:
        body = self.bodies.get(key)
        if body is None:
            self.readers.discard(reader)
        return body

    def put(self, key: tuple, reader: int, body: str) -> None:
        if len(self.bodies) >= self.SIZE:
            self.clear()
        self.bodies[key] = body
        self.readers.add(reader)

    def clear(self) -> None:
        self.bodies.clear()
        self.readers.clear()


def today_answers() -> TodayAnswers:
    """This app's ``TodayAnswers``."""
    extensions = current_app.extensions
    answers = extensions.get(_TODAY_ANSWERS)
    if answers is None:
        answers = extensions[_TODAY_ANSWERS] = TodayAnswers()
    return answers


_TODAY_ANSWERS = "couples.checkins.today_answers"


def read_along(user_id: int) -> _Along | None:
    """For ``db.reads_along``: the read ``open_checkins`` will make for this user, from
    the couple, partner, time zone and weekly day of their last one (None the first
    time, and while their answer is kept in ``TodayAnswers``: the read is then most
    likely not needed, and folding it in would cost more than it saves)."""
    if user_id in today_answers().readers:
        return None

    def tonight(zone: str):
        days = rules.open_dates(utcnow(), zone)
        return days, days[0].replace(day=1), days[0]

    return _guessed(user_id, tonight)


def read_along_for_day(user_id: int) -> _Along | None:
    """For ``db.reads_along`` on a route with a ``day`` in its path: the read
    ``services.ensure_answerable`` will make for that date (None for a path that is no
    date: the view answers 404 without reading)."""
    day = rules.parse_day(str((request.view_args or {}).get("day", "")))
    if day is None:
        return None
    return _guessed(user_id, lambda _zone: ([day], day, day))


class AnswerEdit:
    """A partner replacing their answers to a check-in that is not revealed, in one
    statement that is a transaction of its own (``db.write_raw``): the check-in is
    locked (on PostgreSQL its row, as ``services.submit`` locks it; on SQLite the
    database's write lock) only while the statement runs, and the answers are replaced
    only if the check-in is still not revealed once the lock is had. A reveal is the
    only way a partner's answers can join mine (``submit`` reveals on the second
    answer, under the same lock), so "not revealed" under the lock means that mine are
    still the only answers."""

    def __init__(self, dialect):
        if not (writes_raw(dialect) and dialect.update_returning):
            raise TypeError(f"no one-statement edit on {dialect.name}")
        checkins, answers = Checkin.__table__, CheckinAnswer.__table__
        user_id = bindparam("user_id", type_=Integer)
        others = answers.alias("others")
        target = (select(checkins.c.id)
                  .where(checkins.c.id == bindparam("checkin_id", type_=Integer),
                         checkins.c.revealed_at.is_(None),
                         # Never true while the rule above holds; a check-in that broke
                         # it goes the locked way, which reveals it.
                         ~exists().where(others.c.checkin_id == checkins.c.id,
                                         others.c.user_id != user_id))
                  .with_for_update(of=checkins)  # PostgreSQL's row lock; nothing on SQLite
                  .cte("target"))
        json_type, instant = JSON(), UTCDateTime()
        self.statement = Prebuilt(
            update(answers)
            .where(answers.c.checkin_id == target.c.id,
                   answers.c.user_id == user_id)
            .values(answers=bindparam("answers", type_=json_type),
                    updated_at=bindparam("at", type_=instant))
            .returning(answers.c.id), dialect)

        def bind(type_):
            return type_.dialect_impl(dialect).bind_processor(dialect) or (lambda value: value)

        self.bind_json, self.bind_instant = bind(json_type), bind(instant)

    def run(self, engine, *, checkin_id: int, user_id: int, answers: dict,
            at: datetime) -> bool:
        """Whether the answers were replaced (False: the check-in was revealed, or my
        answers are gone, since it was read)."""
        values = {"checkin_id": checkin_id, "user_id": user_id,
                  "answers": self.bind_json(answers), "at": self.bind_instant(at)}
        return bool(write_raw(engine, self.statement, values))


answer_edit = per_dialect(AnswerEdit)
