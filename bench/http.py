"""HTTP benchmark: the real app under gunicorn against a bare Flask baseline, loaded by wrk.

    .venv/bin/python bench/http.py [--duration 10] [--connections 16] [--rounds 1]
                                   [--database sqlite|postgresql] [--database-url URL]

Everything listens on 127.0.0.1 only. The script starts and stops its own gunicorn servers
(in their own process groups, stopped even on errors), prints a table of requests/s, p50
and p99, and the ratio of each app scenario to the baselines measured in the same run.
The app is reached through its public HTTP API only. Goals, for every API read measured:
at least 0.25 x the requests/s of the bare primary-key route, and p99 under 50 ms at 16
connections; each is printed on a line of its own with PASS or MISS.
It needs ``wrk`` (Debian: ``apt-get install wrk``) and exits 2 without it. See README.md.
"""

import sys
from pathlib import Path

# This file is named http.py: keep its folder off sys.path so that ``http`` is the stdlib.
BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]

import argparse  # noqa: E402
import contextlib  # noqa: E402
import http.client  # noqa: E402
import ipaddress  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from http.cookies import SimpleCookie  # noqa: E402
from urllib.parse import urlsplit, urlunsplit  # noqa: E402

ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
HOST = "127.0.0.1"
USER_AGENT = "couples-bench/1"
PASSWORD = "velvet hamster orbit lamp 7"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/couples_bench"
BASELINE_ROWS = 1000
BASELINE_ROW_ID = 42
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
START_TIMEOUT = 30.0


class BenchError(Exception):
    """A setup step failed: the message says what and where to look."""


# --------------------------------------------------------------------------------------
# Scenarios


@dataclass
class Prepared:
    """What a scenario's setup step hands to wrk: extra headers, values for the
    ``{placeholders}`` in the scenario's path, and the JSON body when it can only be
    known once the servers are up (it replaces the scenario's own ``body``)."""

    headers: dict[str, str] = field(default_factory=dict)
    path_params: dict[str, str] = field(default_factory=dict)
    body: object = None
    notes: list[str] = field(default_factory=list)  # printed with the results


@dataclass(frozen=True)
class Scenario:
    """One request repeated by wrk. ``server`` is ``"app"`` or ``"baseline"``; ``setup``
    runs once, after the servers are up and before the first round."""

    name: str
    server: str
    method: str
    path: str
    body: object = None  # sent as JSON when not None
    setup: Callable[["Context", "Scenario"], Prepared] | None = None
    expect_status: int = 200


@dataclass(frozen=True)
class Goal:
    """Either a ratio (``scenario``'s req/s at least ``min_ratio`` x ``baseline``'s, the
    median of the per-round ratios) or a latency (``scenario``'s median p99 over the
    rounds under ``max_p99_ms``, a goal set for ``connections`` wrk connections)."""

    scenario: str
    baseline: str | None = None
    min_ratio: float | None = None
    max_p99_ms: float | None = None
    connections: int = 16


@dataclass
class Context:
    """Shared by the setup steps: where each server listens, and a cache (for instance
    the users already registered) so that scenarios can share a setup."""

    urls: dict[str, tuple[str, int]]
    cache: dict[str, object] = field(default_factory=dict)

    def client(self, server: str) -> "Client":
        host, port = self.urls[server]
        return Client(host, port)


class Client:
    """A small cookie-keeping JSON client for setup steps (stdlib only)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.csrf_token: str | None = None

    def request(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict, object]:
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self.cookies:
            all_headers["Cookie"] = self.cookie_header()
        if method in UNSAFE_METHODS and self.csrf_token:
            all_headers["X-CSRF-Token"] = self.csrf_token
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        all_headers.update(headers or {})
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=data, headers=all_headers)
            response = conn.getresponse()
            raw = response.read()
            for value in response.headers.get_all("Set-Cookie") or []:
                jar = SimpleCookie()
                jar.load(value)
                for name, morsel in jar.items():
                    self.cookies[name] = morsel.value
            try:
                payload = json.loads(raw) if raw else None
            except ValueError:
                payload = raw[:200]
            return response.status, dict(response.headers), payload
        finally:
            conn.close()

    def expect(self, status: int, method: str, path: str, body: object = None) -> object:
        got, _headers, payload = self.request(method, path, body)
        if got != status:
            raise BenchError(f"{method} {path}: expected {status}, got {got}: {payload!r}")
        return payload

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def fetch_csrf(self) -> None:
        self.csrf_token = self.expect(200, "GET", "/api/v1/auth/csrf")["csrf_token"]


def register(ctx: Context, label: str) -> Client:
    """A new account on the app, logged in: the client keeps its session cookie."""
    client = ctx.client("app")
    client.fetch_csrf()
    email = f"bench-{label}-{secrets.token_hex(4)}@example.com"
    client.expect(
        201,
        "POST",
        "/api/v1/auth/register",
        {"email": email, "password": PASSWORD, "display_name": f"Bench {label}", "timezone": "UTC"},
    )
    client.fetch_csrf()  # registering starts a new session, with a token of its own
    return client


def _session_headers(client: Client, scenario: Scenario) -> Prepared:
    headers = {"Cookie": client.cookie_header()}
    if scenario.method in UNSAFE_METHODS:
        headers["X-CSRF-Token"] = client.csrf_token or ""
    return Prepared(headers=headers)


def single_user(ctx: Context, scenario: Scenario) -> Prepared:
    """Logged in as a user with no partner."""
    if "single" not in ctx.cache:
        ctx.cache["single"] = register(ctx, "single")
    return _session_headers(ctx.cache["single"], scenario)


def linked_pair(ctx: Context, key: str) -> tuple[Client, Client]:
    """Two partners linked to each other (the first invites, the second accepts), made
    once per ``key``: scenarios that must not see each other's check-ins use their own."""
    if key not in ctx.cache:
        first, second = register(ctx, f"{key}-first"), register(ctx, f"{key}-second")
        code = first.expect(201, "POST", "/api/v1/invites")["code"]
        second.expect(200, "POST", f"/api/v1/invites/{code}/accept")
        ctx.cache[key] = (first, second)
    return ctx.cache[key]


def linked_user(ctx: Context, scenario: Scenario) -> Prepared:
    """Logged in as one of two linked partners (invite, then accept)."""
    first, _second = linked_pair(ctx, "linked")
    return _session_headers(first, scenario)


# Answers to a check-in: what a partner would plausibly send. Keys the check-in does not
# ask are left out; every other required scale question gets its lowest value.
SAMPLE_ANSWERS = {"needs_met": 4, "mood": 4, "needs_help": "A walk together after dinner."}


def todays_checkin(client: Client) -> tuple[str, dict]:
    """The date of ``client``'s local today, as ``GET /api/v1/checkins/today`` lists it
    first, and a valid answers object for it (on the weekly day too: ``week_needs_met``
    is required there)."""
    items = client.expect(200, "GET", "/api/v1/checkins/today")["items"]
    if not items:
        raise BenchError("GET /api/v1/checkins/today: no open check-in to answer")
    questions = {q["key"]: q for q in items[0]["questions"]}
    answers = {k: v for k, v in SAMPLE_ANSWERS.items() if k in questions}
    for key, question in questions.items():
        if question.get("required") and question["type"] == "scale" and key not in answers:
            answers[key] = question["min"]
    return items[0]["date"], answers


def describe_items(items: list[dict]) -> str:
    """What a list of check-ins holds, for the notes: the answer depends on the weekday
    (the weekly check-in) and on the time of day (yesterday's stays open until noon)."""
    return ", ".join(
        f"{i['date']} {i['kind']} ({len(i['questions'])} questions"
        f"{', partner answered' if i['partner_answered'] else ''}"
        f"{', with agenda' if i.get('agenda') else ''})"
        for i in items
    )


def partner_answered_today(ctx: Context, scenario: Scenario) -> Prepared:
    """A linked partner whose partner has answered today's check-in (not revealed: the
    user loading it has not answered), so the check-in exists and has answers."""
    me, partner = linked_pair(ctx, "checkin-read")
    day, answers = todays_checkin(partner)
    partner.expect(200, "PUT", f"/api/v1/checkins/{day}/answers", {"answers": answers})
    items = me.expect(200, "GET", "/api/v1/checkins/today")["items"]
    item = next((i for i in items if i["date"] == day), None)
    if item is None or not item["partner_answered"] or item["revealed"]:
        raise BenchError(
            f"{scenario.name}: the partner's answers for {day} are not "
            f"shown as answered and unrevealed: {item!r}"
        )
    prepared = _session_headers(me, scenario)
    prepared.notes.append(f"{scenario.name}: {len(items)} item(s): {describe_items(items)}")
    return prepared


def own_answers_today(ctx: Context, scenario: Scenario) -> Prepared:
    """A linked partner replacing their own answers for their local today. Their partner
    (of a couple no other scenario uses) never answers, so the check-in is never
    revealed and stays editable: every request replaces the same answers."""
    me, _partner = linked_pair(ctx, "checkin-write")
    day, answers = todays_checkin(me)
    prepared = _session_headers(me, scenario)
    prepared.path_params["date"] = day
    prepared.body = {"answers": answers}
    prepared.notes.append(f"{scenario.name}: answers for {day}: {json.dumps(answers)}")
    return prepared


BASELINE_HELLO = "baseline: GET /hello"
BASELINE_PK = "baseline: GET /item/<id> (pk)"
APP_ME = "app: GET /api/v1/me"
APP_TODAY = "app: GET /api/v1/checkins/today"
APP_PUT_ANSWERS = "app: PUT /api/v1/checkins/{date}/answers"

# Baselines first: every other scenario is compared with them. Add app scenarios here
# (method, path, JSON body, setup); a setup may also compute the path's {placeholders}
# and the body (see own_answers_today).
SCENARIOS: list[Scenario] = [
    Scenario(BASELINE_HELLO, "baseline", "GET", "/hello"),
    Scenario(BASELINE_PK, "baseline", "GET", f"/item/{BASELINE_ROW_ID}"),
    Scenario(APP_ME, "app", "GET", "/api/v1/me", setup=single_user),
    Scenario("app: GET /api/v1/me (linked)", "app", "GET", "/api/v1/me", setup=linked_user),
    Scenario(APP_TODAY, "app", "GET", "/api/v1/checkins/today", setup=partner_answered_today),
    Scenario(
        APP_PUT_ANSWERS, "app", "PUT", "/api/v1/checkins/{date}/answers", setup=own_answers_today
    ),
]
BASELINES = {"hello": BASELINE_HELLO, "pk": BASELINE_PK}
READ_MIN_RATIO = 0.25  # of the bare primary-key route's requests/s
READ_MAX_P99_MS = 50.0  # at GOAL_CONNECTIONS wrk connections
GOAL_CONNECTIONS = 16


def is_api_read(scenario: Scenario) -> bool:
    return scenario.server == "app" and scenario.method == "GET"


# Every API read gets both goals; the PUT is shown for information (writes under a
# realistic mix of couples are bench/evening.py's).
GOALS = [
    goal
    for s in SCENARIOS
    if is_api_read(s)
    for goal in (
        Goal(s.name, BASELINE_PK, min_ratio=READ_MIN_RATIO),
        Goal(s.name, max_p99_ms=READ_MAX_P99_MS, connections=GOAL_CONNECTIONS),
    )
]


# --------------------------------------------------------------------------------------
# Databases


def _is_loopback(host: str | None) -> bool:
    if not host or host == "localhost":
        return host == "localhost"
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class SqliteDatabase:
    label = "sqlite"

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.app_url = f"sqlite:///{workdir / 'instance' / 'couples.sqlite3'}"
        self.baseline_db = str(workdir / "baseline.sqlite3")

    def create(self) -> None:
        (self.workdir / "instance").mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(self.baseline_db, isolation_level=None)
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute(
                "CREATE TABLE bench_items (id INTEGER PRIMARY KEY, email TEXT NOT NULL, "
                "display_name TEXT NOT NULL, timezone TEXT NOT NULL, created_at TEXT NOT NULL)"
            )
            connection.executemany(
                "INSERT INTO bench_items VALUES (?, ?, ?, ?, ?)",
                [
                    (i, f"user{i}@example.com", f"User {i}", "UTC", "2025-01-01T00:00:00+00:00")
                    for i in range(1, BASELINE_ROWS + 1)
                ],
            )
        finally:
            connection.close()

    def drop(self) -> None:
        pass  # the temporary folder goes away


PG_SEED_SQL = (  # BASELINE_ROWS rows, as SqliteDatabase.create makes them
    "CREATE TABLE bench_items (id integer PRIMARY KEY, email text NOT NULL, "
    "display_name text NOT NULL, timezone text NOT NULL, created_at text NOT NULL); "
    "INSERT INTO bench_items SELECT g, 'user' || g || '@example.com', 'User ' || g, "
    "'UTC', '2025-01-01T00:00:00+00:00' FROM generate_series(1, 1000) g; "
    "ANALYZE bench_items;"
)


class PostgresDatabase:
    """A dedicated database, created (via psql against ``postgres``) and dropped by this
    run. A name that already exists is refused unless it starts with ``couples_bench``:
    the benchmark never drops a database it may not own (such as the tests' ``test``)."""

    label = "postgresql"

    def __init__(self, url: str, keep: bool):
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres") or "+" in parts.scheme:
            raise BenchError(f"--database-url must be postgresql://..., not {url!r}")
        if not _is_loopback(parts.hostname):
            raise BenchError(f"--database-url must point at 127.0.0.1 (got {parts.hostname!r})")
        self.name = parts.path.lstrip("/")
        if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", self.name):
            raise BenchError(f"database name {self.name!r}: use lower-case letters, digits, _")
        if self.name in ("postgres", "template0", "template1"):
            raise BenchError(f"refusing to use the {self.name!r} database")
        self.keep = keep
        self.url = urlunsplit(("postgresql", parts.netloc, f"/{self.name}", "", ""))
        self.admin_url = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
        self.app_url = urlunsplit(("postgresql+psycopg", parts.netloc, f"/{self.name}", "", ""))
        self.baseline_db = self.url
        self.created = False

    def _psql(self, url: str, sql: str) -> str:
        psql = shutil.which("psql")
        if psql is None:
            raise BenchError("--database postgresql needs psql (apt-get install postgresql-client)")
        result = subprocess.run(
            [psql, url, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-tA", "-c", sql],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise BenchError(f"psql failed ({sql[:60]}...): {result.stderr.strip()}")
        return result.stdout.strip()

    seed_sql = PG_SEED_SQL  # the baseline's table; None: the app's tables only

    def create(self) -> None:
        names = self._psql(self.admin_url, "SELECT datname FROM pg_database").split()
        if self.name in names:
            if not self.name.startswith("couples_bench"):
                raise BenchError(
                    f"database {self.name!r} exists and is not a couples_bench* database; "
                    "pick a new name (it is created and dropped by the run)"
                )
            self._psql(self.admin_url, f'DROP DATABASE "{self.name}" WITH (FORCE)')
        self._psql(self.admin_url, f'CREATE DATABASE "{self.name}"')
        self.created = True
        if self.seed_sql:
            self._psql(self.url, self.seed_sql)

    def drop(self) -> None:
        if self.created and not self.keep:
            self._psql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


# --------------------------------------------------------------------------------------
# Servers


_PORTS_TAKEN: set[int] = set()


def free_port() -> int:
    """A loopback port nothing listens on now, and not yet handed to another server."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((HOST, 0))
            port = sock.getsockname()[1]
        if port not in _PORTS_TAKEN:
            _PORTS_TAKEN.add(port)
            return port


def gunicorn_path() -> Path:
    path = Path(sys.executable).parent / "gunicorn"
    if not path.exists():
        raise BenchError(f"gunicorn not found next to {sys.executable}: install the project")
    return path


class Server:
    """A gunicorn master and its workers in a process group of their own: sync workers,
    or with ``threads`` above 1 threaded ones (gthread, which keeps connections open)."""

    def __init__(
        self,
        name: str,
        module: str,
        chdir: Path,
        env: dict[str, str],
        workers: int,
        ready_path: str,
        log_path: Path,
        threads: int = 1,
    ):
        self.name, self.module, self.chdir, self.env = name, module, chdir, env
        self.workers, self.ready_path, self.log_path = workers, ready_path, log_path
        self.threads = threads
        self.start_timeout = START_TIMEOUT
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        gunicorn = gunicorn_path()
        command = [
            str(gunicorn),
            "--workers",
            str(self.workers),
            "--bind",
            f"{HOST}:{self.port}",
            "--chdir",
            str(self.chdir),
            "--log-level",
            "warning",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
        ]
        if self.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(self.threads)]
        else:
            command += ["--worker-class", "sync"]
        if "--no-control-socket" in _gunicorn_help(gunicorn):
            command.append("--no-control-socket")  # gunicorn 24+: one socket per user
        return [*command, self.module]

    def start(self) -> None:
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                self.command(),
                cwd=self.chdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"{self.name} server exited early:\n{self.log_tail()}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _, _ = Client(HOST, self.port).request("GET", self.ready_path)
                if status < 500:
                    return
            time.sleep(0.1)
        raise BenchError(
            f"{self.name} server not ready after {self.start_timeout:.0f} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        # Workers left behind by a killed master share its group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


_HELP_CACHE: dict[Path, str] = {}


def _gunicorn_help(gunicorn: Path) -> str:
    if gunicorn not in _HELP_CACHE:
        result = subprocess.run(
            [str(gunicorn), "--help"], capture_output=True, text=True, timeout=30, check=False
        )
        _HELP_CACHE[gunicorn] = result.stdout
    return _HELP_CACHE[gunicorn]


def app_env(database, workdir: Path, extra: list[str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COUPLES_", "BENCH_"))}
    env.update(
        {
            "COUPLES_SECRET_KEY": secrets.token_urlsafe(32),
            "COUPLES_BASE_URL": "http://127.0.0.1",
            "COUPLES_SQLALCHEMY_DATABASE_URI": database.app_url,
            "COUPLES_INSTANCE_PATH": str(workdir / "instance"),
            "COUPLES_SESSION_COOKIE_SECURE": "false",
            "COUPLES_REMEMBER_COOKIE_SECURE": "false",
            "COUPLES_RATELIMIT_ENABLED": "false",
        }
    )
    env.update(item.split("=", 1) for item in extra)
    return env


def migrate(env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "couples", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"flask db upgrade failed:\n{result.stderr[-2000:]}")


# --------------------------------------------------------------------------------------
# wrk


def lua_string(text: str) -> str:
    """A Lua string literal for any text (every byte outside a safe set as \\ddd)."""
    safe = set(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 -_./:,")
    return '"' + "".join(chr(b) if b in safe else f"\\{b:03d}" for b in text.encode()) + '"'


LUA_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_RESULT {\\"requests\\": %d, \\"duration_us\\": %d, \\"bytes\\": %d, "
    .. "\\"p50_us\\": %d, \\"p90_us\\": %d, \\"p99_us\\": %d, \\"max_us\\": %d, "
    .. "\\"mean_us\\": %.1f, \\"errors\\": {\\"connect\\": %d, \\"read\\": %d, "
    .. "\\"write\\": %d, \\"status\\": %d, \\"timeout\\": %d}}\\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def write_lua(path: Path, method: str, headers: dict[str, str], body: object) -> None:
    """The request wrk repeats: method, headers (the session cookie and CSRF token among
    them, so they stay off wrk's command line) and the JSON body, if any."""
    lines = [f"wrk.method = {lua_string(method)}"]
    lines += [
        f"wrk.headers[{lua_string(name)}] = {lua_string(value)}" for name, value in headers.items()
    ]
    if body is not None:
        lines.append(f"wrk.body = {lua_string(json.dumps(body))}")
    path.write_text("\n".join(lines) + "\n" + LUA_DONE)
    path.chmod(0o600)


@dataclass
class Measurement:
    requests_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    requests: int
    errors: dict[str, int]
    # CPU time per request (Linux: /proc), in microseconds: the server's processes
    # (gunicorn's master and workers) and the whole machine (every process, the kernel's
    # network work, wrk and the database server included). None where not measured.
    server_cpu_us: float | None = None
    machine_cpu_us: float | None = None


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def group_cpu_seconds(pgid: int) -> float | None:
    """User and system CPU time so far of the processes in process group ``pgid`` (a
    server's master and workers), from /proc; None without /proc."""
    total, seen = 0, False
    try:
        entries = os.listdir("/proc")
    except OSError:
        return None
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        # After the command's ")": state, ppid, pgrp, ... utime is field 14, stime 15.
        if int(fields[2]) == pgid:
            total += int(fields[11]) + int(fields[12])
            seen = True
    return total / _TICK if seen else None


def machine_busy_seconds() -> float | None:
    """CPU time the whole machine spent not idle so far, all CPUs together (/proc/stat);
    None without /proc."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(value) for value in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    # guest time is already counted in user time.
    return (sum(fields[:8]) - idle) / _TICK


def _per_request_us(before: float | None, after: float | None, requests: int) -> float | None:
    if before is None or after is None or not requests:
        return None
    return (after - before) / requests * 1e6


def run_wrk(
    wrk: str,
    url: str,
    lua: Path,
    seconds: int,
    args: argparse.Namespace,
    server_pgid: int | None = None,
) -> Measurement:
    """One wrk run; the request (method, headers, body) comes from the ``lua`` script.
    With ``server_pgid``, the CPU time of that process group and of the machine over
    the run, per request."""
    command = [
        wrk,
        "--threads",
        str(args.threads),
        "--connections",
        str(args.connections),
        "--duration",
        f"{seconds}s",
        "--timeout",
        f"{args.timeout}s",
        "--latency",
        "--script",
        str(lua),
        url,
    ]
    server_before = group_cpu_seconds(server_pgid) if server_pgid else None
    machine_before = machine_busy_seconds()
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    server_after = group_cpu_seconds(server_pgid) if server_pgid else None
    machine_after = machine_busy_seconds()
    match = re.search(r"^BENCH_RESULT (.*)$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or match is None:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    data = json.loads(match.group(1))
    seconds_run = data["duration_us"] / 1e6
    return Measurement(
        requests_per_s=data["requests"] / seconds_run if seconds_run else 0.0,
        p50_ms=data["p50_us"] / 1000,
        p90_ms=data["p90_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        max_ms=data["max_us"] / 1000,
        requests=data["requests"],
        errors=data["errors"],
        server_cpu_us=_per_request_us(server_before, server_after, data["requests"]),
        machine_cpu_us=_per_request_us(machine_before, machine_after, data["requests"]),
    )


def wrk_version(wrk: str) -> str:
    result = subprocess.run(
        [wrk, "--version"], capture_output=True, text=True, timeout=10, check=False
    )
    lines = (result.stdout or result.stderr).splitlines()
    return lines[0].split("Copyright")[0].strip() if lines else "wrk (unknown version)"


# --------------------------------------------------------------------------------------
# Running and reporting


@dataclass
class Ready:
    scenario: Scenario
    url: str
    lua: Path
    notes: list[str] = field(default_factory=list)
    rounds: list[Measurement] = field(default_factory=list)
    server_pgid: int | None = None  # the server's process group, for its CPU time

    def median(self, attribute: str) -> float | None:
        values = [getattr(m, attribute) for m in self.rounds]
        if any(value is None for value in values):
            return None
        return statistics.median(values)

    def failed_requests(self) -> int:
        return sum(m.errors["status"] + m.errors["timeout"] for m in self.rounds)


def prepare(
    ctx: Context, scenario: Scenario, workdir: Path, index: int, server_pgid: int | None = None
) -> Ready:
    prepared = scenario.setup(ctx, scenario) if scenario.setup else Prepared()
    path = scenario.path.format(**prepared.path_params)
    body = prepared.body if prepared.body is not None else scenario.body
    headers = {"User-Agent": USER_AGENT, **prepared.headers}
    if body is not None:
        headers["Content-Type"] = "application/json"
    host, port = ctx.urls[scenario.server]
    # One request first: a scenario that answers an error would otherwise look fast.
    status, response_headers, payload = Client(host, port).request(
        scenario.method, path, body, headers
    )
    if status != scenario.expect_status:
        raise BenchError(
            f"{scenario.name}: expected {scenario.expect_status}, got {status}: {payload!r}"
        )
    ready = Ready(
        scenario,
        f"http://{host}:{port}{path}",
        workdir / f"scenario{index}.lua",
        notes=list(prepared.notes),
        server_pgid=server_pgid,
    )
    if any(k.lower() == "set-cookie" for k in response_headers):
        ready.notes.append(f"{scenario.name}: the response sets a cookie on every request")
    write_lua(ready.lua, scenario.method, headers, body)
    return ready


def check_goal(goal: Goal, ready: dict[str, Ready], args: argparse.Namespace) -> dict:
    """Print one goal's line, with its numbers and PASS or MISS, and return it for the
    results file."""
    item = ready.get(goal.scenario)
    if goal.max_p99_ms is not None:
        value = item.median("p99_ms") if item else None
        shown = "-" if value is None else f"{value:.1f} ms"
        if value is not None and args.rounds > 1:
            shown += " (rounds: " + ", ".join(f"{m.p99_ms:.1f}" for m in item.rounds) + ")"
        line = f"p99 {shown} at {args.connections} connections, goal < {goal.max_p99_ms:g} ms"
        passed = value is not None and value < goal.max_p99_ms
        result = {
            "scenario": goal.scenario,
            "max_p99_ms": goal.max_p99_ms,
            "connections": goal.connections,
            "p99_ms": value,
        }
    else:
        value = ratio(ready, goal.scenario, goal.baseline)
        base = ready.get(goal.baseline)
        if value is None or base is None:
            line = "-"
        else:
            line = (
                f"{item.median('requests_per_s'):.0f} req/s = {value:.2f} x "
                f"{base.median('requests_per_s'):.0f} req/s of the bare primary-key "
                f"route, goal >= {goal.min_ratio:g} x"
            )
        passed = value is not None and value >= goal.min_ratio
        result = {
            "scenario": goal.scenario,
            "baseline": goal.baseline,
            "min_ratio": goal.min_ratio,
            "ratio": value,
        }
    if value is None:
        verdict = "n/a (not run)"
    elif item.failed_requests():
        verdict = "MISS (requests failed)"
    elif goal.max_p99_ms is not None and args.connections != goal.connections:
        verdict = f"n/a (measured at {args.connections} connections)"
    else:
        verdict = "PASS" if passed else "MISS"
    print(f"Goal: {goal.scenario}: {line}: {verdict}")
    return {**result, "verdict": verdict}


def ratio(ready: dict[str, Ready], scenario: str, baseline: str) -> float | None:
    """The median over rounds of req/s(scenario) / req/s(baseline), each pair measured
    within the same round, a minute apart at most."""
    if scenario not in ready or baseline not in ready:
        return None
    pairs = zip(ready[scenario].rounds, ready[baseline].rounds, strict=True)
    ratios = [s.requests_per_s / b.requests_per_s for s, b in pairs if b.requests_per_s]
    return statistics.median(ratios) if ratios else None


def format_table(ready: dict[str, Ready]) -> str:
    width = max(len(name) for name in ready) + 2
    header = (
        f"{'scenario':<{width}}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'vs hello':>10}{'vs pk':>8}{'server CPU':>12}{'machine CPU':>13}"
    )
    lines = [header, "-" * len(header)]
    for name, item in ready.items():
        cells = []
        for key in ("hello", "pk"):
            value = None if name in BASELINES.values() else ratio(ready, name, BASELINES[key])
            cells.append("-" if value is None else f"{value:.2f}")
        cpu = []
        for attribute in ("server_cpu_us", "machine_cpu_us"):
            value = item.median(attribute)
            cpu.append("-" if value is None else f"{value:.0f} us")
        flag = "  (!) non-2xx/timeouts" if item.failed_requests() else ""
        lines.append(
            f"{name:<{width}}{item.median('requests_per_s'):>9.0f}"
            f"{item.median('p50_ms'):>9.2f}{item.median('p99_ms'):>9.2f}"
            f"{cells[0]:>10}{cells[1]:>8}{cpu[0]:>12}{cpu[1]:>13}{flag}"
        )
    lines.append(
        "(CPU: per request, median over the rounds; server: gunicorn's master and "
        "workers; machine: every process and the kernel, wrk and the database "
        "server included)"
    )
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument(
        "--warmup",
        type=int,
        default=2,
        help="seconds of unmeasured load before each scenario (0: none)",
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--timeout", type=int, default=5, help="wrk request timeout, seconds")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="measure every scenario this many times, interleaved; the table shows medians",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=[],
        metavar="TEXT",
        help="run only scenarios whose name contains TEXT (repeatable; baselines always run)",
    )
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"PostgreSQL database to create and drop (default {DEFAULT_PG_URL})",
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="do not drop the PostgreSQL database at the end",
    )
    parser.add_argument(
        "--app-env",
        action="append",
        default=[],
        metavar="COUPLES_X=VALUE",
        help="extra setting for the app server (repeatable), e.g. COUPLES_SQLALCHEMY_ECHO=false",
    )
    parser.add_argument(
        "--no-save", action="store_true", help="do not write JSON results to bench/results/"
    )
    args = parser.parse_args(argv)
    if args.database_url and args.database != "postgresql":
        if args.database_url.startswith("postgres"):
            args.database = "postgresql"
        else:
            parser.error("--database-url is for --database postgresql")
    if args.connections < args.threads or args.threads < 1:
        parser.error("--connections must be at least --threads (and --threads at least 1)")
    for item in args.app_env:
        name, sep, _value = item.partition("=")
        if not sep or not name.startswith("COUPLES_"):
            parser.error(f"--app-env {item!r}: expected COUPLES_NAME=VALUE")
    if min(args.duration, args.rounds, args.workers, args.timeout) < 1 or args.warmup < 0:
        parser.error("--duration, --rounds, --workers and --timeout must be positive")
    return args


def selected_scenarios(args: argparse.Namespace) -> list[Scenario]:
    baselines = set(BASELINES.values())
    return [
        s
        for s in SCENARIOS
        if s.name in baselines or not args.only or any(t in s.name for t in args.only)
    ]


def _raise_exit(signum, _frame):
    print(f"bench/http.py: stopped by signal {signum}; stopping the servers", file=sys.stderr)
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = shutil.which("wrk")
    if wrk is None:
        print(
            "bench/http.py needs wrk, the HTTP load generator, on PATH.\n"
            "  Debian/Ubuntu: apt-get install wrk    macOS: brew install wrk",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.signal(signal.SIGHUP, _raise_exit)

    load = os.getloadavg()[0]
    scenarios = selected_scenarios(args)
    servers: dict[str, Server] = {}
    database = None
    with tempfile.TemporaryDirectory(prefix="couples-bench-") as tmp:
        workdir = Path(tmp)
        try:
            if args.database == "postgresql":
                database = PostgresDatabase(args.database_url or DEFAULT_PG_URL, args.keep_database)
            else:
                database = SqliteDatabase(workdir)
            database.create()
            env = app_env(database, workdir, args.app_env)
            if any(s.server == "app" for s in scenarios):
                migrate(env)
                servers["app"] = Server(
                    "app",
                    "wsgi:app",
                    ROOT,
                    env,
                    args.workers,
                    "/api/v1/auth/csrf",
                    workdir / "app.log",
                )
            baseline_env = {**env, "BENCH_BASELINE_DB": database.baseline_db}
            servers["baseline"] = Server(
                "baseline",
                "bench.baseline_app:app",
                ROOT,
                baseline_env,
                args.workers,
                "/hello",
                workdir / "baseline.log",
            )
            for server in servers.values():
                server.start()
            ctx = Context({name: (HOST, s.port) for name, s in servers.items()})
            ready = {
                s.name: prepare(ctx, s, workdir, i, servers[s.server].process.pid)
                for i, s in enumerate(scenarios)
            }
            return measure_and_report(args, wrk, database, ready, load)
        except BenchError as error:
            print(f"bench/http.py: {error}", file=sys.stderr)
            for server in servers.values():
                if server.process is not None:
                    print(
                        f"--- last lines of the {server.name} server's log:\n{server.log_tail()}",
                        file=sys.stderr,
                    )
            return 1
        except KeyboardInterrupt:
            print("bench/http.py: interrupted; stopping the servers", file=sys.stderr)
            return 130
        finally:
            for server in servers.values():
                server.stop()
            if database is not None:
                try:
                    database.drop()
                except BenchError as error:
                    print(f"bench/http.py: cleanup: {error}", file=sys.stderr)


def measure_and_report(
    args: argparse.Namespace, wrk: str, database, ready: dict[str, Ready], load: float
) -> int:
    """Run wrk on every scenario, ``args.rounds`` times; print the table and the goals.
    ``load`` is the 1-minute load average from before the servers started."""
    setting = (
        f"{args.workers} sync gunicorn workers per server; wrk {args.threads} threads, "
        f"{args.connections} connections, {args.duration} s per run "
        f"(+{args.warmup} s warm-up), {args.rounds} round(s)"
    )
    print(f"Couples HTTP benchmark on {database.label}: {setting}")
    print(
        f"machine: {os.cpu_count()} CPUs, {platform.platform()}, "
        f"Python {platform.python_version()}, {wrk_version(wrk)}; "
        f"load average {load:.2f}",
        flush=True,
    )
    if load > 0.5 * (os.cpu_count() or 1):
        print(
            "warning: the machine is busy; expect noisy numbers (compare ratios, or use "
            "--rounds 3 or more)",
            flush=True,
        )
    for round_number in range(1, args.rounds + 1):
        for item in ready.values():
            if args.warmup > 0:
                run_wrk(wrk, item.url, item.lua, args.warmup, args)
            measurement = run_wrk(wrk, item.url, item.lua, args.duration, args, item.server_pgid)
            item.rounds.append(measurement)
            print(
                f"  round {round_number}: {item.scenario.name}: "
                f"{measurement.requests_per_s:.0f} req/s",
                flush=True,
            )

    print()
    print(format_table(ready))
    print()
    goals = [check_goal(goal, ready, args) for goal in GOALS]
    for item in ready.values():
        for note in item.notes:
            print(f"Note: {note}")
        errors = {k: sum(m.errors[k] for m in item.rounds) for k in item.rounds[0].errors}
        if any(errors.values()):
            print(f"Note: {item.scenario.name}: wrk errors {errors}")

    if not args.no_save:
        RESULTS_DIR.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = RESULTS_DIR / f"http-{database.label}-{stamp}.json"
        path.write_text(
            json.dumps(
                {
                    "when": stamp,
                    "database": database.label,
                    "settings": vars(args),
                    "machine": {
                        "cpus": os.cpu_count(),
                        "platform": platform.platform(),
                        "load_average_at_start": load,
                        "python": platform.python_version(),
                        "wrk": wrk_version(wrk),
                    },
                    "scenarios": {
                        name: {
                            "method": item.scenario.method,
                            "url": item.url,
                            "notes": item.notes,
                            "rounds": [vars(m) for m in item.rounds],
                        }
                        for name, item in ready.items()
                    },
                    "goals": goals,
                },
                indent=2,
            )
            + "\n"
        )
        print(f"Results: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
