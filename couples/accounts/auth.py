"""Flask-Login glue: loading the user from the session token, and what anonymous callers
get."""

from flask import flash, g, redirect, request, url_for
from flask_babel import gettext as _

from couples.accounts import sessions
from couples.accounts.models import User
from couples.clock import utcnow
from couples.errors import problem
from couples.extensions import login_manager


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """The user of the session whose token the cookie carries (the session cookie, or the
    remember-me cookie), while that session lives on the server."""
    if not (0 < len(token) <= sessions.TOKEN_MAX and token.isascii()):
        return None
    from couples.pairing.services import session_user_and_pairing

    found = session_user_and_pairing(sessions.token_hash(token))
    if found is None:
        return None
    record, user, pairing = found
    now = utcnow()
    if not sessions.is_live(record, now):
        return None
    sessions.touch(record=record, now=now)
    user.session_token = token
    g.pairing = pairing  # the couple comes with the user: pages need it on every request
    g.account_language = user.language  # what an answer is in, once its writes expired it
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        return problem(401, "unauthorized", _("Please log in"), _("Log in to continue."))
    if request.method == "GET":
        flash(_("Please log in to continue."), "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    return redirect(url_for("accounts.login"))
