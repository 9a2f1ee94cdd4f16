"""Flask-Login glue: loading the user from the session id, and what anonymous callers get."""

from flask import flash, g, redirect, request, url_for

from couples.accounts.models import User
from couples.errors import problem
from couples.extensions import login_manager


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The session id is "<user id>:<session version>"; an old version is no session."""
    user_id, _, version = session_id.partition(":")
    if (
        not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit())
        or len(user_id) > 10
        or int(user_id) >= 2**31
    ):
        return None
    from couples.pairing.services import user_and_pairing

    user, pairing = user_and_pairing(int(user_id))
    if user is None or user.session_version != int(version):
        return None
    g.pairing = pairing  # the couple comes with the user: pages need it on every request
    return user


@login_manager.unauthorized_handler
def unauthorized():
    if request.path.startswith("/api/"):
        return problem(401, "unauthorized", "Please log in", "Log in to continue.")
    if request.method == "GET":
        flash("Please log in to continue.", "info")
        return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
    return redirect(url_for("accounts.login"))
