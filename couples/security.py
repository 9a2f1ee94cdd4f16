"""Request guards, the session cookie and the response headers that apply to every route."""

import time

from flask import Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user
from itsdangerous import BadSignature
from werkzeug.middleware.proxy_fix import ProxyFix

from couples.api.common import UNSAFE_METHODS, read_json_body
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
_DEFAULTS_LOWER = tuple((name.lower(), (name, value)) for name, value in DEFAULT_HEADERS)


def guard_request():
    """For the API, in the design's order: 401 not logged in, then 400 (CSRF, JSON that
    cannot be read) and 415 (not JSON). Pages check CSRF on every unsafe request."""
    req = request._get_current_object()
    if req.path.startswith("/api/"):
        endpoint = req.endpoint
        view = current_app.view_functions.get(endpoint) if endpoint else None
        if view is None:
            return None
        public = getattr(view, "_public", False) or req.blueprint == "api-docs"
        if not public and not current_user.is_authenticated:
            return problem(401, "unauthorized", "Please log in", "Log in to continue.")
        if req.method in UNSAFE_METHODS:
            csrf.protect()
            # Every unsafe API request, with a body schema or none: a body must be JSON.
            read_json_body()
        return None
    if req.method in UNSAFE_METHODS and req.endpoint != "static":
        csrf.protect()
    return None


def add_headers(response):
    """The security headers a response does not set itself, and no caching of anything
    but static files. One pass over the response's few headers instead of a lookup per
    header."""
    headers = response.headers
    present = {key.lower() for key, _value in headers}
    missing = [header for lower, header in _DEFAULTS_LOWER if lower not in present]
    req = request._get_current_object()
    if req.is_secure and "strict-transport-security" not in present:
        missing.append(HSTS)
    headers.extend(missing)
    if req.endpoint != "static":
        # Personal pages and API answers are never kept by a cache or the back button.
        if "cache-control" in present:
            headers["Cache-Control"] = "no-store"
        else:
            headers.add("Cache-Control", "no-store")
    return response


class SessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie session, unchanged on the wire, with two savings per request:
    the signing serializer is built once per set of keys instead of on every request,
    and a cookie already verified is not verified and decoded again. A remembered cookie
    is the exact string whose signature checked out with the same keys; its age is still
    checked on every request, and only sessions of plain values (strings, numbers,
    booleans) are remembered, since each request gets its own copy of the top level only."""

    CACHE_SIZE = 2048
    _PLAIN = (str, int, float, bool, type(None))

    def __init__(self):
        self._serializers = {}  # (keys...) -> (serializer, {cookie: (signed at, data)})

    def _serializer_and_cache(self, app: Flask):
        if not app.secret_key:
            return None, None
        keys = (*(app.config["SECRET_KEY_FALLBACKS"] or ()), app.secret_key)
        entry = self._serializers.get(keys)
        if entry is None:
            entry = self._serializers[keys] = (super().get_signing_serializer(app), {})
        return entry

    def get_signing_serializer(self, app: Flask):
        return self._serializer_and_cache(app)[0]

    def open_session(self, app: Flask, request):
        serializer, cache = self._serializer_and_cache(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = cache.get(value)
        if known is not None:
            age = int(time.time()) - known[0]
            if 0 <= age <= max_age:
                return self.session_class(known[1])
            return self.session_class()  # expired, as itsdangerous would have said
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if type(data) is dict and all(type(v) in self._PLAIN for v in data.values()):
            if len(cache) >= self.CACHE_SIZE:
                cache.clear()
            cache[value] = (int(signed_at.timestamp()), data)
        return self.session_class(data)

    def save_session(self, app: Flask, session, response) -> None:
        if session.modified or (session and self.should_set_cookie(app, session)):
            super().save_session(app, session, response)
        elif session.accessed:
            # A session read and left as it was: no cookie to write, only "Vary: Cookie"
            # as Flask adds it (response.vary parses and rewrites the header).
            if "Vary" in response.headers:
                response.vary.add("Cookie")
            else:
                response.headers.add("Vary", "Cookie")


def init_app(app: Flask) -> None:
    if app.config.get("TRUST_PROXY"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.session_interface = SessionInterface()
    app.before_request(guard_request)
    app.after_request(add_headers)
