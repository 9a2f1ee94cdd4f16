"""Words made in Python that a partner reads (refusals, limits, field messages, labels,
flashes) come in their language: Spanish for a Spanish reader, unchanged in English."""

import re

import pytest

from couples import limits
from couples.devices import device_name
from couples.notifications.kinds import KINDS
from tests.accounts.test_pages import register, token
from tests.factories import PASSWORD, ApiClient, make_couple, make_user
from tests.softauthn import SoftPasskey

SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}
ENGLISH = {"Accept-Language": "en"}
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)


@pytest.fixture
def bilingual(make_app):
    return make_app(LANGUAGES=["en", "es"])


def _page_client(app, headers):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = headers["Accept-Language"]
    return client


# ------------------------------------------------------------------------------ limits


def test_a_limit_is_said_in_the_readers_language(make_app):
    app = make_app(LANGUAGES=["en", "es"], APPRECIATION_LIMIT_PER_USER="1 per hour")
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex")
        make_couple(alex, make_user(email="sam@example.com", display_name="Sam"))
    alex = ApiClient(app).login("alex@example.com")
    assert alex.post("/api/v1/appreciations", json={"text": "Thanks"}).status_code == 201

    spanish = alex.post("/api/v1/appreciations", json={"text": "Otra"}, headers=SPANISH)
    assert spanish.status_code == 429
    body = spanish.get_json()
    assert body["title"] == "Demasiados intentos"
    assert re.fullmatch(
        r"Son muchos agradecimientos a la vez\. Espera (\d+ minutos|un minuto) y vuelve a "
        r"intentarlo\.",
        body["detail"],
    ), body["detail"]

    english = alex.post("/api/v1/appreciations", json={"text": "More"}, headers=ENGLISH)
    body = english.get_json()
    assert body["title"] == "Too many attempts"
    assert re.fullmatch(
        r"That's a lot of appreciations at once\. Please wait (\d+ minutes|a minute) and try "
        r"again\.",
        body["detail"],
    ), body["detail"]

    # The page says it too.
    page = alex.post(
        "/appreciations/new",
        data={"text": "Desde la página", "csrf_token": alex.csrf()},
        headers=SPANISH,
    )
    assert page.status_code == 429
    html = page.get_data(as_text=True)
    assert "Demasiados intentos" in html and "Son muchos agradecimientos a la vez." in html


def test_how_long_to_wait_is_counted_in_the_readers_words(bilingual):
    waits = (1, 30, 60, 150)
    with bilingual.test_request_context(headers=SPANISH):
        assert [limits._human(s) for s in waits] == [
            "1 segundo",
            "30 segundos",
            "un minuto",
            "3 minutos",
        ]
    with bilingual.test_request_context(headers=ENGLISH):
        assert [limits._human(s) for s in waits] == [
            "1 second",
            "30 seconds",
            "a minute",
            "3 minutes",
        ]


# ---------------------------------------------------------------------------- passkeys


def test_a_passkey_refusal_is_said_in_the_readers_language(bilingual):
    with bilingual.app_context():
        make_user(email="alex@example.com", display_name="Alex")
    stranger = SoftPasskey(rp_id="localhost", origin="http://localhost", user_handle=b"x" * 32)
    for headers, title, detail in (
        (
            SPANISH,
            "El correo o la contraseña no son correctos",
            "Esa llave de acceso no se pudo usar aquí. Vuelve a intentarlo o usa tu contraseña.",
        ),
        (
            ENGLISH,
            "Email or password is not right",
            "That passkey could not be used here. Try again, or use your password.",
        ),
    ):
        client = ApiClient(bilingual)
        options = client.post("/api/v1/auth/passkey/options", headers=headers).get_json()
        answer = client.post(
            "/api/v1/auth/passkey", json={"credential": stranger.get(options)}, headers=headers
        )
        assert answer.status_code == 401
        assert (answer.get_json()["title"], answer.get_json()["detail"]) == (title, detail)

    alex = ApiClient(bilingual).login("alex@example.com")
    none = alex.post("/api/v1/me/passkey-options/confirm", headers=SPANISH)
    assert none.status_code == 404
    assert none.get_json()["title"] == "No se encontró"
    assert none.get_json()["detail"] == "No hay ninguna llave de acceso en tu cuenta."
    none = alex.post("/api/v1/me/passkey-options/confirm", headers=ENGLISH)
    assert none.get_json()["detail"] == "There is no passkey on your account."


# ---------------------------------------------------------------- reminder settings


def _refused_settings_page(app, headers) -> str:
    client = _page_client(app, headers)
    register(client, "kim@example.com" if headers is SPANISH else "lee@example.com")
    response = client.post(
        "/settings/notifications",
        data={
            "csrf_token": token(client, "/settings/notifications"),
            "reminder_time": "23:30",
            "quiet_start": "23:00",
            "quiet_end": "07:00",
        },
    )
    assert response.status_code == 303
    return client.get("/settings/notifications").get_data(as_text=True)


def test_a_reminder_in_the_quiet_hours_is_refused_in_the_readers_language(bilingual):
    html = _refused_settings_page(bilingual, SPANISH)
    assert (
        "La hora 23:30 está dentro de tus horas de calma (23:00–07:00), así que el "
        "recordatorio esperaría hasta las 07:00. Elige una hora fuera de ellas o cambia las "
        "horas de calma."
    ) in html
    html = _refused_settings_page(bilingual, ENGLISH)
    assert (
        "23:30 is in your quiet hours (23:00–07:00), so the reminder would wait until 07:00. "
        "Choose a time outside them, or change the quiet hours."
    ) in html


def test_quiet_hours_without_an_end_are_refused_in_the_readers_language(bilingual):
    with bilingual.app_context():
        make_user(email="alex@example.com")
    alex = ApiClient(bilingual).login("alex@example.com")
    body = {"notifications": {"quiet_hours": {"start": "22:00", "end": "22:00"}}}
    spanish = alex.patch("/api/v1/me", json=body, headers=SPANISH)
    assert spanish.status_code == 422
    assert spanish.get_json()["errors"]["notifications.quiet_hours.end"] == [
        "Las horas de calma necesitan un final distinto de su inicio. Si no quieres ninguna, "
        "elige un rato corto en el que estés durmiendo."
    ]
    english = alex.patch("/api/v1/me", json=body, headers=ENGLISH)
    assert english.get_json()["errors"]["notifications.quiet_hours.end"] == [
        "Quiet hours need an end that differs from their start. To have none, pick a short "
        "window you sleep through."
    ]


def test_the_kinds_of_notification_are_named_in_the_readers_language(bilingual):
    spanish = _page_client(bilingual, SPANISH)
    register(spanish, "kim@example.com")
    html = spanish.get("/settings/notifications").get_data(as_text=True)
    assert ">Agradecimientos de mi pareja</label>" in html
    assert ">Gestos de conexión</label>" in html
    assert KINDS["appreciation_received"].label not in html

    english = _page_client(bilingual, ENGLISH)
    register(english, "lee@example.com")
    html = english.get("/settings/notifications").get_data(as_text=True)
    assert ">Appreciations from my partner</label>" in html
    assert ">Bids for connection</label>" in html


# ------------------------------------------------------------------------ logging in


def test_the_login_redirect_says_why_in_the_readers_language(bilingual):
    for headers, said in (
        (SPANISH, "Inicia sesión para seguir, por favor."),
        (ENGLISH, "Please log in to continue."),
    ):
        client = _page_client(bilingual, headers)
        response = client.get("/account")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert said in page


def test_the_apis_401_is_said_in_the_readers_language(bilingual):
    client = bilingual.test_client()
    spanish = client.get("/api/v1/me", headers=SPANISH).get_json()
    assert (spanish["title"], spanish["detail"]) == (
        "Inicia sesión, por favor",
        "Inicia sesión para seguir.",
    )
    english = client.get("/api/v1/me", headers=ENGLISH).get_json()
    assert (english["title"], english["detail"]) == ("Please log in", "Log in to continue.")


# --------------------------------------------------------------------------- devices


def test_a_device_is_named_in_the_readers_language(bilingual):
    with bilingual.test_request_context(headers=SPANISH):
        assert device_name(IPHONE) == "Safari en iPhone"
        assert device_name("SomeBot/1.0 (Linux)") == "Un navegador en Linux"
        assert device_name(None) == "Un navegador"
    with bilingual.test_request_context(headers=ENGLISH):
        assert device_name(IPHONE) == "Safari on iPhone"
    with bilingual.app_context():
        make_user(email="alex@example.com")
    # A session keeps its device's name as said in the language of its login.
    alex = ApiClient(bilingual)
    logged_in = alex.post(
        "/api/v1/auth/login",
        json={"email": "alex@example.com", "password": PASSWORD},
        headers={**SPANISH, "User-Agent": IPHONE},
    )
    assert logged_in.status_code == 200
    listed = alex.get("/api/v1/me/sessions").get_json()["items"]
    assert [item["device"] for item in listed] == ["Safari en iPhone"]
