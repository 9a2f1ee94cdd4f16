"""Web glue shared by the pages and the API: throttled login and session handling."""

from flask import current_app, request
from flask_login import login_user, logout_user

from couples.accounts import services, throttle
from couples.accounts.models import User
from couples.errors import DomainError


def _address() -> str:
    return request.remote_addr or "unknown"


def attempt_login(*, email: str, password: str, remember: bool) -> User:
    """Log in with throttling per account and per address (429 with Retry-After)."""
    account = services.normalize_email(email)[:254]
    throttle.check("LOGIN_LIMIT_PER_ADDRESS", _address())
    throttle.check("LOGIN_LIMIT_PER_ACCOUNT", account)
    try:
        user = services.authenticate(email=email, password=password)
    except DomainError:
        throttle.hit("LOGIN_LIMIT_PER_ADDRESS", _address())
        throttle.hit("LOGIN_LIMIT_PER_ACCOUNT", account)
        raise
    throttle.clear("LOGIN_LIMIT_PER_ACCOUNT", account)
    login_user(user, remember=remember)
    return user


def throttled(config_key: str):
    """Count one attempt from this address against ``config_key``; 429 when over."""
    throttle.check(config_key, _address())
    throttle.hit(config_key, _address())


def refresh_session(user: User) -> None:
    """After the session version changed, keep this session (and only this one) alive."""
    remembered = current_app.config["REMEMBER_COOKIE_NAME"] in request.cookies
    login_user(user, remember=remembered)


def end_session() -> None:
    logout_user()
