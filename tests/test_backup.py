"""`flask --app couples backup PATH`: a consistent copy of the embedded database, taken
while the app writes; the copy restores (the app starts on it and `flask db check` finds
the schema whole). PostgreSQL is backed up with pg_dump instead."""

import sqlite3
import threading

from tests.conftest import run_flask


def _env(database, tmp_path) -> dict:
    return {
        "COUPLES_SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "COUPLES_INSTANCE_PATH": str(tmp_path / "instance"),
    }


def test_a_backup_taken_during_writes_restores_and_passes_the_check(tmp_path):
    live, copy = tmp_path / "live.sqlite3", tmp_path / "backups" / "copy.sqlite3"
    upgrade = run_flask(["db", "upgrade"], _env(live, tmp_path))
    assert upgrade.returncode == 0, upgrade.stderr

    # Another process's writes, all the while: couples rows, one transaction each.
    stop, started, written = threading.Event(), threading.Event(), [0]

    def write() -> None:
        conn = sqlite3.connect(live, timeout=30)
        try:
            while not stop.is_set():
                with conn:
                    conn.execute("INSERT INTO couples (created_at) VALUES ('2026-12-05 20:00:00')")
                written[0] += 1
                if written[0] == 20:
                    started.set()
        finally:
            conn.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert started.wait(30)
        backup = run_flask(["backup", str(copy)], _env(live, tmp_path))
    finally:
        stop.set()
        writer.join()
    assert backup.returncode == 0, backup.stderr
    assert f"Backed up to {copy}" in backup.stdout
    assert copy.stat().st_mode & 0o777 == 0o600

    restored = sqlite3.connect(copy)
    try:
        assert restored.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        kept = restored.execute("SELECT count(*) FROM couples").fetchone()[0]
    finally:
        restored.close()
    assert 20 <= kept <= written[0]
    # Restored: the app runs on the copy, and its schema is the latest, whole.
    check = run_flask(["db", "check"], _env(copy, tmp_path))
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No new upgrade operations detected" in check.stdout + check.stderr

    # A backup never overwrites a file.
    again = run_flask(["backup", str(copy)], _env(live, tmp_path))
    assert again.returncode != 0 and "exists already" in again.stderr


def test_postgresql_is_sent_to_pg_dump(tmp_path):
    env = {
        "COUPLES_SQLALCHEMY_DATABASE_URI": "postgresql://127.0.0.1:9/nothing",
        "COUPLES_INSTANCE_PATH": str(tmp_path / "instance"),
    }
    result = run_flask(["backup", str(tmp_path / "copy")], env)
    assert result.returncode != 0 and "pg_dump" in result.stderr
    assert not (tmp_path / "copy").exists()
