"""Every write is counted against a limit per person before it runs (couples/limits.py):
429 with Retry-After past it, and nothing of the refused request happens."""

import threading

import pytest

from couples import limits
from couples.extensions import db
from couples.notifications.models import Notification
from tests.factories import ApiClient, make_couple, make_user

KINDS = ("APPRECIATION", "BID", "REPAIR", "INVITE", "INVITE_CODE", "PUSH_TEST", "WRITE")


def _linked(app):
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex")
        sam = make_user(email="sam@example.com", display_name="Sam")
        make_couple(alex, sam)
    return ApiClient(app).login("alex@example.com"), ApiClient(app).login("sam@example.com")


def _inbox_count(app) -> int:
    with app.app_context():
        count = db.session.query(Notification).count()
        db.session.remove()
    return count


def test_appreciations_past_the_limit_are_refused_and_reach_no_one(make_app):
    app = make_app(APPRECIATION_LIMIT_PER_USER="2 per hour")
    alex, _sam = _linked(app)
    for n in range(2):
        assert alex.post("/api/v1/appreciations", json={"text": f"Thanks {n}"}).status_code == 201
    sent = _inbox_count(app)
    response = alex.post("/api/v1/appreciations", json={"text": "One more"})
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert 1 <= int(response.headers["Retry-After"]) <= 3600
    assert "appreciations" in response.get_json()["detail"]
    assert _inbox_count(app) == sent
    # The page counts against the same limit, and says so kindly.
    page = alex.post(
        "/appreciations/new", data={"text": "From the page", "csrf_token": alex.csrf()}
    )
    assert page.status_code == 429
    assert "Please wait" in page.get_data(as_text=True)
    # Each kind has its own: a bid still goes.
    assert alex.post("/api/v1/bids", json={"preset": "hug"}).status_code == 201


def test_a_partners_limit_is_their_own(make_app):
    app = make_app(APPRECIATION_LIMIT_PER_USER="1 per hour")
    alex, sam = _linked(app)
    assert alex.post("/api/v1/appreciations", json={"text": "Thanks"}).status_code == 201
    assert alex.post("/api/v1/appreciations", json={"text": "Again"}).status_code == 429
    assert sam.post("/api/v1/appreciations", json={"text": "Thanks too"}).status_code == 201


def test_test_pushes_are_limited(make_app):
    app = make_app(PUSH_TEST_LIMIT_PER_USER="3 per 10 minutes")
    alex, _sam = _linked(app)
    answers = [alex.post("/api/v1/push/test").status_code for _ in range(4)]
    assert answers[3] == 429
    assert 429 not in answers[:3]


def test_invite_codes_tried_from_one_address_are_limited_whoever_tries(make_app):
    app = make_app(INVITE_CODE_LIMIT_PER_ADDRESS="3 per 15 minutes")
    with app.app_context():
        for n in range(4):
            make_user(email=f"u{n}@example.com")
    answers = [
        ApiClient(app).login(f"u{n}@example.com").post("/api/v1/invites/ABCD2345/accept")
        for n in range(4)
    ]
    assert [a.status_code for a in answers[:3]] == [404, 404, 404]
    assert answers[3].status_code == 429


def test_every_write_counts_against_the_ceiling(make_app):
    app = make_app(WRITE_LIMIT_PER_USER="2 per hour")
    alex, _sam = _linked(app)
    for name in ("Alexa", "Alexandra"):
        assert alex.patch("/api/v1/me", json={"display_name": name}).status_code == 200
    assert alex.patch("/api/v1/me", json={"display_name": "Al"}).status_code == 429
    assert alex.get("/api/v1/me").get_json()["user"]["display_name"] == "Alexandra"
    assert alex.post("/api/v1/auth/logout").status_code == 204  # logging out always works


def test_every_unsafe_route_is_counted(make_app):
    """With every limit at one an hour, the second of any two writes is refused, valid or
    not: the count comes before the route's own checks. Only logging out, and the routes
    with throttles of their own (login, registration, reset), are not counted here."""
    app = make_app(**{f"{kind}_LIMIT_PER_USER": "1 per hour" for kind in KINDS})
    routes = sorted(
        (rule.endpoint, rule, method)
        for rule in app.url_map.iter_rules()
        for method in rule.methods & limits.UNSAFE
        if rule.endpoint not in limits._NOT_COUNTED
    )
    assert len(routes) > 40
    for n, (endpoint, rule, method) in enumerate(routes):
        with app.app_context():
            make_user(email=f"r{n}@example.com")
        client = ApiClient(app).login(f"r{n}@example.com")
        url = app.url_map.bind("localhost").build(
            endpoint,
            {
                arg: 1 if arg.endswith(("device_id", "couple_id", "week")) else "x"
                for arg in rule.arguments
            },
            method=method,
        )
        kwargs = {"json": {}} if url.startswith("/api/") else {}
        client._unsafe(method, url, **kwargs)
        second = client._unsafe(method, url, **kwargs)
        assert second.status_code == 429, (method, url, second.status_code)


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_requests_racing_each_other_never_pass_more_than_the_limit(make_app, storage, request):
    config = {"APPRECIATION_LIMIT_PER_USER": "3 per hour"}
    if storage == "redis":
        config["RATELIMIT_STORAGE_URI"] = request.getfixturevalue("redis_url")
    app = make_app(**config)
    alex, _sam = _linked(app)
    token = alex.csrf()
    barrier = threading.Barrier(8)
    statuses = []

    def send(n):
        client = app.test_client()
        for cookie in alex.client._cookies.values():
            client.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
        barrier.wait()
        response = client.post(
            "/api/v1/appreciations", json={"text": f"Race {n}"}, headers={"X-CSRF-Token": token}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [201] * 3 + [429] * 5
