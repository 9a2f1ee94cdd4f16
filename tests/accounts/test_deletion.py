"""Deleting an account: what the former partner keeps no longer names it."""

import dataclasses
import json
from datetime import UTC, datetime

import pytest

from couples.accounts import services as accounts
from couples.accounts.models import User
from couples.extensions import db
from couples.notifications import reminders
from couples.pairing.queries import is_linked
from tests.factories import PASSWORD, notifications_of

LINK = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
EVENING = datetime(2026, 6, 15, 20, 0, tzinfo=UTC)  # 16:00 New York, 21:00 London
LATER = datetime(2026, 6, 16, 2, 0, tzinfo=UTC)  # 22:00 New York


def test_the_former_partners_notifications_no_longer_name_a_deleted_account(couple):
    couple.link(when=LINK)
    with couple.at(EVENING) as (_, sam):
        assert sam.post("/api/v1/appreciations", json={"text": "thank you"}).status_code == 201
        assert sam.post("/api/v1/bids", json={"preset": "hug"}).status_code == 201
        answers = {"answers": {"needs_met": 4, "mood": 4}}
        assert sam.put("/api/v1/checkins/2026-06-15/answers", json=answers).status_code == 200
        opened = sam.post("/api/v1/repairs", json={"title": "Dinner", "role": "apologizing"})
        assert opened.status_code == 201, opened.get_json()
    with couple.app.app_context():
        reminders.tick(now=datetime(2026, 6, 16, 1, 0, tzinfo=UTC))  # 21:00 in New York
    before = notifications_of(couple.app, "alex@example.com")
    kinds = {n.kind for n in before}
    assert {
        "appreciation_received",
        "bid_received",
        "partner_checked_in",
        "repair_started",
        "checkin_reminder",
    } <= kinds
    assert all("Sam" in n.title + n.body for n in before)

    with couple.at(LATER) as (alex, sam):
        assert sam.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
        inbox = alex.get("/api/v1/notifications")
        page = alex.get("/notifications")

    after = notifications_of(couple.app, "alex@example.com")
    assert {n.kind for n in after} == kinds | {"couple_ended"}
    for note in after:
        assert "Sam" not in note.title + note.body + json.dumps(note.data), note
    titles = {n.kind: n.title for n in after}
    assert titles["appreciation_received"] == "Your former partner sent you an appreciation"
    assert titles["bid_received"] == "Your former partner is reaching out"
    ended = next(n for n in after if n.kind == "couple_ended")
    assert ended.body.startswith("Your former partner ended your link in Couples.")
    assert inbox.status_code == 200 and len(inbox.get_json()["items"]) == len(after)
    assert "Sam" not in inbox.get_data(as_text=True)
    assert page.status_code == 200 and "Sam" not in page.get_data(as_text=True)


def test_a_deletion_that_fails_late_leaves_the_couple_and_its_notifications_as_they_were(
    couple,
):
    couple.link(when=LINK)
    with couple.at(EVENING) as (_, sam):
        assert sam.post("/api/v1/bids", json={"preset": "hug"}).status_code == 201

    def fails(user, now):
        raise RuntimeError("the disk is full")

    app = couple.app
    features = app.extensions["couples.features"]
    app.extensions["couples.features"] = dataclasses.replace(
        features, before_delete=(*features.before_delete, fails)
    )
    with app.app_context():
        sam_user = db.session.execute(
            db.select(User).filter_by(email="sam@example.com")
        ).scalar_one()
        with pytest.raises(RuntimeError):
            accounts.delete_account(user=sam_user, password=PASSWORD, now=LATER)
        db.session.rollback()
        assert is_linked(sam_user.id)
    assert [n.title for n in notifications_of(app, "alex@example.com")] == ["Sam is reaching out"]
