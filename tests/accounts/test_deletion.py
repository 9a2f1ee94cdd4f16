"""Deleting an account: what the former partner keeps no longer names it."""

import dataclasses
from datetime import UTC, datetime

import pytest

from couples.accounts import services as accounts
from couples.accounts.models import User
from couples.extensions import db
from couples.pairing.queries import is_linked
from tests.factories import PASSWORD, notifications_of

LINK = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
EVENING = datetime(2026, 6, 15, 20, 0, tzinfo=UTC)  # 16:00 New York, 21:00 London
LATER = datetime(2026, 6, 16, 2, 0, tzinfo=UTC)  # 22:00 New York


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
