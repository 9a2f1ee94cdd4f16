"""The reminders settings page and the inbox page."""

import re

from couples.accounts.models import User
from couples.extensions import db
from couples.notifications.models import PushSubscription
from couples.notifications.services import subscribe
from tests.accounts.test_pages import register, token
from tests.factories import make_user


def test_settings_page_saves_time_quiet_hours_kinds_and_discreet(client, app):
    register(client, "kim@example.com")
    response = client.post(
        "/settings/notifications",
        data={
            "csrf_token": token(client, "/settings/notifications"),
            "reminder_time": "20:30",
            "quiet_start": "23:15",
            "quiet_end": "06:00",
            "discreet": "on",
            "kind_checkin_reminder": "on",
            "kind_bid_received": "on",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.query(User).one()
        assert (user.reminder_minute, user.quiet_start_minute, user.quiet_end_minute) == (
            20 * 60 + 30,
            23 * 60 + 15,
            6 * 60,
        )
        assert user.discreet
        assert "appreciation_received" in user.kinds_off
        assert "checkin_reminder" not in user.kinds_off


def test_settings_page_refuses_a_bad_time_and_keeps_the_form(client, app):
    register(client, "kim@example.com")
    response = client.post(
        "/settings/notifications",
        data={
            "csrf_token": token(client, "/settings/notifications"),
            "reminder_time": "9pm",
            "quiet_start": "23:15",
            "quiet_end": "06:00",
            "kind_bid_received": "on",
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/settings/notifications"
    for _ in range(2):  # the page, then reloaded
        page = client.get("/settings/notifications")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert 'value="9pm"' in html and "24-hour time" in html
        assert (
            'value="23:15"' in html and 'name="kind_bid_received" type="checkbox" checked' in html
        )
        assert 'name="kind_checkin_reminder" type="checkbox">' in html  # unticked, as sent
    with app.app_context():
        assert db.session.query(User).one().reminder_minute == 21 * 60
    # Saved at last: the page shows what is stored, and nothing kept.
    client.post(
        "/settings/notifications",
        data={
            "csrf_token": token(client, "/settings/notifications"),
            "reminder_time": "21:30",
            "quiet_start": "23:15",
            "quiet_end": "06:00",
        },
    )
    html = client.get("/settings/notifications").get_data(as_text=True)
    assert 'value="21:30"' in html and "9pm" not in html and "24-hour" not in html


def test_a_device_can_be_removed_only_by_its_owner(app, push_app, fake_push):
    owner, other = push_app.test_client(), push_app.test_client()
    register(owner, "kim@example.com")
    register(other, "lee@example.com", "Lee")
    with push_app.app_context():
        kim = db.session.query(User).filter_by(email="kim@example.com").one()
        info = fake_push.subscribe()
        device, _ = subscribe(
            user=kim,
            endpoint=info["endpoint"],
            p256dh=info["keys"]["p256dh"],
            auth=info["keys"]["auth"],
        )
        device_id = device.id
    path = f"/settings/notifications/devices/{device_id}/remove"
    assert other.post(path, data={"csrf_token": token(other, "/")}).status_code == 404
    assert owner.post(path, data={"csrf_token": token(owner, "/")}).status_code == 302
    with push_app.app_context():
        assert db.session.query(PushSubscription).count() == 0
    assert "No device gets reminders yet" in owner.get("/settings/notifications").get_data(
        as_text=True
    )


def test_inbox_page_lists_and_marks_read(app):
    from couples.pairing.services import unlink
    from tests.factories import make_couple

    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex")
        sam = make_user(email="sam@example.com", display_name="Sam")
        make_couple(alex, sam)
        from couples.clock import utcnow

        unlink(user=sam, now=utcnow())
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    from tests.factories import PASSWORD

    client.post(
        "/login", data={"csrf_token": csrf, "email": "alex@example.com", "password": PASSWORD}
    )
    html = client.get("/notifications").get_data(as_text=True)
    assert "Your link has ended" in html and "new" in html
    client.post("/notifications/read", data={"csrf_token": token(client, "/notifications")})
    assert " · new" not in client.get("/notifications").get_data(as_text=True)


def test_devices_are_named_as_a_person_would_say_it(push_app, fake_push):
    owner = push_app.test_client()
    register(owner, "kim@example.com")
    with push_app.app_context():
        kim = db.session.query(User).filter_by(email="kim@example.com").one()
        for agent in (
            "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, "
            "like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36",
            None,
        ):
            info = fake_push.subscribe()
            subscribe(
                user=kim,
                endpoint=info["endpoint"],
                p256dh=info["keys"]["p256dh"],
                auth=info["keys"]["auth"],
                user_agent=agent,
            )
    html = owner.get("/settings/notifications").get_data(as_text=True)
    assert "Chrome on Android · since" in html
    assert "A browser · since" in html
    assert "Mozilla/5.0" not in html
