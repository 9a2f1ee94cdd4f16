"""The login's per-account throttle is counted before a password is checked, and the
current-password checks of a password change and an account deletion count against it."""

import threading

import pytest

from couples.accounts import passwords
from tests.factories import PASSWORD, ApiClient, make_user

WRONG = "not the password at all"


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_parallel_wrong_passwords_never_get_more_checks_than_the_limit(
    make_app, storage, request, monkeypatch
):
    config = {"LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes"}
    if storage == "redis":
        config["RATELIMIT_STORAGE_URI"] = request.getfixturevalue("redis_url")
    app = make_app(**config)
    with app.app_context():
        make_user(email="alex@example.com")
    checks = []
    real_verify = passwords.verify

    def counted_verify(*args):
        checks.append(1)
        return real_verify(*args)

    monkeypatch.setattr(passwords, "verify", counted_verify)
    clients = [ApiClient(app) for _ in range(20)]
    for client in clients:
        client.csrf()
    barrier = threading.Barrier(20)
    statuses = []

    def attempt(client):
        barrier.wait()
        response = client.post(
            "/api/v1/auth/login", json={"email": "alex@example.com", "password": WRONG}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=attempt, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [401] * 5 + [429] * 15
    assert len(checks) == 5


def _logged_in(make_app, limit: str) -> tuple:
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT=limit)
    with app.app_context():
        make_user(email="alex@example.com")
    return app, ApiClient(app).login("alex@example.com")


def test_wrong_current_passwords_count_against_the_login_throttle(make_app):
    app, api = _logged_in(make_app, "3 per 15 minutes")
    body = {"current_password": WRONG, "new_password": "a brand new harbour 77"}
    for _ in range(2):
        assert api.post("/api/v1/me/password", json=body).status_code == 422
    assert api.delete("/api/v1/me", json={"password": WRONG}).status_code == 422
    # Three wrong: the right password is refused too, here and at the login.
    assert api.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 429
    page = api.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a brand new harbour 77",
            "csrf_token": api.csrf(),
        },
    )
    assert page.status_code == 429
    login = ApiClient(app).post(
        "/api/v1/auth/login", json={"email": "alex@example.com", "password": PASSWORD}
    )
    assert login.status_code == 429
    assert api.get("/api/v1/me").status_code == 200  # nothing was deleted


def test_a_right_current_password_clears_the_count(make_app):
    _app, api = _logged_in(make_app, "2 per 15 minutes")
    wrong = {"current_password": WRONG, "new_password": "a brand new harbour 77"}
    assert api.post("/api/v1/me/password", json=wrong).status_code == 422
    right = {"current_password": PASSWORD, "new_password": "a brand new harbour 77"}
    assert api.post("/api/v1/me/password", json=right).status_code == 200
    # Counted from nothing again: two more tries before the limit.
    assert api.post("/api/v1/me/password", json=wrong).status_code == 422
    assert api.post("/api/v1/me/password", json=wrong).status_code == 422
    assert api.post("/api/v1/me/password", json=wrong).status_code == 429


def test_the_throttles_counters_never_hold_an_email_address(make_app, redis_url):
    import redis

    app = make_app(RATELIMIT_STORAGE_URI=redis_url)
    with app.app_context():
        make_user(email="alex@example.com")
    bad = {"email": "Alex@Example.com", "password": WRONG}
    assert ApiClient(app).post("/api/v1/auth/login", json=bad).status_code == 401
    api = ApiClient(app).login("alex@example.com")
    api.delete("/api/v1/me", json={"password": WRONG})
    client = redis.Redis.from_url(redis_url)
    keys = [key.decode() for key in client.keys("*")]
    values = [str(client.dump(key)) for key in client.keys("*")]
    assert keys
    assert not any("alex" in text.lower() for text in keys + values)


def test_parallel_registrations_never_pass_more_than_the_limit(make_app):
    app = make_app(REGISTER_LIMIT_PER_ADDRESS="3 per hour")
    clients = [ApiClient(app) for _ in range(10)]
    for client in clients:
        client.csrf()
    barrier = threading.Barrier(10)
    statuses = []

    def register(n, client):
        barrier.wait()
        body = {
            "email": f"p{n}@example.com",
            "password": PASSWORD,
            "display_name": "P",
            "timezone": "UTC",
        }
        statuses.append(client.post("/api/v1/auth/register", json=body).status_code)

    threads = [threading.Thread(target=register, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [201] * 3 + [429] * 7
