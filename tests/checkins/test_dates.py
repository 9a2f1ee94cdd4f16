"""Each partner's own local date: far-apart time zones, the grace window until noon, and
the changes to and from summer time.

Instants are written in UTC, with the local time they are for beside them, so that the
expected dates do not come from the code under test."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from couples.checkins.models import Checkin, CheckinAnswer
from couples.extensions import db
from couples.notifications.models import Notification


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def d(text: str) -> date:
    return date.fromisoformat(text)


def answers(day: date, words: str = "", needs: int = 4) -> dict:
    """Valid answers for ``day``: Sunday is the weekly check-in (week_needs_met too)."""
    given = {"needs_met": needs, "mood": 3}
    if words:
        given["needs_help"] = words
    if day.weekday() == 6:
        given["week_needs_met"] = 7
    return given


def put(client, day: date, given: dict):
    return client.put(f"/api/v1/checkins/{day.isoformat()}/answers", json={"answers": given})


def today_dates(client) -> list[str]:
    response = client.get("/api/v1/checkins/today")
    assert response.status_code == 200, response.get_json()
    return [item["date"] for item in response.get_json()["items"]]


def link(couple, alex_tz: str, sam_tz: str) -> None:
    """Link the two long before the dates of the tests."""
    with time_machine.travel(utc("2026-01-01 12:00"), tick=False):
        couple.link(alex_tz, sam_tz)


def only(day: date):
    with db.session.no_autoflush:
        return db.session.execute(db.select(Checkin).filter_by(day=day)).scalar_one()


# ------------------------------------------------------------ far apart: UTC-10 / UTC+13
def test_each_answers_their_own_tonight_and_the_reveal_pairs_the_same_date(couple):
    """Honolulu (UTC-10) and Tonga (UTC+13): 23 hours apart. Sam's Monday evening is
    Alex's Sunday evening; Alex's Monday evening is Sam's Tuesday evening."""
    link(couple, "Pacific/Honolulu", "Pacific/Tongatapu")
    sunday, monday, tuesday = d("2026-11-15"), d("2026-11-16"), d("2026-11-17")
    # Monday 21:00 in Tonga; Sunday 22:00 in Honolulu.
    with couple.at(utc("2026-11-16 08:00")) as (alex, sam):
        assert today_dates(sam) == ["2026-11-16"]
        assert today_dates(alex) == ["2026-11-15"]
        response = put(sam, monday, answers(monday, "sam monday"))
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["revealed"] is False
        # Monday is tomorrow for Alex: not hers to answer yet.
        response = put(alex, monday, answers(monday, "alex too early"))
        assert response.status_code == 409
        assert response.get_json()["type"] == "/problems/checkin-closed"
        # Alex's own tonight is Sunday, the weekly one.
        item = alex.get("/api/v1/checkins/today").get_json()["items"][0]
        assert item["kind"] == "weekly" and item["partner_answered"] is False
        response = put(alex, sunday, answers(sunday, "alex sunday"))
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["revealed"] is False
        # Sunday was Sam's yesterday, closed since Sunday noon in Tonga.
        assert put(sam, sunday, answers(sunday)).status_code == 409
    # Monday 21:00 in Honolulu; Tuesday 20:00 in Tonga: 23 hours after Sam's answer.
    with couple.at(utc("2026-11-17 07:00")) as (alex, sam):
        assert today_dates(alex) == ["2026-11-16"]
        assert today_dates(sam) == ["2026-11-17"]
        item = alex.get("/api/v1/checkins/today").get_json()["items"][0]
        assert item["partner_answered"] is True and "partner_answers" not in item
        # Sam answers her Tuesday first: it must not be taken for Monday.
        response = put(sam, tuesday, answers(tuesday, "sam tuesday", needs=1))
        assert response.status_code == 200, response.get_json()
        response = put(alex, monday, answers(monday, "alex monday", needs=5))
        assert response.status_code == 200, response.get_json()
        revealed = response.get_json()
        assert revealed["date"] == "2026-11-16" and revealed["revealed"] is True
        assert revealed["partner_answers"]["needs_help"] == "sam monday"
        # Sam sees Monday revealed (in her history), Tuesday still waiting for Alex.
        theirs = sam.get("/api/v1/checkins/2026-11-16").get_json()
        assert theirs["revealed"] is True
        assert theirs["partner_answers"]["needs_help"] == "alex monday"
        assert [i["date"] for i in sam.get("/api/v1/checkins").get_json()["items"]] == [
            "2026-11-16"
        ]
        tuesday_view = sam.get("/api/v1/checkins/2026-11-17").get_json()
        assert tuesday_view["revealed"] is False and tuesday_view["partner_answered"] is False
    with couple.app.app_context():
        assert only(monday).revealed_at == utc("2026-11-17 07:00")
        assert only(sunday).revealed_at is None and only(tuesday).revealed_at is None
        kept = {
            (a.checkin_id, a.answers["needs_help"])
            for a in db.session.execute(db.select(CheckinAnswer)).scalars()
        }
        assert kept == {
            (only(monday).id, "sam monday"),
            (only(monday).id, "alex monday"),
            (only(sunday).id, "alex sunday"),
            (only(tuesday).id, "sam tuesday"),
        }
        # Sam is told once her Monday is revealed; nothing else about Monday twice.
        told = db.session.execute(
            db.select(Notification.user_id, Notification.dedupe_key).where(
                Notification.kind == "partner_checked_in"
            )
        ).all()
        assert len(told) == len(set(told))


# ------------------------------------------------------ the grace window: UTC-10 / UTC+14
def test_yesterday_is_open_until_noon_local_then_closes(couple):
    """Honolulu (UTC-10) and Kiritimati (UTC+14): a whole day apart."""
    link(couple, "Pacific/Honolulu", "Pacific/Kiritimati")
    monday = d("2026-11-16")
    # Tuesday 11:59 in Kiritimati; Monday 11:59 in Honolulu.
    with couple.at(utc("2026-11-16 21:59")) as (alex, sam):
        assert today_dates(sam) == ["2026-11-17", "2026-11-16"]
        assert today_dates(alex) == ["2026-11-16", "2026-11-15"]
        response = put(sam, monday, answers(monday, "sam, just in time"))
        assert response.status_code == 200, response.get_json()
    # Tuesday 12:00 in Kiritimati: Monday has closed for Sam, even to edit.
    with couple.at(utc("2026-11-16 22:00")) as (alex, sam):
        assert today_dates(sam) == ["2026-11-17"]
        assert today_dates(alex) == ["2026-11-16"]
        response = put(sam, monday, answers(monday, "sam, too late"))
        assert response.status_code == 409
        assert response.get_json()["type"] == "/problems/checkin-closed"
        # Her answers wait for Alex; she still sees them.
        mine = sam.get("/api/v1/checkins/2026-11-16").get_json()
        assert mine["my_answers"]["needs_help"] == "sam, just in time"
        assert mine["editable"] is False
    # Tuesday 11:59 in Honolulu (Wednesday 11:59 in Kiritimati): Alex's yesterday is open.
    with couple.at(utc("2026-11-17 21:59")) as (alex, sam):
        assert today_dates(alex) == ["2026-11-17", "2026-11-16"]
        response = put(alex, monday, answers(monday, "alex, just in time"))
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["revealed"] is True
        assert response.get_json()["partner_answers"]["needs_help"] == "sam, just in time"
    # Tuesday 12:00 in Honolulu: closed, and revealed anyway.
    with couple.at(utc("2026-11-17 22:00")) as (alex, sam):
        assert today_dates(alex) == ["2026-11-17"]
        response = put(alex, monday, answers(monday))
        assert response.status_code == 409
    with couple.app.app_context():
        assert only(monday).revealed_at == utc("2026-11-17 21:59")


def test_a_yesterday_nobody_answered_closes_at_noon(couple):
    link(couple, "Pacific/Honolulu", "Pacific/Kiritimati")
    monday = d("2026-11-16")
    with couple.at(utc("2026-11-17 21:59")) as (alex, _):  # Tuesday 11:59 in Honolulu
        assert alex.get("/api/v1/checkins/2026-11-16").status_code == 200
        assert alex.get("/checkin/2026-11-16").status_code == 200
    with couple.at(utc("2026-11-17 22:00")) as (alex, sam):  # Tuesday 12:00 in Honolulu
        assert put(alex, monday, answers(monday)).status_code == 409
        assert alex.get("/api/v1/checkins/2026-11-16").status_code == 404
        assert alex.get("/checkin/2026-11-16").status_code == 404
        assert put(sam, monday, answers(monday)).status_code == 409  # long closed for Sam
    with couple.app.app_context():
        assert db.session.execute(db.select(Checkin)).first() is None


# --------------------------------------------------------------- summer time changes
# (UTC instant, local time it is, today, yesterday if still open). The change days are
# Sundays: the weekly check-in.
NEW_YORK = {
    "spring 2026-03-08": [
        ("2026-03-07 16:59", "Sat 11:59 EST", "2026-03-07", "2026-03-06"),
        ("2026-03-07 17:00", "Sat 12:00 EST", "2026-03-07", None),
        ("2026-03-08 04:59", "Sat 23:59 EST", "2026-03-07", None),
        ("2026-03-08 05:30", "Sun 00:30 EST", "2026-03-08", "2026-03-07"),
        ("2026-03-08 06:30", "Sun 01:30 EST", "2026-03-08", "2026-03-07"),
        ("2026-03-08 07:30", "Sun 03:30 EDT, just after the gap", "2026-03-08", "2026-03-07"),
        ("2026-03-08 15:59", "Sun 11:59 EDT", "2026-03-08", "2026-03-07"),
        ("2026-03-08 16:00", "Sun 12:00 EDT", "2026-03-08", None),
        ("2026-03-09 03:59", "Sun 23:59 EDT", "2026-03-08", None),
        ("2026-03-09 04:30", "Mon 00:30 EDT", "2026-03-09", "2026-03-08"),
        ("2026-03-09 05:30", "Mon 01:30 EDT", "2026-03-09", "2026-03-08"),
        ("2026-03-09 15:59", "Mon 11:59 EDT", "2026-03-09", "2026-03-08"),
        ("2026-03-09 16:00", "Mon 12:00 EDT", "2026-03-09", None),
    ],
    "autumn 2026-11-01": [
        ("2026-10-31 15:59", "Sat 11:59 EDT", "2026-10-31", "2026-10-30"),
        ("2026-10-31 16:00", "Sat 12:00 EDT", "2026-10-31", None),
        ("2026-11-01 03:59", "Sat 23:59 EDT", "2026-10-31", None),
        ("2026-11-01 04:30", "Sun 00:30 EDT", "2026-11-01", "2026-10-31"),
        ("2026-11-01 05:30", "Sun 01:30 EDT, the first one", "2026-11-01", "2026-10-31"),
        ("2026-11-01 06:30", "Sun 01:30 EST, the second one", "2026-11-01", "2026-10-31"),
        ("2026-11-01 16:59", "Sun 11:59 EST", "2026-11-01", "2026-10-31"),
        ("2026-11-01 17:00", "Sun 12:00 EST", "2026-11-01", None),
        ("2026-11-02 04:59", "Sun 23:59 EST", "2026-11-01", None),
        ("2026-11-02 05:30", "Mon 00:30 EST", "2026-11-02", "2026-11-01"),
        ("2026-11-02 06:30", "Mon 01:30 EST", "2026-11-02", "2026-11-01"),
        ("2026-11-02 16:59", "Mon 11:59 EST", "2026-11-02", "2026-11-01"),
        ("2026-11-02 17:00", "Mon 12:00 EST", "2026-11-02", None),
    ],
}
LONDON = {
    "spring 2026-03-29": [
        ("2026-03-28 11:59", "Sat 11:59 GMT", "2026-03-28", "2026-03-27"),
        ("2026-03-28 12:00", "Sat 12:00 GMT", "2026-03-28", None),
        ("2026-03-28 23:59", "Sat 23:59 GMT", "2026-03-28", None),
        ("2026-03-29 00:30", "Sun 00:30 GMT", "2026-03-29", "2026-03-28"),
        ("2026-03-29 01:30", "Sun 02:30 BST (01:30 is skipped)", "2026-03-29", "2026-03-28"),
        ("2026-03-29 10:59", "Sun 11:59 BST", "2026-03-29", "2026-03-28"),
        ("2026-03-29 11:00", "Sun 12:00 BST", "2026-03-29", None),
        ("2026-03-29 11:30", "Sun 12:30 BST", "2026-03-29", None),
        ("2026-03-29 22:59", "Sun 23:59 BST", "2026-03-29", None),
        ("2026-03-29 23:30", "Mon 00:30 BST", "2026-03-30", "2026-03-29"),
        ("2026-03-30 00:30", "Mon 01:30 BST", "2026-03-30", "2026-03-29"),
        ("2026-03-30 10:59", "Mon 11:59 BST", "2026-03-30", "2026-03-29"),
        ("2026-03-30 11:00", "Mon 12:00 BST", "2026-03-30", None),
    ],
    "autumn 2026-10-25": [
        ("2026-10-24 10:59", "Sat 11:59 BST", "2026-10-24", "2026-10-23"),
        ("2026-10-24 11:00", "Sat 12:00 BST", "2026-10-24", None),
        ("2026-10-24 22:59", "Sat 23:59 BST", "2026-10-24", None),
        ("2026-10-24 23:30", "Sun 00:30 BST", "2026-10-25", "2026-10-24"),
        ("2026-10-25 00:30", "Sun 01:30 BST, the first one", "2026-10-25", "2026-10-24"),
        ("2026-10-25 01:30", "Sun 01:30 GMT, the second one", "2026-10-25", "2026-10-24"),
        ("2026-10-25 11:59", "Sun 11:59 GMT", "2026-10-25", "2026-10-24"),
        ("2026-10-25 12:00", "Sun 12:00 GMT", "2026-10-25", None),
        ("2026-10-25 23:59", "Sun 23:59 GMT", "2026-10-25", None),
        ("2026-10-26 00:30", "Mon 00:30 GMT", "2026-10-26", "2026-10-25"),
        ("2026-10-26 01:30", "Mon 01:30 GMT", "2026-10-26", "2026-10-25"),
        ("2026-10-26 11:59", "Mon 11:59 GMT", "2026-10-26", "2026-10-25"),
        ("2026-10-26 12:00", "Mon 12:00 GMT", "2026-10-26", None),
    ],
}
CHANGES = [("America/New_York", name, rows) for name, rows in NEW_YORK.items()] + [
    ("Europe/London", name, rows) for name, rows in LONDON.items()
]


def test_the_table_says_what_the_clock_says():
    """The hand-written local times agree with the time zone database."""
    for zone, _, rows in CHANGES:
        for instant, local, today, _ in rows:
            here = utc(instant).astimezone(ZoneInfo(zone))
            assert here.strftime("%a") == local[:3], (zone, instant, local)
            assert here.date().isoformat() == today, (zone, instant, local)
            assert local[4:9] == here.strftime("%H:%M"), (zone, instant, local)
            assert here.tzname() in local, (zone, instant, local)


@pytest.mark.parametrize(
    ("zone", "change", "rows"), CHANGES, ids=[f"{zone}-{change}" for zone, change, _ in CHANGES]
)
def test_today_and_yesterday_around_summer_time_changes(couple, zone, change, rows):
    """At each instant: the dates the partner in ``zone`` may answer, and the one just
    closed refused; answering yesterday works until 11:59 and is refused at 12:00."""
    link(couple, zone, "UTC")
    for instant, local, today, yesterday in rows:
        with couple.at(utc(instant)) as (alex, _):
            expected = [today] + ([yesterday] if yesterday else [])
            assert today_dates(alex) == expected, (instant, local)
            items = alex.get("/api/v1/checkins/today").get_json()["items"]
            for item in items:
                sunday = d(item["date"]).weekday() == 6
                assert item["kind"] == ("weekly" if sunday else "nightly"), (instant, item)
            for day in map(d, expected):
                response = put(alex, day, answers(day, f"{local} for {day}"))
                assert response.status_code == 200, (instant, local, day, response.get_json())
            closed = d(today) - timedelta(days=1 if yesterday is None else 2)
            response = put(alex, closed, answers(closed))
            assert response.status_code == 409, (instant, local, closed)
            assert response.get_json()["type"] == "/problems/checkin-closed"
            tomorrow = d(today) + timedelta(days=1)
            assert put(alex, tomorrow, answers(tomorrow)).status_code == 409, (instant, local)
    with couple.app.app_context():  # every answer went to the date it was given for
        for answer, checkin in db.session.execute(
            db.select(CheckinAnswer, Checkin).join(Checkin)
        ).all():
            assert answer.answers["needs_help"].endswith(f"for {checkin.day}")


# Both at their own 21:00 on the same date, across the weeks when New York and London are
# four or five hours apart and on the change days themselves.
SAME_DATE = [
    "2026-03-07",
    "2026-03-08",
    "2026-03-14",
    "2026-03-28",
    "2026-03-29",
    "2026-10-24",
    "2026-10-25",
    "2026-10-31",
    "2026-11-01",
    "2026-11-02",
]


def at_local(day: date, zone: str, hour: int = 21) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=ZoneInfo(zone)).astimezone(UTC)


@pytest.mark.parametrize("day", SAME_DATE)
def test_new_york_and_london_at_their_own_nine_pm_reveal_that_date(couple, day):
    day = d(day)
    link(couple, "America/New_York", "Europe/London")
    london, new_york = at_local(day, "Europe/London"), at_local(day, "America/New_York")
    assert new_york - london in (timedelta(hours=4), timedelta(hours=5))
    with couple.at(london) as (alex, sam):
        assert today_dates(sam) == [day.isoformat()]
        response = put(sam, day, answers(day, f"sam {day}", needs=2))
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["revealed"] is False
        item = alex.get("/api/v1/checkins/today").get_json()["items"][0]
        assert item["date"] == day.isoformat() and item["partner_answered"] is True
    with couple.at(new_york) as (alex, sam):
        assert today_dates(alex) == [day.isoformat()]
        # Past midnight in London: the date is Sam's yesterday, still showing.
        assert today_dates(sam) == [(day + timedelta(days=1)).isoformat(), day.isoformat()]
        response = put(alex, day, answers(day, f"alex {day}", needs=5))
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["revealed"] is True and body["date"] == day.isoformat()
        assert body["partner_answers"]["needs_help"] == f"sam {day}"
        assert body["next_steps"] == ["needs_low", "needs_apart"]
        item = sam.get("/api/v1/checkins/today").get_json()["items"][1]
        assert item["revealed"] is True
        assert item["partner_answers"]["needs_help"] == f"alex {day}"
        assert [i["date"] for i in sam.get("/api/v1/checkins").get_json()["items"]] == [
            day.isoformat()
        ]
    with couple.app.app_context():
        checkin = only(day)
        assert checkin.revealed_at == new_york
        assert checkin.kind == ("weekly" if day.weekday() == 6 else "nightly")
        assert db.session.query(Checkin).count() == 1
        assert db.session.query(CheckinAnswer).count() == 2
