"""The audit trail: what happened to an account, when (UTC), for whom and from where.

One line per event on the ``couples.audit`` logger, as ``key=value`` pairs. It never holds
a password, an answer, a token or an email address: an address is named by a short keyed
hash (the same address gives the same hash while the secret key stays the same), enough
to tie attempts on one account together."""

import hashlib
import hmac
import logging

from flask import current_app, has_request_context, request

from couples.clock import utcnow

log = logging.getLogger("couples.audit")


def email_hash(email: str) -> str:
    """A short, keyed hash of an address (compared case-insensitively)."""
    key = str(current_app.config.get("SECRET_KEY") or "").encode()
    digest = hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()
    return digest[:12]


def record(
    event: str, outcome: str = "ok", *, user_id: int | None = None, email: str | None = None
) -> None:
    """Log ``event`` (login, password_change, ...) and its ``outcome`` (ok, failed, ...)
    with the time, the user, the address the request came from and the email's hash."""
    address = (request.remote_addr or "-") if has_request_context() else "-"
    fields = [
        ("at", utcnow().isoformat(timespec="seconds").replace("+00:00", "Z")),
        ("event", event),
        ("outcome", outcome),
        ("user", user_id if user_id is not None else "-"),
        ("ip", address),
    ]
    if email is not None:
        fields.append(("email", email_hash(email)))
    # The same fields as keys of the line's JSON object with COUPLES_LOG_FORMAT=json.
    log.info(" ".join(f"{key}={value}" for key, value in fields), extra={"fields": dict(fields)})
