"""`flask db upgrade` from an empty database, then `flask db check`: no difference."""

import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import PG_URL, run_flask


def _fresh_database(tmp_path):
    """An empty database of the kind the suite runs on; a function that drops it."""
    if not PG_URL:
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}", lambda: None
    name = f"couples_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(PG_URL).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), drop


def test_upgrade_from_empty_then_check_reports_no_difference(tmp_path):
    url, drop = _fresh_database(tmp_path)
    env = {"COUPLES_SQLALCHEMY_DATABASE_URI": url, "COUPLES_INSTANCE_PATH": str(tmp_path)}
    try:
        upgrade = run_flask(["db", "upgrade"], env)
        assert upgrade.returncode == 0, upgrade.stderr
        check = run_flask(["db", "check"], env)
        assert check.returncode == 0, check.stdout + check.stderr
        assert "No new upgrade operations detected" in check.stdout + check.stderr
    finally:
        drop()


def test_downgrade_to_base_and_upgrade_again(tmp_path):
    url, drop = _fresh_database(tmp_path)
    env = {"COUPLES_SQLALCHEMY_DATABASE_URI": url, "COUPLES_INSTANCE_PATH": str(tmp_path)}
    try:
        for command in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
            result = run_flask(command, env)
            assert result.returncode == 0, (command, result.stderr)
    finally:
        drop()
