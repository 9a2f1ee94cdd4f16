"""Push subscriptions, the test push, preferences and the inbox through the API."""

from couples.extensions import db
from couples.notifications.models import Notification, PushSubscription
from tests.factories import ApiClient, make_user


def _client(app, email="alex@example.com"):
    with app.app_context():
        make_user(email=email)
    return ApiClient(app).login(email)


def test_vapid_public_key_is_the_uncompressed_point_base64url(push_app, vapid_keys):
    body = ApiClient(push_app).get("/api/v1/push/vapid-public-key").get_json()
    assert body == {"key": vapid_keys[1]}
    assert "=" not in body["key"] and len(body["key"]) == 87


def _owner(app) -> int:
    with app.app_context():
        (sub,) = db.session.query(PushSubscription).all()
        return sub.user_id


def _id_of(client) -> int:
    return int(client.get("/api/v1/me").get_json()["user"]["id"])


def test_subscribe_then_again_from_its_owner_updates_it(push_app, fake_push):
    alex = _client(push_app)
    info = fake_push.subscribe()
    info["someFutureField"] = 1  # browsers extend PushSubscription JSON
    assert alex.post("/api/v1/push/subscriptions", json=info).status_code == 201
    assert alex.post("/api/v1/push/subscriptions", json=info).status_code == 200
    assert _owner(push_app) == _id_of(alex)


def test_another_users_endpoint_is_refused_and_stays_with_its_owner(push_app, fake_push):
    """Posting someone's endpoint must not take their reminders away from them."""
    alex = _client(push_app)
    sam = _client(push_app, "sam@example.com")
    info = fake_push.subscribe()
    assert alex.post("/api/v1/push/subscriptions", json=info).status_code == 201
    response = sam.post("/api/v1/push/subscriptions", json=info)
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["type"] == "/problems/subscription-taken"
    assert _owner(push_app) == _id_of(alex)


def test_endpoints_outside_the_allow_list_are_refused(push_app, fake_push):
    alex = _client(push_app)
    info = fake_push.subscribe()
    for endpoint in (
        "https://evil.example/push/1",
        "http://127.0.0.1:1/push/x",
        "https://fcm.googleapis.com.evil.example/x",
        "file:///etc/passwd",
        f"{fake_push.origin}@evil.example/x",
    ):
        response = alex.post("/api/v1/push/subscriptions", json={**info, "endpoint": endpoint})
        assert response.status_code == 422, endpoint
        assert "endpoint" in response.get_json()["errors"]
    with push_app.app_context():
        assert db.session.query(PushSubscription).count() == 0


def test_the_default_allow_list_knows_the_big_push_services(app):
    from couples.notifications.services import DEFAULT_ALLOWED_ENDPOINTS, allowed_endpoint

    for endpoint in (
        "https://fcm.googleapis.com/fcm/send/abc",
        "https://updates.push.services.mozilla.com/wpush/v2/abc",
        "https://web.push.apple.com/QAbc",
        "https://wns2-par02p.notify.windows.com/w/?token=abc",
    ):
        assert allowed_endpoint(endpoint, DEFAULT_ALLOWED_ENDPOINTS), endpoint
    for endpoint in (
        "http://fcm.googleapis.com/x",
        "https://fcm.googleapis.com:8443/x",
        "https://notify.windows.com.evil.example/x",
        "https://127.0.0.1/x",
    ):
        assert not allowed_endpoint(endpoint, DEFAULT_ALLOWED_ENDPOINTS), endpoint


def test_unsubscribe_by_endpoint(push_app, fake_push):
    alex = _client(push_app)
    info = fake_push.subscribe()
    alex.post("/api/v1/push/subscriptions", json=info)
    assert (
        alex.delete("/api/v1/push/subscriptions", json={"endpoint": info["endpoint"]}).status_code
        == 204
    )
    assert (
        alex.delete("/api/v1/push/subscriptions", json={"endpoint": info["endpoint"]}).status_code
        == 404
    )


def test_someone_elses_subscription_cannot_be_removed(push_app, fake_push):
    alex = _client(push_app)
    sam = _client(push_app, "sam@example.com")
    info = fake_push.subscribe()
    alex.post("/api/v1/push/subscriptions", json=info)
    assert (
        sam.delete("/api/v1/push/subscriptions", json={"endpoint": info["endpoint"]}).status_code
        == 404
    )


def test_test_push_reaches_every_device_and_skips_the_inbox(push_app, fake_push):
    from couples.notifications import delivery

    alex = _client(push_app)
    for _ in range(2):
        alex.post("/api/v1/push/subscriptions", json=fake_push.subscribe())
    response = alex.post("/api/v1/push/test")
    assert response.status_code == 202 and response.get_json() == {"queued": 2}
    with push_app.app_context():
        delivery.deliver_due()
    assert len(fake_push.received) == 2
    assert all(int(r.headers["ttl"]) <= 60 for r in fake_push.received)
    assert alex.get("/api/v1/notifications").get_json()["items"] == []


def test_preferences_in_patch_me(two_partners):
    alex, _ = two_partners
    response = alex.patch(
        "/api/v1/me",
        json={
            "notifications": {
                "reminder_time": "20:15",
                "quiet_hours": {"start": "23:00", "end": "06:45"},
                "discreet": True,
                "kinds": {"bid_received": False},
            }
        },
    )
    assert response.status_code == 200
    prefs = response.get_json()["notifications"]
    assert prefs["reminder_time"] == "20:15" and prefs["discreet"] is True
    assert prefs["quiet_hours"] == {"start": "23:00", "end": "06:45"}
    assert prefs["kinds"]["bid_received"] is False and prefs["kinds"]["checkin_reminder"]


def test_bad_preferences_are_422_per_field_and_change_nothing(two_partners):
    alex, _ = two_partners
    before = alex.get("/api/v1/me").get_json()["notifications"]
    for body, field in (
        ({"reminder_time": "25:00"}, "notifications.reminder_time"),
        ({"quiet_hours": {"start": "22:00"}}, "notifications.quiet_hours.end"),
        ({"kinds": {"no_such_kind": True}}, "notifications.kinds.no_such_kind"),
        ({"kinds": {"repair_timeout_over": False}}, "notifications.kinds.repair_timeout_over"),
    ):
        response = alex.patch("/api/v1/me", json={"notifications": body})
        assert response.status_code == 422, body
        errors = response.get_json()["errors"]
        assert any(path.startswith(field) for path in errors), errors
    assert alex.get("/api/v1/me").get_json()["notifications"] == before


def test_inbox_lists_mine_newest_first_and_marks_read(app, two_partners):
    alex, sam = two_partners
    sam.delete("/api/v1/couple")  # alex gets the quiet "link ended" notice
    inbox = alex.get("/api/v1/notifications").get_json()
    assert [n["kind"] for n in inbox["items"]] == ["couple_ended"]
    assert inbox["unread"] == 1 and inbox["next_cursor"] is None
    assert sam.get("/api/v1/notifications").get_json()["items"] == []
    marked = alex.post("/api/v1/notifications/read", json={"ids": [inbox["items"][0]["id"]]})
    assert marked.get_json() == {"marked": 1}
    assert alex.get("/api/v1/notifications").get_json()["unread"] == 0


def test_inbox_pages_with_a_cursor(app, two_partners):
    from couples.clock import utcnow
    from couples.notifications.services import notify

    alex, _ = two_partners
    with app.app_context():
        from couples.accounts.models import User

        user = db.session.query(User).filter_by(email="alex@example.com").one()
        for n in range(5):
            notify(
                user=user,
                kind="couple_ended",
                dedupe_key=str(n),
                title=f"n{n}",
                body="b",
                now=utcnow(),
            )
        assert db.session.query(Notification).count() == 5
    first = alex.get("/api/v1/notifications?limit=2").get_json()
    second = alex.get(f"/api/v1/notifications?limit=2&cursor={first['next_cursor']}").get_json()
    third = alex.get(f"/api/v1/notifications?limit=2&cursor={second['next_cursor']}").get_json()
    titles = [n["title"] for page in (first, second, third) for n in page["items"]]
    assert titles == ["n4", "n3", "n2", "n1", "n0"] and third["next_cursor"] is None


def test_devices_past_the_cap_are_refused_and_known_ones_still_update(make_app, fake_push):
    app = make_app(PUSH_ALLOWED_ENDPOINTS=[fake_push.origin], PUSH_DEVICES_MAX=3)
    alex = _client(app)
    devices = [fake_push.subscribe() for _ in range(4)]
    for info in devices[:3]:
        assert alex.post("/api/v1/push/subscriptions", json=info).status_code == 201
    response = alex.post("/api/v1/push/subscriptions", json=devices[3])
    assert response.status_code == 409
    assert response.get_json()["type"] == "/problems/too-many-devices"
    assert "Reminder settings" in response.get_json()["detail"]
    assert alex.post("/api/v1/push/subscriptions", json=devices[0]).status_code == 200
    with app.app_context():
        assert db.session.query(PushSubscription).count() == 3


def test_reminder_settings_that_cannot_work_are_refused_and_change_nothing(app):
    alex = _client(app)
    before = alex.get("/api/v1/me").get_json()["notifications"]
    response = alex.patch(
        "/api/v1/me",
        json={
            "notifications": {
                "reminder_time": "23:30",
                "quiet_hours": {"start": "23:00", "end": "07:00"},
            }
        },
    )
    assert response.status_code == 422
    assert "quiet hours" in response.get_json()["errors"]["notifications.reminder_time"][0]
    same = alex.patch(
        "/api/v1/me", json={"notifications": {"quiet_hours": {"start": "22:00", "end": "22:00"}}}
    )
    assert same.status_code == 422
    assert "notifications.quiet_hours.end" in same.get_json()["errors"]
    assert alex.get("/api/v1/me").get_json()["notifications"] == before
    page = alex.post(
        "/settings/notifications",
        data={
            "csrf_token": alex.csrf(),
            "reminder_time": "23:30",
            "quiet_start": "23:00",
            "quiet_end": "07:00",
        },
    )
    assert page.status_code == 303  # back to the settings, with the message
    shown = alex.get(page.headers["Location"])
    assert "so the reminder would wait until 07:00" in shown.get_data(as_text=True)
