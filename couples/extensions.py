"""Extension objects, created unbound; ``create_app`` binds them."""

import hmac
import time

from flask import current_app, g, has_app_context, request, session
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf.csrf import CSRFProtect, ValidationError, logger, same_origin, validate_csrf
from itsdangerous import BadData, URLSafeTimedSerializer

from couples.db import Base

_ADOPT = "couples_adopt"


def adopt_later(instances) -> None:
    """Detached instances that the app context's session takes in as soon as it is made,
    as if it had loaded them (``pairing.queries.user_row_without_session``)."""
    g.setdefault(_ADOPT, []).extend(instances)


class Session(FlaskSession):
    """``db.session``: Flask-SQLAlchemy's session, which on creation takes in the instances
    read before it existed in the same app context (``adopt_later``)."""

    def __init__(self, db, **kwargs):
        super().__init__(db, **kwargs)
        if has_app_context():
            for obj in g.pop(_ADOPT, ()):
                self.add(obj)


class CouplesLoginManager(LoginManager):
    """Flask-Login, without computing the address-and-browser hash of its session
    protection on every request when that protection is off."""

    def _session_protection_failed(self):
        mode = current_app.config.get("SESSION_PROTECTION", self.session_protection)
        if not mode or mode not in ("basic", "strong"):
            return False
        return super()._session_protection_failed()


db = SQLAlchemy(model_class=Base, session_options={"class_": Session})
migrate = Migrate()
login_manager = CouplesLoginManager()
class CSRF(CSRFProtect):
    """Flask-WTF's CSRF protection, with the same checks, in the same order, and the
    same errors, made cheaper per request in two ways:

    - the token of a request whose body is no form (JSON) is looked for in the headers
      only: such a request has no form fields, and parsing one to find none costs;
    - a signed token that verified with the same key is not verified again. What it
      signed is remembered with when; its age (when tokens have a time limit) and the
      match with the session's token are still checked on every request, and anything
      else than a match goes through ``validate_csrf`` for its own error.

    ``protect(apply_exemptions=True)`` (Flask-WTF's own hook) is left as it was."""

    CACHE_SIZE = 2048
    FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})

    def __init__(self, app=None):
        self._verified: dict[tuple[str, str], tuple[str, int]] = {}
        super().__init__(app)

    def _get_csrf_token(self):
        if request.mimetype in self.FORM_TYPES:
            return super()._get_csrf_token()
        for header_name in current_app.config["WTF_CSRF_HEADERS"]:
            token = request.headers.get(header_name)
            if token:
                return token
        return None

    def protect(self, apply_exemptions=False):
        config = current_app.config
        if apply_exemptions or request.method not in config["WTF_CSRF_METHODS"]:
            return super().protect(apply_exemptions)
        try:
            self._validate(self._get_csrf_token(), config)
        except ValidationError as error:
            logger.info(error.args[0])
            self._error_response(error.args[0])
        if request.is_secure and config["WTF_CSRF_SSL_STRICT"]:
            if not request.referrer:
                self._error_response("The referrer header is missing.")
            if not same_origin(request.referrer, f"https://{request.host}/"):
                self._error_response("The referrer does not match the host.")
        g.csrf_valid = True
        return None

    def _validate(self, data, config) -> None:
        # The settings exactly as Flask-WTF reads them, and given to validate_csrf.
        secret_key = config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
        field_name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
        time_limit = config.get("WTF_CSRF_TIME_LIMIT", 3600)
        key = (secret_key, data) if isinstance(secret_key, str) and data else None
        known = self._verified.get(key) if key else None
        if known is not None:
            token, signed_at = known
            age = int(time.time()) - signed_at
            expected = session.get(field_name)
            if ((time_limit is None or 0 <= age <= time_limit)
                    and isinstance(expected, str) and hmac.compare_digest(expected, token)):
                return
        # Raises with Flask-WTF's message when the token is not good.
        validate_csrf(data, secret_key=secret_key, time_limit=time_limit, token_key=field_name)
        if key is None:
            return
        try:
            token, signed_at = URLSafeTimedSerializer(secret_key, salt="wtf-csrf-token").loads(
                data, return_timestamp=True)
        except BadData:  # nothing to remember: it is verified again next time
            return
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.clear()
        self._verified[key] = (token, int(signed_at.timestamp()))


csrf = CSRF()


class ThrottleLimiter(Limiter):
    """Flask-Limiter's storage and strategy, which login, registration and resets use
    explicitly (accounts/throttle.py). No route has a decorator limit, so there is nothing
    to check on every request."""

    def _check_request_limit(self, *args, **kwargs) -> None:
        return None


limiter = ThrottleLimiter(key_func=get_remote_address, default_limits=[])


def init_app(app) -> None:
    from couples import ROOT
    from couples.accounts import auth  # noqa: F401  (registers the user loader)
    from couples.accounts.passwords import make_hasher
    from couples.db import configure_sqlite

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    # Phones change address all the time; sessions are ended by their version instead
    # (logout everywhere, password change), so no address-based protection.
    login_manager.session_protection = None
    csrf.init_app(app)
    limiter.init_app(app)
    app.extensions["couples.password_hasher"] = make_hasher(
        app.config["PASSWORD_HASH_TIME_COST"], app.config["PASSWORD_HASH_MEMORY_COST"],
        app.config["PASSWORD_HASH_PARALLELISM"])
    # Every model module, so that the metadata (and migrations) know all tables.
    from couples.accounts import models as _accounts  # noqa: F401
    from couples.appreciations import models as _appreciations  # noqa: F401
    from couples.bids import models as _bids  # noqa: F401
    from couples.checkins import models as _checkins  # noqa: F401
    from couples.lovelanguages import models as _lovelanguages  # noqa: F401
    from couples.notifications import models as _notifications  # noqa: F401
    from couples.pairing import models as _pairing  # noqa: F401
