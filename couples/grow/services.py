"""The reflection journal: write, read, search, change and remove my own entries, and
today's prompt. Every query is by the writer: nothing here reaches the partner, a
notification or a count of theirs, and nothing of the words is logged."""

from datetime import datetime

from couples.accounts.models import User
from couples.clock import isoformat, local_date
from couples.db import begin_write
from couples.errors import NotFound
from couples.extensions import db
from couples.grow.models import JournalEntry
from couples.grow.prompts import BY_KEY, Prompt, of_the_day
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
    select = db.select(JournalEntry).where(JournalEntry.user_id == user.id)
    if query.strip():
        select = select.where(JournalEntry.text.icontains(query.strip(), autoescape=True))
    after = None
    if before:
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
    if isinstance(entry_id, str) and 0 < len(entry_id) <= 16:
        entry = db.session.execute(
            db.select(JournalEntry).where(
                JournalEntry.public_id == entry_id, JournalEntry.user_id == user.id
            )
        ).scalar_one_or_none()
    if entry is None:
        raise NotFound("There is no such entry.")
    return entry


def change(
    *, user: User, entry_id: str, text: str | None, memory: bool | None, now: datetime
) -> JournalEntry:
    begin_write(db.session)
    try:
        entry = find(user=user, entry_id=entry_id)
    except NotFound:
        db.session.rollback()
        raise
    if text is not None:
        entry.text = text
    if memory is not None:
        entry.memory = memory
    entry.updated_at = now
    db.session.commit()
    return entry


def remove(*, user: User, entry_id: str) -> None:
    begin_write(db.session)
    try:
        entry = find(user=user, entry_id=entry_id)
    except NotFound:
        db.session.rollback()
        raise
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


def export(user: User) -> dict:
    entries = db.session.execute(
        db.select(JournalEntry).where(JournalEntry.user_id == user.id).order_by(JournalEntry.id)
    ).scalars()
    return {"journal": [entry_data(e) for e in entries]}
