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
    """Refused, registration goes back to its own page (redirect after POST), which
    shows the words and the message, also when reloaded; the password is not kept."""
    data = {
        "csrf_token": token(client, "/register"),
        "display_name": "Kim 🌸",
        "email": "kim@example.com",
        "password": "password123",
        "timezone": "Asia/Tokyo",
    }
    response = client.post("/register", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/register"
    for _ in range(2):  # the page, then reloaded
        page = client.get("/register")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert 'value="Kim 🌸"' in html and 'value="kim@example.com"' in html
        assert '<option value="Asia/Tokyo" selected>' in html
        assert 'aria-invalid="true"' in html and "too easy to guess" in html
        assert "password123" not in html
    with app.app_context():
        assert db.session.query(User).count() == 0
        [row] = db.session.query(FormDraft).all()
        assert "password" not in row.fields and "password123" not in str(row.fields)


def test_a_refused_registration_keeps_where_it_was_going(client):
    data = {
        "csrf_token": token(client, "/register"),
        "display_name": "Kim",
        "email": "kim@example.com",
        "password": "short",
        "timezone": "UTC",
        "next": "/join/7K2M9QX4TB",
    }
    response = client.post("/register", data=data)
    assert response.headers["Location"] == "/register?next=/join/7K2M9QX4TB"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'name="next" value="/join/7K2M9QX4TB"' in html
    assert "Use at least 10 characters." in html
    data.update(csrf_token=token(client, "/register"), password=STRONG)
    assert client.post("/register", data=data).headers["Location"] == "/join/7K2M9QX4TB"


def test_an_account_taken_is_answered_at_once_with_its_status(client, app):
    with app.app_context():
        make_user(email="kim@example.com")
    response = register(client, "kim@example.com")
    assert response.status_code == 409
    assert 'value="kim@example.com"' in response.get_data(as_text=True)


def test_a_kept_anonymous_form_goes_once_its_form_succeeds(client, app):
    """Registering starts a new session, whose cookie no longer holds the token: what
    was kept for the browser goes all the same."""
    data = {
        "csrf_token": token(client, "/register"),
        "display_name": "Kim",
        "email": "kim@example.com",
        "password": "short",
        "timezone": "UTC",
    }
    assert client.post("/register", data=data).status_code == 303
    with app.app_context():
        assert db.session.query(FormDraft).count() == 1
    assert register(client, "kim@example.com").status_code == 302
    with app.app_context():
        assert db.session.query(FormDraft).count() == 0


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
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        answers.append(
            (response.status_code, response.headers["Location"], alert(page)),
        )
    assert answers[0] == answers[1]
    assert answers[0][:2] == (303, "/login")


def alert(html: str) -> str:
    return re.search(r'role="alert">([^<]+)<', html)[1]


def test_a_wrong_password_keeps_the_email_but_never_the_password(client, app):
    """A reload after a refused login asks nothing again (the password is not sent a
    second time); the email and the choice to stay logged in are kept."""
    with app.app_context():
        make_user(email="alex@example.com")
    data = {
        "csrf_token": token(client, "/login"),
        "email": "alex@example.com",
        "password": "a wrong password",
        "remember": "true",
        "next": "/account",
    }
    response = client.post("/login", data=data)
    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/account"
    for _ in range(2):
        page = client.get("/login?next=/account")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert alert(html) == "That email and password do not match an account."
        assert 'value="alex@example.com"' in html and 'name="remember"' in html
        assert 'value="true" checked' in html and 'name="next" value="/account"' in html
        assert "a wrong password" not in html
    with app.app_context():
        [row] = db.session.query(FormDraft).all()
        assert "a wrong password" not in str(row.fields) and "password" not in row.fields
    data.update(csrf_token=token(client, "/login"), password=PASSWORD)
    assert client.post("/login", data=data).headers["Location"] == "/account"
    with app.app_context():
        assert db.session.query(FormDraft).count() == 0


def test_a_login_with_no_email_is_refused_on_its_page(client):
    data = {"csrf_token": token(client, "/login"), "email": "", "password": "anything"}
    response = client.post("/login", data=data)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    html = client.get("/login").get_data(as_text=True)
    assert 'id="email-error">Please fill this in.' in html


def test_too_many_logins_are_answered_at_once_with_retry_after(make_app):
    app = make_app(LOGIN_LIMIT_PER_ACCOUNT="1 per 15 minutes")
    with app.app_context():
        make_user(email="alex@example.com")
    client = app.test_client()
    for expected in (303, 429):
        data = {"csrf_token": token(client, "/login"), "email": "alex@example.com"}
        response = client.post("/login", data={**data, "password": "wrong again"})
        assert response.status_code == expected
    assert int(response.headers["Retry-After"]) > 0
    assert 'value="alex@example.com"' in response.get_data(as_text=True)


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
    # The sign-up page says who invited Sam, by name only.
    signup = sam.get(response.headers["Location"]).get_data(as_text=True)
    assert "<h1>Alex invited you to Couples</h1>" in signup
    assert "alex@example.com" not in signup
    response = register(sam, "sam@example.com", "Sam", next_url=join_path)
    assert response.headers["Location"] == join_path
    join_page = sam.get(join_path).get_data(as_text=True)
    assert "Alex invited you" in join_page
    response = sam.post(join_path, data={"csrf_token": token(sam, join_path)})
    # Linked: straight to the first check-in together, not to a settings page.
    assert response.headers["Location"] == "/checkin"
    assert "Here&#39;s your first check-in together." in sam.get("/").get_data(as_text=True)
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
    assert wrong.status_code == 303 and wrong.headers["Location"] == "/account/delete"
    for _ in range(2):
        page = client.get("/account/delete")
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert 'id="password-error">That is not your password.' in html
        assert "wrong password" not in html
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
    assert wrong.status_code == 303 and wrong.headers["Location"] == "/account/export"
    shown = client.get("/account/export")
    assert shown.status_code == 200 and shown.mimetype == "text/html"
    page = shown.get_data(as_text=True)
    assert "That is not your password." in page and 'aria-invalid="true"' in page
    assert "alex@example.com" not in page and "not my password" not in page


def test_forgot_page_refused_keeps_the_email_on_its_own_page(client):
    long = "k" * 250 + "@example.com"
    response = client.post("/forgot", data={"csrf_token": token(client, "/forgot"), "email": long})
    assert response.status_code == 303 and response.headers["Location"] == "/forgot"
    html = client.get("/forgot").get_data(as_text=True)
    assert f'value="{long}"' in html and 'id="email-error"' in html


def test_a_refused_reset_keeps_only_the_message_and_not_its_address(client, app, monkeypatch):
    from couples.accounts import mail
    from couples.accounts import services as accounts
    from couples.clock import utcnow
    from tests.factories import send_mail

    sent = []
    monkeypatch.setattr(mail, "send", lambda to, subject, text: sent.append(text))
    with app.app_context():
        make_user(email="alex@example.com")
        accounts.request_password_reset(email="alex@example.com", now=utcnow())
    send_mail(app)
    path = "/reset/" + sent[-1].split("/reset/", 1)[1].split()[0]
    response = client.post(path, data={"csrf_token": token(client, path), "password": "short"})
    assert response.status_code == 303 and response.headers["Location"] == path
    for _ in range(2):
        page = client.get(path)
        html = page.get_data(as_text=True)
        assert page.status_code == 200
        assert 'id="password-error">Use at least 10 characters.' in html
        assert 'value="short"' not in html
    with app.app_context():
        [row] = db.session.query(FormDraft).all()
        assert row.fields == {}
        assert path.rsplit("/", 1)[1] not in row.path  # the reset link is a secret
    response = client.post(path, data={"csrf_token": token(client, path), "password": STRONG})
    assert response.headers["Location"] == "/login"
    with app.app_context():
        assert db.session.query(FormDraft).count() == 0


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


def test_the_login_pages_keep_me_logged_in_box_remembers_the_device(client, app):
    """The box is sent as the page's form sends it (its value, "true"), not as "on"."""
    with app.app_context():
        make_user(email="alex@example.com")
    html = client.get("/login").get_data(as_text=True)
    ticked = re.search(r'name="remember" type="checkbox" value="([^"]+)"', html)[1]
    data = {"csrf_token": token(client, "/login"), "email": "alex@example.com"}
    response = client.post("/login", data={**data, "password": PASSWORD, "remember": ticked})
    assert response.status_code == 302
    assert client.get_cookie(app.config["REMEMBER_COOKIE_NAME"]) is not None


def test_the_sign_up_page_of_an_invite_that_ended_says_so_without_a_name(app):
    alex, sam, kim = app.test_client(), app.test_client(), app.test_client()
    register(alex, "alex@example.com", "Alex")
    alex.post("/pair/invite", data={"csrf_token": token(alex, "/pair")})
    page = alex.get("/pair").get_data(as_text=True)
    join_path = re.search(r'value="http://localhost(/join/[^"]+)"', page).group(1)
    register(sam, "sam@example.com", "Sam", next_url=join_path)
    sam.post(join_path, data={"csrf_token": token(sam, join_path)})  # the invite is used
    for path in (join_path, "/join/ZZZZZZZZZZ", "/join/not-a-code"):
        html = kim.get(f"/register?next={path}").get_data(as_text=True)
        assert "Alex" not in html
        assert "This invite can't link you any more" in html
        assert "<h1>Create an account</h1>" in html
    plain = kim.get("/register").get_data(as_text=True)
    assert "This invite" not in plain
