"""Headers on every response: CSP without inline script, no sniffing, no framing."""

import pytest


@pytest.mark.parametrize(
    "path", ["/", "/login", "/api/v1/auth/csrf", "/healthz", "/nowhere", "/api/v1/nowhere"]
)
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain http here


def test_api_answers_are_never_cached(client):
    assert client.get("/api/v1/auth/csrf").headers["Cache-Control"] == "no-store"


def test_hsts_when_served_over_https(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_behind_a_tls_proxy_the_forwarded_scheme_counts(make_app):
    app = make_app(TRUST_PROXY=True)
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" in response.headers


def test_templates_have_no_inline_script_or_style(app):
    from pathlib import Path

    for template in Path(app.template_folder).rglob("*.html"):
        html = template.read_text()
        # A JSON data block (the scripts' words) is never run: it is not a script to CSP.
        allowed = html.replace('<script type="module" src=', "").replace(
            '<script type="application/json" id="script-words">{{ said | tojson }}</script>', ""
        )
        assert "<script>" not in allowed and "<script " not in allowed, template
        assert " style=" not in html and "<style" not in html, template
