"""My account: profile, export, deletion."""

from couples.accounts.models import User
from couples.extensions import db
from couples.notifications.models import Notification
from couples.pairing.models import CoupleMember
from tests.factories import PASSWORD, ApiClient, make_user


def test_patch_me_changes_name_and_timezone(two_partners):
    alex, sam = two_partners
    response = alex.patch(
        "/api/v1/me", json={"display_name": "Alex 🌙", "timezone": "Pacific/Kiritimati"}
    )
    assert response.status_code == 200
    assert response.get_json()["user"]["display_name"] == "Alex 🌙"
    assert sam.get("/api/v1/me").get_json()["partner"] == {
        "display_name": "Alex 🌙",
        "timezone": "Pacific/Kiritimati",
    }


def test_patch_me_refuses_a_blank_name_and_changes_nothing(two_partners):
    alex, _ = two_partners
    response = alex.patch("/api/v1/me", json={"display_name": "   ", "timezone": "UTC"})
    assert response.status_code == 422
    assert "display_name" in response.get_json()["errors"]
    assert alex.get("/api/v1/me").get_json()["user"]["timezone"] == "America/New_York"


def test_export_has_my_data_and_never_my_partners_email(two_partners):
    alex, _ = two_partners
    response = alex.export()
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    data = response.get_json()
    assert data["user"]["email"] == "alex@example.com"
    assert len(data["pairing"]["couples"]) == 1
    assert "sam@example.com" not in response.get_data(as_text=True)
    assert "password" not in response.get_data(as_text=True).lower()
    assert data["notifications"]["preferences"]["reminder_minute"] == 21 * 60
    assert data["notifications"]["inbox"] == [] and data["notifications"]["devices"] == []


def test_delete_needs_the_password(two_partners, app):
    alex, _ = two_partners
    response = alex.delete("/api/v1/me", json={"password": "not my password"})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.query(User).count() == 2


def test_delete_unlinks_first_and_the_partner_keeps_their_account(two_partners, app):
    alex, sam = two_partners
    assert sam.delete("/api/v1/me", json={"password": PASSWORD}).status_code == 204
    assert sam.get("/api/v1/me").status_code == 401
    assert alex.get("/api/v1/me").get_json()["partner"] is None
    with app.app_context():
        assert [u.email for u in db.session.query(User)] == ["alex@example.com"]
        assert db.session.query(CoupleMember).filter_by(left_at=None).count() == 0
        notice = db.session.query(Notification).one()
        assert notice.kind == "couple_ended"
    # Sam's email is free again
    again = ApiClient(app).post(
        "/api/v1/auth/register",
        json={
            "email": "sam@example.com",
            "password": "velvet hamster orbit lamp",
            "display_name": "Sam",
            "timezone": "UTC",
        },
    )
    assert again.status_code == 201


def _remembered(app, email="alex@example.com"):
    """A client whose session was restored from its remember-me cookie alone."""
    client = ApiClient(app).login(email, remember=True)
    client.client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    client.token = None
    assert client.get("/api/v1/me").status_code == 200  # still logged in, by the cookie
    return client


def test_export_asks_for_the_password_even_on_a_remembered_session(two_partners, app):
    alex = _remembered(app)
    assert alex.get("/api/v1/me/export").status_code == 405
    for body in ({}, {"password": "not my password"}):
        refused = alex.post("/api/v1/me/export", json=body)
        assert refused.status_code == 422
        assert refused.mimetype == "application/problem+json"
        assert list(refused.get_json()["errors"]) == ["password"]
        assert "alex@example.com" not in refused.get_data(as_text=True)
    response = alex.export()
    assert response.status_code == 200
    assert response.get_json()["user"]["email"] == "alex@example.com"


def test_wrong_export_passwords_count_against_the_login_limit(make_app):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes")
    with app.app_context():
        make_user(email="alex@example.com")
    alex = ApiClient(app).login("alex@example.com")
    for _ in range(2):
        assert alex.export("not my password").status_code == 422
    blocked = alex.export()
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
    assert "alex@example.com" not in blocked.get_data(as_text=True)
    other = ApiClient(app).post(
        "/api/v1/auth/login", json={"email": "alex@example.com", "password": PASSWORD}
    )
    assert other.status_code == 429  # one count for the account, logins included


def test_the_right_export_password_clears_the_count(make_app):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="2 per 15 minutes")
    with app.app_context():
        make_user(email="alex@example.com")
    alex = ApiClient(app).login("alex@example.com")
    for _ in range(3):
        assert alex.export("not my password").status_code == 422
        assert alex.export().status_code == 200
