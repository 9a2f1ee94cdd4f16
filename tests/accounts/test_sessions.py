"""Sessions live on the server: a cookie opens an account only while its session row
does, and the row ends with logout, a sign-out from another device, a password change or
reset, the idle timeout and the lifetime."""

import hashlib
from datetime import UTC, datetime, timedelta

import time_machine

from couples.accounts.models import User, UserSession
from couples.extensions import db
from tests.factories import PASSWORD, ApiClient, make_user

IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
START = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


def _login(app, email="alex@example.com", *, agent=IPHONE, remember=False) -> ApiClient:
    api = ApiClient(app)
    response = api.post(
        "/api/v1/auth/login",
        json={"email": email, "password": PASSWORD, "remember": remember},
        headers={"User-Agent": agent},
    )
    assert response.status_code == 200, response.get_json()
    return api


def _copy(source: ApiClient, target: ApiClient, only: str | None = None) -> None:
    for cookie in source.client._cookies.values():
        if only is None or cookie.key == only:
            target.client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)


def _cookie(api: ApiClient, name: str) -> str:
    return next(c.value for c in api.client._cookies.values() if c.key == name)


def _register(api: ApiClient, email: str) -> str:
    body = {"email": email, "password": PASSWORD, "display_name": "Robin", "timezone": "UTC"}
    response = api.post("/api/v1/auth/register", json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def test_a_deleted_accounts_cookies_do_not_open_the_next_account(app):
    """The account that comes next gets a new id, and the old cookies name a session
    that is gone."""
    first = ApiClient(app)
    gone_id = _register(first, "gone@example.com")
    _login(app, "gone@example.com", remember=True)  # a second device, remembered
    kept = ApiClient(app)
    _copy(first, kept)
    remembered = ApiClient(app)
    _copy(_login(app, "gone@example.com", remember=True), remembered, only="couples_remember")
    assert first.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204

    nextone = ApiClient(app)
    assert _register(nextone, "next@example.com") != gone_id
    assert kept.get("/api/v1/me").status_code == 401
    assert remembered.get("/api/v1/me").status_code == 401
    assert nextone.get("/api/v1/me").get_json()["user"]["email"] == "next@example.com"


def test_logout_ends_copied_session_and_remember_cookies_on_the_server(app):
    with app.app_context():
        make_user(email="alex@example.com")
    phone = _login(app, remember=True)
    copied = ApiClient(app)
    _copy(phone, copied)
    remembered = ApiClient(app)
    _copy(phone, remembered, only="couples_remember")
    assert copied.get("/api/v1/me").status_code == 200
    assert remembered.get("/api/v1/me").status_code == 200
    assert phone.post("/api/v1/auth/logout").status_code == 204
    assert copied.get("/api/v1/me").status_code == 401
    assert remembered.get("/api/v1/me").status_code == 401


def test_only_a_hash_of_the_token_is_kept(app):
    with app.app_context():
        make_user(email="alex@example.com")
    phone = _login(app, remember=True)
    token = _cookie(phone, "couples_remember").split("|")[0]
    with app.app_context():
        (row,) = db.session.execute(db.select(UserSession)).scalars()
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert token not in (row.public_id, row.token_hash, row.device)
        assert len(token) >= 43  # 256 random bits, base64url


def test_a_session_unused_for_the_idle_timeout_ends(app):
    with app.app_context():
        make_user(email="alex@example.com")
    with time_machine.travel(START, tick=False) as clock:
        phone = _login(app, remember=True)
        for _ in range(3):  # opened every 13 days: still signed in
            clock.shift(timedelta(days=13))
            assert phone.get("/api/v1/me").status_code == 200
        clock.shift(timedelta(days=14, minutes=1))
        assert phone.get("/api/v1/me").status_code == 401


def test_a_session_ends_at_the_end_of_its_lifetime_however_often_it_is_used(app):
    with app.app_context():
        make_user(email="alex@example.com")
    with time_machine.travel(START, tick=False) as clock:
        phone = _login(app, remember=True)
        for _ in range(8):
            clock.shift(timedelta(days=11))
            assert phone.get("/api/v1/me").status_code == 200
        clock.shift(timedelta(days=2, minutes=1))  # 90 days and a minute after the login
        assert phone.get("/api/v1/me").status_code == 401
        assert _login(app).get("/api/v1/me").status_code == 200  # logging in again works


def test_the_idle_timeout_and_lifetime_are_settings(make_app):
    app = make_app(SESSION_IDLE_DAYS=1, SESSION_LIFETIME_DAYS=3)
    with app.app_context():
        make_user(email="alex@example.com")
    with time_machine.travel(START, tick=False) as clock:
        phone = _login(app, remember=True)
        clock.shift(timedelta(hours=23))
        assert phone.get("/api/v1/me").status_code == 200
        clock.shift(timedelta(hours=25))
        assert phone.get("/api/v1/me").status_code == 401
        cookie = next(
            c
            for c in _login(app, remember=True).client._cookies.values()
            if c.key == "couples_remember"
        )
        assert cookie.expires - (START + timedelta(hours=48)) <= timedelta(days=3, minutes=1)


def test_devices_are_listed_and_one_can_be_signed_out(app):
    with app.app_context():
        make_user(email="alex@example.com")
        make_user(email="olive@example.com", display_name="Olive")
    phone = _login(app, agent=IPHONE)
    laptop = _login(app, agent=WINDOWS)
    olive = _login(app, "olive@example.com")
    listed = phone.get("/api/v1/me/sessions").get_json()["items"]
    assert sorted((d["device"], d["current"]) for d in listed) == [
        ("Firefox on Windows", False),
        ("Safari on iPhone", True),
    ]
    laptop_id = next(d["id"] for d in listed if not d["current"])
    olive_id = olive.get("/api/v1/me/sessions").get_json()["items"][0]["id"]

    # Another account's device, or one signed out already: 404, and nothing ends.
    assert phone.delete(f"/api/v1/me/sessions/{olive_id}").status_code == 404
    assert olive.get("/api/v1/me").status_code == 200
    assert phone.delete(f"/api/v1/me/sessions/{laptop_id}").status_code == 204
    assert laptop.get("/api/v1/me").status_code == 401
    assert phone.delete(f"/api/v1/me/sessions/{laptop_id}").status_code == 404
    assert phone.get("/api/v1/me").status_code == 200

    # Signing out this device logs out.
    (mine,) = phone.get("/api/v1/me/sessions").get_json()["items"]
    response = phone.delete(f"/api/v1/me/sessions/{mine['id']}")
    assert response.status_code == 204
    assert "Clear-Site-Data" in response.headers
    assert phone.get("/api/v1/me").status_code == 401


def test_the_account_page_lists_devices_and_signs_one_out(app):
    with app.app_context():
        make_user(email="alex@example.com")
    phone = _login(app, agent=IPHONE)
    laptop = _login(app, agent=WINDOWS)
    page = phone.get("/account").get_data(as_text=True)
    assert "Safari on iPhone · <strong>this device</strong>" in page
    assert "Firefox on Windows" in page
    laptop_id = next(
        d["id"] for d in phone.get("/api/v1/me/sessions").get_json()["items"] if not d["current"]
    )
    response = phone.post(
        f"/account/devices/{laptop_id}/sign-out", data={"csrf_token": phone.csrf()}
    )
    assert response.status_code == 302
    assert laptop.get("/api/v1/me").status_code == 401
    page = phone.get("/account").get_data(as_text=True)
    assert "That device is signed out." in page
    assert "Firefox on Windows" not in page


def test_a_password_change_keeps_this_session_and_ends_the_others(app):
    with app.app_context():
        make_user(email="alex@example.com")
    phone, laptop = _login(app, agent=IPHONE), _login(app, agent=WINDOWS)
    response = phone.post(
        "/api/v1/me/password",
        json={"current_password": PASSWORD, "new_password": "a brand new harbour 77"},
    )
    assert response.status_code == 200
    assert laptop.get("/api/v1/me").status_code == 401
    assert [d["device"] for d in phone.get("/api/v1/me/sessions").get_json()["items"]] == [
        "Safari on iPhone"
    ]


def test_sessions_go_with_the_account(app):
    with app.app_context():
        make_user(email="alex@example.com")
    phone = _login(app)
    _login(app, agent=WINDOWS)
    assert phone.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    with app.app_context():
        assert db.session.execute(db.select(UserSession)).first() is None
        assert db.session.execute(db.select(User)).first() is None
