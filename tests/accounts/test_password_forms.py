"""A password is the same however its accents were typed: hashes are made from its NFC
form, and a hash made before from another form still logs in and is made again."""

import unicodedata

from couples.accounts import passwords
from couples.accounts.models import User
from couples.extensions import db
from tests.factories import ApiClient, make_user

# "café" with its accent composed (one character) and decomposed ("e" + U+0301).
COMPOSED = "café terrace moonlight orbit"
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)


def _login(app, password):
    return ApiClient(app).post(
        "/api/v1/auth/login", json={"email": "kim@example.com", "password": password}
    )


def test_a_password_logs_in_typed_composed_or_decomposed(app):
    with app.app_context():
        make_user(email="kim@example.com", password=DECOMPOSED)
    assert _login(app, COMPOSED).status_code == 200
    assert _login(app, DECOMPOSED).status_code == 200
    assert _login(app, COMPOSED.replace("é", "e")).status_code == 401


def test_passwords_are_hashed_from_their_nfc_form(app):
    with app.app_context():
        make_user(email="kim@example.com", password=DECOMPOSED)
        stored = db.session.execute(db.select(User.password_hash)).scalar()
        hasher = app.extensions["couples.password_hasher"]
        assert passwords.verify(hasher, stored, COMPOSED)
        assert not passwords.verify(hasher, stored, DECOMPOSED)


def _make_legacy_user(app, typed):
    """An account whose hash was made from the password exactly as typed, before
    passwords were normalized."""
    with app.app_context():
        user = make_user(email="kim@example.com")
        user.password_hash = app.extensions["couples.password_hasher"].hash(typed)
        db.session.commit()
        return user.password_hash


def _stored_hash(app):
    with app.app_context():
        return db.session.execute(db.select(User.password_hash)).scalar()


def test_a_legacy_decomposed_hash_logs_in_either_way_and_is_upgraded(app):
    legacy = _make_legacy_user(app, DECOMPOSED)
    assert _login(app, COMPOSED.replace("é", "e")).status_code == 401
    assert _stored_hash(app) == legacy  # a wrong password upgrades nothing
    assert _login(app, COMPOSED).status_code == 200
    upgraded = _stored_hash(app)
    assert upgraded != legacy
    hasher = app.extensions["couples.password_hasher"]
    assert passwords.verify(hasher, upgraded, COMPOSED)  # made from the NFC form
    assert _login(app, DECOMPOSED).status_code == 200
    assert _stored_hash(app) == upgraded  # nothing more to upgrade


def test_a_legacy_hash_typed_the_same_way_again_is_upgraded(app):
    legacy = _make_legacy_user(app, DECOMPOSED)
    assert _login(app, DECOMPOSED).status_code == 200
    upgraded = _stored_hash(app)
    assert upgraded != legacy
    assert passwords.verify(app.extensions["couples.password_hasher"], upgraded, COMPOSED)


def test_check_tries_nfc_first_and_asks_for_a_new_hash_from_another_form():
    hasher = passwords.make_hasher(1, 1024, 1)
    nfc_hash = hasher.hash(COMPOSED)
    legacy_hash = hasher.hash(DECOMPOSED)
    assert passwords.check(hasher, nfc_hash, DECOMPOSED) == (True, False)
    assert passwords.check(hasher, nfc_hash, COMPOSED) == (True, False)
    assert passwords.check(hasher, legacy_hash, COMPOSED) == (True, True)
    assert passwords.check(hasher, legacy_hash, DECOMPOSED) == (True, True)
    assert passwords.check(hasher, legacy_hash, "cafe terrace moonlight orbit") == (False, False)


def test_a_wrong_password_takes_as_many_checks_with_or_without_an_account(app, monkeypatch):
    with app.app_context():
        make_user(email="kim@example.com")
    calls = []
    real_verify = passwords.verify

    def counting(hasher, stored_hash, password):
        calls.append(password)
        return real_verify(hasher, stored_hash, password)

    monkeypatch.setattr(passwords, "verify", counting)
    for email in ("kim@example.com", "nobody@example.com"):
        calls.clear()
        response = ApiClient(app).post(
            "/api/v1/auth/login", json={"email": email, "password": "ne\u0301e wrong guess"}
        )
        assert response.status_code == 401
        assert sorted(calls) == sorted({"n\u00e9e wrong guess", "ne\u0301e wrong guess"})


def test_a_login_never_undoes_a_password_changed_meanwhile(app, monkeypatch):
    _make_legacy_user(app, DECOMPOSED)
    real_check = passwords.check

    def changed_meanwhile(hasher, stored_hash, password):
        result = real_check(hasher, stored_hash, password)
        with db.engine.begin() as conn:  # another request changes the password now
            conn.execute(db.update(User).values(password_hash="changed meanwhile"))
        return result

    monkeypatch.setattr(passwords, "check", changed_meanwhile)
    assert _login(app, COMPOSED).status_code == 200
    assert _stored_hash(app) == "changed meanwhile"


def test_a_changed_password_is_hashed_from_its_nfc_form(app):
    with app.app_context():
        make_user(email="kim@example.com")
    kim = ApiClient(app).login("kim@example.com")
    response = kim.post(
        "/api/v1/me/password",
        json={"current_password": "quiet harbour lantern 42", "new_password": DECOMPOSED},
    )
    assert response.status_code == 200
    assert passwords.verify(app.extensions["couples.password_hasher"], _stored_hash(app), COMPOSED)
