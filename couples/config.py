"""Configuration defaults. Every value can be overridden by a ``COUPLES_*`` variable."""

import ipaddress
from collections.abc import Mapping
from urllib.parse import urlsplit

DEFAULTS = {
    "SQLALCHEMY_DATABASE_URI": None,  # filled in from the instance folder when unset
    "SQLALCHEMY_ENGINE_OPTIONS": {},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": True,
    "SESSION_COOKIE_NAME": "couples_session",
    "REMEMBER_COOKIE_NAME": "couples_remember",
    # A login lasts on the server (accounts/sessions.py) until it is unused for
    # SESSION_IDLE_DAYS, and at most SESSION_LIFETIME_DAYS; the cookies last as long.
    "SESSION_IDLE_DAYS": 14,
    "SESSION_LIFETIME_DAYS": 90,
    "REMEMBER_COOKIE_DURATION": None,  # SESSION_LIFETIME_DAYS unless set
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_SECURE": True,
    "PERMANENT_SESSION_LIFETIME": None,  # SESSION_LIFETIME_DAYS unless set
    # The PWA stays open for days: a CSRF token lives as long as the session.
    "WTF_CSRF_TIME_LIMIT": None,
    "WTF_CSRF_CHECK_DEFAULT": False,
    "WTF_CSRF_HEADERS": ["X-CSRF-Token", "X-CSRFToken"],
    "MAX_CONTENT_LENGTH": 256 * 1024,
    # Argon2id cost; tests lower it.
    "PASSWORD_HASH_TIME_COST": 3,
    "PASSWORD_HASH_MEMORY_COST": 65536,
    "PASSWORD_HASH_PARALLELISM": 4,
    "PASSWORD_MIN_LENGTH": 10,
    "PASSWORD_MAX_LENGTH": 1024,
    "PASSWORD_MIN_SCORE": 3,
    # Login and registration throttles, per account and per address.
    "RATELIMIT_STORAGE_URI": "memory://",
    "RATELIMIT_ENABLED": True,
    "LOGIN_LIMIT_PER_ACCOUNT": "5 per 15 minutes",
    "LOGIN_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    "REGISTER_LIMIT_PER_ADDRESS": "10 per hour",
    "RESET_LIMIT_PER_ADDRESS": "10 per hour",
    # Passkey sign-ins begun (each keeps a challenge on the server for five minutes).
    "PASSKEY_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    # Every write is counted per person (couples/limits.py): what reaches the partner
    # or costs the server has a limit of its own, any other write a ceiling.
    "APPRECIATION_LIMIT_PER_USER": "30 per hour",
    "BID_LIMIT_PER_USER": "30 per hour",
    "REPAIR_LIMIT_PER_USER": "10 per hour",
    "INVITE_LIMIT_PER_USER": "10 per hour",
    "INVITE_CODE_LIMIT_PER_USER": "10 per 15 minutes",
    "INVITE_CODE_LIMIT_PER_ADDRESS": "30 per 15 minutes",
    "PUSH_TEST_LIMIT_PER_USER": "3 per 10 minutes",
    "WRITE_LIMIT_PER_USER": "300 per hour",
    "INVITE_TTL_HOURS": 48,
    # An ended couple's shared history comes back when the same two link again within
    # this many days; after them it is erased.
    "COUPLE_RESTORE_DAYS": 30,
    "PASSWORD_RESET_TTL_MINUTES": 60,
    # The public origin every link that leaves the app is built from (reset mail, invite
    # links, push). Required outside `serve`; it also sets TRUSTED_HOSTS when unset.
    "BASE_URL": None,
    "MAIL_SERVER": None,
    "MAIL_PORT": 25,
    "MAIL_USERNAME": None,
    "MAIL_PASSWORD": None,
    "MAIL_USE_TLS": False,
    "MAIL_SENDER": "Couples <no-reply@localhost>",
    "MAIL_MAX_ATTEMPTS": 5,  # a mail the server keeps refusing is given up after these
    "TRUST_PROXY": False,
    # The address of that proxy, as `serve` sees it (waitress trusts no other peer).
    "TRUSTED_PROXY": "127.0.0.1",
    # Set by `serve`: one process with a person at its console. Without SMTP, only then
    # does mail (a reset link) go to the log.
    "EMBEDDED": False,
    # Web Push (VAPID keys: base64url raw private key, or PEM)
    "VAPID_PRIVATE_KEY": None,
    "VAPID_PUBLIC_KEY": None,
    "VAPID_SUBJECT": "mailto:admin@localhost",
    "PUSH_ALLOWED_ENDPOINTS": None,  # None: the known push services (notifications/services.py)
    "PUSH_THREADS": 8,
    "PUSH_BATCH": 100,
    "PUSH_LANES": 2,  # batches in flight at once in one process
    "PUSH_LEASE_SECONDS": 60,
    "PUSH_MAX_ATTEMPTS": 8,
    "PUSH_BACKOFF_SECONDS": 30,  # the first retry's wait; it doubles, up to an hour
    "PUSH_TIMEOUT": 10,
    "PUSH_DEVICES_MAX": 10,  # push subscriptions per user
    # Notifications are kept this long (the inbox shows them), read or not; the tick
    # deletes older ones, except any still waiting to be sent.
    "NOTIFICATION_RETENTION_DAYS": 90,
    # Background work: the embedded thread's pause between rounds, and Celery's broker.
    "SCHEDULER_INTERVAL_SECONDS": 20,
    "CELERY_BROKER_URL": None,
    # Logs on stderr: "text" lines, or "json" (one object a line, for a log shipper).
    "LOG_FORMAT": "text",
    # The languages a browser is answered in and the account page offers (couples/i18n.py).
    "LANGUAGES": ["en", "es"],
    # Prometheus metrics: /metrics answers a scraper with this bearer token (404 without
    # one); a process that serves no pages answers on this host:port instead.
    "METRICS_TOKEN": None,
    "METRICS_ADDRESS": None,
    # OpenAPI document (flask-smorest)
    "API_TITLE": "Couples API",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.1.0",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
}


def database_uri_for(instance_path: str) -> str:
    return f"sqlite:///{instance_path}/couples.sqlite3"


class ConfigError(RuntimeError):
    """A setting is missing or malformed: the app refuses to start rather than guess."""


MISSING = {
    "SECRET_KEY": "COUPLES_SECRET_KEY (it signs sessions and CSRF tokens; `flask --app "
    "couples serve` creates one in the instance folder)",
    "BASE_URL": "COUPLES_BASE_URL to the public origin people open the app at, e.g. "
    "https://couples.example (reset mail, invite links and push notifications "
    "link there, never to the Host a request names)",
}


def require(config: Mapping, *names: str) -> None:
    """Refuse to start without ``names``. Servers other than `serve` (gunicorn, Celery)
    call this: they cannot work these values out for themselves."""
    missing = [MISSING[name] for name in names if not config.get(name)]
    if missing:
        raise ConfigError("Set " + "; and set ".join(missing) + ".")


def check_push_timing(config: Mapping) -> None:
    """A batch of pushes starts sending only while its lease can still cover a push
    (PUSH_TIMEOUT) and the recording of its outcome: a lease shorter than that would
    never send anything."""
    lease, timeout = float(config["PUSH_LEASE_SECONDS"]), float(config["PUSH_TIMEOUT"])
    if timeout <= 0 or lease <= 2 * timeout:
        raise ConfigError(
            "Set COUPLES_PUSH_LEASE_SECONDS to more than twice COUPLES_PUSH_TIMEOUT "
            f"(now {lease:g} and {timeout:g} seconds), and the timeout above zero."
        )


def public_origin(value: str) -> str:
    """``value`` checked as a public origin (``https://host[:port]``, optionally a path
    prefix), without a trailing slash."""
    text = str(value).strip().rstrip("/")
    parts = urlsplit(text)
    try:
        parts.port  # noqa: B018  (raises on a port that is not a number)
    except ValueError:
        parts = parts._replace(netloc="")
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or "@" in parts.netloc
    ):
        raise ConfigError(
            f"COUPLES_BASE_URL={value!r} is not an origin: use the address "
            "people open the app at, e.g. https://couples.example"
        )
    return text


def trusted_hosts_for(origin: str) -> list[str] | None:
    """The Host names a request may carry when the app is reached at ``origin``. None
    (no check) for an IPv6 literal, which Werkzeug's host check cannot match."""
    host = urlsplit(origin).hostname
    return None if ":" in host else [host]


HOST_PREFIX = "__Host-"
_COOKIES = (
    ("SESSION_COOKIE_NAME", "SESSION_COOKIE_SECURE", "SESSION_COOKIE_DOMAIN"),
    ("REMEMBER_COOKIE_NAME", "REMEMBER_COOKIE_SECURE", "REMEMBER_COOKIE_DOMAIN"),
)


def name_cookies(config: dict) -> None:
    """``__Host-`` before the session and remember-me cookie names when they are Secure
    and name no Domain: a browser then takes them only over https, for this host alone
    and the whole site, so neither a sibling domain nor a plain-http page can plant one.
    Without Secure (`serve` on plain-http loopback) the bare names, which a browser
    would refuse with the prefix. Call again whenever the Secure flags change."""
    for name, secure, domain in _COOKIES:
        bare = config[name].removeprefix(HOST_PREFIX)
        config[name] = f"{HOST_PREFIX}{bare}" if config[secure] and not config.get(domain) else bare


def trusted_proxy(value) -> str:
    """``value`` checked as the address of the proxy `serve` trusts: one IP address, as
    the connection's peer shows it, or ``*`` for any peer."""
    text = str(value or "").strip()
    if text == "*":
        return text
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise ConfigError(
            f"COUPLES_TRUSTED_PROXY={value!r} is not an IP address: use the address the "
            "proxy connects from, e.g. 127.0.0.1"
        ) from None
