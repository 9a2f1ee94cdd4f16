"""The audit trail: one line per account event, with no secret and no address in it."""

import logging
import re

import pytest

from couples.accounts.models import PasswordReset, User
from couples.extensions import db
from tests.factories import PASSWORD, ApiClient, make_couple, make_user, send_mail

STRONG = "velvet hamster orbit lamp"
LINE = re.compile(
    r"^at=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ event=(\S+) outcome=(\S+) "
    r"user=(\S+) ip=(\S+)( email=[0-9a-f]{12})?$"
)


@pytest.fixture
def audit(caplog):
    """The audit lines logged so far, as (event, outcome, user, ip, line) tuples."""
    caplog.set_level(logging.INFO, logger="couples.audit")

    def lines():
        found = []
        for record in caplog.records:
            if record.name == "couples.audit":
                text = record.getMessage()
                match = LINE.match(text)
                assert match, text
                found.append((*match.groups()[:4], text))
        return found

    return lines


def _events(lines):
    return [(event, outcome) for event, outcome, *_ in lines]


def test_logins_and_lockouts_are_audited_without_the_address(make_app, audit):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes")
    with app.app_context():
        user_id = make_user(email="alex@example.com").id
    ApiClient(app).login("alex@example.com")
    client = ApiClient(app)
    for _ in range(3):
        client.post(
            "/api/v1/auth/login",
            json={"email": "Alex@example.com", "password": "not the password!"},
        )
    lines = audit()
    assert _events(lines) == [
        ("login", "ok"),
        ("login", "failed"),
        ("login", "failed"),
        ("login", "locked_out"),
    ]
    assert lines[0][2] == str(user_id) and lines[1][2] == "-"
    assert {ip for _, _, _, ip, _ in lines} == {"127.0.0.1"}
    tags = {line.rsplit("email=", 1)[1] for *_, line in lines}
    assert len(tags) == 1  # the same account, whatever the case it was typed in
    for *_, line in lines:
        assert "alex" not in line and "password" not in line


def test_password_events_and_deletion_are_audited(app, audit, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex")
        sam = make_user(email="sam@example.com", display_name="Sam")
        make_couple(alex, sam)
        alex_id = alex.id
    me = ApiClient(app).login("alex@example.com")
    me.post("/api/v1/me/password", json={"current_password": "wrong one!", "new_password": STRONG})
    me.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": STRONG})
    me.post("/api/v1/auth/logout-everywhere")
    ApiClient(app).post("/api/v1/auth/password-reset", json={"email": "alex@example.com"})
    ApiClient(app).post("/api/v1/auth/password-reset", json={"email": "nobody@example.com"})
    send_mail(app)  # the background worker's part: the mail goes, or not
    token = smtp_server.last_link().rsplit("/", 1)[1]
    ApiClient(app).post(f"/api/v1/auth/password-reset/{token}", json={"password": PASSWORD})
    ApiClient(app).post(f"/api/v1/auth/password-reset/{token}", json={"password": PASSWORD})
    me = ApiClient(app).login("alex@example.com")
    me.delete("/api/v1/couple")
    me.delete("/api/v1/me", json={"password": "wrong one!"})
    me.delete("/api/v1/me", json={"password": PASSWORD})
    lines = audit()
    assert _events(lines) == [
        ("login", "ok"),
        ("password_change", "failed"),
        ("password_change", "ok"),
        ("logout_everywhere", "ok"),
        ("reset_request", "queued"),
        ("reset_request", "queued"),
        ("reset_request", "sent"),
        ("reset_request", "no_account"),
        ("reset", "ok"),
        ("reset", "refused"),
        ("login", "ok"),
        ("unlink", "ok"),
        ("account_delete", "failed"),
        ("account_delete", "ok"),
    ]
    for event, outcome, user, _ip, line in lines:
        if (event, outcome) not in {
            ("reset_request", "queued"),
            ("reset_request", "no_account"),
            ("reset", "refused"),
        }:
            assert user == str(alex_id), line
        assert token not in line and PASSWORD not in line and STRONG not in line
        assert "@" not in line and "nobody" not in line
    with app.app_context():
        assert db.session.get(User, alex_id) is None
        assert db.session.query(PasswordReset).count() == 0


def test_erasing_a_shared_history_is_audited_for_whoever_asked(app, audit):
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex")
        sam = make_user(email="sam@example.com", display_name="Sam")
        couple_id = make_couple(alex, sam).couple.id
        sam_id = sam.id
    alex_client = ApiClient(app).login("alex@example.com")
    sam_client = ApiClient(app).login("sam@example.com")
    assert alex_client.delete("/api/v1/couple").status_code == 204
    response = sam_client.client.post(
        f"/account/words/{couple_id}/erase", data={"csrf_token": sam_client.csrf()}
    )
    assert response.status_code == 302
    lines = audit()
    assert _events(lines)[-2:] == [("unlink", "ok"), ("history_erase", "ok")]
    assert lines[-1][2] == str(sam_id)
