"""Check-ins: the couple's schedule and questions, answering, the reveal, history.

The privacy rule lives here: a partner's answers leave this module only in a check-in
both partners have answered (``CheckinDay.partner_answers`` is None until then)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, case, func
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from couples.accounts.models import User
from couples.checkins import bank, reactions, rules
from couples.checkins.models import Checkin, CheckinAnswer, CustomQuestion
from couples.clock import isoformat, local_date
from couples.db import begin_write, in_ids
from couples.errors import Conflict, Invalid, NotFound
from couples.extensions import db
from couples.i18n import writing_to
from couples.lovelanguages import services as lovelanguages
from couples.notifications import reminders
from couples.notifications.services import deliver_soon, notify, settle
from couples.pagination import keyset_page
from couples.pairing.models import Couple
from couples.pairing.services import Pairing
from couples.safetycheck import before_sending

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
    open: bool = False  # I may still answer or edit
    next_steps: list[str] = field(default_factory=list)
    # While I wait for my partner: one small move from their top love language.
    small_move: dict | None = None
    # The weekly check-in's agenda, drawn from the week before it (see week_agenda).
    agenda: dict | None = None
    # Once revealed: reactions to each other's answers (see reactions.of_checkins).
    reactions: dict | None = None
    # Once revealed, on one date's page: the first check-in together, or a round number
    # of dates together this month ({"kind": "first"} or {"kind": "month", "days": n}).
    celebration: dict | None = None
    checkin_id: int | None = None

    @property
    def revealed(self) -> bool:
        return self.revealed_at is not None


# ------------------------------------------------------------------------------ schedule
def schedule_of(couple: Couple) -> rules.Schedule:
    days = frozenset(d for d in range(7) if couple.nightly_days & (1 << d))
    return rules.Schedule(
        nightly_days=days,
        weekly_day=couple.weekly_day,
        modules_off=frozenset(couple.modules_off or ()),
    )


def active_custom_questions(couple_id: int) -> list[CustomQuestion]:
    return list(
        db.session.execute(
            db.select(CustomQuestion)
            .where(CustomQuestion.couple_id == couple_id, CustomQuestion.removed_at.is_(None))
            .order_by(CustomQuestion.id)
        ).scalars()
    )


def _custom_dicts(custom: Iterable[CustomQuestion]) -> list[dict]:
    return [rules.custom_question(q.id, q.type, q.prompt, q.options) for q in custom]


def update_settings(*, pairing: Pairing, changes: dict, now: datetime) -> None:
    """Change the couple's schedule, modules and custom questions (either partner); only
    the keys present in ``changes`` (``nightly_days``, ``weekly_day``, ``modules_off``,
    ``custom_questions``) change. ``custom_questions`` replaces the list: entries with an
    ``id`` keep (and may reword) that question, entries without one are added, the rest
    are removed (their answers stay with the check-ins that asked them)."""
    begin_write(db.session)
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
                        _("There is no such question (it may have been removed).")
                    ]
                    continue
                kept.add(question_id)
                question.prompt = item["prompt"]
                if question.type == "choice" and item.get("options"):
                    question.options = item["options"]
                continue
            db.session.add(
                CustomQuestion(
                    couple_id=couple.id,
                    type=item["type"],
                    prompt=item["prompt"],
                    options=item.get("options"),
                    created_at=now,
                )
            )
        for question_id, question in current.items():
            if question_id not in kept:
                question.removed_at = now
        if len(custom_questions) > CUSTOM_MAX:
            errors["custom_questions"] = [_("Up to %(num)s questions of your own.", num=CUSTOM_MAX)]
    if not couple.nightly_days and couple.weekly_day is None:
        errors["nightly_days"] = [_("Keep at least one day for a check-in.")]
    if errors:
        db.session.rollback()
        raise Invalid(errors=errors)
    for member in couple.members:
        reminders.reschedule(member.user, now)
    db.session.commit()


# ------------------------------------------------------------------------------- reading
def _live_questions(
    couple: Couple, day: date, kind: str, custom: list[CustomQuestion]
) -> list[dict]:
    schedule = schedule_of(couple)
    question = bank.question_of_the_day(couple.id, day)
    return rules.questions_for(
        kind,
        modules_off=schedule.modules_off,
        question_of_the_day=question.prompt,
        custom=_custom_dicts(custom),
    )


# The reads of every evening's pages, built once: making a statement costs about as much
# as running it, and SQLAlchemy caches the SQL of a statement it has seen.
_CHECKINS_OF_DAYS = (
    db.select(Checkin, CheckinAnswer)
    .outerjoin(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
    .where(
        Checkin.couple_id == bindparam("couple_id"),
        Checkin.day.in_(bindparam("days", expanding=True)),
    )
)
_REVEALED_BETWEEN = (
    db.select(func.count())
    .select_from(Checkin)
    .where(
        Checkin.couple_id == bindparam("couple_id"),
        Checkin.revealed_at.is_not(None),
        Checkin.day >= bindparam("first"),
        Checkin.day <= bindparam("last"),
    )
)


def _load(couple_id: int, days: list[date]) -> dict[date, tuple[Checkin, dict[int, dict]]]:
    """The check-ins of ``days`` with every answer, in one query."""
    rows = db.session.execute(_CHECKINS_OF_DAYS, {"couple_id": couple_id, "days": days}).all()
    found: dict[date, tuple[Checkin, dict[int, dict]]] = {}
    for checkin, answer in rows:
        _, answers = found.setdefault(checkin.day, (checkin, {}))
        if answer is not None:
            answers[answer.user_id] = answer.answers
    return found


def _view(
    pairing: Pairing,
    checkin: Checkin | None,
    answers: dict[int, dict],
    *,
    day: date,
    kind: str,
    questions: list[dict],
    is_open: bool,
) -> CheckinDay:
    mine = answers.get(pairing.me.id)
    theirs = answers.get(pairing.partner.id)
    revealed_at = checkin.revealed_at if checkin else None
    view = CheckinDay(
        day=day,
        kind=kind,
        questions=questions,
        my_answers=mine,
        partner_answered=theirs is not None,
        revealed_at=revealed_at,
        open=is_open and revealed_at is None,
        checkin_id=checkin.id if checkin else None,
    )
    if revealed_at is not None and mine is not None and theirs is not None:
        view.partner_answers = theirs
        view.next_steps = rules.next_step_reasons(mine, theirs)
    return view


def week_agenda(*, pairing: Pairing, day: date) -> dict:
    """What the week before ``day`` brings to the weekly check-in: the appreciations sent,
    each "one thing that would help me" and each "on my mind" item, the small promises of
    those days, the plans we said yes to (to ask how each was) and what we said in the
    weekly check-in before that we'd do together. The partner's answers only from
    check-ins both answered. Seven queries."""
    from couples.appreciations.models import Appreciation
    from couples.grow import promises, together

    me, partner = pairing.me.id, pairing.partner.id
    window = rules.agenda_window(day, pairing.me.timezone)
    rows = db.session.execute(
        db.select(Checkin.day, Checkin.revealed_at, CheckinAnswer.user_id, CheckinAnswer.answers)
        .join(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
        .where(
            Checkin.couple_id == pairing.couple.id,
            Checkin.day >= window.first,
            Checkin.day < window.day,
        )
        .order_by(Checkin.day, CheckinAnswer.user_id)
    )
    helps, minds = [], []
    for when, revealed_at, user_id, answers in rows:
        if user_id == me:
            who = "me"
        elif user_id == partner and revealed_at is not None:
            who = "partner"
        else:  # the partner's answers to a check-in I never answered stay theirs
            continue
        if answers.get("needs_help"):
            helps.append({"date": when.isoformat(), "who": who, "text": answers["needs_help"]})
        if answers.get("on_my_mind") and answers.get("on_my_mind_text"):
            minds.append({"date": when.isoformat(), "who": who, "text": answers["on_my_mind_text"]})
    notes = db.session.execute(
        db.select(Appreciation.from_user_id, Appreciation.text)
        .where(
            Appreciation.couple_id == pairing.couple.id,
            Appreciation.created_at >= window.notes_from,
            Appreciation.created_at < window.notes_until,
        )
        .order_by(Appreciation.id)
    )
    return {
        "appreciations": [
            {"who": "me" if from_id == me else "partner", "text": text} for from_id, text in notes
        ],
        "would_help": helps,
        "on_my_mind": minds,
        "promises": promises.of_days(pairing=pairing, first=window.first, until=window.day),
        "together": together.of_days(pairing=pairing, first=window.first, until=window.day),
        # The weekly check-in before this one sits just before its window.
        "we_said": together.from_check_ins(
            pairing, since=window.first - timedelta(days=7), until=window.first
        ),
    }


def _with_extras(pairing: Pairing, views: list[CheckinDay]) -> list[CheckinDay]:
    """The weekly agenda of an open weekly check-in, and while I wait for my partner one
    small move from their top love language (one query for their profile)."""
    for view in views:
        if view.kind == "weekly" and view.open:
            view.agenda = week_agenda(pairing=pairing, day=view.day)
    waiting = [v for v in views if v.my_answers is not None and not v.partner_answered]
    if waiting:
        profile = lovelanguages.profiles([pairing.partner.id]).get(pairing.partner.id)
        for view in waiting:
            language, idea = lovelanguages.small_move_for(profile, view.day)
            view.small_move = {"language": language, "idea": idea}
    return views


def today(*, pairing: Pairing, now: datetime) -> list[CheckinDay]:
    """My open check-ins: my local today first, then yesterday while its window is open.
    Dates without a check-in in the couple's schedule are left out."""
    days = rules.open_dates(now, pairing.me.timezone)
    found = _load(pairing.couple.id, days)
    schedule = schedule_of(pairing.couple)
    custom = None
    views = []
    for day in days:
        if day in found:
            checkin, answers = found[day]
            views.append(
                _view(
                    pairing,
                    checkin,
                    answers,
                    day=day,
                    kind=checkin.kind,
                    questions=checkin.questions,
                    is_open=True,
                )
            )
            continue
        kind = rules.kind_for(day, schedule)
        if kind is None:
            continue
        if custom is None:  # only a date without a check-in needs them
            custom = active_custom_questions(pairing.couple.id)
        views.append(
            _view(
                pairing,
                None,
                {},
                day=day,
                kind=kind,
                is_open=True,
                questions=_live_questions(pairing.couple, day, kind, custom),
            )
        )
    return _with_extras(pairing, views)


def open_checkins(*, pairing: Pairing, now: datetime) -> tuple[list[CheckinDay], int]:
    """``today`` and ``days_together_this_month`` together, for the home page and the
    API."""
    return today(pairing=pairing, now=now), days_together_this_month(pairing=pairing, now=now)


def one_day(*, pairing: Pairing, day: date, now: datetime) -> CheckinDay:
    """One date's check-in for me: an open one, or a revealed one from the history.
    404 for a date I cannot answer that has no check-in I may see."""
    found = _load(pairing.couple.id, [day])
    is_open = rules.answerable(day, now, pairing.me.timezone)
    if day in found:
        checkin, answers = found[day]
        if is_open or checkin.revealed_at is not None or pairing.me.id in answers:
            view = _with_extras(
                pairing,
                [
                    _view(
                        pairing,
                        checkin,
                        answers,
                        day=day,
                        kind=checkin.kind,
                        questions=checkin.questions,
                        is_open=is_open,
                    )
                ],
            )[0]
            if view.partner_answers is not None:
                _with_reactions(pairing, [view])
                view.celebration = _celebration(pairing, view)
            return view
    elif is_open and (kind := rules.kind_for(day, schedule_of(pairing.couple))):
        questions = _live_questions(
            pairing.couple, day, kind, active_custom_questions(pairing.couple.id)
        )
        return _with_extras(
            pairing,
            [_view(pairing, None, {}, day=day, kind=kind, questions=questions, is_open=True)],
        )[0]
    raise NotFound(_("There is no check-in for that date."))


def form_day(*, pairing: Pairing, day: date, now: datetime) -> CheckinDay:
    """The questions of ``day`` as I would answer them, open or not (to show a refused
    form again with everything typed). 404 for a date that has no check-in."""
    found = _load(pairing.couple.id, [day])
    is_open = rules.answerable(day, now, pairing.me.timezone)
    if day in found:
        checkin, answers = found[day]
        return _view(
            pairing,
            checkin,
            answers,
            day=day,
            kind=checkin.kind,
            questions=checkin.questions,
            is_open=is_open,
        )
    kind = rules.kind_for(day, schedule_of(pairing.couple))
    if kind is None:
        raise NotFound(_("There is no check-in for that date."))
    questions = _live_questions(
        pairing.couple, day, kind, active_custom_questions(pairing.couple.id)
    )
    return _view(pairing, None, {}, day=day, kind=kind, questions=questions, is_open=is_open)


def history(
    *, pairing: Pairing, before: date | None = None, limit: int = HISTORY_PAGE
) -> tuple[list[CheckinDay], date | None]:
    """Revealed check-ins, newest first: (one page, the cursor of the next page or None).
    Two queries whatever the length of the history."""
    checkins, more = keyset_page(
        db.select(Checkin).where(
            Checkin.couple_id == pairing.couple.id, Checkin.revealed_at.is_not(None)
        ),
        Checkin.day,
        before=before,
        limit=limit,
        most=HISTORY_MAX,
    )
    answers: dict[int, dict[int, dict]] = {}
    if checkins:
        for answer in db.session.execute(
            db.select(CheckinAnswer).where(CheckinAnswer.checkin_id.in_([c.id for c in checkins]))
        ).scalars():
            answers.setdefault(answer.checkin_id, {})[answer.user_id] = answer.answers
    views = [
        _view(
            pairing,
            c,
            answers.get(c.id, {}),
            day=c.day,
            kind=c.kind,
            questions=c.questions,
            is_open=False,
        )
        for c in checkins
    ]
    return _with_reactions(pairing, views), (checkins[-1].day if more else None)


def _with_reactions(pairing: Pairing, views: list[CheckinDay]) -> list[CheckinDay]:
    """Each revealed view's reactions, in one query for all of them."""
    revealed = [v for v in views if v.partner_answers is not None and v.checkin_id]
    found = reactions.of_checkins(pairing, [v.checkin_id for v in revealed])
    for view in revealed:
        view.reactions = found[view.checkin_id]
    return views


# Round numbers of dates checked in together in a month, met with a small celebration.
# Never a streak: a date missed takes nothing away.
MONTH_MILESTONES = (5, 10, 15, 20, 25, 30)


def _celebration(pairing: Pairing, view: CheckinDay) -> dict | None:
    """The first check-in we both answered, or a round number of dates together in the
    month of ``view`` (counting up to its date). One query."""
    total, in_month = db.session.execute(
        db.select(
            func.count(),
            func.coalesce(func.sum(case((Checkin.day >= view.day.replace(day=1), 1), else_=0)), 0),
        ).where(
            Checkin.couple_id == pairing.couple.id,
            Checkin.revealed_at.is_not(None),
            Checkin.day <= view.day,
        )
    ).one()
    if total == 1:
        return {"kind": "first"}
    if in_month in MONTH_MILESTONES:
        return {"kind": "month", "days": in_month}
    return None


def days_together_this_month(*, pairing: Pairing, now: datetime) -> int:
    """How many dates of my current local month we both checked in (never a streak)."""
    today_here = local_date(now, pairing.me.timezone)
    return db.session.execute(
        _REVEALED_BETWEEN,
        {"couple_id": pairing.couple.id, "first": today_here.replace(day=1), "last": today_here},
    ).scalar_one()


# ------------------------------------------------------------------------------- writing
def _insert_ignore(model, values: dict, keys: list[str]):
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(model).values(**values).on_conflict_do_nothing(index_elements=keys)


def _locked_checkin(couple_id: int, day: date) -> tuple[Checkin | None, dict[int, CheckinAnswer]]:
    """(the check-in of ``day``, locked, or None; its answers by user id).

    The answers are read after the lock is had, by a second statement: on PostgreSQL a
    statement sees the rows as they were when it began, and when it waits for a row
    lock it reads again only the locked row. Read in the statement that waited, an
    edit the partner committed meanwhile would be missed, and a reveal would show
    answers that are no longer kept (tests/checkins/test_reveal_race.py). On SQLite the
    write transaction is the lock (``begin_write``)."""
    checkin = db.session.execute(
        db.select(Checkin)
        .where(Checkin.couple_id == couple_id, Checkin.day == day)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if checkin is None:
        return None, {}
    answers = db.session.execute(
        db.select(CheckinAnswer)
        .where(CheckinAnswer.checkin_id == checkin.id)
        .execution_options(populate_existing=True)
    ).scalars()
    return checkin, {answer.user_id: answer for answer in answers}


def _refuse(
    checkin: Checkin | None, kind: str | None, *, pairing: Pairing, day: date, now: datetime
) -> None:
    """The checks before any answer is looked at: 404, then 409."""
    if kind is None:
        raise NotFound(_("There is no check-in for that date."))
    if not rules.answerable(day, now, pairing.me.timezone):
        raise CheckinClosed(
            _("This check-in is closed: answer today's, or yesterday's until noon.")
        )
    if checkin is not None and checkin.revealed_at is not None:
        raise AlreadyRevealed(_("You've both answered this one, so it can't change now."))


def ensure_answerable(*, pairing: Pairing, day: date, now: datetime) -> None:
    """404 for a date without a check-in, 409 once revealed or outside my window: what
    the API says before it looks at the answers sent (``submit`` checks again under
    the lock). One query."""
    checkin = db.session.execute(
        db.select(Checkin).where(Checkin.couple_id == pairing.couple.id, Checkin.day == day)
    ).scalar_one_or_none()
    kind = checkin.kind if checkin else rules.kind_for(day, schedule_of(pairing.couple))
    _refuse(checkin, kind, pairing=pairing, day=day, now=now)


def submit(
    *, pairing: Pairing, day: date, answers: dict, now: datetime, seen: bool = False
) -> CheckinDay:
    """Save (or replace) my answers for ``day``. The second partner's answers reveal the
    check-in, exactly once however close together the two arrive: the check-in row is
    locked (SQLite: the write transaction) while the answers are counted. Words that
    suggest I may not be safe are saved only once I have ``seen`` where to find help
    (``SafetyCheck`` otherwise, and nothing is saved)."""
    begin_write(db.session)
    me, partner, couple = pairing.me, pairing.partner, pairing.couple
    schedule = schedule_of(couple)
    checkin, stored = _locked_checkin(couple.id, day)
    kind = checkin.kind if checkin else rules.kind_for(day, schedule)
    try:
        _refuse(checkin, kind, pairing=pairing, day=day, now=now)
    except (NotFound, Conflict):
        db.session.rollback()
        raise
    questions = (
        checkin.questions
        if checkin
        else _live_questions(couple, day, kind, active_custom_questions(couple.id))
    )
    clean, errors = rules.check_answers(questions, answers)
    if errors:
        db.session.rollback()
        raise Invalid(errors=errors)
    if checkin is None:
        question = bank.question_of_the_day(couple.id, day)
        db.session.execute(
            _insert_ignore(
                Checkin,
                {
                    "couple_id": couple.id,
                    "day": day,
                    "kind": kind,
                    "questions": questions,
                    "question_key": question.key
                    if "question" not in schedule.modules_off
                    else None,
                    "created_at": now,
                },
                ["couple_id", "day"],
            )
        )
        checkin, stored = _locked_checkin(couple.id, day)
        if checkin.revealed_at is not None:  # created and revealed while we waited
            db.session.rollback()
            raise AlreadyRevealed(_("You've both answered this one, so it can't change now."))
        if checkin.questions != questions:  # created a moment ago with other questions
            clean, errors = rules.check_answers(checkin.questions, answers)
            if errors:
                db.session.rollback()
                raise Invalid(errors=errors)
    before_sending(clean, seen=seen)
    first_answer = me.id not in stored
    if first_answer:
        db.session.add(
            CheckinAnswer(
                checkin_id=checkin.id, user_id=me.id, answers=clean, created_at=now, updated_at=now
            )
        )
    else:
        stored[me.id].answers = clean
        stored[me.id].updated_at = now
    revealed = partner.id in stored
    if revealed:
        checkin.revealed_at = now
    if first_answer or revealed:  # an edit tells nobody anything new
        _tell_partner(pairing, day, revealed=revealed, now=now)
    if first_answer:  # what asked for these answers is done
        settle(user_id=me.id, dedupe_key=_checkin_key(day), now=now)
    answers_now = {user_id: answer.answers for user_id, answer in stored.items()}
    answers_now[me.id] = clean
    view = _with_extras(
        pairing,
        [
            _view(
                pairing,
                checkin,
                answers_now,
                day=day,
                kind=checkin.kind,
                questions=checkin.questions,
                is_open=True,
            )
        ],
    )[0]
    db.session.commit()  # the answers, the reveal and the notice together
    if first_answer or revealed:
        deliver_soon()
    return view


def _checkin_key(day: date) -> str:
    """The notifications about one date's check-in: its reminder and the partner's news
    (reminders.py names them the same way)."""
    return f"checkin:{day.isoformat()}"


def _tell_partner(pairing: Pairing, day: date, *, revealed: bool, now: datetime) -> None:
    """At most one ``partner_checked_in`` per partner and date, never with content."""
    me, partner = pairing.me, pairing.partner
    with writing_to(partner):  # in the partner's language
        if revealed:
            title = _("%(name)s answered too", name=me.display_name)
            body = _("You can see each other's answers now.")
        elif rules.answerable(day, now, partner.timezone):
            title = _("%(name)s finished their check-in", name=me.display_name)
            body = _("Add yours to see each other's answers.")
        else:  # the partner's date has closed (or not begun): nothing to ask of them
            return
    notify(
        user=partner,
        kind="partner_checked_in",
        dedupe_key=_checkin_key(day),
        title=title,
        body=body,
        url=f"/checkin/{day.isoformat()}",
        now=now,
        commit=False,
    )


def answered_already(due: list[reminders.Due]) -> set[int]:
    """Whose reminder is not needed: they answered that local date already. One query."""
    wanted = {(user.id, couple_id, day) for user, couple_id, day in due}
    rows = db.session.execute(
        db.select(CheckinAnswer.user_id, Checkin.couple_id, Checkin.day)
        .join(Checkin, Checkin.id == CheckinAnswer.checkin_id)
        .where(
            in_ids(CheckinAnswer.user_id, {u for u, _, _ in wanted}),
            Checkin.day.in_({d for _, _, d in wanted}),
        )
    ).all()
    return {user_id for user_id, couple_id, day in rows if (user_id, couple_id, day) in wanted}


# -------------------------------------------------------------------------------- export
def export(user: User) -> dict:
    rows = db.session.execute(
        db.select(Checkin, CheckinAnswer)
        .join(CheckinAnswer, CheckinAnswer.checkin_id == Checkin.id)
        .where(CheckinAnswer.user_id == user.id)
        .order_by(Checkin.day)
    ).all()
    return {
        "checkins": [
            {
                "date": c.day.isoformat(),
                "kind": c.kind,
                "questions": c.questions,
                "answers": a.answers,
                "answered_at": isoformat(a.created_at),
                "revealed_at": isoformat(c.revealed_at),
            }
            for c, a in rows
        ]
    }
