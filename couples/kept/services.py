"""Keep words for their writer alone, list them, remove them. Nothing here reaches the
partner or a notification, and nothing of the words is logged."""

from datetime import datetime

from flask_babel import gettext as _

from couples.accounts.models import User
from couples.clock import isoformat
from couples.db import begin_write
from couples.errors import NotFound
from couples.extensions import db
from couples.kept.models import KeptWords

PAGE = 50


def keep(*, user: User, source: str, text: str, now: datetime) -> KeptWords:
    begin_write(db.session)
    item = KeptWords(user_id=user.id, source=source.strip()[:80], text=text, created_at=now)
    db.session.add(item)
    db.session.commit()
    return item


def listing(*, user: User, before_id: int | None = None, limit: int = PAGE):
    """My kept words, newest first: a page and the id the next page starts before."""
    query = db.select(KeptWords).where(KeptWords.user_id == user.id)
    if before_id is not None:
        query = query.where(KeptWords.id < before_id)
    items = list(db.session.execute(query.order_by(KeptWords.id.desc()).limit(limit + 1)).scalars())
    cursor = items[limit - 1].id if len(items) > limit else None
    return items[:limit], cursor


def remove(*, user: User, kept_id: int) -> None:
    begin_write(db.session)
    item = db.session.get(KeptWords, kept_id)
    if item is None or item.user_id != user.id:
        db.session.rollback()
        raise NotFound(_("There is nothing kept here."))
    db.session.delete(item)
    db.session.commit()


def export(user: User) -> dict:
    items = db.session.execute(
        db.select(KeptWords).where(KeptWords.user_id == user.id).order_by(KeptWords.id)
    ).scalars()
    return {
        "kept_words": [
            {"source": i.source, "text": i.text, "kept_at": isoformat(i.created_at)} for i in items
        ]
    }
