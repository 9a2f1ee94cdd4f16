"""Passkeys through the API, answered by a software authenticator (tests/softauthn.py) and
checked by py_webauthn: added, listed, used to log in and to confirm an export or a
deletion, removed; and every answer that must not pass, refused without a change."""

import logging
from datetime import timedelta

import pytest
import time_machine

from couples.accounts.models import Passkey, PasskeyChallenge, User
from couples.clock import utcnow
from couples.extensions import db
from tests.factories import PASSWORD, ApiClient, make_user
from tests.softauthn import UP, SoftPasskey

ORIGIN = "http://localhost"  # tests/conftest.py's BASE_URL
ASKED = {"password": PASSWORD}


@pytest.fixture
def alex(app):
    with app.app_context():
        make_user(email="alex@example.com", display_name="Alex")
    return ApiClient(app).login("alex@example.com")


@pytest.fixture
def audit_lines(caplog):
    caplog.set_level(logging.INFO, logger="couples.audit")
    return lambda: [r.getMessage() for r in caplog.records if r.name == "couples.audit"]


def add_passkey(
    client, name="My phone", key=None, password=PASSWORD, **answer
) -> tuple[SoftPasskey, dict]:
    key = key or SoftPasskey(rp_id="localhost", origin=ORIGIN)
    asked = client.post("/api/v1/me/passkey-options/register", json={"password": password})
    if asked.status_code != 200:
        return key, asked
    body = {"name": name, "credential": key.create(asked.get_json(), **answer)}
    return key, client.post("/api/v1/me/passkeys", json=body)


def sign_in(app, key, **answer):
    client = ApiClient(app)
    options = client.post("/api/v1/auth/passkey/options").get_json()
    response = client.post("/api/v1/auth/passkey", json={"credential": key.get(options, **answer)})
    return client, response


def stored(app):
    with app.app_context():
        return db.session.execute(db.select(Passkey)).scalars().all()


def test_a_passkey_is_added_listed_and_logs_in(app, alex, audit_lines):
    options = alex.post("/api/v1/me/passkey-options/register", json=ASKED).get_json()
    assert options["rp"] == {"id": "localhost", "name": "Couples"}
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["user"]["name"] == "alex@example.com"
    key, response = add_passkey(alex)
    assert response.status_code == 201, response.get_json()
    listed = alex.get("/api/v1/me/passkeys").get_json()["passkeys"]
    assert [p["name"] for p in listed] == ["My phone"] and listed[0]["last_used_at"] is None

    client, response = sign_in(app, key)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["email"] == "alex@example.com"
    me = client.get("/api/v1/me")
    assert me.status_code == 200 and me.get_json()["user"]["display_name"] == "Alex"
    assert stored(app)[0].sign_count == 1
    assert alex.get("/api/v1/me/passkeys").get_json()["passkeys"][0]["last_used_at"]
    assert any("event=passkey_login outcome=ok" in line for line in audit_lines())


def test_a_second_passkey_gets_the_same_handle_and_the_first_is_excluded(app, alex):
    first, _ = add_passkey(alex)
    options = alex.post("/api/v1/me/passkey-options/register", json=ASKED).get_json()
    from tests.softauthn import b64

    assert [c["id"] for c in options["excludeCredentials"]] == [b64(first.credential_id)]
    assert options["user"]["id"] == b64(first.user_handle)
    _second, response = add_passkey(alex, name="Laptop")
    assert response.status_code == 201
    handles = {p.user_handle for p in stored(app)}
    assert handles == {first.user_handle}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"origin": "https://couples.evil.example"}, "credential"),
        ({"rp_id": "evil.example"}, "credential"),
        ({"flags": UP | 0x40}, "credential"),  # the person was not verified on the device
    ],
)
def test_a_passkey_made_wrongly_is_not_kept(app, alex, change, field):
    _key, response = add_passkey(alex, **change)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]
    assert stored(app) == []


@pytest.mark.parametrize("name", ["", "   ", "x" * 61, "a\x00b"])
def test_a_passkey_needs_a_name(app, alex, name):
    _key, response = add_passkey(alex, name=name)
    assert response.status_code == 422 and "name" in response.get_json()["errors"]
    assert stored(app) == []


def test_an_answer_for_another_origin_does_not_log_in(app, alex, audit_lines):
    key, _ = add_passkey(alex)
    _client, response = sign_in(app, key, origin="https://couples.evil.example")
    assert response.status_code == 401
    _client, response = sign_in(app, key, rp_id="evil.example")
    assert response.status_code == 401
    assert stored(app)[0].sign_count == 0 and stored(app)[0].last_used_at is None
    assert any("event=passkey_login outcome=failed" in line for line in audit_lines())


def test_an_unverified_person_does_not_log_in(app, alex):
    key, _ = add_passkey(alex)
    _client, response = sign_in(app, key, flags=UP)
    assert response.status_code == 401


def test_a_removed_passkey_logs_in_no_more(app, alex):
    key, _ = add_passkey(alex)
    passkey_id = alex.get("/api/v1/me/passkeys").get_json()["passkeys"][0]["id"]
    assert alex.delete(f"/api/v1/me/passkeys/{passkey_id}").status_code == 204
    assert alex.get("/api/v1/me/passkeys").get_json()["passkeys"] == []
    _client, response = sign_in(app, key)
    assert response.status_code == 401
    assert alex.delete(f"/api/v1/me/passkeys/{passkey_id}").status_code == 404


def test_a_copied_passkey_whose_count_went_back_is_refused(app, alex, audit_lines):
    key, _ = add_passkey(alex)
    assert sign_in(app, key)[1].status_code == 200
    assert sign_in(app, key)[1].status_code == 200  # count 2 now
    clone = SoftPasskey(
        rp_id="localhost",
        origin=ORIGIN,
        key=key.key,
        credential_id=key.credential_id,
        user_handle=key.user_handle,
    )
    clone.sign_count = 1  # a copy made after the first use: its count is behind
    _client, response = sign_in(app, clone)
    assert response.status_code == 401
    assert stored(app)[0].sign_count == 2
    assert any("event=passkey_login outcome=cloned_passkey" in line for line in audit_lines())
    # the same count again (a replayed count) is refused as well
    _client, response = sign_in(app, key, count_up=False)
    assert response.status_code == 401


def test_an_authenticator_without_a_counter_may_log_in_again(app, alex):
    """Synced passkeys often report 0 every time: no count is no evidence of a copy."""
    key, _ = add_passkey(alex)
    for _ in range(2):
        assert sign_in(app, key, count_up=False)[1].status_code == 200


def test_an_answer_is_used_once_even_with_the_session_it_was_asked_in(app, alex):
    """The challenge kept in the (signed, client-side) session can be replayed with an old
    copy of the cookie: the server's own record of it is what makes it single-use."""
    key, _ = add_passkey(alex)
    client = ApiClient(app)
    options = client.post("/api/v1/auth/passkey/options").get_json()
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    asked_in = client.client.get_cookie(cookie_name).value
    answer = key.get(options)
    assert client.post("/api/v1/auth/passkey", json={"credential": answer}).status_code == 200
    replay = ApiClient(app)
    replay.client.set_cookie(cookie_name, asked_in)
    refused = replay.post("/api/v1/auth/passkey", json={"credential": answer})
    assert refused.status_code == 422, refused.get_json()
    assert "credential" in refused.get_json()["errors"]
    assert replay.get("/api/v1/me").status_code == 401
    with app.app_context():
        assert db.session.query(PasskeyChallenge).count() == 0


def test_a_challenge_expires_after_five_minutes(app, alex):
    key, _ = add_passkey(alex)
    client = ApiClient(app)
    with time_machine.travel(utcnow(), tick=False) as clock:
        options = client.post("/api/v1/auth/passkey/options").get_json()
        clock.shift(timedelta(minutes=5, seconds=1))
        response = client.post("/api/v1/auth/passkey", json={"credential": key.get(options)})
    assert response.status_code == 422 and "credential" in response.get_json()["errors"]


def test_a_challenge_made_to_add_a_passkey_does_not_log_in(app, alex):
    key, _ = add_passkey(alex)
    options = alex.post("/api/v1/me/passkey-options/register", json=ASKED).get_json()
    response = alex.post("/api/v1/auth/passkey", json={"credential": key.get(options)})
    assert response.status_code == 422


def test_an_unknown_passkey_does_not_log_in(app, alex):
    stranger = SoftPasskey(rp_id="localhost", origin=ORIGIN, user_handle=b"x" * 32)
    _client, response = sign_in(app, stranger)
    assert response.status_code == 401
    assert response.get_json()["detail"]


MALFORMED = [
    None,
    "text",
    5,
    [],
    {"id": "!!"},
    {"rawId": 3},
    {"id": "AA", "rawId": "AA", "type": "public-key", "response": []},
    {"id": "AA", "rawId": "AA", "type": "public-key", "response": "x"},
    "[" * 20000 + "]" * 20000,
]


@pytest.mark.parametrize("credential", MALFORMED)
def test_a_malformed_answer_is_refused_clearly(app, alex, credential):
    client = ApiClient(app)
    client.post("/api/v1/auth/passkey/options")
    response = client.post("/api/v1/auth/passkey", json={"credential": credential})
    assert response.status_code in (401, 422)
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize("transports", [[["internal"]], [{"a": 1}], "internal", 5, [None]])
def test_odd_transports_are_left_out_not_a_failure(app, alex, transports):
    key = SoftPasskey(rp_id="localhost", origin=ORIGIN)
    options = alex.post("/api/v1/me/passkey-options/register", json=ASKED).get_json()
    credential = key.create(options)
    credential["response"]["transports"] = transports
    response = alex.post("/api/v1/me/passkeys", json={"name": "Odd", "credential": credential})
    assert response.status_code == 201, response.get_json()
    assert stored(app)[0].transports == []


def test_a_deeply_nested_answer_on_the_export_page_is_refused_not_a_failure(app, alex):
    page = alex.post(
        "/account/export",
        data={"csrf_token": alex.csrf(), "passkey": "[" * 20000 + "]" * 20000},
    )
    assert page.status_code in (302, 303, 422)


def test_adding_a_passkey_needs_the_password(app, alex):
    _key, response = add_passkey(alex, password="not my password at all")
    assert response.status_code == 422 and "password" in response.get_json()["errors"]
    assert alex.post("/api/v1/me/passkey-options/register").status_code == 422
    # with no options asked for with the password, a passkey has no challenge to answer
    key = SoftPasskey(rp_id="localhost", origin=ORIGIN)
    made_up = {"challenge": "AAAA", "user": {"id": "AAAA"}}
    body = {"name": "x", "credential": key.create(made_up)}
    assert alex.post("/api/v1/me/passkeys", json=body).status_code == 422
    assert stored(app) == []


def test_the_tenth_passkey_is_counted_again_when_it_is_kept(app, alex):
    for number in range(9):
        add_passkey(alex, name=f"Key {number}")
    late = SoftPasskey(rp_id="localhost", origin=ORIGIN)
    options = alex.post("/api/v1/me/passkey-options/register", json=ASKED).get_json()  # at nine
    other = ApiClient(app).login("alex@example.com")
    assert add_passkey(other, name="Tenth")[1].status_code == 201
    body = {"name": "Eleventh", "credential": late.create(options)}
    assert alex.post("/api/v1/me/passkeys", json=body).status_code == 409
    assert len(stored(app)) == 10


def test_a_password_reset_removes_the_passkeys(app, alex):
    from couples.accounts import services
    from couples.accounts.models import PasswordReset

    key, _ = add_passkey(alex)
    with app.test_request_context():
        user = db.session.query(User).one()
        token = "a-reset-token-for-this-test"
        import hashlib

        db.session.add(
            PasswordReset(
                token_hash=hashlib.sha256(token.encode()).hexdigest(),
                user_id=user.id,
                created_at=utcnow(),
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        db.session.commit()
        services.reset_password(token=token, new_password="another quiet harbour 77", now=utcnow())
    assert stored(app) == []
    assert sign_in(app, key)[1].status_code == 401


def test_a_wrong_passkey_does_not_wipe_the_count_of_wrong_passwords(make_app):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="3 per hour")
    with app.app_context():
        make_user(email="alex@example.com")
    alex = ApiClient(app).login("alex@example.com")
    statuses = []
    for attempt in range(8):
        body = {"password": "wrong guess"} if attempt % 2 == 0 else {"passkey": {}}
        statuses.append(alex.post("/api/v1/me/export", json=body).status_code)
    assert 429 in statuses[:5], statuses


def test_starting_passkey_sign_ins_is_limited_per_address(make_app):
    app = make_app(PASSKEY_LIMIT_PER_ADDRESS="2 per hour")
    client = ApiClient(app)
    answers = [client.post("/api/v1/auth/passkey/options").status_code for _ in range(3)]
    assert answers == [200, 200, 429]
    with app.app_context():
        assert db.session.query(PasskeyChallenge).count() == 2


def test_a_passkey_confirms_the_export_in_place_of_the_password(app, alex, audit_lines):
    key, _ = add_passkey(alex)
    options = alex.post("/api/v1/me/passkey-options/confirm").get_json()
    from tests.softauthn import b64

    assert [c["id"] for c in options["allowCredentials"]] == [b64(key.credential_id)]
    response = alex.post("/api/v1/me/export", json={"passkey": key.get(options)})
    assert response.status_code == 200
    data = response.get_json()
    assert data["user"]["email"] == "alex@example.com"
    assert [p["name"] for p in data["passkeys"]] == ["My phone"]
    assert "public_key" not in str(data["passkeys"])
    # without a fresh answer, the old one shows nothing
    again = alex.post("/api/v1/me/export", json={"passkey": key.get(options)})
    assert again.status_code == 422 and "passkey" in again.get_json()["errors"]
    # and neither password nor passkey: asked for
    neither = alex.post("/api/v1/me/export", json={})
    assert neither.status_code == 422 and "password" in neither.get_json()["errors"]


def test_a_partners_passkey_cannot_confirm_my_export(app, alex):
    with app.app_context():
        make_user(email="sam@example.com", display_name="Sam")
    sam = ApiClient(app).login("sam@example.com")
    sams_key, _ = add_passkey(sam)
    add_passkey(alex)
    options = alex.post("/api/v1/me/passkey-options/confirm").get_json()
    response = alex.post("/api/v1/me/export", json={"passkey": sams_key.get(options)})
    assert response.status_code == 422 and "passkey" in response.get_json()["errors"]


def test_confirming_needs_a_passkey_of_ones_own(app, alex):
    assert alex.post("/api/v1/me/passkey-options/confirm").status_code == 404


def test_a_passkey_confirms_deleting_the_account_and_goes_with_it(app, alex):
    key, _ = add_passkey(alex)
    options = alex.post("/api/v1/me/passkey-options/confirm").get_json()
    response = alex.delete("/api/v1/me", json={"passkey": key.get(options)})
    assert response.status_code == 204
    with app.app_context():
        assert db.session.query(User).filter_by(email="alex@example.com").count() == 0
    assert stored(app) == []
    assert sign_in(app, key)[1].status_code == 401


def test_someone_elses_passkey_cannot_be_removed(app, alex):
    with app.app_context():
        make_user(email="sam@example.com", display_name="Sam")
    sam = ApiClient(app).login("sam@example.com")
    add_passkey(sam)
    sams = sam.get("/api/v1/me/passkeys").get_json()["passkeys"][0]["id"]
    assert alex.delete(f"/api/v1/me/passkeys/{sams}").status_code == 404
    assert len(sam.get("/api/v1/me/passkeys").get_json()["passkeys"]) == 1


def test_ten_passkeys_at_most(app, alex):
    for number in range(10):
        assert add_passkey(alex, name=f"Key {number}")[1].status_code == 201
    assert alex.post("/api/v1/me/passkey-options/register", json=ASKED).status_code == 409


def test_failed_passkey_logins_count_against_the_addresss_limit(make_app):
    app = make_app(LOGIN_LIMIT_PER_ADDRESS="2 per hour")
    with app.app_context():
        make_user(email="alex@example.com")
    stranger = SoftPasskey(rp_id="localhost", origin=ORIGIN, user_handle=b"x" * 32)
    answers = [sign_in(app, stranger)[1].status_code for _ in range(3)]
    assert answers == [401, 401, 429]
