"""The baseline for bench/http.py: the least a Flask app can do for the same two kinds of
request, served by the same gunicorn settings as the real app.

    GET /hello       a constant JSON object; no database, no session, no extensions
    GET /item/<id>   one row by primary key from a small table, as JSON

``BENCH_BASELINE_DB`` names the database: a SQLite file path, or a ``postgresql://`` URL
(needs psycopg). bench/http.py creates and fills the ``bench_items`` table before gunicorn
starts. Each worker opens one connection on its first request and keeps it (opening after
the fork, never sharing a connection between processes); SQLite runs in WAL mode.
"""

import os
import sqlite3

from flask import Flask, abort, jsonify

DB = os.environ.get("BENCH_BASELINE_DB", "")
IS_POSTGRES = DB.startswith(("postgresql://", "postgres://"))
QUERY = "SELECT id, email, display_name, timezone, created_at FROM bench_items WHERE id = {}"
COLUMNS = ("id", "email", "display_name", "timezone", "created_at")

app = Flask(__name__)
_connection = None
_connection_pid = None


def _connect():
    if IS_POSTGRES:
        import psycopg

        return psycopg.connect(DB, autocommit=True)
    connection = sqlite3.connect(DB, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    return connection


def connection():
    """This worker's connection, opened on first use."""
    global _connection, _connection_pid
    if _connection is None or _connection_pid != os.getpid():
        _connection = _connect()
        _connection_pid = os.getpid()
    return _connection


@app.get("/hello")
def hello():
    return jsonify(hello="world")


@app.get("/item/<int:item_id>")
def item(item_id: int):
    placeholder = "%s" if IS_POSTGRES else "?"
    row = connection().execute(QUERY.format(placeholder), (item_id,)).fetchone()
    if row is None:
        abort(404)
    return jsonify(dict(zip(COLUMNS, row, strict=True)))
