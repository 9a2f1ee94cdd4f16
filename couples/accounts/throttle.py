"""Throttles for login, registration and password resets.

Counters live in Flask-Limiter's storage (``COUPLES_RATELIMIT_STORAGE_URI``: memory for
one process, Redis when several servers share them)."""

from flask import current_app
from limits import parse

from couples import limits
from couples.i18n import N_
from couples.limits import refusal

TOO_MANY = N_("Too many attempts.")


def _limit(config_key: str):
    return parse(current_app.config[config_key])


def check(config_key: str, *keys: str) -> None:
    """Refuse with 429 (and Retry-After) when any of ``keys`` is over its limit."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    item = _limit(config_key)
    for key in keys:
        if not limits.test(item, config_key, key):
            raise refusal(item, config_key, key, TOO_MANY)


def take(config_key: str, *keys: str) -> None:
    """Count one attempt for each of ``keys``, then refuse with 429 when one was over:
    counted first, in one step in the storage, so that attempts racing each other never
    get more than the limit through (a check, then a count, would let them all pass the
    check before any count)."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    item = _limit(config_key)
    for key in keys:
        if not limits.hit(item, config_key, key):
            raise refusal(item, config_key, key, TOO_MANY)


def hit(config_key: str, *keys: str) -> None:
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    item = _limit(config_key)
    for key in keys:
        limits.hit(item, config_key, key)


def clear(config_key: str, *keys: str) -> None:
    if not current_app.config["RATELIMIT_ENABLED"]:
        return
    item = _limit(config_key)
    for key in keys:
        limits.clear(item, config_key, key)
