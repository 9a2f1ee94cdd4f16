"""Pages: the blueprints, /healthz, and what every template can use."""

from flask import Flask, g, jsonify, request
from flask_login import current_user
from sqlalchemy import text

from couples.extensions import db


def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify(status="ok")


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
        raise NotLinked("You are not linked to a partner yet.")
    return pairing


def form_data() -> dict:
    """The submitted form without the CSRF field, for the same schemas as the API."""
    data = request.form.to_dict()
    data.pop("csrf_token", None)
    return data


def _template_globals():
    return {"current_pairing": current_pairing}


def init_app(app: Flask) -> None:
    from couples import api
    from couples.accounts.views import bp as accounts_bp
    from couples.appreciations.views import bp as appreciations_bp
    from couples.bids.views import bp as bids_bp
    from couples.checkins.views import bp as checkins_bp
    from couples.connect.views import bp as connect_bp
    from couples.insights.views import bp as insights_bp
    from couples.lovelanguages.views import bp as love_bp
    from couples.notifications.views import bp as notifications_bp
    from couples.pairing.views import bp as pairing_bp
    from couples.pwa import bp as pwa_bp
    from couples.repair.views import bp as repairs_bp

    app.add_url_rule("/healthz", "healthz", healthz)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(pairing_bp)
    app.register_blueprint(checkins_bp)
    app.register_blueprint(love_bp)
    app.register_blueprint(appreciations_bp)
    app.register_blueprint(bids_bp)
    app.register_blueprint(connect_bp)
    app.register_blueprint(insights_bp)
    app.register_blueprint(repairs_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(pwa_bp)
    api.init_app(app)
    app.context_processor(_template_globals)
