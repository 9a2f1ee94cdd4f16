"""An id is never given twice: what named a deleted row (a cookie, a URL, an export)
never names a new one. On SQLite that takes AUTOINCREMENT (see the migrations)."""

from couples.accounts.models import User
from couples.extensions import db
from couples.pairing.models import Couple
from tests.factories import make_couple, make_user


def test_user_and_couple_ids_are_never_given_again(app):
    with app.app_context():
        alex, sam = make_user(email="a@example.com"), make_user(email="s@example.com")
        couple = make_couple(alex, sam).couple
        user_id, couple_id = sam.id, couple.id
        db.session.execute(db.delete(Couple).where(Couple.id == couple_id))
        db.session.execute(db.delete(User).where(User.id == user_id))
        db.session.commit()
        newcomer = make_user(email="n@example.com")
        assert newcomer.id > user_id
        assert make_couple(alex, newcomer).couple.id > couple_id
