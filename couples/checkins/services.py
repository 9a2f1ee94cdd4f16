"""Check-ins: the couple's schedule and questions, answering, the reveal, history.

The privacy rule lives here: a partner's answers leave this module only in a check-in
both partners have answered (``CheckinDay.partner_answers`` is None until then)."""

import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import bindparam, func, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm.attributes import set_committed_value

from couples.accounts import services as accounts
from couples.accounts.models import User
from couples.checkins import bank, queries, rules
from couples.checkins.models import Checkin, CheckinAnswer, CustomQuestion
from couples.clock import isoformat, local_date
from couples.db import reset_read_only, set_read_only
from couples.errors import Conflict, Invalid, NotFound
from couples.extensions import db
from couples.lovelanguages import services as lovelanguages
from couples.notifications import reminders
from couples.notifications.services import deliver_soon, notify
from couples.pairing.models import Couple
from couples.pairing.services import Pairing

HISTORY_PAGE = 20
HISTORY_MAX = 100
CUSTOM_MAX = 10


class CheckinClosed(Conflict):
    code = "checkin-closed"


class AlreadyRevealed(Conflict):
    code = "already-revealed"


@dataclass
class CheckinDay:
    """One date's check-in as one partner may see it."""

    day: date
    kind: str
    questions: list[dict]
    my_answers: dict | None = None
    partner_answered: bool = False
    revealed_at: datetime | None = None
    partner_answers: dict | None = None  # only once revealed
    open: bool = False                   # I may still answer or edit
    next_steps: list[str] = field(default_factory=list)
    # While I wait for my partner: one small move from their top love language.
    small_move: dict | None = None
    # The weekly check-in's agenda, drawn from the week before it (see week_agenda).
    agenda: dict | None = None
    # ``open_checkins(questions_as_json=True)`` and an edit made in one statement: the
    # questions as JSON text, to go out as they are (``questions`` is then left empty).
    questions_json: str | None = None

    @property
    def revealed(self) -> bool:
        return self.revealed_at is not None


# ------------------------------------------------------------------------------ schedule
def schedule_of(couple: Couple) -> rules.Schedule:
    days = frozenset(d for d in range(7) if couple.nightly_days & (1 << d))
    return rules.Schedule(nightly_days=days, weekly_day=couple.weekly_day,
                          modules_off=frozenset(couple.modules_off or ()))


def active_custom_questions(couple_id: int) -> list[CustomQuestion]:
    return list(db.session.execute(
        db.select(CustomQuestion)
        .where(CustomQuestion.couple_id == couple_id, CustomQuestion.removed_at.is_(None))
        .order_by(CustomQuestion.id)).scalars())


def _custom_dicts(custom: Iterable[CustomQuestion]) -> list[dict]:
    return [rules.custom_question(q.id, q.type, q.prompt, q.options) for q in custom]


def update_settings(*, pairing: Pairing, changes: dict, now: datetime) -> None:
    """Change the couple's schedule, modules and custom questions (either partner); only
    the keys present in ``changes`` (``nightly_days``, ``weekly_day``, ``modules_off``,
    ``custom_questions``) change. ``custom_questions`` replaces the list: entries with an
    ``id`` keep (and may reword) that question, entries without one are added, the rest
    are removed (their answers stay with the check-ins that asked them)."""
    couple = pairing.couple
    errors: dict[str, list[str]] = {}
    if "nightly_days" in changes:
        couple.nightly_days = sum(1 << d for d in set(changes["nightly_days"]))
    if "weekly_day" in changes:
        couple.weekly_day = changes["weekly_day"]
    if "modules_off" in changes:
        couple.modules_off = [m for m in rules.MODULES if m in set(changes["modules_off"])]
    if (custom_questions := changes.get("custom_questions")) is not None:
        current = {q.id: q for q in active_custom_questions(couple.id)}
        kept = set()
        for index, item in enumerate(custom_questions):
            question_id = item.get("id")
            if question_id is not None:
                question = current.get(question_id)
                if question is None:
                    errors[f"custom_questions.{index}.id"] = [
                        "There is no such question (it may have been removed)."]
                    continue
                kept.add(question_id)
                question.prompt = item["prompt"]
                if question.type == "choice" and item.get("options"):
                    question.options = item["options"]
                continue
            db.session.add(CustomQuestion(couple_id=couple.id, type=item["type"],
                                          prompt=item["prompt"], options=item.get("options"),
                                          created_at=now))
        for question_id, question in current.items():
            if question_id not in kept:
                question.removed_at = now
        if len(custom_questions) > CUSTOM_MAX:
            errors["custom_questions"] = [f"Up to {CUSTOM_MAX} questions of your own."]
    if not couple.nightly_days and couple.weekly_day is None:
        errors["nightly_days"] = ["Keep at least one day for a check-in."]
    if errors:
        db.session.rollback()
        raise Invalid(errors=errors)
    for member in couple.members:
        reminders.reschedule(member.user, now)
    db.session.commit()


# ------------------------------------------------------------------------------- reading
def _live_questions(couple: Couple, day: date, kind: str,
                    custom: list[CustomQuestion]) -> list[dict]:
    schedule = schedule_of(couple)
    question = bank.question_of_the_day(couple.id, day)
    return rules.questions_for(kind, modules_off=schedule.modules_off,
                               question_of_the_day=question.prompt,
                               custom=_custom_dicts(custom))


def _load(couple_id: int, days: list[date]) -> dict[date, tuple[Checkin, dict[int, dict]]]:
    """The check-ins of ``days`` with every answer, in one query."""
    rows = db.session.execute(
        db.select(Checkin, CheckinAnswer)
        .outerjoin(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
        .where(Checkin.couple_id == couple_id, Checkin.day.in_(days))).all()
    found: dict[date, tuple[Checkin, dict[int, dict]]] = {}
    for checkin, answer in rows:
        _, answers = found.setdefault(checkin.day, (checkin, {}))
        if answer is not None:
            answers[answer.user_id] = answer.answers
    return found


def _view(pairing: Pairing, checkin: Checkin | None, answers: dict[int, dict], *, day: date,
          kind: str, questions: list[dict], is_open: bool) -> CheckinDay:
    mine = answers.get(pairing.me.id)
    theirs = answers.get(pairing.partner.id)
    revealed_at = checkin.revealed_at if checkin else None
    view = CheckinDay(day=day, kind=kind, questions=questions, my_answers=mine,
                      partner_answered=theirs is not None, revealed_at=revealed_at,
                      open=is_open and revealed_at is None)
    if revealed_at is not None and mine is not None and theirs is not None:
        view.partner_answers = theirs
        view.next_steps = rules.next_step_reasons(mine, theirs)
    return view


def week_agenda(*, pairing: Pairing, day: date) -> dict:
    """What the week before ``day`` brings to the weekly check-in: the appreciations sent,
    each "one thing that would help me" and each "on my mind" item. The partner's answers
    only from check-ins both answered. Two queries (``queries.open_rows`` reads the same
    along with tonight's check-ins)."""
    from couples.appreciations.models import Appreciation

    window = rules.agenda_window(day, pairing.me.timezone)
    answers = [queries.AgendaAnswer(*row) for row in db.session.execute(
        db.select(Checkin.day, Checkin.revealed_at, CheckinAnswer.user_id,
                  CheckinAnswer.answers)
        .join(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
        .where(Checkin.couple_id == pairing.couple.id, Checkin.day >= window.first,
               Checkin.day < window.day)
        .order_by(Checkin.day, CheckinAnswer.user_id))]
    notes = [queries.AgendaNote(*row) for row in db.session.execute(
        db.select(Appreciation.id, Appreciation.from_user_id, Appreciation.text).where(
            Appreciation.couple_id == pairing.couple.id,
            Appreciation.created_at >= window.notes_from,
            Appreciation.created_at < window.notes_until)
        .order_by(Appreciation.id))]
    return _agenda(pairing, answers, notes)


def _agenda(pairing: Pairing, answers: list[queries.AgendaAnswer],
            notes: list[queries.AgendaNote]) -> dict:
    helps, minds = [], []
    for row in answers:
        if row.user_id == pairing.me.id:
            who = "me"
        elif row.user_id == pairing.partner.id and row.revealed_at is not None:
            who = "partner"
        else:  # the partner's answers to a check-in I never answered stay theirs
            continue
        when = row.day.isoformat()
        if row.answers.get("needs_help"):
            helps.append({"date": when, "who": who, "text": row.answers["needs_help"]})
        if row.answers.get("on_my_mind") and row.answers.get("on_my_mind_text"):
            minds.append({"date": when, "who": who, "text": row.answers["on_my_mind_text"]})
    return {"appreciations": [{"who": "me" if n.from_user_id == pairing.me.id else "partner",
                               "text": n.text} for n in notes],
            "would_help": helps, "on_my_mind": minds}


_PROFILE_UNREAD = object()


def _with_extras(pairing: Pairing, views: list[CheckinDay], *,
                 partner_profile=_PROFILE_UNREAD,
                 agenda: queries.AgendaRows | None = None) -> list[CheckinDay]:
    """The weekly agenda and the small moves. ``agenda``: what a weekly check-in's
    agenda draws on, when already read (``queries.open_rows``) for its date."""
    for view in views:
        if view.kind == "weekly" and view.open:
            if agenda is not None and agenda.day == view.day:
                view.agenda = _agenda(pairing, agenda.answers, agenda.notes)
            else:
                view.agenda = week_agenda(pairing=pairing, day=view.day)
    return _with_small_moves(pairing, views, partner_profile=partner_profile)


def _with_small_moves(pairing: Pairing, views: list[CheckinDay], *,
                      partner_profile=_PROFILE_UNREAD) -> list[CheckinDay]:
    """``partner_profile``: the partner's love profile (or None) when already read."""
    waiting = [v for v in views if v.my_answers is not None and not v.partner_answered]
    if waiting:
        profile = partner_profile
        if profile is _PROFILE_UNREAD:
            profile = lovelanguages.profiles([pairing.partner.id]).get(pairing.partner.id)
        for view in waiting:
            language, idea = lovelanguages.small_move_for(profile, view.day)
            view.small_move = {"language": language, "idea": idea}
    return views


def _open_views(pairing: Pairing, days: list[date], found: dict, custom, *,
                as_json: bool = False) -> list[CheckinDay]:
    """``found``: date -> (check-in, answers by user id); ``custom``: the couple's active
    questions, or a function that reads them (only a date without a check-in needs
    them). ``as_json``: each view's questions as JSON text (``questions_json``); the
    check-ins of ``found`` then have them so (``queries.Found``)."""
    schedule = schedule_of(pairing.couple)
    views = []
    for day in days:
        if day in found:
            checkin, answers = found[day]
            view = _view(pairing, checkin, answers, day=day, kind=checkin.kind,
                         questions=[] if as_json else checkin.questions, is_open=True)
            if as_json:
                view.questions_json = checkin.questions_json
            views.append(view)
            continue
        kind = rules.kind_for(day, schedule)
        if kind is None:
            continue
        if callable(custom):
            custom = custom()
        if as_json:
            view = _view(pairing, None, {}, day=day, kind=kind, is_open=True, questions=[])
            view.questions_json = _live_questions_json(
                kind, schedule.modules_off,
                bank.question_of_the_day(pairing.couple.id, day).prompt,
                tuple((q.id, q.type, q.prompt, tuple(q.options or ())) for q in custom))
            views.append(view)
            continue
        views.append(_view(pairing, None, {}, day=day, kind=kind, is_open=True,
                           questions=_live_questions(pairing.couple, day, kind, custom)))
    return views


@functools.lru_cache(maxsize=512)
def _live_questions_json(kind: str, modules_off: frozenset, question_of_the_day: str,
                         custom: tuple) -> str:
    """The questions ``_live_questions`` builds, as JSON text, for the same settings."""
    return json.dumps(rules.questions_for(
        kind, modules_off=modules_off, question_of_the_day=question_of_the_day,
        custom=[rules.custom_question(*q) for q in custom]), separators=(",", ":"))


def today(*, pairing: Pairing, now: datetime) -> list[CheckinDay]:
    """My open check-ins: my local today first, then yesterday while its window is open.
    Dates without a check-in in the couple's schedule are left out."""
    days = rules.open_dates(now, pairing.me.timezone)
    views = _open_views(pairing, days, _load(pairing.couple.id, days),
                        lambda: active_custom_questions(pairing.couple.id))
    return _with_extras(pairing, views)


@dataclass(frozen=True)
class _Ranking:
    ranking: list


def open_checkins_key(*, pairing: Pairing, now: datetime) -> tuple:
    """Everything ``open_checkins`` gives me at ``now`` is drawn from, as a key for its
    answer (``queries.TodayAnswers``): who reads and their partner; their couple, with
    the instant it was made (a couple's id used again after a deletion is another key,
    and nobody joins a couple once it is made); the couple's revision, counted up by the
    database on every change to the rows the answer draws on; the couple's schedule; my
    time zone and my open dates (the month counted, the weekly agenda's window and the
    small moves follow from them)."""
    me, couple = pairing.me, pairing.couple
    return (me.id, pairing.partner.id, couple.id, couple.created_at, couple.revision,
            couple.nightly_days, couple.weekly_day, tuple(couple.modules_off or ()),
            me.timezone, tuple(rules.open_dates(now, me.timezone)))


def open_checkins(*, pairing: Pairing, now: datetime, questions_as_json: bool = False
                  ) -> tuple[list[CheckinDay], int]:
    """``today`` and ``days_together_this_month`` together: in one statement without an
    ORM session when the request has none yet (``queries.open_rows``), else through the
    ORM. The same views either way. ``questions_as_json``: each view's questions in
    ``questions_json`` as JSON text (for an answer that sends them as they are)."""
    days = rules.open_dates(now, pairing.me.timezone)
    last = days[0]
    rows = queries.open_rows(couple_id=pairing.couple.id, days=days, first=last.replace(day=1),
                             last=last, partner_id=pairing.partner.id,
                             zone=pairing.me.timezone, weekly_day=pairing.couple.weekly_day,
                             remember=pairing.me.id)
    if rows is None:
        views = today(pairing=pairing, now=now)
        if questions_as_json:
            for view in views:
                view.questions_json, view.questions = json.dumps(view.questions), []
        return views, days_together_this_month(pairing=pairing, now=now)
    found = {day: (checkin, checkin.answers) for day, checkin in rows.checkins.items()}
    views = _open_views(pairing, days, found, rows.custom, as_json=questions_as_json)
    profile = None if rows.partner_ranking is None else _Ranking(rows.partner_ranking)
    return (_with_extras(pairing, views, partner_profile=profile, agenda=rows.agenda),
            rows.together_this_month)


def one_day(*, pairing: Pairing, day: date, now: datetime) -> CheckinDay:
    """One date's check-in for me: an open one, or a revealed one from the history.
    404 for a date I cannot answer that has no check-in I may see."""
    found = _load(pairing.couple.id, [day])
    is_open = rules.answerable(day, now, pairing.me.timezone)
    if day in found:
        checkin, answers = found[day]
        if is_open or checkin.revealed_at is not None or pairing.me.id in answers:
            return _with_extras(pairing, [_view(
                pairing, checkin, answers, day=day, kind=checkin.kind,
                questions=checkin.questions, is_open=is_open)])[0]
    elif is_open and (kind := rules.kind_for(day, schedule_of(pairing.couple))):
        questions = _live_questions(pairing.couple, day, kind,
                                    active_custom_questions(pairing.couple.id))
        return _with_extras(pairing, [_view(pairing, None, {}, day=day, kind=kind,
                                             questions=questions, is_open=True)])[0]
    raise NotFound("There is no check-in for that date.")


def form_day(*, pairing: Pairing, day: date, now: datetime) -> CheckinDay:
    """The questions of ``day`` as I would answer them, open or not (to show a refused
    form again with everything typed). 404 for a date that has no check-in."""
    found = _load(pairing.couple.id, [day])
    is_open = rules.answerable(day, now, pairing.me.timezone)
    if day in found:
        checkin, answers = found[day]
        return _view(pairing, checkin, answers, day=day, kind=checkin.kind,
                     questions=checkin.questions, is_open=is_open)
    kind = rules.kind_for(day, schedule_of(pairing.couple))
    if kind is None:
        raise NotFound("There is no check-in for that date.")
    questions = _live_questions(pairing.couple, day, kind,
                                active_custom_questions(pairing.couple.id))
    return _view(pairing, None, {}, day=day, kind=kind, questions=questions, is_open=is_open)


def history(*, pairing: Pairing, before: date | None = None,
            limit: int = HISTORY_PAGE) -> tuple[list[CheckinDay], date | None]:
    """Revealed check-ins, newest first: (one page, the cursor of the next page or None).
    Two queries whatever the length of the history."""
    limit = max(1, min(limit, HISTORY_MAX))
    query = (db.select(Checkin)
             .where(Checkin.couple_id == pairing.couple.id, Checkin.revealed_at.is_not(None))
             .order_by(Checkin.day.desc()).limit(limit + 1))
    if before is not None:
        query = query.where(Checkin.day < before)
    checkins = list(db.session.execute(query).scalars())
    more = len(checkins) > limit
    checkins = checkins[:limit]
    answers: dict[int, dict[int, dict]] = {}
    if checkins:
        for answer in db.session.execute(db.select(CheckinAnswer).where(
                CheckinAnswer.checkin_id.in_([c.id for c in checkins]))).scalars():
            answers.setdefault(answer.checkin_id, {})[answer.user_id] = answer.answers
    views = [_view(pairing, c, answers.get(c.id, {}), day=c.day, kind=c.kind,
                   questions=c.questions, is_open=False) for c in checkins]
    return views, (checkins[-1].day if more else None)


def days_together_this_month(*, pairing: Pairing, now: datetime) -> int:
    """How many dates of my current local month we both checked in (never a streak)."""
    today_here = local_date(now, pairing.me.timezone)
    first = today_here.replace(day=1)
    return db.session.execute(
        db.select(func.count()).select_from(Checkin)
        .where(Checkin.couple_id == pairing.couple.id, Checkin.revealed_at.is_not(None),
               Checkin.day >= first, Checkin.day <= today_here)).scalar_one()


# ------------------------------------------------------------------------------- writing
def _insert_ignore(model, values: dict, keys: list[str]):
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)


# SQLite: one statement, under the write transaction (the database's one write lock).
_CHECKIN_WITH_ANSWERS = (db.select(Checkin, CheckinAnswer)
                         .outerjoin(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
                         .where(Checkin.couple_id == bindparam("couple_id"),
                                Checkin.day == bindparam("day"))
                         .execution_options(populate_existing=True))
# PostgreSQL: the check-in's row locked, then its answers read by a statement of their own.
_CHECKIN_LOCKED = (db.select(Checkin)
                   .where(Checkin.couple_id == bindparam("couple_id"),
                          Checkin.day == bindparam("day"))
                   .with_for_update()
                   .execution_options(populate_existing=True))
_ANSWERS_OF = (db.select(CheckinAnswer)
               .where(CheckinAnswer.checkin_id == bindparam("checkin_id"))
               .execution_options(populate_existing=True))

_answers_table = CheckinAnswer.__table__
_ANSWERS_EDIT = (update(_answers_table)
                 .where(_answers_table.c.id == bindparam("answer_id"))
                 .values(answers=bindparam("new_answers"), updated_at=bindparam("at")))


def _locked_checkin(couple_id: int, day: date
                    ) -> tuple[Checkin | None, dict[int, CheckinAnswer]]:
    """(the check-in of ``day``, locked, or None; its answers by user id).

    On PostgreSQL the answers are read after the lock is had, by a second statement: a
    statement sees the rows as they were when it began, and when it waits for a row
    lock it reads again only the locked row. Read in the statement that waited, an
    edit the partner committed meanwhile would be missed, and a reveal would show
    answers that are no longer kept (tests/checkins/test_reveal_race.py)."""
    params = {"couple_id": couple_id, "day": day}
    if db.session.get_bind().dialect.name != "postgresql":
        rows = db.session.execute(_CHECKIN_WITH_ANSWERS, params).all()
        if not rows:
            return None, {}
        return rows[0][0], {answer.user_id: answer for _, answer in rows if answer is not None}
    checkin = db.session.execute(_CHECKIN_LOCKED, params).scalar_one_or_none()
    if checkin is None:
        return None, {}
    answers = db.session.execute(_ANSWERS_OF, {"checkin_id": checkin.id}).scalars()
    return checkin, {answer.user_id: answer for answer in answers}


def _refuse(checkin: Checkin | None, kind: str | None, *, pairing: Pairing, day: date,
            now: datetime) -> None:
    """The checks before any answer is looked at: 404, then 409."""
    if kind is None:
        raise NotFound("There is no check-in for that date.")
    if not rules.answerable(day, now, pairing.me.timezone):
        raise CheckinClosed("This check-in is closed: answer today's, or yesterday's "
                            "until noon.")
    if checkin is not None and checkin.revealed_at is not None:
        raise AlreadyRevealed("You've both answered this one, so it can't change now.")


@dataclass(frozen=True)
class Answerable:
    """What ``ensure_answerable`` read on its way, for ``submit``: the partner's love
    profile (or None; ``_PROFILE_UNREAD`` when not read), the date's check-in as read
    without a session (None when there is none, or it was read through the ORM), and
    what its agenda draws on if the date is the weekly day (an answer does not change
    it: it comes from the dates before)."""

    partner_profile: object = _PROFILE_UNREAD
    found: queries.Found | None = None
    agenda: queries.AgendaRows | None = None


def ensure_answerable(*, pairing: Pairing, day: date, now: datetime) -> Answerable:
    """404 for a date without a check-in, 409 once revealed or outside my window. Read
    without a session when the request has none yet, so that a request that goes on to
    write takes its write lock only then (``submit`` checks again under the lock)."""
    rows = queries.open_rows(couple_id=pairing.couple.id, days=[day], first=day, last=day,
                             partner_id=pairing.partner.id, zone=pairing.me.timezone,
                             weekly_day=pairing.couple.weekly_day, remember=pairing.me.id)
    if rows is not None:
        checkin = rows.checkins.get(day)
        profile = None if rows.partner_ranking is None else _Ranking(rows.partner_ranking)
        read = Answerable(profile, checkin, rows.agenda)
    else:
        found = _load(pairing.couple.id, [day])
        checkin = found[day][0] if day in found else None
        read = Answerable()
    kind = checkin.kind if checkin else rules.kind_for(day, schedule_of(pairing.couple))
    _refuse(checkin, kind, pairing=pairing, day=day, now=now)
    return read


def submit(*, pairing: Pairing, day: date, answers: dict, now: datetime,
           answerable: Answerable | None = None) -> CheckinDay:
    """Save (or replace) my answers for ``day``. The second partner's answers reveal the
    check-in, exactly once however close together the two arrive: the check-in row is
    locked (SQLite: the write transaction) while the answers are counted.

    ``answerable``: what ``ensure_answerable`` read, if it was called: an edit of
    answers it saw may then be one statement (``_edit_at_once``), and the small move in
    the answer uses the partner's profile it read."""
    partner_profile = answerable.partner_profile if answerable else _PROFILE_UNREAD
    agenda = answerable.agenda if answerable else None
    if answerable is not None and answerable.found is not None:
        view = _edit_at_once(pairing, answerable.found, day=day, answers=answers, now=now)
        if view is not None:
            return _extras_after_write(pairing, view, partner_profile, agenda)
    me, partner, couple = pairing.me, pairing.partner, pairing.couple
    schedule = schedule_of(couple)
    checkin, stored = _locked_checkin(couple.id, day)
    kind = checkin.kind if checkin else rules.kind_for(day, schedule)
    try:
        _refuse(checkin, kind, pairing=pairing, day=day, now=now)
    except (NotFound, Conflict):
        db.session.rollback()
        raise
    questions = (checkin.questions if checkin else
                 _live_questions(couple, day, kind, active_custom_questions(couple.id)))
    clean, errors = rules.check_answers(questions, answers)
    if errors:
        db.session.rollback()
        raise Invalid(errors=errors)
    if checkin is None:
        question = bank.question_of_the_day(couple.id, day)
        db.session.execute(_insert_ignore(Checkin, {
            "couple_id": couple.id, "day": day, "kind": kind, "questions": questions,
            "question_key": question.key if "question" not in schedule.modules_off else None,
            "created_at": now}, ["couple_id", "day"]))
        checkin, stored = _locked_checkin(couple.id, day)
        if checkin.revealed_at is not None:  # created and revealed while we waited
            db.session.rollback()
            raise AlreadyRevealed("You've both answered this one, so it can't change now.")
        if checkin.questions != questions:  # created a moment ago with other questions
            clean, errors = rules.check_answers(checkin.questions, answers)
            if errors:
                db.session.rollback()
                raise Invalid(errors=errors)
    first_answer = me.id not in stored
    if first_answer:
        db.session.add(CheckinAnswer(checkin_id=checkin.id, user_id=me.id, answers=clean,
                                     created_at=now, updated_at=now))
    else:
        # An edit: one prebuilt UPDATE instead of the unit of work, while the lock is held.
        mine = stored[me.id]
        db.session.execute(_ANSWERS_EDIT, {"answer_id": mine.id, "new_answers": clean,
                                           "at": now})
        set_committed_value(mine, "answers", clean)
        set_committed_value(mine, "updated_at", now)
    revealed = partner.id in stored
    if revealed:
        checkin.revealed_at = now
    if first_answer or revealed:  # an edit tells nobody anything new
        _tell_partner(pairing, day, revealed=revealed, now=now)
    answers_now = {user_id: answer.answers for user_id, answer in stored.items()}
    answers_now[me.id] = clean
    view = _view(pairing, checkin, answers_now, day=day, kind=checkin.kind,
                 questions=checkin.questions, is_open=True)
    session = db.session()
    # What was just written is what the answer shows: nothing needs to be read again.
    session.expire_on_commit = False
    try:
        db.session.commit()  # the answers, the reveal and the notice together
    finally:
        session.expire_on_commit = True
    if first_answer or revealed:
        deliver_soon()
    return _extras_after_write(pairing, view, partner_profile, agenda)


def _extras_after_write(pairing: Pairing, view: CheckinDay, partner_profile,
                        agenda: queries.AgendaRows | None = None) -> CheckinDay:
    token = set_read_only(True)  # what follows only reads: no write lock for it
    try:
        return _with_extras(pairing, [view], partner_profile=partner_profile,
                            agenda=agenda)[0]
    finally:
        reset_read_only(token)


def _edit_at_once(pairing: Pairing, found: queries.Found, *, day: date, answers: dict,
                  now: datetime) -> CheckinDay | None:
    """My edit of answers I gave to a check-in the partner has not answered, as one
    statement (``queries.AnswerEdit``): no ORM session, no transaction held open around
    the work in between, and nobody to tell. ``found`` was read (and refused if
    revealed or closed) by ``ensure_answerable``; its questions never change once the
    check-in exists. None when this is not such an edit, when the answers are not valid
    (the locked way says which comes first: a check-in revealed meanwhile is a 409, not
    a 422), or when the check-in changed since it was read: ``submit`` then goes the
    locked way, which looks again."""
    me, partner = pairing.me, pairing.partner
    if found.revealed_at is not None or me.id not in found.answers or partner.id in found.answers:
        return None
    if db.session.registry.has():  # a session may hold changes, or the lock itself
        return None
    edit = queries.answer_edit(db.engine)
    if edit is None:
        return None
    questions = found.questions
    clean, errors = rules.check_answers(questions, answers)
    if errors:
        return None
    try:
        done = edit.run(db.engine, checkin_id=found.id, user_id=me.id, answers=clean, at=now)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        # The connection went: the edit may have been committed before it did. The
        # locked way writes the same answers again, or answers 409 if the partner has
        # revealed the check-in since (the reveal then showed these answers).
        done = False
    if not done:
        return None
    view = _view(pairing, None, {me.id: clean}, day=day, kind=found.kind, questions=[],
                 is_open=True)
    view.questions_json = found.questions_json  # as stored: not encoded again
    return view


def _tell_partner(pairing: Pairing, day: date, *, revealed: bool, now: datetime) -> None:
    """At most one ``partner_checked_in`` per partner and date, never with content."""
    me, partner = pairing.me, pairing.partner
    if revealed:
        title = f"{me.display_name} answered too"
        body = "You can see each other's answers now."
    elif rules.answerable(day, now, partner.timezone):
        title = f"{me.display_name} finished their check-in"
        body = "Add yours to see each other's answers."
    else:  # the partner's date has closed (or not begun): nothing to ask of them
        return
    notify(user=partner, kind="partner_checked_in", dedupe_key=f"checkin:{day.isoformat()}",
           title=title, body=body, url=f"/checkin/{day.isoformat()}", now=now, commit=False)


def _answered_already(due: list[reminders.Due]) -> set[int]:
    """Whose reminder is not needed: they answered that local date already. One query."""
    wanted = {(user.id, couple_id, day) for user, couple_id, day in due}
    rows = db.session.execute(
        db.select(CheckinAnswer.user_id, Checkin.couple_id, Checkin.day)
        .join(Checkin, Checkin.id == CheckinAnswer.checkin_id)
        .where(CheckinAnswer.user_id.in_({u for u, _, _ in wanted}),
               Checkin.day.in_({d for _, _, d in wanted}))).all()
    return {user_id for user_id, couple_id, day in rows if (user_id, couple_id, day) in wanted}


reminders.skip_checkin_reminders_when(_answered_already)


# -------------------------------------------------------------------------------- export
def _export(user: User) -> dict:
    rows = db.session.execute(
        db.select(Checkin, CheckinAnswer)
        .join(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
        .where(CheckinAnswer.user_id == user.id)
        .order_by(Checkin.day)).all()
    return {"checkins": [{"date": c.day.isoformat(), "kind": c.kind,
                          "questions": c.questions, "answers": a.answers,
                          "answered_at": isoformat(a.created_at),
                          "revealed_at": isoformat(c.revealed_at)} for c, a in rows]}


accounts.register_exporter("checkins", _export)
