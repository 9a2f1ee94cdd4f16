"""Limits on what one person can make happen: every request that writes, from pages and
the API alike, is counted against a limit before it runs (429 with Retry-After when over).

What reaches the partner (appreciations, bids, repairs) and what costs the server or its
push services (invites, invite codes, test pushes) has a limit of its own; every other
write a ceiling that no one using the app by hand comes near. Limits are settings
(``COUPLES_*_LIMIT_*``, in the syntax of the ``limits`` library); the counters live in
Flask-Limiter's storage, shared by every process through Redis at scale. Login,
registration and reset have their own throttles (accounts/throttle.py).

When that storage cannot be reached, nothing is counted and nothing refused, with a
warning in the log: an outage of Redis must not lock everyone out of their account."""

import logging
import math
import time

from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from limits import parse

from couples.errors import TooManyAttempts
from couples.extensions import limiter
from couples.i18n import N_, translated

log = logging.getLogger("couples.limits")

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# endpoint -> (the setting that limits it, what counts: "user" or "address").
_ROUTES = {
    **dict.fromkeys(("api_connection.send_appreciation", "appreciations.new"), "APPRECIATION"),
    **dict.fromkeys(("api_connection.send_bid", "bids.send"), "BID"),
    **dict.fromkeys(("api_repairs.open_repair", "repairs.new"), "REPAIR"),
    **dict.fromkeys(("api_pairing.create_invite", "pairing.create_invite"), "INVITE"),
    **dict.fromkeys(
        ("api_pairing.accept_invite", "pairing.enter_code", "pairing.join"), "INVITE_CODE"
    ),
    **dict.fromkeys(("api_push.test_push", "notifications.test"), "PUSH_TEST"),
}
# Routes with a throttle of their own, counted elsewhere, and logging out, which always
# works.
_NOT_COUNTED = frozenset(
    {
        "api_auth.logout",
        "accounts.logout",
        "api_auth.login",
        "api_auth.register",
        "api_auth.password_reset_request",
        "api_auth.password_reset",
        "accounts.login",
        "accounts.register",
        "accounts.forgot",
        "accounts.reset",
    }
)
# What each refusal says first, translated when it is said (``refusal``).
MESSAGES = {
    "APPRECIATION": N_("That's a lot of appreciations at once."),
    "BID": N_("That's a lot of bids at once."),
    "REPAIR": N_("That's a lot of repairs started at once."),
    "INVITE": N_("That's a lot of invite codes at once."),
    "INVITE_CODE": N_("Too many codes tried."),
    "PUSH_TEST": N_("Test messages were sent a moment ago."),
    "WRITE": N_("That's a lot of changes at once."),
}


def _address() -> str:
    return request.remote_addr or "unknown"


def _counted() -> list[tuple[str, str]]:
    """(setting, key) pairs this request counts against."""
    kind = _ROUTES.get(request.endpoint, "WRITE")
    counted = []
    if current_user.is_authenticated:
        counted.append((f"{kind}_LIMIT_PER_USER", f"user:{current_user.id}"))
    if kind == "INVITE_CODE":  # guesses from one place, logged in or not
        counted.append(("INVITE_CODE_LIMIT_PER_ADDRESS", f"address:{_address()}"))
    return counted


def check_request() -> None:
    """Count this request against its limits, then refuse it (429) when one is over:
    counting first, in one step in the storage, so that requests racing each other can
    never get more through than the limit."""
    if (
        request.method not in UNSAFE
        or request.endpoint in _NOT_COUNTED
        or request.endpoint is None
        or request.endpoint == "static"
        or not current_app.config["RATELIMIT_ENABLED"]
    ):
        return
    for setting, key in _counted():
        item = parse(current_app.config[setting])
        if not hit(item, setting, key):
            raise refusal(item, setting, key, MESSAGES[setting.split("_LIMIT_")[0]])


def _storage(call, default):
    """``call()``, or ``default`` when the counters' storage fails (fail open)."""
    try:
        return call()
    except Exception as error:  # noqa: BLE001 (any storage failure: Redis down, timeouts)
        log.warning("rate limits not counted: their storage failed (%s)", type(error).__name__)
        return default


def hit(item, scope: str, key: str) -> bool:
    """Count one for ``key``; False when that went over ``item``."""
    return _storage(lambda: limiter.limiter.hit(item, scope, key), True)


def test(item, scope: str, key: str) -> bool:
    """Whether ``key`` is still under ``item``, counting nothing."""
    return _storage(lambda: limiter.limiter.test(item, scope, key), True)


def clear(item, scope: str, key: str) -> None:
    _storage(lambda: limiter.limiter.clear(item, scope, key), None)


def refusal(item, scope: str, key: str, message: str) -> TooManyAttempts:
    """The 429 for ``key`` over ``item``: ``message`` (English, marked with ``N_``), how
    long to wait, Retry-After; in the reader's language."""
    reset_at, _remaining = _storage(
        lambda: limiter.limiter.get_window_stats(item, scope, key),
        (time.time() + item.get_expiry(), 0),
    )
    wait = max(1, math.ceil(reset_at - time.time()))
    wait_words = _("Please wait %(wait)s and try again.", wait=_human(wait))
    return TooManyAttempts(
        f"{translated(message)} {wait_words}", headers={"Retry-After": str(wait)}
    )


def _human(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(num)d second", "%(num)d seconds", seconds)
    minutes = math.ceil(seconds / 60)
    if minutes == 1:
        return _("a minute")
    return ngettext("%(num)d minute", "%(num)d minutes", minutes)
