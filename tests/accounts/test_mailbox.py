"""Mail goes through an outbox: a reset request queues one row whatever the address, and
the background worker makes the mail, sends it and retries it while the server fails."""

import socket
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import event

from couples.accounts.models import OutgoingMail, PasswordReset
from couples.extensions import db
from couples.notifications import worker
from tests.factories import ApiClient, make_user, send_mail

START = datetime(2026, 3, 1, 20, 0, tzinfo=UTC)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once closed


def _rows(app, model) -> list:
    with app.app_context():
        rows = list(db.session.execute(db.select(model)).scalars())
        db.session.remove()
    return rows


def test_a_reset_request_does_the_same_work_for_any_address(app):
    with app.app_context():
        make_user(email="alex@example.com")
        statements = []
        event.listen(
            db.engine,
            "before_cursor_execute",
            lambda conn, cursor, sql, *rest: statements.append(sql),
        )
    work = {}
    for email in ("alex@example.com", "nobody@example.com"):
        client = ApiClient(app)
        client.csrf()
        statements.clear()
        response = client.post("/api/v1/auth/password-reset", json={"email": email})
        assert response.status_code == 202
        work[email] = list(statements)
    assert work["alex@example.com"] == work["nobody@example.com"]
    assert [m.to_address for m in _rows(app, OutgoingMail)] == [
        "alex@example.com",
        "nobody@example.com",
    ]
    assert _rows(app, PasswordReset) == []  # the link is made when the mail goes


def test_a_mail_server_that_is_down_never_reaches_the_answer_and_the_mail_waits(
    make_app, smtp_server
):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port())
    with app.app_context():
        make_user(email="alex@example.com")
    with time_machine.travel(START, tick=False) as clock:
        response = ApiClient(app).post(
            "/api/v1/auth/password-reset", json={"email": "alex@example.com"}
        )
        assert response.status_code == 202
        assert send_mail(app) == {"sent": 0, "failed": 1}
        (waiting,) = _rows(app, OutgoingMail)
        assert waiting.attempts == 1 and waiting.next_attempt_at > START
        assert send_mail(app) == {"sent": 0, "failed": 0}  # not before its time
        app.config["MAIL_PORT"] = smtp_server.port  # the server is back
        clock.shift(timedelta(minutes=2))
        assert send_mail(app) == {"sent": 1, "failed": 0}
    assert [m["To"] for m in smtp_server.messages] == ["alex@example.com"]
    assert _rows(app, OutgoingMail) == []


def test_a_mail_the_server_keeps_refusing_is_given_up(make_app, caplog):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=_closed_port(), MAIL_MAX_ATTEMPTS=2)
    with app.app_context():
        make_user(email="alex@example.com")
    with time_machine.travel(START, tick=False) as clock:
        ApiClient(app).post("/api/v1/auth/password-reset", json={"email": "alex@example.com"})
        assert send_mail(app)["failed"] == 1
        clock.shift(timedelta(hours=1))
        with caplog.at_level("ERROR", logger="couples.mail"):
            assert send_mail(app)["failed"] == 1
    assert _rows(app, OutgoingMail) == []
    assert "mail given up after 2 attempts" in caplog.text
    assert "alex" not in caplog.text


def test_the_embedded_worker_sends_queued_mail(make_app, smtp_server):
    app = make_app(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with app.app_context():
        make_user(email="alex@example.com")
    ApiClient(app).post("/api/v1/auth/password-reset", json={"email": "alex@example.com"})
    worker.run_once(app, tick=False)
    assert [m["To"] for m in smtp_server.messages] == ["alex@example.com"]
