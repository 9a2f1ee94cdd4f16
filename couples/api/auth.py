from flask_login import current_user
from flask_smorest import Blueprint
from flask_wtf.csrf import generate_csrf

from couples.accounts import services, sessions, web
from couples.accounts.schemas import LoginSchema, RegisterSchema, ResetRequestSchema, ResetSchema
from couples.api.common import accepts, load, no_body, public
from couples.api.serializers import CsrfSchema, EmptySchema, UserSchema
from couples.api.views_data import user_data
from couples.clock import utcnow
from couples.pwa import CLEAR_SITE_DATA

blp = Blueprint("api_auth", __name__, url_prefix="/api/v1/auth", description="Sessions")


@blp.route("/csrf", methods=["GET"])
@blp.response(200, CsrfSchema)
@public
def csrf_token():
    """The CSRF token to send as X-CSRF-Token on every unsafe request."""
    return {"csrf_token": generate_csrf()}


@blp.route("/register", methods=["POST"])
@blp.response(201, UserSchema)
@public
@accepts(blp, RegisterSchema)
def register():
    """Create an account and log in."""
    web.throttled("REGISTER_LIMIT_PER_ADDRESS")
    data = load(RegisterSchema)
    user = services.register(**data)
    web.start_session(user, remember=False)
    return user_data(user)


@blp.route("/login", methods=["POST"])
@blp.response(200, UserSchema)
@public
@accepts(blp, LoginSchema)
def login():
    """Log in. An unknown email and a wrong password get the same answer."""
    data = load(LoginSchema)
    user = web.attempt_login(**data)
    return user_data(user)


@blp.route("/logout", methods=["POST"])
@blp.response(204)
@public
def logout():
    """End this session; the browser drops this site's caches and storage."""
    no_body()
    web.end_session()
    return None, {"Clear-Site-Data": CLEAR_SITE_DATA}


@blp.route("/logout-everywhere", methods=["POST"])
@blp.response(204)
def logout_everywhere():
    """End every other session and remember-me cookie of this account."""
    no_body()
    sessions.end_all_others(user=current_user._get_current_object())


@blp.route("/password-reset", methods=["POST"])
@blp.response(202, EmptySchema)
@public
@accepts(blp, ResetRequestSchema)
def password_reset_request():
    """Mail a reset link when the address has an account. The answer is always the same."""
    web.throttled("RESET_LIMIT_PER_ADDRESS")
    data = load(ResetRequestSchema)
    services.request_password_reset(email=data["email"], now=utcnow())
    return {}


@blp.route("/password-reset/<token>", methods=["POST"])
@blp.response(204)
@public
@accepts(blp, ResetSchema)
def password_reset(token: str):
    """Choose a new password with a reset link's token; every session ends."""
    services.check_reset_token(token=token, now=utcnow())
    data = load(ResetSchema)
    services.reset_password(token=token, new_password=data["password"], now=utcnow())
    web.end_session()
