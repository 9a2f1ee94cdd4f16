"""The reflection journal: private entries with a prompt of the day, searchable, kept
with my export and gone with my account; a good memory can become an appreciation."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from couples.extensions import db
from couples.grow.models import JournalEntry
from couples.grow.prompts import BY_KEY, PROMPTS, of_the_day
from tests.factories import PASSWORD, page, post_form, post_refused

EVENING = datetime(2026, 12, 5, 21, 0, tzinfo=UTC)


def test_no_prompt_comes_back_within_sixty_days_for_anyone():
    assert len(PROMPTS) > 60 and len(BY_KEY) == len(PROMPTS)
    for user_id in (1, 2, 17, 1000):
        for start in (date(2026, 1, 1), date(2026, 12, 1), date(2028, 2, 20)):
            days = [of_the_day(start + timedelta(days=n), user_id).key for n in range(61)]
            assert len(set(days)) == 61, (user_id, start)
    # Partners are seldom handed the same prompt on the same evening.
    day = date(2026, 12, 5)
    assert of_the_day(day, 1) != of_the_day(day, 2)


def test_the_prompt_of_the_day_follows_my_own_clock(couple):
    couple.link(alex_tz="America/New_York", sam_tz="Asia/Tokyo")
    # 01:00 UTC: still the 4th in New York, already the 5th in Tokyo.
    with couple.at(datetime(2026, 12, 5, 1, 0, tzinfo=UTC)) as (alex, sam):
        mine = alex.get("/api/v1/me/journal-prompt").get_json()
        theirs = sam.get("/api/v1/me/journal-prompt").get_json()
    assert mine["date"] == "2026-12-04" and theirs["date"] == "2026-12-05"
    assert BY_KEY[mine["key"]].text == mine["text"]


def test_an_entry_is_mine_alone_in_every_route(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        prompt = alex.get("/api/v1/me/journal-prompt").get_json()
        made = alex.post(
            "/api/v1/me/journal",
            json={
                "text": "I went quiet when Sam was late. Old habit.",
                "prompt_key": prompt["key"],
            },
        )
        assert made.status_code == 201, made.get_json()
        entry = made.get_json()
        assert entry["prompt"] == prompt["text"] and entry["memory"] is BY_KEY[prompt["key"]].memory
        url = f"/api/v1/me/journal/{entry['id']}"

        # Sam, the partner, finds nothing: not the entry, not a count, not its words.
        for response in (
            sam.get(url),
            sam.patch(url, json={"text": "changed"}),
            sam.delete(url),
            sam.get(f"/grow/journal/{entry['id']}"),
            post_form(sam, f"/grow/journal/{entry['id']}", {"text": "changed"}),
            post_form(sam, f"/grow/journal/{entry['id']}/remove", {}),
            sam.get(f"/appreciations/new?entry={entry['id']}"),
        ):
            assert response.status_code == 404
        assert sam.get("/api/v1/me/journal").get_json()["items"] == []
        for path in ("/", "/grow", "/grow/journal", "/appreciations", "/notifications"):
            assert "Old habit" not in page(sam, path)
        assert "Old habit" not in sam.export().get_data(as_text=True)
        assert "Old habit" not in sam.get("/api/v1/me/waiting").get_data(as_text=True)
        # Alex reads it, and it is unchanged.
        assert alex.get(url).get_json()["text"] == "I went quiet when Sam was late. Old habit."


def test_entries_are_searched_in_any_case_and_paged(couple):
    couple.link()
    with couple.at(EVENING) as (alex, _sam):
        for n in range(25):
            words = "A walk by the river" if n % 5 == 0 else f"Evening {n}: 100% tired_out"
            alex.post("/api/v1/me/journal", json={"text": words})
        found = alex.get("/api/v1/me/journal?q=RIVER").get_json()
        assert [e["text"] for e in found["items"]] == ["A walk by the river"] * 5
        # % and _ are letters to search for, not patterns.
        assert len(alex.get("/api/v1/me/journal?q=100%25&limit=100").get_json()["items"]) == 20
        assert alex.get("/api/v1/me/journal?q=tire__out").get_json()["items"] == []
        first = alex.get("/api/v1/me/journal?limit=10").get_json()
        second = alex.get(f"/api/v1/me/journal?limit=10&cursor={first['next_cursor']}").get_json()
        third = alex.get(f"/api/v1/me/journal?limit=10&cursor={second['next_cursor']}").get_json()
        assert third["next_cursor"] is None
        ids = [e["id"] for e in first["items"] + second["items"] + third["items"]]
        assert len(ids) == len(set(ids)) == 25
        html = page(alex, "/grow/journal?q=river")
        assert html.count("A walk by the river") == 5 and "Evening 3" not in html
        # A NUL no entry can hold finds nothing, on the page and in the API alike.
        assert alex.get("/api/v1/me/journal?q=river%00").get_json()["items"] == []
        nothing = alex.get("/grow/journal?q=%00")
        assert nothing.status_code == 200 and "A walk by the river" not in page(
            alex, "/grow/journal?q=%00"
        )


def test_the_journal_page_writes_with_todays_prompt_and_keeps_a_refused_entry(couple):
    couple.link()
    with couple.at(EVENING) as (alex, _sam):
        html = page(alex, "/grow/journal")
        prompt = of_the_day(date(2026, 12, 5), _user_id(couple, "alex@example.com"))
        assert prompt.text in html.replace("&#39;", "'")
        refused = post_refused(
            alex, "/grow/journal", {"text": "   ", "prompt_key": prompt.key}, to="/grow/journal"
        )
        assert refused.status_code == 200
        assert "Write a few words, or as many as you like." in refused.get_data(as_text=True)
        response = post_form(
            alex, "/grow/journal", {"text": "Tired, but glad.", "prompt_key": prompt.key}
        )
        assert response.status_code == 302
        listed = page(alex, "/grow/journal")
        assert "Tired, but glad." in listed and "Saved in your journal" in listed
        # Free writing: no prompt.
        post_form(alex, "/grow/journal", {"text": "Just thinking.", "prompt_key": ""})
        items = alex.get("/api/v1/me/journal").get_json()["items"]
        assert [(e["text"], e["prompt_key"]) for e in items] == [
            ("Just thinking.", None),
            ("Tired, but glad.", prompt.key),
        ]


def test_bad_entries_are_refused_with_a_message_and_change_nothing(couple):
    couple.link()
    with couple.at(EVENING) as (alex, _sam):
        for body in (
            {},
            {"text": ""},
            {"text": "x" * 10001},
            {"text": "ok", "memory": "yes"},
            {"text": "ok", "surprise": 1},
            {"text": "bad \x00 byte"},
        ):
            response = alex.post("/api/v1/me/journal", json=body)
            assert response.status_code == 422, body
            assert response.mimetype == "application/problem+json"
            assert response.get_json()["errors"]
        assert alex.get("/api/v1/me/journal").get_json()["items"] == []
        assert alex.get("/api/v1/me/journal/not-an-id!").status_code == 404
        assert alex.get("/grow/journal/nope").status_code == 404


def test_an_entry_is_changed_and_removed_by_its_writer(couple):
    couple.link()
    with couple.at(EVENING) as (alex, _sam):
        entry = alex.post("/api/v1/me/journal", json={"text": "First draft"}).get_json()
        url = f"/api/v1/me/journal/{entry['id']}"
        changed = alex.patch(url, json={"text": "Second draft", "memory": True}).get_json()
        assert changed["text"] == "Second draft" and changed["memory"] is True
        assert changed["changed_at"] is not None
        response = post_form(alex, f"/grow/journal/{entry['id']}", {"text": "Third draft"})
        assert response.status_code == 302
        assert alex.get(url).get_json() | {"changed_at": None} == changed | {
            "text": "Third draft",
            "memory": False,  # the box was left unticked
            "changed_at": None,
        }
        assert post_form(alex, f"/grow/journal/{entry['id']}/remove", {}).status_code == 302
        assert alex.get(url).status_code == 404


def test_a_good_memory_becomes_an_appreciation_only_when_i_send_it(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        memory = alex.post(
            "/api/v1/me/journal",
            json={"text": "The night we got lost in Lisbon and laughed.", "memory": True},
        ).get_json()
        listed = page(alex, "/grow/journal")
        assert f"/appreciations/new?entry={memory['id']}" in listed
        form = page(alex, f"/appreciations/new?entry={memory['id']}")
        assert "The night we got lost in Lisbon and laughed.</textarea>" in form
        # Nothing has gone to Sam yet.
        assert "Lisbon" not in page(sam, "/appreciations")
        post_form(alex, "/appreciations/new", {"text": "The night we got lost in Lisbon."})
        assert "The night we got lost in Lisbon." in page(sam, "/appreciations")


def test_entries_come_with_my_export_and_go_with_my_account(couple):
    couple.link()
    with couple.at(EVENING) as (alex, _sam):
        alex.post("/api/v1/me/journal", json={"text": "Kept for the export"})
        exported = alex.export().get_json()
        assert [e["text"] for e in exported["grow"]["journal"]] == ["Kept for the export"]
        assert alex.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    with couple.app.app_context():
        assert db.session.scalar(select(func.count()).select_from(JournalEntry)) == 0


def _user_id(couple, email: str) -> int:
    from couples.accounts.models import User

    with couple.app.app_context():
        return db.session.execute(select(User.id).where(User.email == email)).scalar_one()


@pytest.mark.parametrize("zone", ["Pacific/Kiritimati", "Pacific/Pago_Pago"])
def test_the_prompt_changes_at_my_midnight(make_app, zone):
    from tests.factories import ApiClient, make_user

    app = make_app(RATELIMIT_ENABLED=False)
    with app.app_context():
        make_user(email="far@example.com", display_name="Far", timezone=zone)
    local = datetime(2026, 12, 5, 23, 59)
    from zoneinfo import ZoneInfo

    before = local.replace(tzinfo=ZoneInfo(zone))
    keys = []
    for instant in (before, before + timedelta(minutes=2)):
        with time_machine.travel(instant, tick=False):
            who = ApiClient(app).login("far@example.com")
            keys.append(who.get("/api/v1/me/journal-prompt").get_json())
    assert [k["date"] for k in keys] == ["2026-12-05", "2026-12-06"]
    assert keys[0]["key"] != keys[1]["key"]
