"""The reminder clock, on each person's own zone, across DST changes."""

from datetime import UTC, datetime

import pytest

from couples.notifications.schedule import (
    backoff_seconds,
    end_of_local_day,
    in_quiet_hours,
    next_daily,
    quiet_hours_end,
    start_of_local_day,
)

NINE_PM = 21 * 60


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        ("2026-03-07 12:00", "2026-03-08 02:00"),  # EST: 21:00 is 02:00Z
        ("2026-03-08 12:00", "2026-03-09 01:00"),  # EDT from 8 March: 21:00 is 01:00Z
        ("2026-10-31 12:00", "2026-11-01 01:00"),  # still EDT
        ("2026-11-01 12:00", "2026-11-02 02:00"),  # EST again from 1 November
    ],
)
def test_new_york_nine_pm_across_both_dst_changes(after, expected):
    assert next_daily(utc(after), "America/New_York", NINE_PM) == utc(expected)


def test_far_apart_partners_each_get_their_own_nine_pm():
    now = utc("2026-06-15 00:00")
    honolulu = next_daily(now, "Pacific/Honolulu", NINE_PM)  # UTC-10
    kiritimati = next_daily(now, "Pacific/Kiritimati", NINE_PM)  # UTC+14
    tongatapu = next_daily(now, "Pacific/Tongatapu", NINE_PM)  # UTC+13
    assert honolulu == utc("2026-06-15 07:00")
    assert kiritimati == utc("2026-06-15 07:00")
    assert tongatapu == utc("2026-06-15 08:00")


def test_a_time_skipped_by_spring_forward_lands_an_hour_later():
    # 02:30 does not exist in New York on 8 March 2026: it lands at 03:30 EDT.
    assert next_daily(utc("2026-03-08 05:00"), "America/New_York", 150) == utc("2026-03-08 07:30")


@pytest.mark.parametrize(
    ("minute", "expected"),
    [
        (119, "2026-03-08 06:59"),  # 01:59 EST, the last minute before the gap
        (120, "2026-03-08 07:00"),  # 02:00, the first skipped minute: 03:00 EDT
        (179, "2026-03-08 07:59"),  # 02:59, the last skipped minute: 03:59 EDT
        (180, "2026-03-08 07:00"),  # 03:00 EDT, the first minute after the gap
    ],
)
def test_the_edges_of_the_spring_forward_gap(minute, expected):
    assert next_daily(utc("2026-03-08 05:00"), "America/New_York", minute) == utc(expected)


def test_a_skipped_time_comes_once_that_day_and_at_its_hour_the_next():
    first = next_daily(utc("2026-03-08 05:00"), "America/New_York", 150)
    assert first == utc("2026-03-08 07:30")  # 03:30 EDT
    assert next_daily(first, "America/New_York", 150) == utc("2026-03-09 06:30")  # 02:30 EDT


def test_a_time_that_happens_twice_in_autumn_is_the_first():
    # 01:30 happens twice in New York on 1 November 2026; the first is EDT (05:30Z).
    assert next_daily(utc("2026-11-01 04:00"), "America/New_York", 90) == utc("2026-11-01 05:30")


def test_next_daily_is_strictly_after():
    at_nine = utc("2026-06-15 21:00")
    assert next_daily(at_nine, "UTC", NINE_PM) == utc("2026-06-16 21:00")


def test_quiet_hours_over_midnight():
    start, end = 22 * 60 + 30, 7 * 60 + 30
    assert in_quiet_hours(utc("2026-06-15 23:00"), "UTC", start, end)
    assert in_quiet_hours(utc("2026-06-15 03:00"), "UTC", start, end)
    assert not in_quiet_hours(utc("2026-06-15 07:30"), "UTC", start, end)
    assert not in_quiet_hours(utc("2026-06-15 22:29"), "UTC", start, end)
    assert quiet_hours_end(utc("2026-06-15 23:00"), "UTC", start, end) == utc("2026-06-16 07:30")
    assert quiet_hours_end(utc("2026-06-15 12:00"), "UTC", start, end) == utc("2026-06-15 12:00")


def test_quiet_hours_follow_the_local_clock():
    # 23:00 in London in summer is 22:00Z: quiet for a Londoner, not for someone in UTC.
    start, end = 22 * 60 + 30, 7 * 60 + 30
    assert in_quiet_hours(utc("2026-07-01 22:00"), "Europe/London", start, end)
    assert not in_quiet_hours(utc("2026-07-01 22:00"), "UTC", start, end)


def test_local_day_bounds():
    instant = utc("2026-07-01 03:00")  # 23:00 on 30 June in New York
    assert start_of_local_day(instant, "America/New_York") == utc("2026-06-30 04:00")
    assert end_of_local_day(instant, "America/New_York") == utc("2026-07-01 04:00")


def test_backoff_grows_and_is_capped():
    waits = [backoff_seconds(n, jitter=1.0) for n in range(1, 12)]
    assert waits == sorted(waits) and waits[-1] == 3600
    assert backoff_seconds(3, jitter=0.0) == backoff_seconds(3, jitter=1.0) / 2


def test_settings_that_cannot_work_are_named():
    from couples.notifications.schedule import settings_problems

    assert settings_problems(21 * 60, 22 * 60 + 30, 7 * 60 + 30) == {}
    assert settings_problems(7 * 60 + 30, 22 * 60 + 30, 7 * 60 + 30) == {}  # at their end
    late = settings_problems(23 * 60 + 30, 23 * 60, 7 * 60)
    assert list(late) == ["reminder_time"]
    assert "23:30 is in your quiet hours (23:00–07:00)" in late["reminder_time"]
    assert "wait until 07:00" in late["reminder_time"]
    assert list(settings_problems(13 * 60, 12 * 60, 14 * 60)) == ["reminder_time"]
    assert list(settings_problems(21 * 60, 22 * 60, 22 * 60)) == ["quiet_hours.end"]
