"""One new push endpoint posted twice at the same moment: stored once, never a 500."""

import threading

from couples.extensions import db
from couples.notifications import services
from couples.notifications.models import PushSubscription
from tests.factories import ApiClient, make_user


def _clients(app, *emails):
    with app.app_context():
        for email in emails:
            make_user(email=email)
    return [ApiClient(app).login(email) for email in emails]


def _post_at_once(app, monkeypatch, clients, body):
    """Both clients post ``body`` at once. On PostgreSQL each request is held after it
    found no subscription for the endpoint until the other found none too, so both go
    on to store it (on SQLite the write lock already runs them one after the other).
    Returns the status codes, sorted, and what is stored."""
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
    start = threading.Barrier(len(clients))
    both_looked = threading.Barrier(len(clients))
    held = threading.local()
    check = services.allowed_endpoint

    def allowed_after_both_looked(endpoint, allowed):
        # Called once a request has looked the endpoint up, before it stores anything.
        if postgres and not getattr(held, "done", False):
            held.done = True
            both_looked.wait(timeout=30)
        return check(endpoint, allowed)

    monkeypatch.setattr(services, "allowed_endpoint", allowed_after_both_looked)
    outcomes = [None] * len(clients)

    def post(index, client):
        start.wait(timeout=30)
        try:
            outcomes[index] = client.post("/api/v1/push/subscriptions", json=body).status_code
        except Exception as error:  # noqa: BLE001 (a 500 in the test client raises)
            outcomes[index] = repr(error)

    for client in clients:
        client.csrf()
    threads = [threading.Thread(target=post, args=pair) for pair in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    with app.app_context():
        stored = [
            (s.user_id, s.endpoint)
            for s in db.session.execute(db.select(PushSubscription)).scalars()
        ]
    return sorted(map(str, outcomes)), stored


def test_two_people_posting_one_new_endpoint_at_once_get_201_and_409(
    push_app, fake_push, monkeypatch
):
    alex, sam = _clients(push_app, "alex@example.com", "sam@example.com")
    body = fake_push.subscribe()
    outcomes, stored = _post_at_once(push_app, monkeypatch, [alex, sam], body)
    assert outcomes == ["201", "409"]
    assert [endpoint for _, endpoint in stored] == [body["endpoint"]]


def test_one_person_posting_one_new_endpoint_twice_at_once_stores_it_once(
    push_app, fake_push, monkeypatch
):
    (alex,) = _clients(push_app, "alex@example.com")
    second_tab = ApiClient(push_app).login("alex@example.com")
    body = fake_push.subscribe()
    outcomes, stored = _post_at_once(push_app, monkeypatch, [alex, second_tab], body)
    assert outcomes == ["200", "201"]
    assert len(stored) == 1
