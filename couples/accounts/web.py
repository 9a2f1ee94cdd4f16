"""Web glue shared by the pages and the API: throttled login and session handling."""

from flask import current_app, g, request, session
from flask_login import current_user, login_user, logout_user

from couples import audit
from couples.accounts import services, sessions, throttle
from couples.accounts.models import User
from couples.clock import utcnow
from couples.errors import DomainError, TooManyAttempts


def _address() -> str:
    return request.remote_addr or "unknown"


def _account_key(email: str) -> str:
    """The throttle's key for an account: a keyed hash, never the address itself (the
    counters may live in Redis)."""
    return audit.email_hash(services.normalize_email(email)[:254])


def attempt_login(*, email: str, password: str, remember: bool) -> User:
    """Log in with throttling per account and per address (429 with Retry-After)."""
    account = services.normalize_email(email)[:254]
    key = _account_key(account)
    try:
        throttle.check("LOGIN_LIMIT_PER_ADDRESS", _address())
        # Counted before the password is checked: at most the limit is ever checked.
        throttle.take("LOGIN_LIMIT_PER_ACCOUNT", key)
    except TooManyAttempts:
        audit.record("login", "locked_out", email=account)
        raise
    try:
        user = services.authenticate(email=email, password=password)
    except DomainError:
        throttle.hit("LOGIN_LIMIT_PER_ADDRESS", _address())
        audit.record("login", "failed", email=account)
        raise
    throttle.clear("LOGIN_LIMIT_PER_ACCOUNT", key)
    start_session(user, remember=remember)
    audit.record("login", "ok", user_id=user.id, email=account)
    return user


def with_current_password(user: User, field: str, command):
    """Run ``command``, a change that checks the account's current password (its errors
    under ``field``), counted against the login's per-account throttle first: the
    current password cannot be guessed here faster than at the login."""
    account = _account_key(user.email)
    try:
        throttle.take("LOGIN_LIMIT_PER_ACCOUNT", account)
    except TooManyAttempts:
        audit.record("password_check", "locked_out", user_id=user.id)
        raise
    try:
        result = command()
    except DomainError as error:
        refused = getattr(error, "errors", None) or {}
        if field not in refused and "passkey" not in refused:
            throttle.clear("LOGIN_LIMIT_PER_ACCOUNT", account)  # the password was right
        raise
    throttle.clear("LOGIN_LIMIT_PER_ACCOUNT", account)
    return result


def export_data(*, user: User, password: str | None = None, passkey: dict | None = None) -> dict:
    """The user's export, once their password (or a passkey) is confirmed: asked every
    time, and counted against the account's login limit as any other current-password
    check."""
    return with_current_password(
        user,
        "password",
        lambda: services.export_data(user=user, password=password, passkey=passkey),
    )


def attempt_passkey_login(*, credential: dict, remember: bool) -> User:
    """Log in with a passkey; failures count against this address's login limit."""
    from couples.accounts import passkeys

    try:
        throttle.check("LOGIN_LIMIT_PER_ADDRESS", _address())
    except TooManyAttempts:
        audit.record("passkey_login", "locked_out")
        raise
    try:
        user = passkeys.sign_in(credential=credential)
    except DomainError:
        throttle.hit("LOGIN_LIMIT_PER_ADDRESS", _address())
        raise
    start_session(user, remember=remember)
    audit.record("passkey_login", "ok", user_id=user.id)
    return user


def throttled(config_key: str):
    """Count one attempt from this address against ``config_key`` (counted first, so
    racing requests never pass more than the limit); 429 when over."""
    try:
        throttle.take(config_key, _address())
    except TooManyAttempts:
        audit.record(_THROTTLED_EVENTS.get(config_key, config_key.lower()), "throttled")
        raise


_THROTTLED_EVENTS = {
    "PASSKEY_LIMIT_PER_ADDRESS": "passkey_login",
    "REGISTER_LIMIT_PER_ADDRESS": "register",
    "RESET_LIMIT_PER_ADDRESS": "reset_request",
}


def _new_session() -> None:
    """Drop everything the session held, its CSRF token first: a token someone planted
    in a browser before its owner logs in must not work after. Pending flash messages
    are kept."""
    flashes = session.get("_flashes")
    session.clear()
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    if flashes:
        session["_flashes"] = flashes


def start_session(user: User, *, remember: bool) -> None:
    """Log ``user`` in on a new session (login, registration), kept on the server; the
    browser's language is noted for what reaches them away from a page."""
    from couples.i18n import browser_language

    sessions.start(
        user=user, user_agent=request.user_agent.string, now=utcnow(), language=browser_language()
    )
    _new_session()
    login_user(user, remember=remember)


def end_session() -> None:
    """Log out; the session ends on the server and nothing of it survives in the browser
    (logout, reset, account deletion)."""
    token = getattr(current_user, "session_token", None)
    if token is not None:
        sessions.end(token=token)
    _new_session()
    logout_user()  # after the clear: it marks the remember-me cookie for deletion
