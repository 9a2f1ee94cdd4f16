"""Extension objects, created unbound; ``create_app`` binds them."""

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from couples.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Its storage and strategy count the throttles of accounts/throttle.py; no route has a
# decorator limit of its own.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


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
        app.config["PASSWORD_HASH_TIME_COST"],
        app.config["PASSWORD_HASH_MEMORY_COST"],
        app.config["PASSWORD_HASH_PARALLELISM"],
    )
    # Every model module, so that the metadata (and migrations) know all tables.
    from couples.accounts import models as _accounts  # noqa: F401
    from couples.appreciations import models as _appreciations  # noqa: F401
    from couples.bids import models as _bids  # noqa: F401
    from couples.checkins import models as _checkins  # noqa: F401
    from couples.grow import models as _grow  # noqa: F401
    from couples.kept import models as _kept  # noqa: F401
    from couples.lovelanguages import models as _lovelanguages  # noqa: F401
    from couples.notifications import models as _notifications  # noqa: F401
    from couples.pairing import models as _pairing  # noqa: F401
