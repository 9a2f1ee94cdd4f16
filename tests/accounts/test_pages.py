"""The pages, used as a person would: forms with their CSRF token."""

import re

from couples.accounts.models import User
from couples.drafts import FormDraft
from couples.extensions import db
from couples.pairing.models import CoupleMember
from tests.factories import PASSWORD, make_user

STRONG = "velvet hamster orbit lamp"


def token(client, path):
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def log_in(client, email="alex@example.com", *, remember=False):
    """Log in through the login form, with its CSRF token."""
    data = {"csrf_token": token(client, "/login"), "email": email, "password": PASSWORD}
    if remember:
        data["remember"] = "on"
    return client.post("/login", data=data)


def register(client, email, name="Kim", next_url=None):
    data = {
        "csrf_token": token(client, "/register"),
        "display_name": name,
        "email": email,
        "password": STRONG,
        "timezone": "Asia/Tokyo",
    }
    if next_url:
        data["next"] = next_url
    return client.post("/register", data=data)


def test_register_page_creates_an_account_and_goes_to_pairing(client, app):
    response = register(client, "kim@example.com")
    assert response.status_code == 302
    assert response.headers["Location"] == "/pair"
    with app.app_context():
        assert db.session.query(User).one().timezone == "Asia/Tokyo"


def test_a_refused_form_keeps_what_was_typed_and_says_why(client, app):
    data = {
        "csrf_token": token(client, "/register"),
        "display_name": "Kim 🌸",
        "email": "kim@example.com",
        "password": "password123",
        "timezone": "Asia/Tokyo",
    }
    response = client.post("/register", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="Kim 🌸"' in html and 'value="kim@example.com"' in html
    assert 'aria-invalid="true"' in html and "too easy to guess" in html
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_a_form_without_its_csrf_token_is_refused_with_a_page(client, app):
    response = client.post(
        "/register",
        data={
            "display_name": "Kim",
            "email": "k@example.com",
            "password": STRONG,
            "timezone": "UTC",
        },
    )
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_login_page_logs_in_and_follows_only_local_next(client, app):
    with app.app_context():
        make_user(email="alex@example.com")
    for next_url, expected in (
        ("/account", "/account"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
    ):
        client.get("/")
        data = {
            "csrf_token": token(client, "/login"),
            "email": "alex@example.com",
            "password": PASSWORD,
            "next": next_url,
        }
        response = client.post("/login", data=data)
        assert response.headers["Location"] == expected, next_url
        client.post("/logout", data={"csrf_token": token(client, "/account")})


def test_login_page_says_the_same_for_unknown_email_and_wrong_password(client, app):
    with app.app_context():
        make_user(email="alex@example.com")
    answers = []
    for email, password in (("nobody@example.com", PASSWORD), ("alex@example.com", "nope")):
        data = {"csrf_token": token(client, "/login"), "email": email, "password": password}
        response = client.post("/login", data=data)
        answers.append(
            (
                response.status_code,
                re.search(r'role="alert">([^<]+)<', response.get_data(as_text=True))[1],
            )
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == 401


def test_pair_and_join_through_the_pages(app):
    alex, sam = app.test_client(), app.test_client()
    register(alex, "alex@example.com", "Alex")
    alex.post("/pair/invite", data={"csrf_token": token(alex, "/pair")})
    page = alex.get("/pair").get_data(as_text=True)
    link = re.search(r'id="invite-link" type="text" value="([^"]+)"', page).group(1)
    assert "<svg" in page  # the QR code
    join_path = link.removeprefix("http://localhost")
    # Sam is not registered yet: the link leads to registration, then back to the invite.
    response = sam.get(join_path)
    assert response.status_code == 302 and "/register?next=" in response.headers["Location"]
    response = register(sam, "sam@example.com", "Sam", next_url=join_path)
    assert response.headers["Location"] == join_path
    join_page = sam.get(join_path).get_data(as_text=True)
    assert "Alex invited you" in join_page
    response = sam.post(join_path, data={"csrf_token": token(sam, join_path)})
    assert response.headers["Location"] == "/couple"
    assert "You and Alex" in sam.get("/couple").get_data(as_text=True)
    assert "You and Sam" in alex.get("/couple").get_data(as_text=True)


def test_typed_code_with_a_mistake_gets_a_friendly_error(client, app):
    """Refused, the form goes back to its own page (redirect after POST), with the code
    as typed and the message: reloading that page asks nothing, and shows them again."""
    register(client, "kim@example.com")
    response = client.post(
        "/pair/code", data={"csrf_token": token(client, "/pair"), "code": "nope-7"}
    )
    assert response.status_code == 303 and response.headers["Location"] == "/pair"
    for _ in range(2):  # the page, then reloaded
        page = client.get("/pair")
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert "A code has 10 letters and digits" in html
        assert 'value="nope-7"' in html
    # Kept for this browser only.
    other = app.test_client()
    register(other, "lee@example.com")
    assert "A code has 10 letters" not in other.get("/pair").get_data(as_text=True)


def test_a_kept_form_goes_once_a_form_succeeds(client, app):
    register(client, "kim@example.com")
    client.post("/pair/code", data={"csrf_token": token(client, "/pair"), "code": "nope"})
    assert "A code has 10 letters" in client.get("/pair").get_data(as_text=True)
    client.post("/pair/invite", data={"csrf_token": token(client, "/pair")})
    assert "A code has 10 letters" not in client.get("/pair").get_data(as_text=True)
    with app.app_context():
        assert db.session.query(FormDraft).count() == 0


def test_a_refused_account_form_keeps_the_words_but_never_a_password(client, app):
    register(client, "kim@example.com")
    response = client.post(
        "/account/profile",
        data={"csrf_token": token(client, "/account"), "display_name": "", "timezone": "UTC"},
    )
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    html = client.get("/account").get_data(as_text=True)
    assert 'id="display_name-error">Please fill this in.' in html
    response = client.post(
        "/account/password",
        data={
            "csrf_token": token(client, "/account"),
            "current_password": STRONG,
            "new_password": "short",
        },
    )
    assert response.status_code == 303
    html = client.get("/account").get_data(as_text=True)
    assert "Use at least 10 characters." in html
    with app.app_context():
        [kept] = db.session.query(FormDraft).all()
        # The profile form's words gave way to the password form, whose passwords are
        # not written down.
        assert kept.fields == {} and STRONG not in str(kept.errors)


def test_unlink_page_ends_the_link_and_the_partner_sees_a_calm_notice(app):
    alex, sam = app.test_client(), app.test_client()
    register(alex, "alex@example.com", "Alex")
    alex.post("/pair/invite", data={"csrf_token": token(alex, "/pair")})
    code = re.search(r"/join/([0-9A-Z]{10})", alex.get("/pair").get_data(as_text=True))[1]
    register(sam, "sam@example.com", "Sam")
    sam.post(f"/join/{code}", data={"csrf_token": token(sam, f"/join/{code}")})
    response = sam.post("/couple/unlink", data={"csrf_token": token(sam, "/couple/unlink")})
    assert response.status_code == 302
    home = alex.get("/").get_data(as_text=True)
    assert "Your link has ended" in home and "Sam ended your link" in home
    with app.app_context():
        assert db.session.query(CoupleMember).filter_by(left_at=None).count() == 0
    alex.post("/account/notices/read", data={"csrf_token": token(alex, "/")})
    assert "Your link has ended" not in alex.get("/").get_data(as_text=True)


def test_account_page_changes_profile_and_deletes_with_password(client, app):
    register(client, "kim@example.com")
    response = client.post(
        "/account/profile",
        data={
            "csrf_token": token(client, "/account"),
            "display_name": "Kimmy",
            "timezone": "Europe/Berlin",
        },
    )
    assert response.status_code == 302
    wrong = client.post(
        "/account/delete",
        data={"csrf_token": token(client, "/account/delete"), "password": "wrong password"},
    )
    assert wrong.status_code == 422
    gone = client.post(
        "/account/delete", data={"csrf_token": token(client, "/account/delete"), "password": STRONG}
    )
    assert gone.status_code == 302
    with app.app_context():
        assert db.session.query(User).count() == 0


def test_export_page_asks_for_the_password_then_downloads_json(client):
    register(client, "kim@example.com")
    form = client.get("/account/export")
    assert form.status_code == 200 and form.mimetype == "text/html"
    assert 'name="password"' in form.get_data(as_text=True)
    response = client.post(
        "/account/export", data={"csrf_token": token(client, "/account/export"), "password": STRONG}
    )
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.get_json()["user"]["email"] == "kim@example.com"


def test_export_page_on_a_remembered_session_needs_the_password(client, app):
    with app.app_context():
        make_user(email="alex@example.com")
    log_in(client, remember=True)
    client.delete_cookie(app.config["SESSION_COOKIE_NAME"])
    assert client.get("/account").status_code == 200  # restored from the cookie
    shown = client.get("/account/export")
    assert shown.mimetype == "text/html"
    assert "alex@example.com" not in shown.get_data(as_text=True)
    wrong = client.post(
        "/account/export",
        data={"csrf_token": token(client, "/account/export"), "password": "not my password"},
    )
    assert wrong.status_code == 422 and wrong.mimetype == "text/html"
    page = wrong.get_data(as_text=True)
    assert "That is not your password." in page and 'aria-invalid="true"' in page
    assert "alex@example.com" not in page


def test_reset_page_with_an_unknown_token_is_a_friendly_410(client):
    response = client.get("/reset/not-a-real-token")
    assert response.status_code == 410
    assert "reset link" in response.get_data(as_text=True)


def test_the_login_form_starts_a_new_session_with_a_new_csrf_token(client, app):
    with app.app_context():
        make_user(email="alex@example.com")
    planted = token(client, "/login")
    client.post(
        "/login", data={"csrf_token": planted, "email": "alex@example.com", "password": PASSWORD}
    )
    refused = client.post("/account/logout-everywhere", data={"csrf_token": planted})
    assert refused.status_code == 400
    fresh = token(client, "/account")
    assert fresh != planted
    assert client.post("/account/logout-everywhere", data={"csrf_token": fresh}).status_code == 302


def test_the_register_form_starts_a_new_session_with_a_new_csrf_token(client):
    planted = token(client, "/register")
    assert register(client, "kim@example.com").status_code == 302
    assert (
        client.post("/account/logout-everywhere", data={"csrf_token": planted}).status_code == 400
    )


def test_logging_out_ends_the_csrf_token_and_still_says_so(client, app):
    with app.app_context():
        make_user(email="alex@example.com")
    log_in(client)
    old = token(client, "/account")
    response = client.post("/logout", data={"csrf_token": old}, follow_redirects=True)
    assert "You are logged out." in response.get_data(as_text=True)
    again = client.post(
        "/login", data={"csrf_token": old, "email": "alex@example.com", "password": PASSWORD}
    )
    assert again.status_code == 400
