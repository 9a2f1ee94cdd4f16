"""Refused forms kept across the redirect after them: how long they stay, and what of
them is never written down."""

from datetime import UTC, datetime, timedelta

import time_machine

from couples import drafts
from couples.drafts import KEEP_FOR, FormDraft
from couples.extensions import db

NOW = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)


def _keep(app, token_hash: str, created_at: datetime) -> None:
    with app.app_context():
        db.session.add(
            FormDraft(
                token_hash=token_hash,
                path="-",
                fields={"note": ["hello"]},
                errors={},
                created_at=created_at,
            )
        )
        db.session.commit()


def test_prune_deletes_only_the_form_drafts_older_than_an_hour(app):
    _keep(app, "old", NOW - KEEP_FOR - timedelta(seconds=1))
    _keep(app, "edge", NOW - KEEP_FOR)
    _keep(app, "fresh", NOW - timedelta(minutes=5))
    with app.app_context():
        assert drafts.prune(NOW) == 1
        left = db.session.execute(db.select(FormDraft.token_hash)).scalars().all()
        assert sorted(left) == ["edge", "fresh"]
        assert drafts.prune(NOW) == 0  # nothing more to do


def test_a_refusal_deletes_the_expired_form_drafts_of_everyone(app, client):
    _keep(app, "someone else, long ago", NOW - KEEP_FOR - timedelta(minutes=1))
    with time_machine.travel(NOW, tick=False):
        html = client.get("/forgot").get_data(as_text=True)
        csrf = html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = client.post("/forgot", data={"csrf_token": csrf, "email": ""})
    assert response.status_code == 303
    with app.app_context():
        [row] = db.session.query(FormDraft).all()
        assert row.token_hash != "someone else, long ago"


def test_the_reminder_tick_forgets_drafts_past_their_hour(app):
    from couples.notifications import reminders

    _keep(app, "old", NOW - KEEP_FOR - timedelta(seconds=1))
    _keep(app, "fresh", NOW - timedelta(minutes=5))
    with app.app_context():
        reminders.tick(now=NOW)
        left = db.session.execute(db.select(FormDraft.token_hash)).scalars().all()
        assert left == ["fresh"]
