"""Edge cases of what people type, on the API and the pages alike."""

import pytest

from couples.accounts.models import User
from couples.extensions import db
from tests.accounts.test_pages import token

STRONG = "velvet hamster orbit lamp"


@pytest.mark.parametrize("name", ["\u200b", " \u200b\u200d ", "\u2060", "\u3000"])
def test_an_invisible_name_is_refused(api, app, name):
    response = api.post(
        "/api/v1/auth/register",
        json={
            "email": "kim@example.com",
            "password": STRONG,
            "display_name": name,
            "timezone": "UTC",
        },
    )
    assert response.status_code == 422
    assert "display_name" in response.get_json()["errors"]


def test_control_characters_in_a_quoted_email_are_refused(api):
    response = api.post(
        "/api/v1/auth/register",
        json={
            "email": '"a\x01b"@example.com',
            "password": STRONG,
            "display_name": "Kim",
            "timezone": "UTC",
        },
    )
    assert response.status_code == 422 and "email" in response.get_json()["errors"]


def test_an_email_that_grows_when_lower_cased_is_refused_on_the_page_too(client, app):
    long_email = "İ" * 240 + "@example.com"
    response = client.post(
        "/register",
        data={
            "csrf_token": token(client, "/register"),
            "display_name": "Kim",
            "email": long_email,
            "password": STRONG,
            "timezone": "UTC",
        },
    )
    assert response.status_code == 303  # back to the form, with the message
    assert response.headers["Location"] == "/register"
    html = client.get("/register").get_data(as_text=True)
    assert 'id="email-error">Use at most 254 characters.' in html
    with app.app_context():
        assert db.session.query(User).count() == 0


@pytest.mark.parametrize(
    "path", ["/api/v1/invites", "/api/v1/push/test", "/api/v1/auth/logout-everywhere"]
)
def test_routes_without_a_body_refuse_unknown_fields(two_partners, path):
    alex, _ = two_partners
    if path == "/api/v1/invites":
        alex.delete("/api/v1/couple")
    response = alex.post(path, json={"surprise": 1})
    assert response.status_code == 422
    assert response.get_json()["errors"] == {"surprise": ["Unknown field."]}
    assert alex.post(path, json={}).status_code in (201, 202, 204)
