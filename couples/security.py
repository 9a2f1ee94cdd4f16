"""Request guards and the response headers that apply to every route."""

from flask import Flask, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from couples import limits
from couples.api.common import UNSAFE_METHODS, read_json_body
from couples.errors import problem
from couples.extensions import csrf

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "manifest-src 'self'",
        "worker-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


# Added to every response that does not set them itself.
DEFAULT_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
)
HSTS = ("Strict-Transport-Security", "max-age=63072000; includeSubDomains")


def guard_request():
    """For the API, in the design's order: 401 not logged in, then 400 (CSRF, JSON that
    cannot be read) and 415 (not JSON), then 429 over a limit. Pages check CSRF and the
    limits on every unsafe request."""
    if request.path.startswith("/api/"):
        view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
        if view is None:
            return None
        public = getattr(view, "_public", False) or request.blueprint == "api-docs"
        if not public and not current_user.is_authenticated:
            return problem(401, "unauthorized", _("Please log in"), _("Log in to continue."))
        if request.method in UNSAFE_METHODS:
            csrf.protect()
            # Every unsafe API request, with a body schema or none: a body must be JSON.
            read_json_body()
            limits.check_request()
        return None
    if request.method in UNSAFE_METHODS and request.endpoint != "static":
        csrf.protect()
        limits.check_request()
    return None


def add_headers(response):
    """The security headers a response does not set itself, and no caching of anything
    but static files."""
    for name, value in DEFAULT_HEADERS:
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault(*HSTS)
    if request.endpoint != "static":
        # Personal pages and API answers are never kept by a cache or the back button.
        response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    if app.config.get("TRUST_PROXY"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.before_request(guard_request)
    app.after_request(add_headers)
