"""The reflection journal: write, read, search, change and remove my own entries, and
today's prompt. Every query is by the writer: nothing here reaches the partner, a
notification or a count of theirs, and nothing of the words is logged."""

from datetime import date, datetime

from flask_babel import gettext as _

from couples.accounts.models import User
from couples.clock import isoformat, local_date
from couples.db import begin_write, in_ids, is_public_id
from couples.errors import NotFound
from couples.extensions import db
from couples.grow import selfcheck
from couples.grow.models import JournalEntry, MonthGoal, PracticeWeek, SelfCheck
from couples.grow.prompts import BY_KEY, Prompt, of_the_day
from couples.i18n import writing_to
from couples.notifications.services import notification_row
from couples.pagination import keyset_page

PAGE = 20
MOST = 100


def todays_prompt(*, user: User, now: datetime) -> Prompt:
    return of_the_day(local_date(now, user.timezone), user.id)


def write(
    *, user: User, text: str, prompt_key: str | None, memory: bool | None, now: datetime
) -> JournalEntry:
    """A new entry. A prompt's own kind says whether it is a memory unless ``memory``
    says otherwise; an unknown prompt key is dropped (free writing)."""
    begin_write(db.session)
    prompt = BY_KEY.get(prompt_key or "")
    entry = JournalEntry(
        user_id=user.id,
        prompt_key=prompt.key if prompt else None,
        memory=bool(prompt and prompt.memory) if memory is None else memory,
        text=text,
        created_at=now,
    )
    db.session.add(entry)
    db.session.commit()
    return entry


def listing(
    *, user: User, query: str = "", before: str | None = None, limit: int = PAGE
) -> tuple[list[JournalEntry], str | None]:
    """My entries, newest first, those whose words contain ``query`` (any case) when one
    is given: a page, and the cursor of the next (the public id its page starts after;
    entries' own ids would show the gaps other people's entries leave)."""
    if "\x00" in query:
        return [], None  # no entry holds a NUL (nor can PostgreSQL look for one)
    select = db.select(JournalEntry).where(JournalEntry.user_id == user.id)
    if query.strip():
        select = select.where(JournalEntry.text.icontains(query.strip(), autoescape=True))
    after = None
    if before and is_public_id(before):
        after = (
            db.select(JournalEntry.id)
            .where(JournalEntry.public_id == before, JournalEntry.user_id == user.id)
            .scalar_subquery()
        )
    rows, more = keyset_page(select, JournalEntry.id, before=after, limit=limit, most=MOST)
    return rows, rows[-1].public_id if more else None


def find(*, user: User, entry_id: str) -> JournalEntry:
    """One of my entries by its public id; 404 for anyone else's, or none."""
    entry = None
    if is_public_id(entry_id):
        entry = db.session.execute(
            db.select(JournalEntry).where(
                JournalEntry.public_id == entry_id, JournalEntry.user_id == user.id
            )
        ).scalar_one_or_none()
    if entry is None:
        raise NotFound(_("There is no such entry."))
    return entry


def _mine_to_write(user: User, entry_id: str) -> JournalEntry:
    """My entry, read in a write transaction (404 for anyone else's, which ends it)."""
    begin_write(db.session)
    try:
        return find(user=user, entry_id=entry_id)
    except NotFound:
        db.session.rollback()
        raise


def change(
    *, user: User, entry_id: str, text: str | None, memory: bool | None, now: datetime
) -> JournalEntry:
    entry = _mine_to_write(user, entry_id)
    if text is not None:
        entry.text = text
    if memory is not None:
        entry.memory = memory
    entry.updated_at = now
    db.session.commit()
    return entry


def remove(*, user: User, entry_id: str) -> None:
    entry = _mine_to_write(user, entry_id)
    db.session.delete(entry)
    db.session.commit()


def entry_data(entry: JournalEntry) -> dict:
    prompt = BY_KEY.get(entry.prompt_key or "")
    return {
        "id": entry.public_id,
        "prompt": prompt.text if prompt else None,
        "prompt_key": entry.prompt_key,
        "memory": entry.memory,
        "text": entry.text,
        "written_at": isoformat(entry.created_at),
        "changed_at": isoformat(entry.updated_at),
    }


def _all_mine(model, user: User, order_by) -> list:
    """Every row of ``model`` that is the user's, for their export."""
    return list(
        db.session.execute(
            db.select(model).where(model.user_id == user.id).order_by(order_by)
        ).scalars()
    )


def export(user: User) -> dict:
    return {
        "journal": [entry_data(e) for e in _all_mine(JournalEntry, user, JournalEntry.id)],
        **export_checks(user),
        "month_goals": [goal_data(g) for g in _all_mine(MonthGoal, user, MonthGoal.month)],
    }


# ---------------------------------------------------------------------- the self-check


def latest_check(user_id: int) -> SelfCheck | None:
    return db.session.execute(
        db.select(SelfCheck)
        .where(SelfCheck.user_id == user_id)
        .order_by(SelfCheck.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def take_check(*, user: User, answers: dict[str, int], now: datetime) -> SelfCheck:
    """A new taking; whether the lean is shared carries over from the last one."""
    begin_write(db.session)
    before = latest_check(user.id)
    check = SelfCheck(
        user_id=user.id,
        answers=answers,
        lean=selfcheck.lean_of(answers),
        shared=before.shared if before else False,
        created_at=now,
    )
    db.session.add(check)
    db.session.commit()
    return check


def share_check(*, user: User, shared: bool) -> SelfCheck:
    begin_write(db.session)
    check = latest_check(user.id)
    if check is None:
        db.session.rollback()
        raise NotFound(_("There is no self-check to share yet."))
    check.shared = shared
    db.session.commit()
    return check


def shared_lean(partner_id: int) -> str | None:
    """My partner's lean, when their newest self-check is shared with me; else None."""
    check = latest_check(partner_id)
    return check.lean if check is not None and check.shared else None


def this_week(
    *, user: User, check: SelfCheck | None, now: datetime
) -> tuple[date, selfcheck.Practice | None, str | None]:
    """This week's Monday, the practice for the lean of ``check`` (my newest self-check;
    none before one) and whether I said I tried it."""
    week = selfcheck.week_of(local_date(now, user.timezone))
    if check is None:
        return week, None, None
    practice = selfcheck.practice_for(check.lean, week)
    tried = db.session.execute(
        db.select(PracticeWeek.tried).where(
            PracticeWeek.user_id == user.id,
            PracticeWeek.week == week,
            PracticeWeek.practice_key == practice.key,
        )
    ).scalar_one_or_none()
    return week, practice, tried


def mark_tried(*, user: User, tried: str, now: datetime) -> PracticeWeek:
    """ "Did I try it?" for this week's practice; answering again replaces the answer."""
    begin_write(db.session)
    week, practice, _tried = this_week(user=user, check=latest_check(user.id), now=now)
    if practice is None:
        db.session.rollback()
        raise NotFound(_("Take the self-check first; its practice comes with it."))
    row = db.session.execute(
        db.select(PracticeWeek).where(PracticeWeek.user_id == user.id, PracticeWeek.week == week)
    ).scalar_one_or_none()
    if row is None:
        row = PracticeWeek(user_id=user.id, week=week)
        db.session.add(row)
    row.practice_key, row.tried, row.updated_at = practice.key, tried, now
    db.session.commit()
    return row


def check_data(check: SelfCheck) -> dict:
    title, words = selfcheck.LEAN_WORDS[check.lean]
    return {
        "lean": check.lean,
        "title": title,
        "words": words,
        "answers": dict(check.answers),
        "shared": check.shared,
        "taken_at": isoformat(check.created_at),
    }


def export_checks(user: User) -> dict:
    checks = _all_mine(SelfCheck, user, SelfCheck.id)
    weeks = _all_mine(PracticeWeek, user, PracticeWeek.week)
    return {
        "self_checks": [check_data(c) for c in checks],
        "practice_weeks": [
            {
                "week": w.week.isoformat(),
                "practice": selfcheck.PRACTICE_BY_KEY[w.practice_key].text
                if w.practice_key in selfcheck.PRACTICE_BY_KEY
                else None,
                "tried": w.tried,
            }
            for w in weeks
        ],
    }


# ------------------------------------------------------------------ my goal this month


def month_of(user: User, now: datetime) -> date:
    return local_date(now, user.timezone).replace(day=1)


def goal_of(user: User, now: datetime) -> MonthGoal | None:
    """The goal set for this month of mine (by my own calendar), if any."""
    return db.session.execute(
        db.select(MonthGoal).where(
            MonthGoal.user_id == user.id, MonthGoal.month == month_of(user, now)
        )
    ).scalar_one_or_none()


def set_goal(
    *, user: User, goal: str, support: str | None, shared: bool, now: datetime
) -> MonthGoal:
    """Set (or change) this month's goal, and whether my partner may see it."""
    begin_write(db.session)
    row = goal_of(user, now)
    if row is None:
        row = MonthGoal(user_id=user.id, month=month_of(user, now))
        db.session.add(row)
    row.goal, row.support, row.shared, row.updated_at = goal, support, shared, now
    db.session.commit()
    return row


def shared_goal(partner: User, now: datetime) -> MonthGoal | None:
    """My partner's goal for their month, when they chose to share it."""
    row = goal_of(partner, now)
    return row if row is not None and row.shared else None


def goal_data(row: MonthGoal) -> dict:
    return {
        "month": row.month.isoformat()[:7],
        "goal": row.goal,
        "support": row.support,
        "shared": row.shared,
    }


def practice_reminders(due: list, now: datetime, counts: dict[int, int]) -> list[dict]:
    """At a person's reminder time on their Monday: a word that a new week's practice is
    there, for those who took the self-check and have not said yet whether they tried
    it. The lock screen says nothing of their lean. Two queries for the whole batch."""
    mondays = [
        (row, day)
        for row, _, day in due
        if day.weekday() == 0 and "practice_week" not in (row.kinds_off or [])
    ]
    if not mondays:
        return []
    ids = [row.id for row, _ in mondays]
    checked = set(
        db.session.execute(
            db.select(SelfCheck.user_id)
            .where(in_ids(SelfCheck.user_id, ids))
            .group_by(SelfCheck.user_id)
        ).scalars()
    )
    answered = set(
        db.session.execute(
            db.select(PracticeWeek.user_id, PracticeWeek.week).where(
                in_ids(PracticeWeek.user_id, ids),
                PracticeWeek.week.in_({day for _, day in mondays}),
            )
        ).all()
    )
    rows = []
    for row, day in mondays:
        if row.id not in checked or (row.id, day) in answered:
            continue
        with writing_to(row):
            title = _("A new week, a small practice")
            body = _("Something small to try for yourself this week. Only you see it.")
        rows.append(
            notification_row(
                user=row,
                kind="practice_week",
                dedupe_key=f"practice:{day.isoformat()}",
                title=title,
                body=body,
                url="/grow",
                now=now,
                # After the evening's check-in reminder and a nudge, which may come with it:
                # only when there is room for all three under the daily cap.
                sent_today=counts.get(row.id, 0) + 2,
            )
        )
    return rows
