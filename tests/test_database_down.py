"""When the database cannot be reached, people get a calm "back in a moment" (503 with
Retry-After), never a 500; once it is back, the very first requests succeed.

On PostgreSQL the test stops and starts the database's address (a TCP relay in front
of it, closed and opened again as a restart would); on SQLite, another process holds
the write lock for longer than the app waits for it."""

import contextlib
import socket
import sqlite3
import threading

from sqlalchemy.engine import make_url

from couples import db as couples_db
from couples.extensions import db
from tests.conftest import PG_URL
from tests.factories import ApiClient, make_couple, make_user


class Relay:
    """127.0.0.1:<port> relayed to PostgreSQL; ``stop()`` drops the port and every
    connection through it, ``start()`` opens the same port again."""

    def __init__(self, upstream: tuple[str, int]):
        self.upstream = upstream
        self.port = None
        self.server = None
        self.pipes: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self):
        self.server = socket.create_server(("127.0.0.1", self.port or 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._accept, args=(self.server,), daemon=True).start()

    def stop(self):
        # Shut down first: closing alone leaves a thread blocked in accept() accepting.
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)
        self.server.close()
        with self.lock:
            for sock in self.pipes:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
                sock.close()
            self.pipes.clear()

    def _accept(self, server):
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.upstream)
            with self.lock:
                self.pipes += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source, target):
        try:
            with contextlib.suppress(OSError):
                while data := source.recv(65536):
                    target.sendall(data)
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


def _couple(app):
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex")
        sam = make_user(email="sam@example.com", display_name="Sam")
        make_couple(alex, sam)
        db.session.remove()
    return ApiClient(app).login("alex@example.com")


def _calm_503(alex):
    page = alex.client.get("/")
    assert page.status_code == 503
    assert page.headers["Retry-After"] == "30"
    html = page.get_data(as_text=True)
    assert "Back in a moment" in html and "Alex" not in html
    api = alex.post("/api/v1/appreciations", json={"text": "Thank you for the tea"})
    assert api.status_code == 503
    assert api.mimetype == "application/problem+json"
    assert api.get_json()["type"] == "/problems/unavailable"
    assert api.headers["Retry-After"] == "30"


def test_the_database_out_of_reach_answers_503_then_the_first_requests_succeed(
    database_url, make_app, monkeypatch
):
    if PG_URL:
        _postgresql_restart(database_url, make_app)
    else:
        _sqlite_locked_too_long(database_url, make_app, monkeypatch)


def _postgresql_restart(database_url, make_app):
    url = make_url(database_url)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    relay.start()
    try:
        app = make_app(SQLALCHEMY_DATABASE_URI=url.set(port=relay.port).render_as_string(False))
        alex = _couple(app)
        assert alex.get("/api/v1/me").status_code == 200  # a pooled connection now exists
        relay.stop()  # the database goes away, and every connection with it
        _calm_503(alex)
        relay.start()  # back, at the same address: the pooled connections are dead
        for _ in range(3):
            assert alex.get("/api/v1/me").status_code == 200
        response = alex.post("/api/v1/appreciations", json={"text": "Thank you for the tea"})
        assert response.status_code == 201
    finally:
        relay.stop()


def _sqlite_locked_too_long(database_url, make_app, monkeypatch):
    # Readers never wait in WAL mode: a write is what meets the lock.
    monkeypatch.setattr(couples_db, "BUSY_TIMEOUT_MS", 200)
    app = make_app()
    alex = _couple(app)
    holder = sqlite3.connect(make_url(database_url).database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        response = alex.post("/api/v1/appreciations", json={"text": "Thank you for the tea"})
        assert response.status_code == 503
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["type"] == "/problems/unavailable"
        assert response.headers["Retry-After"] == "30"
        form = {"csrf_token": alex.csrf(), "text": "Hi"}
        page = alex.client.post("/appreciations/new", data=form)
        assert page.status_code == 503
        assert "Back in a moment" in page.get_data(as_text=True)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    response = alex.post("/api/v1/appreciations", json={"text": "Thank you for the tea"})
    assert response.status_code == 201


def test_the_calm_page_asks_nothing_of_the_database_for_its_language(make_app, tmp_path):
    """A signed-in person whose session cannot be read (the database is gone) gets the
    calm page in their browser's language, not an error raised while choosing it."""
    database = tmp_path / "gone.sqlite3"
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{database}", LANGUAGES=["en", "es"])
    with app.app_context():
        db.create_all()
    alex = _couple(app)
    with app.app_context():
        db.engine.dispose()
    database.rename(tmp_path / "moved.sqlite3")  # a new, empty file takes its place
    for language, words in (("en", "Back in a moment"), ("es", 'lang="es"')):
        page = alex.client.get("/", headers={"Accept-Language": language})
        assert page.status_code == 503
        assert words in page.get_data(as_text=True)
