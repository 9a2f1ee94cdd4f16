"""Links that leave the app (reset mail, invite links, push ``navigate``) are built from
one configured public origin, ``COUPLES_BASE_URL``: never from the request's Host header,
which whoever sends the request chooses (a reset link pointing elsewhere hands the token
to that site)."""

from flask import current_app

from couples.config import require


def public_origin() -> str:
    """The configured origin, without a trailing slash."""
    require(current_app.config, "BASE_URL")
    return current_app.config["BASE_URL"]


def public_url(path: str) -> str:
    """The absolute address of ``path`` (a path of this app) on the public origin."""
    return f"{public_origin()}/{path.lstrip('/')}"
