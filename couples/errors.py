"""Domain errors and the handlers that answer them as problem+json or as a friendly page."""

import logging

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from couples.i18n import N_, browser_language, translated

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"


class DomainError(Exception):
    """A refusal the user can understand. Subclasses set status, code and title."""

    status = 400
    code = "bad-request"
    title = N_("That did not work")

    def __init__(
        self, detail: str | None = None, *, errors: dict | None = None, headers: dict | None = None
    ):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors
        self.headers = headers or {}


class NotFound(DomainError):
    status, code, title = 404, "not-found", N_("Not found")


class Conflict(DomainError):
    status, code, title = 409, "conflict", N_("Not possible right now")


class AlreadyLinked(Conflict):
    code, title = "already-linked", N_("Already linked")


class NotLinked(NotFound):
    code, title = "not-linked", N_("Not linked to a partner")


class OwnInvite(Conflict):
    code, title = "own-invite", N_("That is your own invite")


class Gone(DomainError):
    status, code, title = 410, "gone", N_("No longer valid")


class InviteGone(Gone):
    code, title = "invite-gone", N_("This invite was used or has expired")


class ResetGone(Gone):
    code, title = "reset-gone", N_("This reset link was used or has expired")


class Forbidden(DomainError):
    status, code, title = 403, "forbidden", N_("Not yours to do")


class Invalid(DomainError):
    status, code, title = 422, "validation", N_("Some answers need another look")


class WrongCredentials(DomainError):
    status, code, title = 401, "wrong-credentials", N_("Email or password is not right")


class SubscriptionTaken(Conflict):
    code, title = "subscription-taken", N_("This device gets another account's notifications")


class TooManyDevices(Conflict):
    code, title = "too-many-devices", N_("Reminders go to enough devices already")


class EmailTaken(Conflict):
    code, title = "email-taken", N_("That email already has an account")


class TooManyAttempts(DomainError):
    status, code, title = 429, "too-many-attempts", N_("Too many attempts")


def wants_problem_json() -> bool:
    return request.path.startswith("/api/")


def _said(messages):
    """The field messages of ``errors`` in the reader's language: those kept in English
    (marked with ``N_``: the schemas', marshmallow's) are translated, the rest are
    already written in it."""
    if isinstance(messages, str):
        return translated(messages)
    if isinstance(messages, dict):
        return {key: _said(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [_said(message) for message in messages]
    return messages


def problem(
    status: int,
    slug: str,
    title: str,
    detail: str | None = None,
    errors: dict | None = None,
    headers: dict | None = None,
    extra: dict | None = None,
):
    """A problem+json answer. ``title``, ``detail`` and the ``errors``' messages are read
    by a person: those kept in English (``N_``, as the errors' titles) are said in the
    reader's language here; words already written in it stay as they are."""
    title = translated(title)
    body = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": translated(detail) or title,
    }
    if errors:
        body["errors"] = _said(errors)
    for name, value in (extra or {}).items():
        body.setdefault(name, value)
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


HTTP_SLUGS = {
    400: ("bad-request", N_("The request could not be read")),
    401: ("unauthorized", N_("Please log in")),
    403: ("forbidden", N_("Not yours to do")),
    404: ("not-found", N_("Not found")),
    405: ("method-not-allowed", N_("Method not allowed")),
    409: ("conflict", N_("Not possible right now")),
    410: ("gone", N_("No longer valid")),
    413: ("too-large", N_("The request is too large")),
    415: ("unsupported-media-type", N_("Send JSON (Content-Type: application/json)")),
    422: ("validation", N_("Some answers need another look")),
    429: ("too-many-attempts", N_("Too many attempts")),
    500: ("server-error", N_("Something went wrong on our side")),
}


def _page(status: int, title: str, detail: str, headers: dict | None = None):
    html = render_template("errors/error.html", status=status, title=title, detail=detail)
    return html, status, headers or {}


def handle_domain_error(error: DomainError):
    if wants_problem_json():
        return problem(
            error.status,
            error.code,
            error.title,
            error.detail,
            error.errors,
            error.headers,
            getattr(error, "extra", None),
        )
    return _page(error.status, error.title, error.detail, error.headers)


def handle_http_exception(error: HTTPException):
    if isinstance(error, SecurityError):
        # A Host outside TRUSTED_HOSTS: no URL can be built for it, so no page either.
        detail = _("This address does not serve Couples.")
        if wants_problem_json():
            return problem(400, "untrusted-host", _("Unknown host"), detail)
        return detail + "\n", 400, {"Content-Type": "text/plain; charset=utf-8"}
    status = error.code or 500
    slug, title = HTTP_SLUGS.get(status, ("error", error.name))
    headers = {}
    if status == 405 and getattr(error, "valid_methods", None):
        headers["Allow"] = ", ".join(error.valid_methods)
    data = getattr(error, "data", None) or {}
    detail = data.get("message") or getattr(error, "description", None) or title
    if status in HTTP_SLUGS and detail == type(error).description:
        # Werkzeug's own sentence for the status, in English only: the title says it.
        detail = title
    if status == 404 and not data.get("message"):
        detail = N_("There is nothing here. The link may be old, or mistyped.")
    errors = data.get("errors")
    if errors is None and isinstance(data.get("messages"), dict):
        # webargs (flask-smorest's @blp.arguments): {location: {field: [messages]}}.
        from couples.validation import flatten

        errors = {}
        for messages in data["messages"].values():
            for path, texts in flatten(messages).items():
                errors.setdefault(path, []).extend(texts)
    if status == 400 and getattr(error, "__class__", None).__name__ == "CSRFError":
        slug, detail = (
            "csrf",
            N_("The security token is missing or out of date. Reload and try again."),
        )
    if status == 429:
        # Flask-Limiter adds Retry-After after the request; keep a fallback for our own.
        retry = data.get("retry_after")
        if retry:
            headers["Retry-After"] = str(retry)
    if wants_problem_json():
        return problem(status, slug, title, detail, errors, headers)
    return _page(status, title, detail, headers)


# How long to tell people to wait when the database cannot be reached.
UNAVAILABLE_RETRY_SECONDS = 30


def database_unavailable(error: Exception) -> bool:
    """Whether ``error`` says the database cannot be reached (down, restarting, its
    connections gone, the pool exhausted, SQLite's file locked too long), rather than a
    mistake in a query."""
    if isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError))


def handle_unexpected(error: Exception):
    from couples.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 (a connection that died with the database)
        db.session.remove()
    if isinstance(error, HTTPException):
        return handle_http_exception(error)
    if database_unavailable(error):
        # A calm answer that asks nothing of the database; the pool replaces the dead
        # connections (pool_pre_ping) once it is back.
        log.error("database unavailable: %s", type(error).__name__, exc_info=error)
        headers = {"Retry-After": str(UNAVAILABLE_RETRY_SECONDS)}
        # In the browser's language: the account's choice is in the database. And the
        # page is rendered without the context processors: they would load the user, from
        # the database that is out of reach.
        with force_locale(browser_language()):
            if wants_problem_json():
                return problem(
                    503,
                    "unavailable",
                    _("Back in a moment"),
                    _("The app cannot reach its database right now. Try again shortly."),
                    headers=headers,
                )
            page = current_app.jinja_env.get_template("errors/unavailable.html").render()
        return page, 503, headers
    log.exception("unhandled error", exc_info=error)
    return handle_http_exception(InternalServerError())


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
