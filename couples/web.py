"""Pages: the blueprints, /healthz and /readyz, the static files, and what every template
can use."""

import contextlib
import gzip
import os
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app, g, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import text
from werkzeug.security import safe_join

from couples.extensions import db

# Text files worth compressing; images (PNG) are compressed already.
COMPRESSIBLE = frozenset(
    {
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "image/svg+xml",
        "text/plain",
    }
)
MIN_COMPRESS_BYTES = 1024


def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


def readyz():
    """Ready for traffic: the database answers, and the broker too when one is set
    (``COUPLES_CELERY_BROKER_URL``). 503, naming what is not, otherwise. For a load
    balancer or an orchestrator's readiness probe; /healthz says the process is alive."""
    from kombu import Connection
    from sqlalchemy.exc import SQLAlchemyError

    from couples.notifications.services import BROKER_TIMEOUT_SECONDS

    checks = {}
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except SQLAlchemyError:
        db.session.rollback()
        checks["database"] = "unavailable"
    broker = current_app.config.get("CELERY_BROKER_URL")
    if broker:
        try:
            with Connection(broker, connect_timeout=BROKER_TIMEOUT_SECONDS) as connection:
                connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
            checks["broker"] = "ok"
        except Exception:  # noqa: BLE001 (any failure to reach it means: not ready)
            checks["broker"] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    response = jsonify(status="ok" if ready else "unavailable", checks=checks)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if ready else 503


def me():
    return current_user._get_current_object()


def current_pairing():
    """The logged-in user's couple and partner, looked up once per request."""
    from couples.pairing.services import active_pairing

    if "pairing" not in g:
        g.pairing = active_pairing(me()) if current_user.is_authenticated else None
    return g.pairing


def couple_or_404():
    """For pages and API routes of the couple: the pairing the request loaded with the
    user, or 404 (a page, or problem+json under /api/) for someone who is not linked."""
    from couples.errors import NotLinked

    pairing = current_pairing()
    if pairing is None:
        raise NotLinked(_("You are not linked to a partner yet."))
    return pairing


def form_data() -> dict:
    """The submitted form without the CSRF field, for the same schemas as the API."""
    data = request.form.to_dict()
    data.pop("csrf_token", None)
    return data


def has_past_couples() -> bool:
    """Whether the logged-in user was in a couple that ended (their words are kept)."""
    from couples.pairing.history import has_past_couples as past

    return current_user.is_authenticated and past(me().id)


def _template_globals():
    return {"current_pairing": current_pairing, "has_past_couples": has_past_couples}


def local_time(instant: datetime, pattern: str = "%-d %b, %H:%M") -> str:
    """An instant on the clock of the logged-in user (UTC for anyone else)."""
    zone = ZoneInfo("UTC")
    if current_user.is_authenticated:
        with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
            zone = ZoneInfo(current_user.timezone)
    from couples.i18n import format_moment

    return format_moment(instant.astimezone(zone), pattern)


@lru_cache(maxsize=64)
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    """A static file's gzip encoding, made once per version of the file (its modification
    time and size are part of the key)."""
    with open(path, "rb") as handle:
        return gzip.compress(handle.read(), compresslevel=9, mtime=0)


def static_file(filename: str):
    """Flask's static view, plus gzip for text files when the browser accepts it: the
    stylesheet blocks the first paint, and a phone on a slow network waits for every
    byte of it. The ETag becomes weak (the same file in either encoding), so a
    revalidation still gets a 304 whichever encoding the browser kept. Pages are never
    compressed here: they carry a CSRF token next to text a visitor can choose."""
    response = current_app.send_static_file(filename)
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if response.status_code != 200:
        return response
    path = safe_join(current_app.static_folder, filename)
    if not path or not request.accept_encodings["gzip"]:
        return response
    stat = os.stat(path)
    if stat.st_size < MIN_COMPRESS_BYTES:
        return response
    body = _gzipped(path, stat.st_mtime_ns, stat.st_size)
    response.close()  # the file send_static_file opened
    response.direct_passthrough = False
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    response.headers.pop("Accept-Ranges", None)
    etag, _weak = response.get_etag()
    if etag:
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    from couples import api, drafts
    from couples.accounts.views import bp as accounts_bp
    from couples.appreciations.views import bp as appreciations_bp
    from couples.bids.views import bp as bids_bp
    from couples.checkins.views import bp as checkins_bp
    from couples.connect.views import bp as connect_bp
    from couples.grow.views import bp as grow_bp
    from couples.insights.views import bp as insights_bp
    from couples.kept.views import bp as kept_bp
    from couples.lovelanguages.views import bp as love_bp
    from couples.notifications.views import bp as notifications_bp
    from couples.pairing.views import bp as pairing_bp
    from couples.pwa import bp as pwa_bp
    from couples.repair.views import bp as repairs_bp

    drafts.init_app(app)
    app.add_url_rule("/healthz", "healthz", healthz)
    app.add_url_rule("/readyz", "readyz", readyz)
    if "static" in app.view_functions:
        app.view_functions["static"] = static_file
    app.register_blueprint(accounts_bp)
    app.register_blueprint(pairing_bp)
    app.register_blueprint(checkins_bp)
    app.register_blueprint(love_bp)
    app.register_blueprint(appreciations_bp)
    app.register_blueprint(bids_bp)
    app.register_blueprint(connect_bp)
    app.register_blueprint(insights_bp)
    app.register_blueprint(repairs_bp)
    app.register_blueprint(kept_bp)
    app.register_blueprint(grow_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(pwa_bp)
    api.init_app(app)
    app.context_processor(_template_globals)
    app.add_template_filter(local_time, "local_time")
    from couples.devices import device_name

    app.add_template_filter(device_name, "device_name")
