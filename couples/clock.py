"""Time: UTC instants and each person's local date, from IANA zones."""

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones


def utcnow() -> datetime:
    return datetime.now(UTC)


@lru_cache(maxsize=1)
def known_timezones() -> frozenset[str]:
    return frozenset(available_timezones()) | {"UTC"}


def is_timezone(name: str) -> bool:
    """True for an IANA zone name this machine knows (never a file path)."""
    return isinstance(name, str) and name in known_timezones()


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(instant: datetime, tz_name: str) -> date:
    """The calendar date at ``instant`` for a person living in ``tz_name``."""
    return instant.astimezone(zone(tz_name)).date()


def isoformat(instant: datetime | None) -> str | None:
    return None if instant is None else instant.astimezone(UTC).isoformat()
