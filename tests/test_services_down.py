"""When a service the web leans on is down, people keep using the app: a broker that
does not answer never holds a request, and a limiter whose Redis is gone lets people in
rather than locking everyone out."""

import socket
import threading

import pytest

from couples.extensions import db
from couples.notifications import services as notifications
from couples.notifications.models import Notification
from tests.factories import ApiClient, make_couple, make_user


class Blackhole:
    """A TCP port that accepts connections and never says a word (a broker host that
    hangs), counting the connections made to it."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.accepted = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self):
        self.server.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def blackhole():
    hole = Blackhole()
    yield hole
    hole.close()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _linked(app):
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex")
        sam = make_user(email="sam@example.com", display_name="Sam")
        make_couple(alex, sam)
        db.session.remove()
    return ApiClient(app).login("alex@example.com")


def test_a_broker_that_never_answers_does_not_hold_the_requests(make_app, blackhole, monkeypatch):
    monkeypatch.setattr(notifications, "_broker_down_until", {})
    app = make_app(CELERY_BROKER_URL=f"redis://127.0.0.1:{blackhole.port}/0")
    alex = _linked(app)
    answers = []

    def send_three():
        for n in range(3):
            response = alex.post("/api/v1/appreciations", json={"text": f"Thank you {n}"})
            answers.append(response.status_code)

    sending = threading.Thread(target=send_three, daemon=True)
    sending.start()
    sending.join(timeout=60)  # a bound for a request stuck on the broker, not a speed
    assert answers == [201, 201, 201]
    # The first asked the broker once, without retrying; the next two did not try while
    # it rests. Each push waits in the outbox for the next tick's sweep.
    assert len(blackhole.accepted) == 1
    with app.app_context():
        queued = db.session.execute(db.select(Notification.kind)).scalars().all()
    assert queued.count("appreciation_received") == 3


def test_a_limiter_storage_that_is_down_lets_people_in(make_app, caplog):
    app = make_app(RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{_closed_port()}/0")
    with app.app_context():
        make_user(email="alex@example.com", display_name="Alex")
        db.session.remove()
    alex = ApiClient(app)
    response = alex.post(
        "/api/v1/auth/login", json={"email": "alex@example.com", "password": "wrong password!"}
    )
    assert response.status_code == 401  # the password is checked, the limit is not
    alex.login("alex@example.com")
    assert alex.get("/api/v1/me").status_code == 200
    newcomer = ApiClient(app)
    response = newcomer.post(
        "/api/v1/auth/register",
        json={
            "email": "robin@example.com",
            "password": "a long passphrase",
            "display_name": "Robin",
            "timezone": "Europe/London",
        },
    )
    assert response.status_code == 201
    assert "rate limits not counted" in caplog.text


def test_readyz_checks_the_database_and_the_broker_when_one_is_set(make_app, redis_url):
    plain = make_app().test_client().get("/readyz")
    assert plain.status_code == 200
    assert plain.get_json() == {"status": "ok", "checks": {"database": "ok"}}
    assert plain.headers["Cache-Control"] == "no-store"
    with_broker = make_app(CELERY_BROKER_URL=redis_url).test_client().get("/readyz")
    assert with_broker.status_code == 200
    assert with_broker.get_json()["checks"] == {"database": "ok", "broker": "ok"}
    down = make_app(CELERY_BROKER_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    answer = down.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable"},
    }


def test_readyz_says_when_the_database_does_not_answer(make_app, tmp_path):
    broken = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/no/such/dir/db.sqlite3")
    answer = broken.test_client().get("/readyz")
    assert answer.status_code == 503
    assert answer.get_json()["checks"] == {"database": "unavailable"}
