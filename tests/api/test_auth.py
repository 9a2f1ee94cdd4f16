"""Registration, login, throttling, sessions and password changes through the API."""

from datetime import timedelta

import time_machine

from couples.accounts.models import User
from couples.extensions import db
from tests.factories import PASSWORD, ApiClient, make_user, send_mail

STRONG = "velvet hamster orbit lamp"


def register(api, **overrides):
    body = {
        "email": "Kim@Example.com",
        "password": STRONG,
        "display_name": "Kim",
        "timezone": "Pacific/Honolulu",
        **overrides,
    }
    return api.post("/api/v1/auth/register", json=body)


def test_register_creates_the_user_and_logs_them_in(api):
    response = register(api)
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == "kim@example.com"
    assert body["timezone"] == "Pacific/Honolulu"
    assert api.get("/api/v1/me").get_json()["user"]["id"] == body["id"]


def test_register_refuses_an_email_taken_in_another_case(api, app):
    assert register(api).status_code == 201
    other = ApiClient(app)
    response = register(other, email="KIM@example.COM")
    assert response.status_code == 409
    assert response.get_json()["type"] == "/problems/email-taken"
    with app.app_context():
        assert db.session.query(User).count() == 1


def test_register_refuses_common_and_short_passwords_with_field_errors(api, app):
    for weak in ("password123", "qwertyuiop", "short", "kim@example.com", "1234567890"):
        response = register(api, password=weak)
        assert response.status_code == 422, weak
        assert "password" in response.get_json()["errors"], weak
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_register_accepts_any_characters_and_long_passwords(api):
    assert register(api, password="ümlaut 😀 ünïcödé pässwörd " * 4).status_code == 201


def test_register_refuses_an_unknown_timezone(api):
    response = register(api, timezone="Mars/Olympus_Mons")
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["timezone"]


def test_login_answers_the_same_for_unknown_email_and_wrong_password(api, app):
    with app.app_context():
        make_user(email="alex@example.com")
    unknown = api.post(
        "/api/v1/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )
    wrong = api.post(
        "/api/v1/auth/login", json={"email": "alex@example.com", "password": "not the password"}
    )
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.get_json() == wrong.get_json()


def test_login_is_case_insensitive_on_email(api, app):
    with app.app_context():
        make_user(email="alex@example.com")
    response = api.post(
        "/api/v1/auth/login", json={"email": "ALEX@example.com", "password": PASSWORD}
    )
    assert response.status_code == 200


def test_login_is_throttled_per_account_with_retry_after(make_app):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="3 per 15 minutes")
    with app.app_context():
        make_user(email="alex@example.com")
    for _ in range(3):
        # a different address each time: only the account counter can stop it
        response = ApiClient(app).post(
            "/api/v1/auth/login",
            json={"email": "alex@example.com", "password": "nope"},
            environ_base={"REMOTE_ADDR": f"10.0.0.{_ + 1}"},
        )
        assert response.status_code == 401
    blocked = ApiClient(app).post(
        "/api/v1/auth/login",
        json={"email": "alex@example.com", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.99"},
    )
    assert blocked.status_code == 429
    assert blocked.mimetype == "application/problem+json"
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60


def test_login_is_throttled_per_address(make_app):
    app = make_app(LOGIN_LIMIT_PER_ADDRESS="4 per 15 minutes")
    api = ApiClient(app)
    for n in range(4):
        response = api.post(
            "/api/v1/auth/login", json={"email": f"guess{n}@example.com", "password": "nope"}
        )
        assert response.status_code == 401
    response = api.post(
        "/api/v1/auth/login", json={"email": "another@example.com", "password": "nope"}
    )
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_throttle_counters_are_shared_through_redis(make_app, redis_url):
    """Two app instances (as two server processes would) on one Redis share counters."""
    import redis

    config = {"LOGIN_LIMIT_PER_ACCOUNT": "2 per 15 minutes", "RATELIMIT_STORAGE_URI": redis_url}
    first = make_app(**config)
    second = make_app(**config)
    with first.app_context():
        make_user(email="alex@example.com")
    bad = {"email": "alex@example.com", "password": "nope"}
    assert ApiClient(first).post("/api/v1/auth/login", json=bad).status_code == 401
    assert ApiClient(second).post("/api/v1/auth/login", json=bad).status_code == 401
    assert redis.Redis.from_url(redis_url).dbsize() > 0  # the counters live in Redis
    assert ApiClient(first).post("/api/v1/auth/login", json=bad).status_code == 429


def test_remember_me_cookie_lasts_at_most_the_sessions_lifetime(app):
    with app.app_context():
        make_user(email="alex@example.com")
    api = ApiClient(app)
    response = api.post(
        "/api/v1/auth/login",
        json={"email": "alex@example.com", "password": PASSWORD, "remember": True},
    )
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("couples_remember=")
    )
    assert "HttpOnly" in cookie
    expires = [part for part in cookie.split("; ") if part.startswith("Expires=")][0]
    from email.utils import parsedate_to_datetime

    from couples.clock import utcnow

    assert parsedate_to_datetime(expires[8:]) - utcnow() <= timedelta(days=90, minutes=1)


def test_session_cookie_is_httponly_and_samesite_lax(app):
    with app.app_context():
        make_user(email="alex@example.com")
    response = ApiClient(app).post(
        "/api/v1/auth/login", json={"email": "alex@example.com", "password": PASSWORD}
    )
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("couples_session=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_session_cookie_is_secure_by_default(make_app):
    from couples.config import DEFAULTS

    # the tests' base configuration turns Secure off for plain http: put the default back
    app = make_app(SESSION_COOKIE_SECURE=DEFAULTS["SESSION_COOKIE_SECURE"])
    with app.app_context():
        make_user(email="alex@example.com")
    response = ApiClient(app).post(
        "/api/v1/auth/login", json={"email": "alex@example.com", "password": PASSWORD}
    )
    assert any(
        "Secure" in c
        for c in response.headers.getlist("Set-Cookie")
        if c.startswith(app.config["SESSION_COOKIE_NAME"] + "=")
    )


def test_secure_cookies_carry_the_host_prefix_and_still_log_in(make_app):
    """Secure, Path=/ and no Domain, as ``__Host-`` requires: no sibling domain or
    plain-http page can set them."""
    app = make_app(SESSION_COOKIE_SECURE=True, REMEMBER_COOKIE_SECURE=True)
    with app.app_context():
        make_user(email="alex@example.com")
    client = app.test_client()
    https = {"base_url": "https://localhost"}
    token = client.get("/api/v1/auth/csrf", **https).get_json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/login",
        json={"email": "alex@example.com", "password": PASSWORD, "remember": True},
        headers={"X-CSRF-Token": token, "Referer": "https://localhost/"},
        **https,
    )
    assert response.status_code == 200, response.get_json()
    cookies = {c.split("=", 1)[0]: c for c in response.headers.getlist("Set-Cookie")}
    assert set(cookies) == {"__Host-couples_session", "__Host-couples_remember"}
    for cookie in cookies.values():
        parts = [p.strip().lower() for p in cookie.split(";")]
        assert "secure" in parts and "path=/" in parts
        assert not any(p.startswith("domain=") for p in parts)
    assert client.get("/api/v1/me", **https).status_code == 200


def test_logout_ends_the_session(app):
    with app.app_context():
        make_user(email="alex@example.com")
    api = ApiClient(app).login("alex@example.com")
    assert api.post("/api/v1/auth/logout").status_code == 204
    assert api.get("/api/v1/me").status_code == 401


def _copy_cookies(source: ApiClient, target: ApiClient) -> None:
    for cookie in source.client._cookies.values():
        target.client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)


def test_logout_everywhere_ends_other_sessions_and_remember_cookies(app):
    with app.app_context():
        make_user(email="alex@example.com")
    phone = ApiClient(app).login("alex@example.com", remember=True)
    stolen = ApiClient(app)
    _copy_cookies(phone, stolen)
    laptop = ApiClient(app).login("alex@example.com")
    assert stolen.get("/api/v1/me").status_code == 200
    assert laptop.post("/api/v1/auth/logout-everywhere").status_code == 204
    assert phone.get("/api/v1/me").status_code == 401
    assert stolen.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 200


def test_password_change_ends_other_sessions_and_keeps_this_one(app):
    with app.app_context():
        make_user(email="alex@example.com")
    old = ApiClient(app).login("alex@example.com")
    here = ApiClient(app).login("alex@example.com")
    response = here.post(
        "/api/v1/me/password", json={"current_password": PASSWORD, "new_password": STRONG}
    )
    assert response.status_code == 200
    assert old.get("/api/v1/me").status_code == 401
    assert here.get("/api/v1/me").status_code == 200
    ApiClient(app).login("alex@example.com", password=STRONG)


def test_password_change_needs_the_current_password(app):
    with app.app_context():
        make_user(email="alex@example.com")
    api = ApiClient(app).login("alex@example.com")
    response = api.post(
        "/api/v1/me/password", json={"current_password": "wrong one!", "new_password": STRONG}
    )
    assert response.status_code == 422
    assert "current_password" in response.get_json()["errors"]
    ApiClient(app).login("alex@example.com")  # unchanged


def test_a_session_made_before_a_reset_dies_after_it(app, smtp_server):
    """The whole reset walk, with the link read from a real SMTP server."""
    with app.app_context():
        make_user(email="alex@example.com")
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    session = ApiClient(app).login("alex@example.com")
    anonymous = ApiClient(app)
    assert (
        anonymous.post(
            "/api/v1/auth/password-reset", json={"email": "Alex@example.com"}
        ).status_code
        == 202
    )
    send_mail(app)
    token = smtp_server.last_link().rsplit("/", 1)[1]
    assert (
        anonymous.post(
            f"/api/v1/auth/password-reset/{token}", json={"password": STRONG}
        ).status_code
        == 204
    )
    assert session.get("/api/v1/me").status_code == 401
    ApiClient(app).login("alex@example.com", password=STRONG)
    again = anonymous.post(
        f"/api/v1/auth/password-reset/{token}", json={"password": "another fine long phrase"}
    )
    assert again.status_code == 410


def test_password_reset_answers_the_same_for_unknown_addresses(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.app_context():
        make_user(email="alex@example.com")
    known = ApiClient(app).post("/api/v1/auth/password-reset", json={"email": "alex@example.com"})
    unknown = ApiClient(app).post(
        "/api/v1/auth/password-reset", json={"email": "nobody@example.com"}
    )
    assert known.status_code == unknown.status_code == 202
    assert known.get_json() == unknown.get_json()
    send_mail(app)
    assert [m["To"] for m in smtp_server.messages] == ["alex@example.com"]


def test_password_reset_link_expires_after_an_hour(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.app_context():
        make_user(email="alex@example.com")
    with time_machine.travel("2026-03-01 10:00:00+00:00", tick=False) as traveller:
        ApiClient(app).post("/api/v1/auth/password-reset", json={"email": "alex@example.com"})
        send_mail(app)
        token = smtp_server.last_link().rsplit("/", 1)[1]
        traveller.shift(timedelta(minutes=61))
        response = ApiClient(app).post(
            f"/api/v1/auth/password-reset/{token}", json={"password": STRONG}
        )
    assert response.status_code == 410
    assert response.get_json()["type"] == "/problems/reset-gone"


def test_under_serve_without_a_mail_server_the_reset_link_goes_to_the_log(make_app, caplog):
    app = make_app(EMBEDDED=True)  # as `serve` sets it: a person at the console
    with app.app_context():
        make_user(email="alex@example.com")
    with caplog.at_level("WARNING", logger="couples.mail"):
        ApiClient(app).post("/api/v1/auth/password-reset", json={"email": "alex@example.com"})
        send_mail(app)
    assert "http://localhost/reset/" in caplog.text
    assert "a…@example.com" in caplog.text and "alex@" not in caplog.text


def test_outside_serve_a_reset_link_never_goes_to_the_log(app, caplog):
    with app.app_context():
        make_user(email="alex@example.com")
    with caplog.at_level("DEBUG"):
        response = ApiClient(app).post(
            "/api/v1/auth/password-reset", json={"email": "alex@example.com"}
        )
        send_mail(app)
    assert response.status_code == 202
    assert "mail not sent: set COUPLES_MAIL_SERVER" in caplog.text
    assert "/reset/" not in caplog.text and "alex@" not in caplog.text


def _logout_everywhere_with(api: ApiClient, token: str):
    return api.client.post("/api/v1/auth/logout-everywhere", headers={"X-CSRF-Token": token})


def test_a_csrf_token_from_before_login_does_not_work_after_it(app):
    """A token planted in the anonymous session (token fixation) dies with it."""
    with app.app_context():
        make_user(email="alex@example.com")
    api = ApiClient(app)
    planted = api.csrf()
    api.login("alex@example.com")
    assert _logout_everywhere_with(api, planted).status_code == 400
    assert api.post("/api/v1/auth/logout-everywhere").status_code == 204


def test_a_csrf_token_from_before_registration_does_not_work_after_it(api):
    planted = api.csrf()
    assert register(api).status_code == 201
    assert _logout_everywhere_with(api, planted).status_code == 400
    assert api.post("/api/v1/auth/logout-everywhere").status_code == 204


def test_a_csrf_token_from_a_session_does_not_outlive_its_logout(app):
    with app.app_context():
        make_user(email="alex@example.com")
    api = ApiClient(app).login("alex@example.com")
    old = api.csrf()
    assert api.post("/api/v1/auth/logout").status_code == 204
    response = api.client.post(
        "/api/v1/auth/login",
        headers={"X-CSRF-Token": old},
        json={"email": "alex@example.com", "password": PASSWORD},
    )
    assert response.status_code == 400
