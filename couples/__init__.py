"""Couples: nightly check-ins, appreciations and real repair for two partners."""

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask

from couples import config as default_config

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then ``COUPLES_*`` variables, then ``test_config``.
    Nothing here touches the network, starts a thread or migrates the database."""
    app = Flask(
        __name__,
        instance_path=os.environ.get("COUPLES_INSTANCE_PATH") or None,
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.from_mapping(default_config.DEFAULTS)
    app.config.from_prefixed_env("COUPLES")
    if test_config:
        app.config.from_mapping(test_config)
    _finish_config(app)

    from couples import cli, errors, extensions, features, i18n, metrics, security, web

    metrics.init_app(app)  # first: its clock starts before any other hook runs
    extensions.init_app(app)
    i18n.init_app(app)
    features.init_app(app)
    security.init_app(app)
    errors.register_error_handlers(app)
    web.init_app(app)
    cli.init_app(app)
    return app


def _finish_config(app: Flask) -> None:
    config = app.config
    for name in ("REMEMBER_COOKIE_DURATION", "PERMANENT_SESSION_LIFETIME"):
        if config.get(name) is None:
            config[name] = timedelta(days=float(config["SESSION_LIFETIME_DAYS"]))
    default_config.name_cookies(config)
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        config["SQLALCHEMY_DATABASE_URI"] = default_config.database_uri_for(app.instance_path)
    if not config.get("SECRET_KEY"):
        key_file = Path(app.instance_path) / "secret_key"
        if key_file.exists():
            config["SECRET_KEY"] = key_file.read_text().strip()
    if not config.get("VAPID_PRIVATE_KEY"):
        key_file = Path(app.instance_path) / "vapid_private_key"
        if key_file.exists():
            config["VAPID_PRIVATE_KEY"] = key_file.read_text().strip()
    if config.get("VAPID_PRIVATE_KEY") and not config.get("VAPID_PUBLIC_KEY"):
        from couples.notifications.webpush import load_private_key, public_key_of

        config["VAPID_PUBLIC_KEY"] = public_key_of(load_private_key(config["VAPID_PRIVATE_KEY"]))
    if config.get("BASE_URL"):
        config["BASE_URL"] = default_config.public_origin(config["BASE_URL"])
        if config.get("TRUSTED_HOSTS") is None:
            # A request naming any other host is refused (400) before it reaches a view.
            config["TRUSTED_HOSTS"] = default_config.trusted_hosts_for(config["BASE_URL"])
    default_config.check_push_timing(config)
    if str(config.get("RATELIMIT_STORAGE_URI", "")).startswith(("redis://", "rediss://")):
        # A request waits at most this long on the limiter's Redis; past it, limits are
        # not counted (couples/limits.py) rather than everyone locked out.
        storage = dict(config.get("RATELIMIT_STORAGE_OPTIONS") or {})
        storage.setdefault("socket_connect_timeout", 0.5)
        storage.setdefault("socket_timeout", 0.5)
        config["RATELIMIT_STORAGE_OPTIONS"] = storage
    uri = config["SQLALCHEMY_DATABASE_URI"]
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("postgresql"):
        # A connection the server dropped (a restart) is found and replaced when it is
        # taken from the pool, so the first requests after a restart succeed; and
        # connections are recycled before a server or proxy drops them.
        options.setdefault("pool_pre_ping", True)
        options.setdefault("pool_recycle", 1800)
        # Sessions in UTC, the zone every instant is stored in, whatever the server's
        # default (often 'Etc/UTC' or its local time): psycopg then gives each timestamp
        # the fixed UTC zone, half the cost of reading it into a named zone. Unless the
        # operator already passes options of their own.
        connect_args = dict(options.get("connect_args") or {})
        if "options" not in connect_args and "options=" not in uri:
            connect_args["options"] = "-c TimeZone=UTC"
        options["connect_args"] = connect_args
    config["SQLALCHEMY_ENGINE_OPTIONS"] = options
