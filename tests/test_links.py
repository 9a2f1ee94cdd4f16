"""Links that leave the app come from COUPLES_BASE_URL, never from the Host header."""

import os
import subprocess
import sys

import pytest

from couples import ROOT, create_app
from couples.config import ConfigError
from tests.factories import ApiClient, make_user, send_mail

ORIGIN = "https://couples.example"
EVIL = "http://evil.example"  # as `curl -H 'Host: evil.example'` would ask


def _mail_app(make_app, smtp_server, **extra):
    # No Host check here (TRUSTED_HOSTS=[]): as behind a proxy that passes any Host on.
    return make_app(
        BASE_URL=ORIGIN,
        TRUSTED_HOSTS=[],
        MAIL_SERVER="127.0.0.1",
        MAIL_PORT=smtp_server.port,
        **extra,
    )


def _evil_token(client) -> str:
    return client.get("/api/v1/auth/csrf", base_url=EVIL).get_json()["csrf_token"]


def test_the_forgot_page_mails_a_link_on_the_configured_origin_whatever_the_host(
    make_app, smtp_server
):
    app = _mail_app(make_app, smtp_server)
    with app.app_context():
        make_user(email="alex@example.com")
    client = app.test_client()
    response = client.post(
        "/forgot",
        base_url=EVIL,
        data={"csrf_token": _evil_token(client), "email": "alex@example.com"},
    )
    assert response.status_code == 200
    send_mail(app)
    assert smtp_server.last_link().startswith(f"{ORIGIN}/reset/")


def test_the_api_reset_mails_a_link_on_the_configured_origin_whatever_the_host(
    make_app, smtp_server
):
    app = _mail_app(make_app, smtp_server)
    with app.app_context():
        make_user(email="alex@example.com")
    client = app.test_client()
    response = client.post(
        "/api/v1/auth/password-reset",
        base_url=EVIL,
        headers={"X-CSRF-Token": _evil_token(client)},
        json={"email": "alex@example.com"},
    )
    assert response.status_code == 202
    send_mail(app)
    assert smtp_server.last_link().startswith(f"{ORIGIN}/reset/")


def test_an_invite_link_is_on_the_configured_origin_whatever_the_host(make_app):
    app = make_app(BASE_URL=ORIGIN, TRUSTED_HOSTS=[])
    with app.app_context():
        make_user(email="alex@example.com")
    alex = ApiClient(app).login("alex@example.com")
    invite = alex.post("/api/v1/invites").get_json()
    assert invite["url"] == f"{ORIGIN}/join/{invite['code']}"
    html = alex.client.get("/pair").get_data(as_text=True)
    assert f"{ORIGIN}/join/{invite['code']}" in html


def test_a_request_for_another_host_is_refused(make_app):
    app = make_app(BASE_URL="https://couples.example:8443/")
    assert app.config["BASE_URL"] == "https://couples.example:8443"
    assert app.config["TRUSTED_HOSTS"] == ["couples.example"]
    client = app.test_client()
    assert client.get("/login", base_url=EVIL).status_code == 400
    assert client.get("/api/v1/auth/csrf", headers={"Host": "evil.example"}).status_code == 400
    assert client.get("/login", base_url="https://couples.example:8443").status_code == 200


@pytest.mark.parametrize(
    "value",
    ["couples.example", "ftp://couples.example", "https://couples.example/?next=x", "https://"],
)
def test_a_base_url_that_is_not_an_origin_stops_the_app(make_app, value):
    with pytest.raises(ConfigError, match="COUPLES_BASE_URL"):
        make_app(BASE_URL=value)


def _import_wsgi(tmp_path, **env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPLES_")}
    env.update(
        {"COUPLES_INSTANCE_PATH": str(tmp_path), "COUPLES_SECRET_KEY": "x" * 40, **env_extra}
    )
    return subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_wsgi_app_refuses_to_start_without_a_base_url(tmp_path):
    refused = _import_wsgi(tmp_path)
    assert refused.returncode != 0
    assert "Set COUPLES_BASE_URL" in refused.stderr
    assert _import_wsgi(tmp_path, COUPLES_BASE_URL=ORIGIN).returncode == 0


def test_without_a_base_url_no_link_is_built_from_the_request():
    app = create_app({"TESTING": True, "SECRET_KEY": "k", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["BASE_URL"] is None and app.config["TRUSTED_HOSTS"] is None
    from couples.links import public_url

    with app.test_request_context("/", base_url=EVIL), pytest.raises(ConfigError):
        public_url("/reset/x")
