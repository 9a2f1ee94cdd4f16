"""When reminders fall on each person's own clock. Pure: zoneinfo only, no Flask (but
gettext for what cannot work, said in the page's language, or English outside a page).

Times of day are minutes after local midnight. Every instant in and out is aware UTC."""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask_babel import gettext as _


def _local_wall(day: date, minute: int, tz: ZoneInfo) -> datetime:
    """``day`` at ``minute`` on the wall clock of ``tz``, as UTC. With fold=0 (PEP 495) a
    time the clocks skip is read with the offset in force before the change, so it lands
    as much later as they went forward (02:30 on New York's spring-forward night is 03:30
    EDT, an hour later, not 03:00 just after the gap); a time that happens twice is the
    first one."""
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=tz).astimezone(UTC)


# Remembered: at the nightly peak thousands of people share a zone, a time and a moment.
@lru_cache(maxsize=4096)
def next_daily(after: datetime, tz_name: str, minute: int) -> datetime:
    """The first instant strictly after ``after`` when the local clock in ``tz_name``
    shows ``minute`` (minutes after midnight)."""
    tz = ZoneInfo(tz_name)
    today = after.astimezone(tz).date()
    for offset in range(0, 3):
        candidate = _local_wall(today + timedelta(days=offset), minute, tz)
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a local time recurs every day")


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def settings_problems(reminder: int, quiet_start: int, quiet_end: int) -> dict[str, str]:
    """What cannot work in a person's reminder settings (minutes after local midnight):
    quiet hours that start when they end, and a reminder inside the quiet hours, which
    would only ever come at their end. Field path -> message; empty when all can work."""
    if quiet_start == quiet_end:
        return {
            "quiet_hours.end": _(
                "Quiet hours need an end that differs from their start. "
                "To have none, pick a short window you sleep through."
            )
        }
    inside = (
        quiet_start <= reminder < quiet_end
        if quiet_start < quiet_end
        else reminder >= quiet_start or reminder < quiet_end
    )
    if inside:
        return {
            "reminder_time": _(
                "%(time)s is in your quiet hours (%(start)s–%(end)s), so the reminder would "
                "wait until %(end)s. Choose a time outside them, or change the quiet hours.",
                time=_clock(reminder),
                start=_clock(quiet_start),
                end=_clock(quiet_end),
            )
        }
    return {}


def in_quiet_hours(instant: datetime, tz_name: str, start: int, end: int) -> bool:
    """Whether ``instant`` falls in the quiet hours [start, end) of local time
    (a window may run over midnight, e.g. 22:30 to 07:30)."""
    if start == end:
        return False
    local = instant.astimezone(ZoneInfo(tz_name))
    minute = local.hour * 60 + local.minute
    if start < end:
        return start <= minute < end
    return minute >= start or minute < end


def quiet_hours_end(instant: datetime, tz_name: str, start: int, end: int) -> datetime:
    """When the quiet hours that contain ``instant`` end (``instant`` itself if none)."""
    if not in_quiet_hours(instant, tz_name, start, end):
        return instant
    return next_daily(instant, tz_name, end)


def end_of_local_day(instant: datetime, tz_name: str) -> datetime:
    """The next local midnight after ``instant`` (the end of that person's day)."""
    return next_daily(instant, tz_name, 0)


@lru_cache(maxsize=4096)
def start_of_local_day(instant: datetime, tz_name: str) -> datetime:
    tz = ZoneInfo(tz_name)
    local_day = instant.astimezone(tz).date()
    return _local_wall(local_day, 0, tz)


def backoff_seconds(
    attempt: int, *, base: float = 30.0, cap: float = 3600.0, jitter: float = 0.0
) -> float:
    """Exponential backoff for retry ``attempt`` (1, 2, ...), with full jitter in [0, 1):
    ``jitter`` is a random draw supplied by the caller, so this stays deterministic."""
    ceiling = min(cap, base * (2 ** max(0, attempt - 1)))
    return ceiling / 2 + (ceiling / 2) * jitter
