"""Keyset pagination: newest first, one page at a time, whatever the length of a list."""

from couples.extensions import db


def keyset_page(query, key, *, before=None, limit: int, most: int) -> tuple[list, bool]:
    """One page of ``query``'s entities, newest first by ``key`` (a unique, ordered
    column such as the id): those before the cursor ``before`` (a value of ``key``),
    at most ``limit`` of them (kept between 1 and ``most``). Returns the page and
    whether another page follows it; the next page's cursor is its last row's key.
    One query."""
    limit = max(1, min(limit, most))
    if before is not None:
        query = query.where(key < before)
    rows = list(db.session.execute(query.order_by(key.desc()).limit(limit + 1)).scalars())
    return rows[:limit], len(rows) > limit
