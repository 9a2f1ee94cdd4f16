"""Request guards and response headers that apply to every route."""

from flask import Flask, current_app, request
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from couples.api.common import UNSAFE_METHODS, read_json_body
from couples.db import reset_read_only, set_read_only
from couples.errors import problem
from couples.extensions import csrf

CSP = "; ".join([
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
])


def _view():
    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


def guard_request():
    """For the API, in the design's order: 401 not logged in, then 400 (CSRF, JSON that
    cannot be read) and 415 (not JSON). Pages check CSRF on every unsafe request."""
    if request.path.startswith("/api/"):
        view = _view()
        if view is None:
            return None
        public = getattr(view, "_public", False) or request.blueprint == "api-docs"
        if not public and not current_user.is_authenticated:
            return problem(401, "unauthorized", "Please log in", "Log in to continue.")
        if request.method in UNSAFE_METHODS:
            csrf.protect()
            # Every unsafe API request, with a body schema or none: a body must be JSON.
            read_json_body()
        return None
    if request.method in UNSAFE_METHODS and request.endpoint != "static":
        csrf.protect()
    return None


def _begin_read_only():
    request.environ["couples.read_only_token"] = set_read_only(
        request.method in ("GET", "HEAD", "OPTIONS"))


def _end_read_only(_exc=None):
    token = request.environ.pop("couples.read_only_token", None)
    if token is not None:
        reset_read_only(token)


def add_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if request.endpoint != "static":
        # Personal pages and API answers are never kept by a cache or the back button.
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    if app.config.get("TRUST_PROXY"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.before_request(_begin_read_only)
    app.before_request(guard_request)
    app.teardown_request(_end_read_only)
    app.after_request(add_headers)
