"""Per-request cost of a few routes in one process, without a server or the network.

    .venv/bin/python bench/profile_me.py                    # timings (best of --repeat)
    .venv/bin/python bench/profile_me.py --profile /api/v1/me [--linked] [--sort tottime]
    .venv/bin/python bench/profile_me.py --partner-answered --queries /api/v1/checkins/today
    .venv/bin/python bench/profile_me.py --partner-answered --forget-kept /api/v1/checkins/today
    .venv/bin/python bench/profile_me.py --linked "PUT /api/v1/checkins/{date}/answers"

Builds the app on a fresh SQLite database (migrated in a temporary folder, or
``--database-url``), registers a user (and a partner with ``--linked``), logs in through
the API, then calls the WSGI app directly with a prepared environ carrying the session
cookie, so the numbers are the app's own work: no test client, no HTTP parsing.

A path may start with a method (``"PUT /api/v1/checkins/{date}/answers"``); ``{date}``
is the user's local today, and a PUT to a check-in's answers sends valid answers for it
(as bench/http.py does). ``--partner-answered`` has the partner answer today's check-in
first. ``--queries`` prints, instead of timings, the SQL statements of one request to
each path, counted by a SQLAlchemy ``before_cursor_execute`` listener (on SQLite also
SQLite's own trace, which sees the user loader's statement on its raw connection and
the COMMITs) with the time spent in them.
"""

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass  # noqa: E402

PASSWORD = "velvet hamster orbit lamp 7"
PATHS = ["/healthz", "/api/v1/me"]


def migrate(url: str, instance: Path) -> None:
    env = {**os.environ, "COUPLES_SQLALCHEMY_DATABASE_URI": url,
           "COUPLES_INSTANCE_PATH": str(instance)}
    subprocess.run([sys.executable, "-m", "flask", "--app", "couples", "db", "upgrade"],
                   cwd=BENCH_DIR.parent, env=env, check=True, capture_output=True)


# As bench/http.py answers a check-in: these keys when asked, the lowest value of every
# other required scale question (week_needs_met on the weekly day).
SAMPLE_ANSWERS = {"needs_met": 4, "mood": 4, "needs_help": "A walk together after dinner."}


def sample_answers(client) -> tuple[str, dict]:
    """(the client's local today, valid answers for it), from GET /api/v1/checkins/today."""
    item = client.get("/api/v1/checkins/today").get_json()["items"][0]
    questions = {q["key"]: q for q in item["questions"]}
    answers = {k: v for k, v in SAMPLE_ANSWERS.items() if k in questions}
    for key, question in questions.items():
        if question.get("required") and question["type"] == "scale" and key not in answers:
            answers[key] = question["min"]
    return item["date"], answers


@dataclass
class Built:
    app: object
    cookie: str
    csrf_token: str
    date: str | None = None      # the user's local today, with --linked
    answers: dict | None = None  # valid answers for it


def build(url: str, linked: bool, partner_answered: bool = False) -> Built:
    from couples import create_app

    app = create_app({
        "SECRET_KEY": "profile-secret", "SQLALCHEMY_DATABASE_URI": url,
        "SESSION_COOKIE_SECURE": False, "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_COST": 1024,
        "PASSWORD_HASH_PARALLELISM": 1,
    })

    def client(label):
        c = app.test_client()
        token = c.get("/api/v1/auth/csrf").get_json()["csrf_token"]
        response = c.post("/api/v1/auth/register", headers={"X-CSRF-Token": token}, json={
            "email": f"{label}@example.com", "password": PASSWORD,
            "display_name": label.title(), "timezone": "UTC"})
        assert response.status_code == 201, response.get_json()
        return c, token

    first, token = client("first")
    if linked:
        second, token2 = client("second")
        code = first.post("/api/v1/invites", headers={"X-CSRF-Token": token}).get_json()["code"]
        response = second.post(f"/api/v1/invites/{code}/accept",
                               headers={"X-CSRF-Token": token2})
        assert response.status_code == 200, response.get_json()
        if partner_answered:
            day, answers = sample_answers(second)
            response = second.put(f"/api/v1/checkins/{day}/answers",
                                  headers={"X-CSRF-Token": token2}, json={"answers": answers})
            assert response.status_code == 200, response.get_json()
    cookie = first.get_cookie(app.config["SESSION_COOKIE_NAME"])
    built = Built(app, f"{cookie.key}={cookie.value}", token)
    if linked:
        built.date, built.answers = sample_answers(first)
    return built


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    body: bytes = b""
    label: str = ""


def request_for(text: str, built: Built) -> Request:
    """``"[METHOD ]PATH"`` with ``{date}`` the user's local today; a PUT to a check-in's
    answers carries valid answers."""
    method, _, path = text.partition(" ") if " " in text else ("GET", "", text)
    if "{date}" in path:
        if built.date is None:
            raise SystemExit(f"{text}: {{date}} needs --linked")
        path = path.replace("{date}", built.date)
    body = b""
    if method == "PUT" and path.endswith("/answers"):
        body = json.dumps({"answers": built.answers}).encode()
    return Request(method.upper(), path, body, text)


def environ_for(request: Request | str, cookie: str, csrf_token: str = "") -> dict:
    if isinstance(request, str):
        request = Request("GET", request)
    environ = {
        "REQUEST_METHOD": request.method, "SCRIPT_NAME": "", "PATH_INFO": request.path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000", "HTTP_COOKIE": cookie,
        "HTTP_ACCEPT": "*/*", "HTTP_USER_AGENT": "wrk", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(request.body), "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }
    if request.body:
        environ["CONTENT_TYPE"] = "application/json"
        environ["CONTENT_LENGTH"] = str(len(request.body))
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        environ["HTTP_X_CSRF_TOKEN"] = csrf_token
    return environ


def call(app, path, cookie: str, csrf_token: str = "") -> tuple[str, bytes]:
    status = []
    body = b"".join(app(environ_for(path, cookie, csrf_token),
                        lambda s, h, e=None: status.append(s)))
    return status[0], body


def timed(app, path, cookie, n, csrf_token: str = "", before=None):
    """Seconds per request, ``n`` requests; ``before()`` runs before each one (counted)."""
    statuses = Counter()

    def start_response(status, _headers, _exc_info=None):
        statuses[status] += 1

    start = time.perf_counter()
    for _ in range(n):
        if before is not None:
            before()
        environ = environ_for(path, cookie, csrf_token)
        result = app(environ, start_response)
        for _chunk in result:
            pass
        if hasattr(result, "close"):
            result.close()
    took = (time.perf_counter() - start) / n
    if set(statuses) != {"200 OK"}:  # a refused request would look fast
        raise SystemExit(f"{getattr(path, 'label', path)}: answered {dict(statuses)}")
    return took


def forget_kept(app):
    """A function that forgets the answers of GET /api/v1/checkins/today kept so far."""
    from couples.checkins.queries import today_answers

    with app.app_context():
        kept = today_answers()
    return kept.clear


class StatementLog:
    """The statements the app runs, with their time: SQLAlchemy's cursor events (every
    statement through an engine connection, BEGIN included), and on SQLite the
    connection's trace callback (also the raw-connection user read and COMMIT)."""

    def __init__(self, app):
        from sqlalchemy import event

        from couples.extensions import db

        self.orm: list[tuple[str, float]] = []
        self.sqlite: list[str] = []
        self.recording = False
        with app.app_context():
            engine = db.engine

        @event.listens_for(engine, "before_cursor_execute")
        def _before(conn, cursor, statement, parameters, context, executemany):
            conn.info["profile_started"] = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def _after(conn, cursor, statement, parameters, context, executemany):
            if self.recording:
                took = time.perf_counter() - conn.info.pop("profile_started", time.perf_counter())
                self.orm.append((" ".join(statement.split()), took))

        self.implicit_begin = engine.dialect.name != "sqlite"  # psycopg sends its own BEGIN

        def _mark(name):
            def listener(conn):
                if self.recording and (name != "(BEGIN)" or self.implicit_begin):
                    self.orm.append((name, 0.0))
            return listener

        event.listen(engine, "begin", _mark("(BEGIN)"))
        event.listen(engine, "commit", _mark("(COMMIT)"))
        event.listen(engine, "rollback", _mark("(ROLLBACK)"))

        if engine.dialect.name == "sqlite":
            @event.listens_for(engine, "connect")
            def _connect(dbapi_connection, _record):
                dbapi_connection.set_trace_callback(self._trace)

            engine.dispose()  # reconnect, so that every connection is traced

    def _trace(self, statement: str) -> None:
        if self.recording:
            self.sqlite.append(" ".join(statement.split()))

    def record(self, app, request: Request, built: Built) -> str:
        self.orm.clear()
        self.sqlite.clear()
        self.recording = True
        try:
            status, _body = call(app, request, built.cookie, built.csrf_token)
        finally:
            self.recording = False
        return status

    def report(self, width: int = 150) -> str:
        executed = [(s, t) for s, t in self.orm if not s.startswith("(")]
        lines = [f"  {len(executed)} statements through SQLAlchemy, "
                 f"{sum(t for _, t in executed) * 1e3:.2f} ms in them (transaction "
                 "boundaries in parentheses; a request that only reads also runs the user "
                 "loader's statement on a raw connection, which only SQLite's trace shows):"]
        for statement, took in self.orm:
            shown = "" if statement.startswith("(") else f"{took * 1e6:7.0f} us"
            lines.append(f"    {shown:>10}  {statement[:width]}")
        if self.sqlite:
            counts = Counter(s.split(" ", 1)[0].upper() for s in self.sqlite)
            lines.append(f"  {len(self.sqlite)} statements seen by SQLite ("
                         + ", ".join(f"{k} {v}" for k, v in counts.most_common()) + "):")
            lines += [f"    {s[:width]}" for s in self.sqlite]
        return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--linked", action="store_true")
    parser.add_argument("--partner-answered", action="store_true",
                        help="the partner answers today's check-in first (implies --linked)")
    parser.add_argument("--queries", action="store_true",
                        help="print the SQL statements of one request to each path")
    parser.add_argument("--forget-kept", action="store_true",
                        help="forget the kept answers of GET /api/v1/checkins/today before "
                             "each request, as the first request after a change finds them")
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", metavar="PATH")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=45)
    parser.add_argument("paths", nargs="*", default=PATHS)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="couples-profile-") as tmp:
        instance = Path(tmp) / "instance"
        instance.mkdir()
        url = args.database_url or f"sqlite:///{instance / 'couples.sqlite3'}"
        migrate(url, instance)
        linked = args.linked or args.partner_answered or any(
            "{date}" in p for p in args.paths + [args.profile or ""])
        if args.partner_answered and any(
                p.startswith("PUT ") and p.endswith("/answers")
                for p in args.paths + [args.profile or ""]):
            parser.error("--partner-answered with a PUT of answers: the first PUT would "
                         "reveal the check-in, and every other one be refused (409)")
        built = build(url, linked, args.partner_answered)
        app, cookie, token = built.app, built.cookie, built.csrf_token
        requests = [request_for(p, built) for p in args.paths]
        profiled = request_for(args.profile, built) if args.profile else None
        for request in requests + ([profiled] if profiled else []):
            status, body = call(app, request, cookie, token)
            if not status.startswith("200"):
                print(f"{request.label}: {status} {body[:200]!r}")
                return 1
        before = forget_kept(app) if args.forget_kept else None
        if args.queries:
            log = StatementLog(app)
            for request in requests:
                if before is not None:
                    before()
                status = log.record(app, request, built)
                print(f"{request.method} {request.path}: {status}")
                print(log.report())
            return 0
        if profiled:
            profiler = cProfile.Profile()
            profiler.enable()
            timed(app, profiled, cookie, args.n, token, before)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.limit)
            return 0
        for request in requests:
            best = min(timed(app, request, cookie, args.n, token, before)
                       for _ in range(args.repeat))
            print(f"{request.label:30s} {best * 1e6:8.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
