"""Bad input never gets a 500 and never changes anything.

Malformed JSON is 400, a body that is not JSON 415, a body over the size limit 413, a
well-formed body that breaks the schema 422 with per-field messages, and every refusal is
an RFC 9457 problem. The database is compared row for row before and after each refused
request. Text that is valid (accents, scripts, emoji) is accepted; what cannot be stored
(NUL, lone surrogates, control characters) is refused with 422 on SQLite and PostgreSQL
alike. The CSRF rule and its place in the order of checks (401 before 400) are here too."""

import hashlib
import re
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, select
from werkzeug.routing.converters import IntegerConverter

from couples import create_app
from couples.accounts.models import PasswordReset, User
from couples.clock import utcnow
from couples.extensions import db
from tests.conftest import BASE_CONFIG
from tests.factories import PASSWORD, ApiClient, make_user

PROBLEM = "application/problem+json"
TABLES = ("users", "couples", "couple_members", "invites", "notifications", "password_resets")
DOTTED_PATH = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$")
STRONG = "velvet hamster orbit lamp"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

# The API's unsafe routes, from the same map every test's app has.
_rules_app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
SAMPLE_ARGUMENTS = {"code": "ABCDE12345", "token": "not-a-real-token"}
UNSAFE_API_ROUTES = sorted(
    (
        method,
        rule.rule,
        _rules_app.url_map.bind("localhost").build(
            rule.endpoint,
            {name: SAMPLE_ARGUMENTS.get(name, "1") for name in rule.arguments},
            method=method,
        ),
    )
    for rule in _rules_app.url_map.iter_rules()
    if rule.rule.startswith("/api/")
    for method in rule.methods & set(UNSAFE)
)
ROUTE_IDS = [f"{method} {rule}" for method, rule, _ in UNSAFE_API_ROUTES]


# --- helpers --------------------------------------------------------------------------


def _rows(table):
    """Every row of a table; a session's "last used" is bookkeeping, not what a request
    changes (any request of a session may note it, at most once an hour)."""
    columns = [
        c for c in table.columns if (table.name, c.name) != ("user_sessions", "last_seen_at")
    ]
    return sorted(map(repr, db.session.execute(select(*columns)).all()))


def snapshot(app) -> tuple[dict, dict]:
    """Row counts of the named tables, and every row of every table."""
    with app.app_context():
        tables = {t.name: t for t in db.metadata.sorted_tables}
        counts = {
            name: db.session.execute(select(func.count()).select_from(tables[name])).scalar_one()
            for name in TABLES
        }
        rows = {name: _rows(table) for name, table in tables.items()}
        db.session.remove()
    return counts, rows


class Unchanged:
    """``with Unchanged(app):`` fails when the block changed any row."""

    def __init__(self, app):
        self.app = app

    def __enter__(self):
        self.before = snapshot(self.app)
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            counts, rows = snapshot(self.app)
            assert counts == self.before[0]
            assert rows == self.before[1]
        return False


def assert_problem(
    response, status: int, slug: str | None = None, fields: set[str] | None = None
) -> dict:
    """An RFC 9457 problem with the design's fields; for 422, ``errors`` maps dotted field
    paths to lists of messages (exactly ``fields`` when given)."""
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    assert response.mimetype == PROBLEM, response.mimetype
    body = response.get_json()
    assert {"type", "title", "status", "detail"} <= set(body), body
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    if slug:
        assert body["type"] == f"/problems/{slug}", body
    assert isinstance(body["title"], str) and body["title"].strip()
    assert isinstance(body["detail"], str) and body["detail"].strip()
    if status == 422:
        errors = body["errors"]
        assert isinstance(errors, dict) and errors, body
        for path, messages in errors.items():
            assert DOTTED_PATH.match(path), path
            assert isinstance(messages, list) and messages, body
            assert all(isinstance(m, str) and m.strip() for m in messages), body
        if fields is not None:
            assert set(errors) == fields, errors
    return body


def send_raw(
    client: ApiClient, method: str, path: str, data, content_type="application/json", **kwargs
):
    return client._unsafe(method, path, data=data, content_type=content_type, **kwargs)


@pytest.fixture
def alex(two_partners):
    return two_partners[0]


@pytest.fixture
def clients(app, two_partners, outsider):
    """Linked Alex, unlinked Olive, and an anonymous caller (each sends the CSRF token)."""
    return {"alex": two_partners[0], "olive": outsider, "anon": ApiClient(app)}


def display_name_of(app, email="alex@example.com") -> str:
    with app.app_context():
        name = db.session.execute(select(User.display_name).filter_by(email=email)).scalar()
        db.session.remove()
    return name


# --- malformed JSON, not JSON, too large: every unsafe API route -----------------------

MALFORMED = {
    "truncated": b'{"display_name": "Al',
    "trailing comma": b'{"display_name": "Al",}',
    "single quotes": b"{'display_name': 'Al'}",
    "garbage after": b'{"display_name": "Al"} and more',
    "bare word": b"hello",
    "invalid utf-8": b'{"display_name": "\xff\xfe"}',
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
    "deeply nested objects": b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
}


@pytest.mark.parametrize(("method", "rule", "url"), UNSAFE_API_ROUTES, ids=ROUTE_IDS)
def test_malformed_json_is_400_on_every_unsafe_route(app, alex, method, rule, url):
    for name, body in MALFORMED.items():
        with Unchanged(app):
            response = send_raw(alex, method, url, body)
        assert response.status_code == 400, name
        assert_problem(response, 400, "bad-request")


NOT_JSON = {
    "form": ("display_name=Al&timezone=UTC", "application/x-www-form-urlencoded"),
    "text with json inside": ('{"display_name": "Al"}', "text/plain"),
    "xml": ("<me><display_name>Al</display_name></me>", "application/xml"),
    "multipart": (
        '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n',
        "multipart/form-data; boundary=b",
    ),
    "no content type": ('{"display_name": "Al"}', None),
}


@pytest.mark.parametrize(("method", "rule", "url"), UNSAFE_API_ROUTES, ids=ROUTE_IDS)
def test_a_body_that_is_not_json_is_415_on_every_unsafe_route(app, alex, method, rule, url):
    for name, (body, content_type) in NOT_JSON.items():
        with Unchanged(app):
            response = send_raw(alex, method, url, body, content_type=content_type)
        assert response.status_code == 415, name
        assert_problem(response, 415, "unsupported-media-type")


@pytest.mark.parametrize(("method", "rule", "url"), UNSAFE_API_ROUTES, ids=ROUTE_IDS)
def test_a_huge_body_is_413_on_every_unsafe_route(app, alex, method, rule, url):
    limit = app.config["MAX_CONTENT_LENGTH"]
    body = b'{"display_name": "' + b"x" * (limit + 1024) + b'"}'
    with Unchanged(app):
        response = send_raw(alex, method, url, body)
    assert_problem(response, 413, "too-large")


def test_a_huge_body_is_413_for_an_anonymous_caller_of_a_public_route(app, api):
    body = b'{"email": "' + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1) + b'"}'
    with Unchanged(app):
        response = send_raw(api, "POST", "/api/v1/auth/login", body)
    assert_problem(response, 413, "too-large")


def test_a_body_just_under_the_limit_is_read(app, alex):
    """The limit refuses what is over it, not large bodies in general: this one is read
    and refused by the schema (the name is too long), not by its size."""
    size = app.config["MAX_CONTENT_LENGTH"] - 100
    body = b'{"display_name": "' + b"x" * size + b'"}'
    with Unchanged(app):
        response = send_raw(alex, "PATCH", "/api/v1/me", body)
    assert_problem(response, 422, "validation", {"display_name"})


# --- well-formed bodies that break the schema: 422 -------------------------------------

FULL_REGISTRATION = {
    "email": "kim@example.com",
    "password": STRONG,
    "display_name": "Kim",
    "timezone": "Asia/Tokyo",
}
PUSH = {
    "endpoint": "https://fcm.googleapis.com/fcm/send/abc",
    "keys": {"p256dh": "B" * 87, "auth": "a" * 22},
}

# (who, method, path, JSON body, fields named in ``errors``)
WRONG_TYPES = {
    "name is a number": ("alex", "PATCH", "/api/v1/me", {"display_name": 5}, {"display_name"}),
    "name is null": ("alex", "PATCH", "/api/v1/me", {"display_name": None}, {"display_name"}),
    "name is true": ("alex", "PATCH", "/api/v1/me", {"display_name": True}, {"display_name"}),
    "name is an object": (
        "alex",
        "PATCH",
        "/api/v1/me",
        {"display_name": {"first": "A"}},
        {"display_name"},
    ),
    "timezone is a list": ("alex", "PATCH", "/api/v1/me", {"timezone": ["UTC"]}, {"timezone"}),
    "body is a list": ("alex", "PATCH", "/api/v1/me", [{"display_name": "Al"}], {"body"}),
    "body is a string": ("alex", "PATCH", "/api/v1/me", "Al", {"body"}),
    "body is a number": ("alex", "PATCH", "/api/v1/me", 5, {"body"}),
    "body is null": ("alex", "PATCH", "/api/v1/me", None, {"body"}),
    "login fields": (
        "anon",
        "POST",
        "/api/v1/auth/login",
        {"email": 1, "password": ["x"], "remember": "maybe"},
        {"email", "password", "remember"},
    ),
    "register password is a number": (
        "anon",
        "POST",
        "/api/v1/auth/register",
        {**FULL_REGISTRATION, "password": 1234567890123},
        {"password"},
    ),
    "delete password is a number": (
        "alex",
        "DELETE",
        "/api/v1/me",
        {"password": 123},
        {"password"},
    ),
    "password change nulls": (
        "alex",
        "POST",
        "/api/v1/me/password",
        {"current_password": None, "new_password": {}},
        {"current_password", "new_password"},
    ),
    "reset email is a list": (
        "anon",
        "POST",
        "/api/v1/auth/password-reset",
        {"email": ["alex@example.com"]},
        {"email"},
    ),
    "read ids is a string": ("alex", "POST", "/api/v1/notifications/read", {"ids": "1"}, {"ids"}),
    "read ids hold a number": (
        "alex",
        "POST",
        "/api/v1/notifications/read",
        {"ids": ["1", 2]},
        {"ids.1"},
    ),
    "read ids past the id range": (
        "alex",
        "POST",
        "/api/v1/notifications/read",
        {"ids": ["99999999999"]},
        {"ids.0"},
    ),
    "push keys of the wrong type": (
        "alex",
        "POST",
        "/api/v1/push/subscriptions",
        {**PUSH, "keys": {"p256dh": 5, "auth": None}},
        {"keys.p256dh", "keys.auth"},
    ),
}

MISSING = {
    "register nothing": (
        "anon",
        "POST",
        "/api/v1/auth/register",
        {},
        {"email", "password", "display_name", "timezone"},
    ),
    "register no timezone": (
        "anon",
        "POST",
        "/api/v1/auth/register",
        {k: v for k, v in FULL_REGISTRATION.items() if k != "timezone"},
        {"timezone"},
    ),
    "login no password": (
        "anon",
        "POST",
        "/api/v1/auth/login",
        {"email": "alex@example.com"},
        {"password"},
    ),
    "reset no email": ("anon", "POST", "/api/v1/auth/password-reset", {}, {"email"}),
    "delete no password": ("alex", "DELETE", "/api/v1/me", {}, {"password"}),
    "password change no new one": (
        "alex",
        "POST",
        "/api/v1/me/password",
        {"current_password": PASSWORD},
        {"new_password"},
    ),
    "push no keys": (
        "alex",
        "POST",
        "/api/v1/push/subscriptions",
        {"endpoint": PUSH["endpoint"]},
        {"keys"},
    ),
    "push no auth key": (
        "alex",
        "POST",
        "/api/v1/push/subscriptions",
        {**PUSH, "keys": {"p256dh": "B" * 87}},
        {"keys.auth"},
    ),
    "unsubscribe no endpoint": ("alex", "DELETE", "/api/v1/push/subscriptions", {}, {"endpoint"}),
}

UNKNOWN = {
    "profile with is_admin": (
        "alex",
        "PATCH",
        "/api/v1/me",
        {"display_name": "Boss", "is_admin": True},
        {"is_admin"},
    ),
    "register with a role": (
        "anon",
        "POST",
        "/api/v1/auth/register",
        {**FULL_REGISTRATION, "role": "admin"},
        {"role"},
    ),
    "login with extra": (
        "anon",
        "POST",
        "/api/v1/auth/login",
        {"email": "alex@example.com", "password": PASSWORD, "otp": "1"},
        {"otp"},
    ),
    # The right password, and still refused: nothing is deleted.
    "delete with force": (
        "alex",
        "DELETE",
        "/api/v1/me",
        {"password": PASSWORD, "force": True},
        {"force"},
    ),
    "password change with extra": (
        "alex",
        "POST",
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": STRONG, "confirm": STRONG},
        {"confirm"},
    ),
    "read with all": ("alex", "POST", "/api/v1/notifications/read", {"all": True}, {"all"}),
    "unsubscribe with extra": (
        "alex",
        "DELETE",
        "/api/v1/push/subscriptions",
        {"endpoint": PUSH["endpoint"], "why": "x"},
        {"why"},
    ),
}

OVERLONG = {
    "name of 61": ("alex", "PATCH", "/api/v1/me", {"display_name": "x" * 61}, {"display_name"}),
    "name of 61 emoji": (
        "alex",
        "PATCH",
        "/api/v1/me",
        {"display_name": "🌸" * 61},
        {"display_name"},
    ),
    "name of 10000": (
        "alex",
        "PATCH",
        "/api/v1/me",
        {"display_name": "x" * 10_000},
        {"display_name"},
    ),
    "timezone of 65": (
        "alex",
        "PATCH",
        "/api/v1/me",
        {"timezone": "Europe/" + "x" * 58},
        {"timezone"},
    ),
    "email of 255": (
        "anon",
        "POST",
        "/api/v1/auth/register",
        {**FULL_REGISTRATION, "email": "k" * 243 + "@example.com"},
        {"email"},
    ),
    # 252 characters as sent, about 490 once lower-cased ("İ" becomes "i" + a dot above).
    "email that grows when lower-cased": (
        "anon",
        "POST",
        "/api/v1/auth/register",
        {**FULL_REGISTRATION, "email": "İ" * 240 + "@example.com"},
        {"email"},
    ),
    "register password of 1025": (
        "anon",
        "POST",
        "/api/v1/auth/register",
        {**FULL_REGISTRATION, "password": "p" * 1025},
        {"password"},
    ),
    "login password of 1025": (
        "anon",
        "POST",
        "/api/v1/auth/login",
        {"email": "alex@example.com", "password": "p" * 1025},
        {"password"},
    ),
    "login email of 255": (
        "anon",
        "POST",
        "/api/v1/auth/login",
        {"email": "a" * 255, "password": PASSWORD},
        {"email"},
    ),
    "reset email of 255": (
        "anon",
        "POST",
        "/api/v1/auth/password-reset",
        {"email": "a" * 255},
        {"email"},
    ),
    "delete password of 1025": (
        "alex",
        "DELETE",
        "/api/v1/me",
        {"password": "p" * 1025},
        {"password"},
    ),
    "push endpoint of 1025": (
        "alex",
        "POST",
        "/api/v1/push/subscriptions",
        {**PUSH, "endpoint": "https://fcm.googleapis.com/" + "e" * 1000},
        {"endpoint"},
    ),
    "500 ids to read and one more": (
        "alex",
        "POST",
        "/api/v1/notifications/read",
        {"ids": ["1"] * 501},
        {"ids"},
    ),
}

BAD_TIMEZONES = [
    "Mars/Olympus",
    "../../etc/passwd",
    "/usr/share/zoneinfo/UTC",
    "",
    " ",
    "Europe/London ",
    "europe/london",
    "Etc/GMT+99",
    "UTC\x00",
    "Europe/London\n",
    "Europe/Lon\u0000don",
]
TIMEZONE_CASES = {
    **{
        f"profile {tz!r}": ("alex", "PATCH", "/api/v1/me", {"timezone": tz}, {"timezone"})
        for tz in BAD_TIMEZONES
    },
    **{
        f"register {tz!r}": (
            "anon",
            "POST",
            "/api/v1/auth/register",
            {**FULL_REGISTRATION, "timezone": tz},
            {"timezone"},
        )
        for tz in BAD_TIMEZONES
    },
}

# Text that cannot be stored: NUL breaks PostgreSQL, a lone surrogate is not Unicode text,
# and other control characters are never part of a name.
UNSTORABLE = {
    "name with NUL": (
        "alex",
        "PATCH",
        "/api/v1/me",
        {"display_name": "Al\x00ex"},
        {"display_name"},
    ),
    "name that is NUL": ("alex", "PATCH", "/api/v1/me", {"display_name": "\x00"}, {"display_name"}),
    "name with a lone high surrogate": (
        "alex",
        "PATCH",
        "/api/v1/me",
        {"display_name": "Al\ud800ex"},
        {"display_name"},
    ),
    "name with a lone low surrogate": (
        "alex",
        "PATCH",
        "/api/v1/me",
        {"display_name": "\udfff"},
        {"display_name"},
    ),
    "name with half an emoji": (
        "alex",
        "PATCH",
        "/api/v1/me",
        {"display_name": "Kim \ud83c"},
        {"display_name"},
    ),
    "name with a bell": (
        "alex",
        "PATCH",
        "/api/v1/me",
        {"display_name": "Al\x07ex"},
        {"display_name"},
    ),
    "name with a newline": (
        "alex",
        "PATCH",
        "/api/v1/me",
        {"display_name": "Al\nex"},
        {"display_name"},
    ),
    "name with DEL": (
        "alex",
        "PATCH",
        "/api/v1/me",
        {"display_name": "Al\x7fex"},
        {"display_name"},
    ),
    # U+0085 is a space to Python, not to ECMAScript: refused, not read as a blank.
    "bid of a C1 control alone": (
        "alex",
        "POST",
        "/api/v1/bids",
        {"text": "\x85"},
        {"text"},
    ),
    "journal entry with a C1 control": (
        "alex",
        "POST",
        "/api/v1/me/journal",
        {"text": "A note\x85"},
        {"text"},
    ),
    "register name with NUL": (
        "anon",
        "POST",
        "/api/v1/auth/register",
        {**FULL_REGISTRATION, "display_name": "Kim\x00"},
        {"display_name"},
    ),
    "register email with NUL": (
        "anon",
        "POST",
        "/api/v1/auth/register",
        {**FULL_REGISTRATION, "email": "kim\x00@example.com"},
        {"email"},
    ),
    "register email with a surrogate": (
        "anon",
        "POST",
        "/api/v1/auth/register",
        {**FULL_REGISTRATION, "email": "kim\udc00@example.com"},
        {"email"},
    ),
    "register password with NUL": (
        "anon",
        "POST",
        "/api/v1/auth/register",
        {**FULL_REGISTRATION, "password": STRONG + "\x00"},
        {"password"},
    ),
    "register password with a surrogate": (
        "anon",
        "POST",
        "/api/v1/auth/register",
        {**FULL_REGISTRATION, "password": STRONG + "\ud83d"},
        {"password"},
    ),
    "login email with NUL": (
        "anon",
        "POST",
        "/api/v1/auth/login",
        {"email": "alex@example.com\x00", "password": PASSWORD},
        {"email"},
    ),
    "login email with a surrogate": (
        "anon",
        "POST",
        "/api/v1/auth/login",
        {"email": "\ud800@example.com", "password": PASSWORD},
        {"email"},
    ),
    "login password with NUL": (
        "anon",
        "POST",
        "/api/v1/auth/login",
        {"email": "alex@example.com", "password": "\x00"},
        {"password"},
    ),
    "reset email with NUL": (
        "anon",
        "POST",
        "/api/v1/auth/password-reset",
        {"email": "alex@example.com\x00"},
        {"email"},
    ),
    "delete password with NUL": (
        "alex",
        "DELETE",
        "/api/v1/me",
        {"password": PASSWORD + "\x00"},
        {"password"},
    ),
    "new password with a surrogate": (
        "alex",
        "POST",
        "/api/v1/me/password",
        {"current_password": PASSWORD, "new_password": STRONG + "\udbff"},
        {"new_password"},
    ),
    "push endpoint with NUL": (
        "alex",
        "POST",
        "/api/v1/push/subscriptions",
        {**PUSH, "endpoint": PUSH["endpoint"] + "\x00"},
        {"endpoint"},
    ),
    "unsubscribe endpoint with a surrogate": (
        "alex",
        "DELETE",
        "/api/v1/push/subscriptions",
        {"endpoint": "https://x\ud800"},
        {"endpoint"},
    ),
}

SCHEMA_CASES = {**WRONG_TYPES, **MISSING, **UNKNOWN, **OVERLONG, **TIMEZONE_CASES, **UNSTORABLE}


@pytest.mark.parametrize(
    ("who", "method", "path", "body", "fields"), SCHEMA_CASES.values(), ids=SCHEMA_CASES.keys()
)
def test_a_body_that_breaks_the_schema_is_422_and_changes_nothing(
    app, clients, who, method, path, body, fields
):
    client = clients[who]
    # The JSON text escapes every non-ASCII character (\u0000, \ud800): what a browser
    # sends, and the only way to send a lone surrogate at all.
    with app.app_context():
        data = app.json.dumps(body, ensure_ascii=True)
    with Unchanged(app):
        response = send_raw(client, method, path, data)
    assert_problem(response, 422, None, fields)


def test_a_reset_with_an_unstorable_password_changes_nothing_and_the_link_still_works(app):
    with app.app_context():
        user = make_user(email="kim@example.com", display_name="Kim")
        token = "a-real-token-for-this-test"
        now = utcnow()
        db.session.add(
            PasswordReset(
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                user_id=user.id,
                created_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )
        db.session.commit()
        db.session.remove()
    api = ApiClient(app)
    url = f"/api/v1/auth/password-reset/{token}"
    for password in (STRONG + "\x00", "\ud800" + STRONG, "p" * 1025):
        with Unchanged(app):
            response = send_raw(api, "POST", url, app.json.dumps({"password": password}))
        assert_problem(response, 422, "validation", {"password"})
    with Unchanged(app):
        assert_problem(
            api.post(url, json={"password": STRONG, "extra": 1}), 422, "validation", {"extra"}
        )
    assert api.post(url, json={"password": STRONG}).status_code == 204
    assert ApiClient(app).login("kim@example.com", STRONG)


# --- valid text is accepted -----------------------------------------------------------

GOOD_NAMES = [
    "Zoë 🌸",
    "小明",
    "سام",
    "Ａｌｅｘ",
    "👩\u200d❤️\u200d👨",
    "e\u0301lodie",
    "Ørjan Ødegård",
    "🌸" * 60,
    "O'Brien-Smith",
]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_unicode_and_emoji_names_are_accepted_and_kept_exactly(app, alex, name):
    response = alex.patch("/api/v1/me", json={"display_name": name})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["user"]["display_name"] == name
    assert alex.get("/api/v1/me").get_json()["user"]["display_name"] == name
    assert display_name_of(app) == name


def test_register_accepts_an_emoji_name_and_a_unicode_password(app, api):
    password = "correct 🐴 battery staple ✓"
    response = api.post(
        "/api/v1/auth/register",
        json={
            "email": "Zoë@Example.com",
            "password": password,
            "display_name": "Zoë 🌸",
            "timezone": "Pacific/Chatham",
        },
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["display_name"] == "Zoë 🌸"
    assert response.get_json()["email"] == "zoë@example.com"
    assert ApiClient(app).login("ZOË@example.com", password)


def test_a_name_is_trimmed_not_refused(app, alex):
    response = alex.patch("/api/v1/me", json={"display_name": "  Alex  "})
    assert response.status_code == 200
    assert display_name_of(app) == "Alex"


def test_an_empty_patch_changes_nothing_and_answers_me(app, alex):
    with Unchanged(app):
        for response in (alex.patch("/api/v1/me", json={}), alex.patch("/api/v1/me")):
            assert response.status_code == 200
            assert response.get_json()["user"]["display_name"] == "Alex"


def test_a_blank_name_is_refused(app, alex):
    for name in ("", "   "):
        with Unchanged(app):
            response = alex.patch("/api/v1/me", json={"display_name": name})
        assert_problem(response, 422, "validation", {"display_name"})


# --- invites --------------------------------------------------------------------------


def _people(app, *names):
    with app.app_context():
        for name in names:
            make_user(email=f"{name.lower()}@example.com", display_name=name)
        db.session.remove()
    return [ApiClient(app).login(f"{name.lower()}@example.com") for name in names]


def test_an_expired_invite_is_410_and_changes_nothing(app):
    with time_machine.travel("2026-05-01 12:00:00+00:00", tick=False) as traveller:
        kim, lee = _people(app, "Kim", "Lee")
        code = kim.post("/api/v1/invites").get_json()["code"]
        traveller.shift(timedelta(hours=48, seconds=1))
        with Unchanged(app):
            response = lee.post(f"/api/v1/invites/{code}/accept")
    assert_problem(response, 410, "invite-gone")


def test_a_used_invite_is_410_and_changes_nothing(app):
    kim, lee, max_ = _people(app, "Kim", "Lee", "Max")
    code = kim.post("/api/v1/invites").get_json()["code"]
    assert lee.post(f"/api/v1/invites/{code}/accept").status_code == 200
    with Unchanged(app):
        response = max_.post(f"/api/v1/invites/{code}/accept")
    assert_problem(response, 410, "invite-gone")


def test_accepting_my_own_invite_is_409_and_changes_nothing(app):
    (kim,) = _people(app, "Kim")
    code = kim.post("/api/v1/invites").get_json()["code"]
    with Unchanged(app):
        response = kim.post(f"/api/v1/invites/{code}/accept")
    assert_problem(response, 409, "own-invite")


def test_accepting_while_linked_is_409_and_changes_nothing(app, alex):
    (kim,) = _people(app, "Kim")
    code = kim.post("/api/v1/invites").get_json()["code"]
    with Unchanged(app):
        response = alex.post(f"/api/v1/invites/{code}/accept")
    assert_problem(response, 409, "already-linked")


def test_accepting_the_invite_of_someone_linked_since_is_410_and_changes_nothing(app):
    kim, lee, max_ = _people(app, "Kim", "Lee", "Max")
    old_code = kim.post("/api/v1/invites").get_json()["code"]
    lee_code = lee.post("/api/v1/invites").get_json()["code"]
    assert kim.post(f"/api/v1/invites/{lee_code}/accept").status_code == 200
    with Unchanged(app):
        response = max_.post(f"/api/v1/invites/{old_code}/accept")
    # Linking ended Kim's other invite; the refusal says nothing about Kim.
    assert "Kim" not in assert_problem(response, 410, "invite-gone")["detail"]


def test_creating_an_invite_while_linked_is_409_and_changes_nothing(app, alex):
    with Unchanged(app):
        response = alex.post("/api/v1/invites")
    assert_problem(response, 409, "already-linked")


# --- path parameters ------------------------------------------------------------------

WEIRD_SEGMENTS = {
    "NUL": "%00",
    "NUL inside": "ABCDE%0012345",
    "very long": "A" * 10_000,
    "emoji": "%F0%9F%8C%B8",
    "unicode letters": "%C3%84%C3%96%C3%9C%C3%A9%C3%A8",
    "invalid utf-8": "%FF%FE",
    "encoded lone surrogate": "%ED%A0%80",
    "dot dot slash": "..%2F..%2Fetc%2Fpasswd",
    "spaces": "%20%20%20",
    "sql": "1%27%20OR%20%271%27%3D%271",
    "unknown but well-formed": "ZZZZZ-ZZZZZ",
    "control characters": "%01%02%1B",
}


@pytest.mark.parametrize("segment", WEIRD_SEGMENTS.values(), ids=WEIRD_SEGMENTS.keys())
def test_a_weird_invite_code_is_404(app, outsider, segment):
    with Unchanged(app):
        response = outsider.post(f"/api/v1/invites/{segment}/accept")
    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize("segment", WEIRD_SEGMENTS.values(), ids=WEIRD_SEGMENTS.keys())
def test_a_weird_reset_token_is_refused_like_a_used_one(app, api, segment):
    # An unknown token gets the answer of a used or expired one (410): a caller learns
    # nothing about which tokens exist. An encoded slash makes a path no route has (404).
    with Unchanged(app):
        response = api.post(f"/api/v1/auth/password-reset/{segment}", json={"password": STRONG})
    if "%2F" in segment:
        assert_problem(response, 404, "not-found")
    else:
        assert_problem(response, 410, "reset-gone")


@pytest.mark.parametrize("segment", WEIRD_SEGMENTS.values(), ids=WEIRD_SEGMENTS.keys())
def test_a_weird_api_path_is_404(app, alex, segment):
    for method in ("GET", "POST"):
        with Unchanged(app):
            response = (alex.get if method == "GET" else alex.post)(f"/api/v1/{segment}")
        assert_problem(response, 404, "not-found")


INTEGER_ROUTES = [
    (method, rule)
    for rule in sorted(_rules_app.url_map.iter_rules(), key=lambda r: r.rule)
    if any(isinstance(c, IntegerConverter) for c in rule._converters.values())
    for method in sorted(rule.methods - {"HEAD", "OPTIONS"})
]


@pytest.mark.parametrize(
    ("method", "rule"),
    INTEGER_ROUTES,
    ids=[f"{method} {rule.rule}" for method, rule in INTEGER_ROUTES],
)
def test_ids_past_the_integer_columns_are_404_on_every_route(app, alex, method, rule):
    # Ids are 32-bit columns on PostgreSQL: a larger number must not reach a query.
    adapter = app.url_map.bind("localhost")
    for number in (0, 2**31 - 1, 2**31, 2**32, 2**63, 10**30):
        url = adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, number), method=method)
        with Unchanged(app):
            response = alex.get(url) if method == "GET" else alex._unsafe(method, url, json={})
        assert response.status_code == 404, (url, response.status_code)
        if rule.rule.startswith("/api/"):
            assert_problem(response, 404)


# --- CSRF and the order of checks -----------------------------------------------------


def _without_token(client: ApiClient, method: str, path: str, **kwargs):
    return client.client.open(path, method=method, **kwargs)


def test_an_unsafe_request_without_the_csrf_token_is_400_and_with_it_works(app, alex):
    with Unchanged(app):
        response = _without_token(alex, "PATCH", "/api/v1/me", json={"display_name": "Al"})
    assert_problem(response, 400, "csrf")
    assert display_name_of(app) == "Alex"
    response = alex.patch("/api/v1/me", json={"display_name": "Al"})
    assert response.status_code == 200
    assert display_name_of(app) == "Al"


@pytest.mark.parametrize(("method", "rule", "url"), UNSAFE_API_ROUTES, ids=ROUTE_IDS)
def test_every_unsafe_route_wants_the_csrf_token(app, alex, method, rule, url):
    with Unchanged(app):
        response = _without_token(alex, method, url, json={})
    assert_problem(response, 400, "csrf")


@pytest.mark.parametrize("token", ["", "wrong", "a" * 200, "\u00e9t\u00e9"])
def test_a_wrong_csrf_token_is_400(app, alex, token):
    headers = {"X-CSRF-Token": token.encode("utf-8").decode("latin-1")}
    with Unchanged(app):
        response = alex.patch("/api/v1/me", json={"display_name": "Al"}, headers=headers)
    assert_problem(response, 400, "csrf")


def test_the_csrf_token_of_another_session_is_400(app, two_partners):
    alex, sam = two_partners
    with Unchanged(app):
        response = alex.patch(
            "/api/v1/me", json={"display_name": "Al"}, headers={"X-CSRF-Token": sam.csrf()}
        )
    assert_problem(response, 400, "csrf")


def test_a_token_that_verified_before_is_still_matched_with_the_session(app, two_partners):
    """Sam's token has passed for Sam (and is remembered as verified): Alex's session
    still refuses it, and Sam's still takes it."""
    alex, sam = two_partners
    assert sam.patch("/api/v1/me", json={"display_name": "Sammy"}).status_code == 200
    with Unchanged(app):
        response = alex.patch(
            "/api/v1/me", json={"display_name": "Al"}, headers={"X-CSRF-Token": sam.csrf()}
        )
    assert_problem(response, 400, "csrf")
    assert sam.patch("/api/v1/me", json={"display_name": "Sam"}).status_code == 200
    assert display_name_of(app, "sam@example.com") == "Sam"


def test_a_token_that_verified_before_still_expires(make_app):
    """With a time limit on tokens, one that passed is refused once it is older."""
    app = make_app(WTF_CSRF_TIME_LIMIT=60)
    with app.app_context():
        make_user(email="alex@example.com", display_name="Alex")
    with time_machine.travel(utcnow(), tick=False) as traveller:
        alex = ApiClient(app).login("alex@example.com")
        assert alex.patch("/api/v1/me", json={"display_name": "Al"}).status_code == 200
        traveller.shift(timedelta(seconds=59))
        assert alex.patch("/api/v1/me", json={"display_name": "Ali"}).status_code == 200
        traveller.shift(timedelta(seconds=2))
        with Unchanged(app):
            response = alex.patch("/api/v1/me", json={"display_name": "Alexa"})
    assert_problem(response, 400, "csrf")
    assert display_name_of(app) == "Ali"


def test_over_https_a_write_needs_a_referrer_of_this_site(app, alex):
    """Flask-WTF's strict check on secure requests: the Referer must be this site."""
    url = "/api/v1/me"
    body = {"display_name": "Al"}
    secure = {"base_url": "https://localhost"}
    for referrer in (None, "https://elsewhere.example/", "http://localhost/"):
        headers = {"Referer": referrer} if referrer else {}
        with Unchanged(app):
            response = alex.patch(url, json=body, headers=headers, **secure)
        assert_problem(response, 400, "csrf")
    response = alex.patch(url, json=body, headers={"Referer": "https://localhost/me"}, **secure)
    assert response.status_code == 200, response.get_json()
    assert display_name_of(app) == "Al"


def test_a_public_route_wants_the_csrf_token_too(app, api):
    with Unchanged(app):
        response = _without_token(api, "POST", "/api/v1/auth/register", json=FULL_REGISTRATION)
    assert_problem(response, 400, "csrf")


@pytest.mark.parametrize(("method", "rule", "url"), UNSAFE_API_ROUTES, ids=ROUTE_IDS)
def test_anonymous_and_without_a_token_a_protected_route_is_401_not_400(app, method, rule, url):
    endpoint = _rules_app.url_map.bind("localhost").match(url, method=method)[0]
    public = getattr(_rules_app.view_functions[endpoint], "_public", False)
    anonymous = ApiClient(app)
    with Unchanged(app):
        response = _without_token(
            anonymous, method, url, data=b"{not json", content_type="application/json"
        )
    if public:
        assert_problem(response, 400, "csrf")
    else:
        assert_problem(response, 401, "unauthorized")


def test_logged_in_without_a_token_csrf_comes_before_the_content_type(app, alex):
    with Unchanged(app):
        response = _without_token(
            alex,
            "PATCH",
            "/api/v1/me",
            data="display_name=Al",
            content_type="application/x-www-form-urlencoded",
        )
    assert_problem(response, 400, "csrf")


def test_safe_requests_need_no_token(alex):
    response = alex.client.get("/api/v1/me")
    assert response.status_code == 200
