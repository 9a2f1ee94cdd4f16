"""Command-line: ``flask --app couples serve`` and friends."""

import ipaddress
import logging
import os
import secrets
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from couples import config, logs, metrics

log = logging.getLogger("couples")


def _write_private(path: Path, text: str) -> None:
    """Create ``path`` readable by its owner only (mode 600)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def ensure_instance(app: Flask) -> None:
    """Create the instance folder, a SECRET_KEY and a VAPID key pair when missing."""
    from couples.notifications.webpush import generate_keys, load_private_key, public_key_of

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        key_file = instance / "secret_key"
        if not key_file.exists():
            _write_private(key_file, secrets.token_urlsafe(48))
        app.config["SECRET_KEY"] = key_file.read_text().strip()
    if not app.config.get("VAPID_PRIVATE_KEY"):
        key_file = instance / "vapid_private_key"
        if not key_file.exists():
            _write_private(key_file, generate_keys()[0])
        app.config["VAPID_PRIVATE_KEY"] = key_file.read_text().strip()
        app.config["VAPID_PUBLIC_KEY"] = public_key_of(
            load_private_key(app.config["VAPID_PRIVATE_KEY"])
        )
    _private_database_file(app.config["SQLALCHEMY_DATABASE_URI"])


def _private_database_file(uri: str) -> None:
    """The SQLite file readable by its owner only, like the keys: it holds everyone's
    words. SQLite gives its -wal and -shm files the database file's mode."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    path = Path(url.database)
    if path.exists():
        path.chmod(0o600)
    else:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """Run the embedded default: migrate, create what is missing, serve in one process."""
    import flask_migrate
    from waitress import create_server

    app = current_app._get_current_object()
    proxy = proxy_options(app)
    ensure_instance(app)
    flask_migrate.upgrade()
    _log_to_console()
    app.config["EMBEDDED"] = True
    if (
        _is_loopback(host)
        and not app.config.get("TRUST_PROXY")
        and "SESSION_COOKIE_SECURE" not in _env_overrides()
    ):
        # Plain http on this machine only: a Secure cookie would never come back. Behind
        # a TLS proxy on this machine, people come over https: the cookie stays Secure.
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
        config.name_cookies(app.config)
    if not app.config.get("BASE_URL"):
        _own_origin(app, host, port)
    from couples.notifications import worker

    stop = worker.start_thread(app)  # the tick and delivery, in this process only
    try:
        # Bound before it is announced: the address printed answers at once.
        server = create_server(app, host=host, port=port, threads=threads, ident="couples", **proxy)
        log.info(
            "Couples is ready: open %s (listening on %s)",
            app.config["BASE_URL"],
            _listening(host, server.effective_port),
        )
        server.run()
    finally:
        stop.set()


def _listening(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


# The headers ProxyFix applies under other servers (couples/security.py).
PROXY_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-proto", "x-forwarded-host"})


def proxy_options(app: Flask) -> dict:
    """waitress's settings for the proxy in front of `serve`. waitress drops every
    X-Forwarded-* header before the app sees it unless told whom to trust; with
    TRUST_PROXY it applies them itself, only when the peer is TRUSTED_PROXY, and still
    drops them from anyone else. The app's own ProxyFix comes off, which would trust them
    from any peer and apply them a second time."""
    if not app.config.get("TRUST_PROXY"):
        return {}
    from werkzeug.middleware.proxy_fix import ProxyFix

    if isinstance(app.wsgi_app, ProxyFix):
        app.wsgi_app = app.wsgi_app.app
    return {
        "trusted_proxy": config.trusted_proxy(app.config.get("TRUSTED_PROXY")),
        "trusted_proxy_count": 1,
        "trusted_proxy_headers": set(PROXY_HEADERS),
        "clear_untrusted_proxy_headers": True,
    }


def _log_to_console() -> None:
    """INFO and up (the audit trail included) on stderr, with times in UTC, as text or
    JSON (``COUPLES_LOG_FORMAT``). After the migrations, which set logging up their own
    way (Alembic's fileConfig)."""
    logs.configure(current_app.config)


def _own_origin(app: Flask, host: str, port: int) -> None:
    """Without COUPLES_BASE_URL, links point at the address `serve` listens on."""
    if _is_loopback(host):
        # The address people were told to open: links must reach the same cookies.
        app.config["BASE_URL"] = _listening(host, port)
        # The same machine, by any of its loopback names.
        app.config["TRUSTED_HOSTS"] = sorted(
            {"localhost", "127.0.0.1"} | ({host} if ":" not in host else set())
        )
        return
    if _is_unspecified(host):
        # Every interface: which address other devices use is unknown, so no Host check;
        # links name this machine until the operator says otherwise.
        app.config["BASE_URL"] = f"http://127.0.0.1:{port}"
        log.warning(
            "Links in mail and invites point at %s: set COUPLES_BASE_URL to the "
            "address other devices open the app at.",
            app.config["BASE_URL"],
        )
        return
    app.config["BASE_URL"] = _listening(host, port)
    app.config["TRUSTED_HOSTS"] = config.trusted_hosts_for(app.config["BASE_URL"])


def _is_unspecified(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def _env_overrides() -> set[str]:
    return {name.removeprefix("COUPLES_") for name in os.environ if name.startswith("COUPLES_")}


push_cli = click.Group("push", help="Web Push.")


@push_cli.command("keys")
def push_keys() -> None:
    """Print a new VAPID key pair (base64url: raw private key, uncompressed public key)."""
    from couples.notifications.webpush import generate_keys

    private, public = generate_keys()
    click.echo(f"COUPLES_VAPID_PRIVATE_KEY={private}")
    click.echo(f"COUPLES_VAPID_PUBLIC_KEY={public}")


reminders_cli = click.Group("reminders", help="Reminders and push delivery.")


@reminders_cli.command("tick")
@click.option("--now", "now_text", help="The instant to tick at (ISO 8601 with offset).")
@with_appcontext
def reminders_tick(now_text: str | None) -> None:
    """Create the notifications due at that instant (default: now), and do the clock's
    other work due then (such as erasing the shared history of couples whose days of
    grace ran out)."""
    from datetime import datetime

    from couples.clock import utcnow
    from couples.notifications import reminders

    now = utcnow()
    if now_text:
        try:
            now = datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter("use ISO 8601, e.g. 2026-03-08T02:00:00+00:00") from None
        if now.tzinfo is None:
            raise click.BadParameter("give an offset, e.g. +00:00")
    click.echo(f"created {reminders.tick(now=now)} notification(s)")


@reminders_cli.command("deliver")
@click.option("--limit", default=None, type=click.IntRange(1, 10_000))
@with_appcontext
def reminders_deliver(limit: int | None) -> None:
    """Deliver pending notifications (one batch)."""
    from couples.notifications import delivery

    config.require(current_app.config, "BASE_URL")  # every push links there

    click.echo(delivery.deliver_due(limit=limit))


@reminders_cli.command("run")
@with_appcontext
def reminders_run() -> None:
    """The worker loop in the foreground (tick + delivery), for one machine."""
    import threading

    from couples.notifications import worker

    app = current_app._get_current_object()
    config.require(app.config, "BASE_URL")  # every push links there
    logs.configure(app.config)
    metrics.serve_on_address(app)  # with COUPLES_METRICS_ADDRESS
    stop = threading.Event()
    try:
        worker.loop(app, stop)
    except KeyboardInterrupt:
        stop.set()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """A consistent copy of the embedded (SQLite) database at PATH, taken while the app
    runs: SQLite's online backup API copies every page in one read transaction, so the
    copy is the database of one moment while writes go on. On PostgreSQL, use pg_dump
    (see the README)."""
    from couples.extensions import db

    if db.engine.dialect.name != "sqlite":
        raise click.ClickException(
            "This database is not the embedded one: back it up with pg_dump (see the README)."
        )
    if path.exists():
        raise click.ClickException(f"{path} exists already: give a new file.")
    path.parent.mkdir(parents=True, exist_ok=True)
    import sqlite3

    pooled = db.engine.raw_connection()  # the app's own pool, not a connection of its own
    try:
        target = sqlite3.connect(path)
        try:
            with target:
                pooled.driver_connection.backup(target)
        finally:
            target.close()
    finally:
        pooled.close()
    path.chmod(0o600)  # as private as the database itself
    click.echo(f"Backed up to {path}")


demo_cli = click.Group("demo", help="A demo couple for trying the app.")


@demo_cli.command("seed")
@with_appcontext
def demo_seed() -> None:
    """Create a demo couple with 60 days of history and print how to log in."""
    from couples import demo
    from couples.clock import utcnow
    from couples.errors import Conflict

    try:
        made = demo.seed(now=utcnow())
    except Conflict as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Demo couple: {made.checkins} check-ins, {made.appreciations} appreciations, "
        f"{made.bids} bids over {demo.DAYS} days, {made.repairs} repairs."
    )
    for user in (made.alex, made.sam):
        click.echo(f"  {user.display_name}: {user.email}")
    click.echo(f"  password (both): {made.password}")


def init_app(app: Flask) -> None:
    app.cli.add_command(serve_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(push_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(demo_cli)
