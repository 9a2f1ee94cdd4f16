"""Display names are shown to a partner: bidirectional overrides and isolates, which
can turn the rest of a name around on screen, are dropped wherever a name is set."""

from couples.accounts.models import User
from couples.extensions import db
from tests.accounts.test_pages import token
from tests.factories import PASSWORD, ApiClient, make_user

STRONG = "velvet hamster orbit lamp"
# U+202E turns the rest of the name around on screen ("Ali" + "exe.doc" reads "Alicod.exe").
SPOOFED = "Ali\u202eexe.doc"
# Every override and isolate: LRE RLE PDF LRO RLO, LRI RLI FSI PDI.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _stored_name(app, email):
    with app.app_context():
        return db.session.execute(db.select(User.display_name).filter_by(email=email)).scalar()


def test_register_page_drops_bidi_controls_from_the_name(client, app):
    response = client.post(
        "/register",
        data={
            "csrf_token": token(client, "/register"),
            "display_name": SPOOFED,
            "email": "ali@example.com",
            "password": STRONG,
            "timezone": "UTC",
        },
        follow_redirects=True,
    )
    page = response.get_data(as_text=True)
    assert "Welcome, Aliexe.doc." in page
    assert not any(ch in page for ch in BIDI_CONTROLS)
    assert _stored_name(app, "ali@example.com") == "Aliexe.doc"


def test_profile_page_drops_every_bidi_override_and_isolate(client, app):
    with app.app_context():
        make_user(email="ali@example.com", display_name="Ali")
    client.post(
        "/login",
        data={
            "csrf_token": token(client, "/login"),
            "email": "ali@example.com",
            "password": PASSWORD,
        },
    )
    response = client.post(
        "/account/profile",
        data={
            "csrf_token": token(client, "/account"),
            "display_name": f" {BIDI_CONTROLS[:5]}Ali{BIDI_CONTROLS[5:]} ",
            "timezone": "UTC",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert _stored_name(app, "ali@example.com") == "Ali"
    assert not any(ch in response.get_data(as_text=True) for ch in BIDI_CONTROLS)


def test_a_name_of_nothing_but_bidi_controls_is_refused(client, app):
    response = ApiClient(app).post(
        "/api/v1/auth/register",
        json={
            "email": "ali@example.com",
            "password": STRONG,
            "display_name": BIDI_CONTROLS,
            "timezone": "UTC",
        },
    )
    assert response.status_code == 422
    assert list(response.get_json()["errors"]) == ["display_name"]


def test_api_register_and_patch_drop_bidi_controls(app):
    with app.app_context():
        make_user(email="sam@example.com", display_name="Sam")
    ali = ApiClient(app)
    created = ali.post(
        "/api/v1/auth/register",
        json={
            "email": "ali@example.com",
            "password": STRONG,
            "display_name": SPOOFED,
            "timezone": "UTC",
        },
    )
    assert created.status_code == 201
    assert created.get_json()["display_name"] == "Aliexe.doc"
    patched = ali.patch("/api/v1/me", json={"display_name": "\u2067Ali\u2069 \u202dB\u202c"})
    assert patched.status_code == 200
    assert patched.get_json()["user"]["display_name"] == "Ali B"
    assert _stored_name(app, "ali@example.com") == "Ali B"
