"""A deleted account's name leaves the notifications it caused, and only those."""

from datetime import UTC, datetime, timedelta

from couples.extensions import db
from couples.notifications.models import Notification
from couples.notifications.services import forget_name, notify
from tests.factories import make_user

LINKED = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
ENDED = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)


def _texts(user_id):
    return [
        (n.title, n.body, n.data)
        for n in db.session.execute(
            db.select(Notification).filter_by(user_id=user_id).order_by(Notification.id)
        ).scalars()
    ]


def test_only_the_whole_name_and_only_while_linked_is_forgotten(ctx):
    alex = make_user(email="alex@example.com", display_name="Alex")
    sent = [
        (LINKED - timedelta(days=1), "Sam is reaching out", "Before they were linked."),
        (LINKED, "Sam sent you an appreciation", "From Sam. Samantha wrote too."),
        (LINKED + timedelta(days=2), "Your repair with Sam", "Sam's turn. Sam!"),
        (ENDED, "Your link has ended", "Sam ended your link."),
        (ENDED + timedelta(days=1), "Sam is reaching out", "A new partner, also Sam."),
    ]
    for number, (when, title, body) in enumerate(sent):
        notify(
            user=alex,
            kind="bid_received",
            dedupe_key=f"n{number}",
            title=title,
            body=body,
            data={"who": ["Sam"]},
            now=when,
        )
    changed = forget_name(user_id=alex.id, name="Sam", since=LINKED, until=ENDED)
    db.session.commit()
    assert changed == 3
    assert _texts(alex.id) == [
        ("Sam is reaching out", "Before they were linked.", {"who": ["Sam"]}),
        (
            "Your former partner sent you an appreciation",
            "From your former partner. Samantha wrote too.",
            {"who": ["Your former partner"]},
        ),
        (
            "Your repair with your former partner",
            "Your former partner's turn. Your former partner!",
            {"who": ["Your former partner"]},
        ),
        (
            "Your link has ended",
            "Your former partner ended your link.",
            {"who": ["Your former partner"]},
        ),
        ("Sam is reaching out", "A new partner, also Sam.", {"who": ["Sam"]}),
    ]
