"""Refused forms kept across the redirect after them: how long they stay, and what of
them is never written down."""

from datetime import UTC, datetime, timedelta

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
