"""Evening benchmark: many partners doing their evening at once, through the app's pages.

    .venv/bin/python bench/evening.py [--partners 50] [--think 2] [--rounds 3]
                                      [--capacity-rounds 2] [--database both]
                                      [--database-url postgresql://postgres@127.0.0.1:5432/NAME]

Each partner does what a phone does with the app's own pages: a browser's requests, with
its cookies, the CSRF token of each form, and redirects followed:

    home                GET /
    open check-in       GET /checkin, redirected to /checkin/<date>
    answer              GET /api/v1/auth/csrf (the page's script checks it is online), then
                        POST the form with its token, redirected to /checkin/<date>
    reveal              once the partner has answered too: GET /checkin/<date>
    appreciation form   GET /appreciations/new
    send appreciation   POST the form, redirected to /appreciations
    insights            GET /insights

``--partners`` partners (half as many couples) run at once, each in a thread. A check-in
is answered once per night, so every round gives each pair of threads a couple of its
own. After one warm-up round, two phases:

1. the evening as partners live it: before each step a partner reads the page for a
   while, ``--think`` seconds on average (uniformly 0.5x to 1.5x, from a seeded random
   generator); ``--rounds`` rounds. Errors and the p50 and p99 of every step are judged
   here, and the offered load (requests/s) printed;
2. capacity: the same evening with no pause, the server saturated, ``--capacity-rounds``
   rounds. Prints evenings/s and the CPU time per evening of the app server's processes
   and, on PostgreSQL, of the run's database's backends, and the couples carried
   computed twice: from the evenings/s measured (the load generator took its share of
   the same cores: a floor), and from the CPU time per evening (server + database).

The app runs under ``flask --app couples serve`` on SQLite and under gunicorn on
PostgreSQL, started by this script with a fresh instance folder or database and stopped
at the end; everything listens on 127.0.0.1. The accounts are registered and linked
through the JSON API before the timing.

Prints one line per goal with PASS or MISS. Exit status 0 either way (a measurement, not
a test); 1 when the run itself failed. See README.md.
"""

import sys
from pathlib import Path

# Keep this folder off sys.path: bench/http.py would shadow the standard library's http.
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from html import unescape  # noqa: E402
from http.cookies import SimpleCookie  # noqa: E402
from urllib.parse import urlencode, urlsplit  # noqa: E402

from bench.http import (  # noqa: E402
    HOST,
    BenchError,
    PostgresDatabase,
    Server,
    group_cpu_seconds,
    machine_busy_seconds,
    migrate,
)

RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/couples_bench_evening"
PASSWORD = "velvet hamster orbit lamp 7"
USER_AGENT = "couples-bench-evening/1"
REQUEST_TIMEOUT = 30.0  # seconds, per request
PARTNER_WAIT = 60.0  # seconds one partner waits for the other's answers, at most
STEPS = (
    "home",
    "open check-in",
    "answer",
    "reveal",
    "appreciation form",
    "send appreciation",
    "insights",
)

# Goals
MAX_STEP_P99_MS = 250.0
WINDOW_S = 900  # a busy quarter of an hour...
SHARE_IN_WINDOW = 0.2  # ...in which a fifth of the couples do their evening
EVENINGS_PER_COUPLE = 2  # an evening here is one partner's
MIN_COUPLES_POSTGRES = 50_000

# The server's settings besides the database: registration, login and invite-code
# throttles raised (every account comes from 127.0.0.1) and a cheap password hash.
# Passwords are hashed only when registering and logging in, which happen before the
# timing.
SERVER_SETTINGS = {
    "COUPLES_REGISTER_LIMIT_PER_ADDRESS": "1000000 per hour",
    "COUPLES_LOGIN_LIMIT_PER_ADDRESS": "1000000 per 15 minutes",
    "COUPLES_LOGIN_LIMIT_PER_ACCOUNT": "1000 per 15 minutes",
    "COUPLES_INVITE_CODE_LIMIT_PER_ADDRESS": "1000000 per 15 minutes",
    "COUPLES_PASSWORD_HASH_TIME_COST": "1",
    "COUPLES_PASSWORD_HASH_MEMORY_COST": "8192",
    "COUPLES_PASSWORD_HASH_PARALLELISM": "1",
}

SENTENCES = (
    "The coffee you brought me this morning.",
    "A walk together after dinner.",
    "You listened when I talked about work.",
    "More time without our phones.",
    "Laughing at the same silly thing.",
    "Planning the weekend together.",
)


class StepFailed(Exception):
    """A step got an answer a browser would not: a status, a page or a form missing."""


# --------------------------------------------------------------------------------------
# A browser: cookies, keep-alive, redirects, forms


@dataclass
class Page:
    status: int
    path: str  # after redirects
    text: str


class Browser:
    """One partner's phone: a cookie jar and one kept-alive connection."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.requests = 0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def _send(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> tuple[http.client.HTTPResponse, bytes]:
        for attempt in (1, 2):
            reused = self.conn is not None
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if reused and attempt == 1:
                    continue  # the server closed an idle kept-alive connection: reconnect
                raise
            if response.will_close:
                self.close()
            return response, data
        raise AssertionError("unreachable")

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        content_type: str | None = None,
        extra: dict[str, str] | None = None,
    ) -> tuple[int, dict, bytes]:
        headers = {"User-Agent": USER_AGENT, "Accept": "text/html,application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        headers.update(extra or {})
        self.requests += 1
        response, data = self._send(method, path, body, headers)
        for value in response.headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                if morsel.value == "" or morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers, data

    def open(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> Page:
        """A page as a browser shows it: a form posted as a form, redirects followed
        (after a POST with a GET), at most five."""
        body = urlencode(form).encode() if form is not None else None
        content_type = "application/x-www-form-urlencoded" if form is not None else None
        for _hop in range(6):
            status, headers, data = self.request(method, path, body, content_type)
            if status not in (301, 302, 303, 307, 308):
                return Page(status, path, data.decode("utf-8", "replace"))
            location = urlsplit(headers.get("Location", ""))
            if location.netloc not in ("", f"{HOST}:{self.port}", f"localhost:{self.port}"):
                raise StepFailed(f"{method} {path}: redirected away, to {location.geturl()}")
            path = location.path + (f"?{location.query}" if location.query else "")
            if status in (301, 302, 303):
                method, body, content_type = "GET", None, None
        raise StepFailed(f"{method} {path}: too many redirects")

    def api(
        self, method: str, path: str, payload: object = None, csrf: str | None = None
    ) -> tuple[int, object]:
        body = json.dumps(payload).encode() if payload is not None else None
        extra = {"X-CSRF-Token": csrf} if csrf else None
        status, _headers, data = self.request(
            method, path, body, "application/json" if body is not None else None, extra
        )
        try:
            return status, json.loads(data) if data else None
        except ValueError:
            return status, data[:200]


@dataclass
class Field:
    kind: str  # hidden, radio, checkbox, text, textarea, select, ...
    values: list[str] = field(default_factory=list)  # the options; hidden: its value
    required: bool = False


@dataclass
class Form:
    action: str
    fields: dict[str, Field]


FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
INPUT_RE = re.compile(r"<input\b([^>]*)>")
TEXTAREA_RE = re.compile(r"<textarea\b([^>]*)>")
SELECT_RE = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S)
OPTION_RE = re.compile(r"<option\b([^>]*)>")
ATTR_RE = re.compile(r'([a-zA-Z_:][-\w:.]*)(?:\s*=\s*"([^"]*)")?')


def _attrs(text: str) -> dict[str, str]:
    return {name: unescape(value or "") for name, value in ATTR_RE.findall(text)}


def find_form(page: Page, action: str) -> Form:
    """The page's form posting to ``action``, with its fields (the app's own markup:
    regular expressions are enough, and cheap for a load generator sharing the CPU)."""
    for match in FORM_RE.finditer(page.text):
        attrs = _attrs(match.group(1))
        if attrs.get("action") != action or attrs.get("method", "get").lower() != "post":
            continue
        body, fields = match.group(2), {}
        for tag in INPUT_RE.finditer(body):
            a = _attrs(tag.group(1))
            if "name" not in a:
                continue
            item = fields.setdefault(a["name"], Field(a.get("type", "text")))
            item.values.append(a.get("value", ""))
            item.required = item.required or "required" in a
        for tag in TEXTAREA_RE.finditer(body):
            a = _attrs(tag.group(1))
            fields[a["name"]] = Field("textarea", required="required" in a)
        for tag in SELECT_RE.finditer(body):
            a = _attrs(tag.group(1))
            options = OPTION_RE.finditer(tag.group(2))
            fields[a["name"]] = Field(
                "select", [_attrs(o.group(1)).get("value", "") for o in options]
            )
        return Form(action, fields)
    raise StepFailed(f"{page.path}: no form posting to {action}")


def fill(
    form: Form, rng: random.Random, texts: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """What a partner sends: the hidden fields (the CSRF token), every scale answered
    (mostly its upper half), some choices and words, ``texts`` where given."""
    data = []
    for name, item in form.fields.items():
        values = item.values
        if item.kind == "hidden":
            data.append((name, values[0]))
        elif item.kind == "radio":
            if values and all(v.isdigit() for v in values):
                data.append((name, rng.choice(values[len(values) // 2 :])))
            elif set(values) == {"yes", "no"}:
                data.append((name, "yes" if rng.random() < 0.2 else "no"))
            elif item.required or rng.random() < 0.8:
                data.append((name, rng.choice(values)))
        elif item.kind == "checkbox":
            data += [(name, v) for v in rng.sample(values, k=min(len(values), rng.randint(0, 2)))]
        elif item.kind == "select":
            data.append((name, rng.choice(values) if values else ""))
        elif texts and name in texts:
            data.append((name, texts[name]))
        else:
            data.append((name, rng.choice(SENTENCES) if rng.random() < 0.5 else ""))
    return data


# --------------------------------------------------------------------------------------
# Couples and their evening


@dataclass
class Couple:
    """Two linked partners' browsers, and what the two threads of a couple share."""

    partners: tuple[Browser, Browser]
    lock: threading.Lock = field(default_factory=threading.Lock)
    go: bool | None = None  # decided by whichever partner starts first
    answered: tuple[threading.Event, threading.Event] = field(
        default_factory=lambda: (threading.Event(), threading.Event())
    )

    def starts(self, deadline: float) -> bool:
        """Both partners do this evening, or neither: decided once, before the deadline."""
        with self.lock:
            if self.go is None:
                self.go = time.monotonic() < deadline
            return self.go


def make_couple(port: int, label: str) -> Couple:
    """Two accounts registered through the API (each logged in by it), then linked: the
    first invites, the second accepts."""
    browsers = []
    for role in ("a", "b"):
        browser = Browser(port)
        status, body = browser.api("GET", "/api/v1/auth/csrf")
        if status != 200:
            raise BenchError(f"GET /api/v1/auth/csrf: {status} {body!r}")
        status, body = browser.api(
            "POST",
            "/api/v1/auth/register",
            {
                "email": f"evening-{label}{role}-{secrets.token_hex(3)}@example.com",
                "password": PASSWORD,
                "display_name": f"Partner {label}{role}",
                "timezone": "UTC",
            },
            csrf=body["csrf_token"],
        )
        if status != 201:
            raise BenchError(f"POST /api/v1/auth/register: {status} {body!r}")
        browsers.append(browser)
    tokens = []
    for browser in browsers:  # a new session after registering: a new token
        status, body = browser.api("GET", "/api/v1/auth/csrf")
        tokens.append(body["csrf_token"])
    status, body = browsers[0].api("POST", "/api/v1/invites", csrf=tokens[0])
    if status != 201:
        raise BenchError(f"POST /api/v1/invites: {status} {body!r}")
    status, accepted = browsers[1].api(
        "POST", f"/api/v1/invites/{body['code']}/accept", csrf=tokens[1]
    )
    if status != 200:
        raise BenchError(f"POST /api/v1/invites/.../accept: {status} {accepted!r}")
    for browser in browsers:
        browser.close()  # the evening opens its own connection
    return Couple((browsers[0], browsers[1]))


@dataclass
class Record:
    """What the threads measured: milliseconds per step, errors, finished evenings."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    times: dict[str, list[float]] = field(default_factory=lambda: {s: [] for s in STEPS})
    errors: list[str] = field(default_factory=list)
    evenings: int = 0
    requests: int = 0  # of the evenings finished

    def add(self, step: str, ms: float) -> None:
        with self.lock:
            self.times[step].append(ms)

    def error(self, text: str) -> None:
        with self.lock:
            self.errors.append(text)

    def done(self, requests: int) -> None:
        with self.lock:
            self.evenings += 1
            self.requests += requests


def expect(page: Page, status: int, path: str | None = None, text: str | None = None) -> Page:
    if page.status != status:
        raise StepFailed(f"{page.path}: {page.status}, expected {status}")
    if path is not None and page.path != path:
        raise StepFailed(f"ended at {page.path}, expected {path}")
    if text is not None and text not in page.text:
        raise StepFailed(f"{page.path}: no {text!r} on the page")
    return page


def evening(
    couple: Couple,
    role: int,
    record: Record,
    rng: random.Random,
    think: float,
    pauses: random.Random,
) -> None:
    """One partner's evening, step by step, each step timed as the partner waits for it.
    With ``think`` above 0 the partner first reads the page before each step: ``think``
    seconds on average, uniformly from half to one and a half times it."""
    me = couple.partners[role]
    step, sent_before = "home", me.requests

    def rest() -> None:
        if think > 0:
            time.sleep(think * pauses.uniform(0.5, 1.5))

    def timed(name: str, action, reads_first: bool = True):
        nonlocal step
        step = name
        if reads_first:
            rest()
        start = time.perf_counter()
        result = action()
        record.add(name, (time.perf_counter() - start) * 1000)
        return result

    try:
        timed("home", lambda: expect(me.open("GET", "/"), 200, text='data-signed-in="true"'))
        page = timed("open check-in", lambda: expect(me.open("GET", "/checkin"), 200))
        if not re.fullmatch(r"/checkin/\d{4}-\d{2}-\d{2}", page.path):
            raise StepFailed(f"/checkin led to {page.path}, not a check-in")
        day_path = page.path
        answers = fill(find_form(page, day_path), rng)

        def answer() -> Page:
            status, _headers, _body = me.request("GET", "/api/v1/auth/csrf")
            if status != 200:
                raise StepFailed(f"/api/v1/auth/csrf: {status}")
            return expect(me.open("POST", day_path, answers), 200, day_path)

        timed("answer", answer)
        couple.answered[role].set()
        step = "reveal"
        rest()
        if not couple.answered[1 - role].wait(PARTNER_WAIT):
            raise StepFailed(f"the partner did not answer within {PARTNER_WAIT:.0f} s")
        timed(
            "reveal",
            lambda: expect(me.open("GET", day_path), 200, day_path, "Here you are, side by side."),
            reads_first=False,
        )
        page = timed("appreciation form", lambda: expect(me.open("GET", "/appreciations/new"), 200))
        sent = fill(find_form(page, "/appreciations/new"), rng, {"text": rng.choice(SENTENCES)})
        timed(
            "send appreciation",
            lambda: expect(me.open("POST", "/appreciations/new", sent), 200, "/appreciations"),
        )
        timed("insights", lambda: expect(me.open("GET", "/insights"), 200))
    except Exception as error:  # noqa: BLE001 (counted: a load generator goes on)
        couple.answered[role].set()  # the partner need not wait for answers never sent
        record.error(f"{step}: {type(error).__name__}: {error}")
        me.close()
        return
    record.done(me.requests - sent_before)


def partner_thread(
    couples: list[Couple],
    role: int,
    record: Record,
    think: float,
    start: threading.Barrier,
    deadline: list[float],
    seed: str,
) -> None:
    """A partner's evenings in one phase, one per round, each with a couple of its own."""
    rng, pauses = random.Random(f"answers-{seed}"), random.Random(f"pauses-{seed}")
    try:
        start.wait(60)
    except threading.BrokenBarrierError:
        record.error("start: the other partners were not ready")
        return
    for couple in couples:
        if not couple.starts(deadline[0]):
            return
        evening(couple, role, record, rng, think, pauses)
        couple.partners[role].close()


# --------------------------------------------------------------------------------------
# Servers and databases


class EmbeddedServer(Server):
    """``flask --app couples serve``: waitress in one process, SQLite in its instance
    folder (it migrates the database on start)."""

    def __init__(self, env: dict[str, str], log_path: Path, threads: int):
        super().__init__("serve", "couples", ROOT, env, 1, "/api/v1/auth/csrf", log_path, threads)
        self.start_timeout = 120.0

    def command(self) -> list[str]:
        return [
            sys.executable,
            "-m",
            "flask",
            "--app",
            "couples",
            "serve",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--threads",
            str(self.threads),
        ]


class AppDatabase(PostgresDatabase):
    """A PostgreSQL database of the run's own, with the app's tables only."""

    seed_sql = None


def base_env(workdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COUPLES_", "BENCH_"))}
    env.update(SERVER_SETTINGS)
    env["COUPLES_INSTANCE_PATH"] = str(workdir / "instance")
    return env


def start_server(kind: str, args: argparse.Namespace, workdir: Path):
    """(the server, started; the database to drop at the end, or None; a description)."""
    env = base_env(workdir)
    if kind == "sqlite":
        server = EmbeddedServer(env, workdir / "serve.log", args.serve_threads)
        try:
            server.start()
        except BaseException:
            server.stop()
            raise
        return server, None, f"flask --app couples serve (waitress, {args.serve_threads} threads)"
    database = AppDatabase(args.database_url or DEFAULT_PG_URL, keep=False)
    database.create()
    env.update(
        {
            "COUPLES_SQLALCHEMY_DATABASE_URI": database.app_url,
            "COUPLES_SECRET_KEY": secrets.token_urlsafe(32),
            "COUPLES_BASE_URL": "http://127.0.0.1",
            "COUPLES_SESSION_COOKIE_SECURE": "false",
            "COUPLES_REMEMBER_COOKIE_SECURE": "false",
        }
    )
    server = Server(
        "gunicorn",
        "wsgi:app",
        ROOT,
        env,
        args.workers,
        "/api/v1/auth/csrf",
        workdir / "gunicorn.log",
        args.threads,
    )
    try:
        migrate(env)
        server.start()
    except BaseException:
        server.stop()
        database.drop()
        raise
    return (
        server,
        database,
        (f"gunicorn wsgi:app ({args.workers} workers x {args.threads} threads)"),
    )


# --------------------------------------------------------------------------------------
# Running and measuring


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.99: p99)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), math.ceil(share * len(ordered))) - 1)]


def machine_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


# PostgreSQL's processes as /proc shows them (their process name is "postgres"): the
# postmaster, its background processes ("postgres: 15/main: walwriter") and one backend
# per connection, titled with its user, database, client and state ("postgres: 15/main:
# postgres couples_bench_evening 127.0.0.1(40112) idle").
PG_SHARED = (
    "checkpointer",
    "background writer",
    "walwriter",
    "autovacuum launcher",
    "logical replication launcher",
    "stats collector",
    "archiver",
    "logger",
)
PG_TITLE_RE = re.compile(r"^postgres: (?:\S+: )?")


def postgres_ticks(database: str) -> dict[int, tuple[str, int]]:
    """CPU ticks so far of the PostgreSQL processes on this machine, by pid, each marked
    "ours" (a backend or autovacuum worker of ``database``) or "shared" (the postmaster
    and its background processes, which serve every database); other databases'
    backends are left out. Empty when /proc shows none (PostgreSQL elsewhere)."""
    found: dict[int, tuple[str, int]] = {}
    try:
        entries = os.listdir("/proc")
    except OSError:
        return found
    for entry in entries:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm", "rb") as comm:
                if comm.read().strip() != b"postgres":
                    continue
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                title = cmdline.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
            with open(f"/proc/{entry}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        ticks = int(fields[11]) + int(fields[12])  # utime + stime
        if not title.startswith("postgres:"):
            found[int(entry)] = ("shared", ticks)  # the postmaster
            continue
        rest = PG_TITLE_RE.sub("", title)
        words = rest.split()
        if rest.startswith(PG_SHARED):
            found[int(entry)] = ("shared", ticks)
        elif words[1:2] == [database] or words[:3] == ["autovacuum", "worker", database]:
            found[int(entry)] = ("ours", ticks)
    return found


@dataclass
class Snapshot:
    """CPU times so far, in seconds, and the moment they were read."""

    at: float
    client: float  # this process: the load generator
    server: float | None  # the app server's process group
    postgres: dict[int, tuple[str, int]]
    machine: float | None  # the whole machine, all CPUs

    @classmethod
    def take(cls, pgid: int, database: str | None) -> "Snapshot":
        return cls(
            time.monotonic(),
            time.process_time(),
            group_cpu_seconds(pgid),
            postgres_ticks(database) if database else {},
            machine_busy_seconds(),
        )


@dataclass
class Phase:
    """One phase's evenings and what they cost."""

    name: str
    think: float  # seconds of pause before each step, on average; 0: none
    rounds: int
    record: Record = field(default_factory=Record)
    elapsed: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float | None = None
    db_cpu: float | None = None  # the run's database's backends
    db_shared_cpu: float | None = None  # PostgreSQL's background processes
    db_backends: int = 0
    machine_cpu: float | None = None

    def measure(self, before: Snapshot, after: Snapshot) -> None:
        self.elapsed = after.at - before.at
        self.client_cpu = after.client - before.client
        if before.server is not None and after.server is not None:
            self.server_cpu = after.server - before.server
        if before.machine is not None and after.machine is not None:
            self.machine_cpu = after.machine - before.machine
        if after.postgres:
            spent = {"ours": 0, "shared": 0}
            for pid, (kind, ticks) in after.postgres.items():
                was = before.postgres.get(pid)
                spent[kind] += ticks - (was[1] if was and was[0] == kind else 0)
            self.db_cpu, self.db_shared_cpu = spent["ours"] / TICK, spent["shared"] / TICK
            self.db_backends = sum(kind == "ours" for kind, _ in after.postgres.values())

    def per_evening_ms(self, seconds: float | None) -> float | None:
        if seconds is None or not self.record.evenings:
            return None
        return seconds / self.record.evenings * 1000

    def to_json(self) -> dict:
        record = self.record
        return {
            "think_s": self.think,
            "rounds": self.rounds,
            "elapsed_s": self.elapsed,
            "evenings": record.evenings,
            "requests": record.requests,
            "errors": record.errors,
            "steps": step_stats(record),
            "client_cpu_s": self.client_cpu,
            "server_cpu_s": self.server_cpu,
            "db_cpu_s": self.db_cpu,
            "db_shared_cpu_s": self.db_shared_cpu,
            "db_backends": self.db_backends,
            "machine_cpu_s": self.machine_cpu,
        }


TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def run_phase(
    phase: Phase,
    rounds: list[list[Couple]],
    server: Server,
    database: str | None,
    args: argparse.Namespace,
) -> Phase:
    """Every partner in a thread of its own, one evening per round, all starting at once;
    no evening starts after ``--max-seconds``. Measures the time and CPU from the start
    until the last partner is done."""
    slots = len(rounds[0])
    pgid = server.process.pid  # the server runs in a process group of its own
    deadline = [float("inf")]
    marks: list[Snapshot] = []

    def begin() -> None:
        marks.append(Snapshot.take(pgid, database))
        deadline[0] = time.monotonic() + args.max_seconds

    start = threading.Barrier(slots * 2, action=begin)
    threads = []
    for slot in range(slots):
        mine = [batch[slot] for batch in rounds]
        for role in (0, 1):
            thread = threading.Thread(
                target=partner_thread,
                daemon=True,
                name=f"partner-{slot}-{role}",
                args=(
                    mine,
                    role,
                    phase.record,
                    phase.think,
                    start,
                    deadline,
                    f"{args.seed}-{phase.name}-{slot}-{role}",
                ),
            )
            threads.append(thread)
            thread.start()
    # An evening: its pauses, the partner's answers awaited, and ten requests at most.
    evening_bound = 7 * 1.5 * phase.think + PARTNER_WAIT + 10 * REQUEST_TIMEOUT
    limit = time.monotonic() + 60 + args.max_seconds + evening_bound
    for thread in threads:
        thread.join(max(0.0, limit - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        raise BenchError(f"{phase.name}: partners still busy long after the deadline")
    if not marks:
        raise BenchError(f"{phase.name}: the partners did not start together")
    phase.measure(marks[0], Snapshot.take(pgid, database))
    return phase


def run(kind: str, args: argparse.Namespace) -> dict:
    slots = args.partners // 2
    with tempfile.TemporaryDirectory(prefix="couples-evening-") as tmp:
        workdir = Path(tmp)
        (workdir / "instance").mkdir()
        server, database, setting = start_server(kind, args, workdir)
        try:
            return measure(
                args, server, setting, slots, kind, database.name if database is not None else None
            )
        except BenchError:
            print(f"--- last lines of the server's log:\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            server.stop()
            if database is not None:
                database.drop()


def measure(
    args: argparse.Namespace,
    server: Server,
    setting: str,
    slots: int,
    kind: str,
    database: str | None,
) -> dict:
    print(
        f"\n== {kind}: {setting}; {slots * 2} partners ({slots} couples) at once; "
        f"load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    started = time.monotonic()
    count = 1 + args.rounds + args.capacity_rounds
    with ThreadPoolExecutor(max_workers=8) as pool:
        couples = list(pool.map(lambda n: make_couple(server.port, f"c{n}-"), range(slots * count)))
    batches = [couples[r * slots : (r + 1) * slots] for r in range(count)]
    print(
        f"setup: {len(couples) * 2} partners registered and linked in "
        f"{time.monotonic() - started:.1f} s",
        flush=True,
    )

    warm = run_phase(Phase("warm-up", 0.0, 1), batches[:1], server, database, args)
    print(
        f"warm-up: {warm.record.evenings} evenings with no pause in {warm.elapsed:.1f} s, "
        f"{len(warm.record.errors)} error(s)",
        flush=True,
    )
    evening_phase = run_phase(
        Phase("evening", args.think, args.rounds),
        batches[1 : 1 + args.rounds],
        server,
        database,
        args,
    )
    capacity = run_phase(
        Phase("capacity", 0.0, args.capacity_rounds),
        batches[1 + args.rounds :],
        server,
        database,
        args,
    )
    return report(kind, setting, warm, evening_phase, capacity)


# --------------------------------------------------------------------------------------
# Reporting


def step_stats(record: Record) -> dict[str, dict]:
    return {
        step: {
            "count": len(times),
            "p50_ms": percentile(times, 0.5),
            "p99_ms": percentile(times, 0.99),
            "max_ms": max(times),
        }
        for step, times in record.times.items()
        if times
    }


def print_steps(steps: dict[str, dict]) -> None:
    print(f"{'step':<20}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for step in STEPS:
        if step in steps:
            s = steps[step]
            print(
                f"{step:<20}{s['count']:>7}{s['p50_ms']:>9.1f}{s['p99_ms']:>9.1f}"
                f"{s['max_ms']:>9.1f}"
            )
        else:
            print(f"{step:<20}{0:>7}{'-':>9}{'-':>9}{'-':>9}")


def couples_for(evenings_per_s: float) -> float:
    return evenings_per_s * WINDOW_S / (EVENINGS_PER_COUPLE * SHARE_IN_WINDOW)


def cost_ms(phase: Phase, kind: str) -> tuple[float | None, str]:
    """(server + database CPU per evening in ms, how the database's was counted)."""
    server = phase.per_evening_ms(phase.server_cpu)
    if server is None:
        return None, "no CPU times (no /proc)"
    if kind != "postgresql":
        return server, "server: the app server's processes, SQLite inside them"
    if phase.db_backends:
        database = phase.per_evening_ms(phase.db_cpu + phase.db_shared_cpu)
        return server + database, (
            "server + database: the app server's processes, the run's "
            "database's PostgreSQL backends, PostgreSQL's background "
            "processes"
        )
    if phase.machine_cpu is not None:  # PostgreSQL not visible: the machine's CPU instead
        rest = phase.per_evening_ms(phase.machine_cpu - phase.client_cpu)
        return rest, (
            "the whole machine minus the load generator, PostgreSQL's "
            "processes not found in /proc: other work included"
        )
    return None, "PostgreSQL's CPU unknown"


def describe_cpu(phase: Phase, kind: str) -> str:
    ms = phase.per_evening_ms
    parts = [
        f"app server {ms(phase.server_cpu):.0f} ms"
        if phase.server_cpu is not None
        else "app server unknown"
    ]
    if kind == "postgresql":
        if phase.db_backends:
            parts.append(
                f"PostgreSQL {ms(phase.db_cpu):.0f} ms (the run's database's "
                f"{phase.db_backends} backends) + {ms(phase.db_shared_cpu):.0f} ms "
                "(its background processes, shared with other databases)"
            )
        else:
            parts.append("PostgreSQL's processes not found in /proc")
    parts.append(f"load generator {ms(phase.client_cpu):.0f} ms")
    if phase.machine_cpu is not None:
        parts.append(
            f"whole machine minus the load generator "
            f"{ms(phase.machine_cpu - phase.client_cpu):.0f} ms (other work included)"
        )
    return "CPU per evening: " + "; ".join(parts)


def report(kind: str, setting: str, warm: Phase, evening_phase: Phase, capacity: Phase) -> dict:
    cores = machine_cores()
    record = evening_phase.record
    steps = step_stats(record)
    think = evening_phase.think
    print(
        f"\nEvening phase: {evening_phase.rounds} round(s), a pause of "
        f"{think:g} s on average ({0.5 * think:g} to {1.5 * think:g} s) before each step"
    )
    print_steps(steps)
    offered = record.requests / evening_phase.elapsed if evening_phase.elapsed else 0.0
    print(
        f"evenings: {record.evenings} in {evening_phase.elapsed:.1f} s; offered load "
        f"{offered:.1f} requests/s"
    )
    if record.evenings:
        print(describe_cpu(evening_phase, kind))

    crecord = capacity.record
    per_second = crecord.evenings / capacity.elapsed if capacity.elapsed else 0.0
    measured = couples_for(per_second)
    print(f"\nCapacity phase: {capacity.rounds} round(s), no pause")
    csteps = step_stats(crecord)
    if csteps:
        slowest = max(csteps, key=lambda s: csteps[s]["p99_ms"])
        fastest = min(csteps, key=lambda s: csteps[s]["p99_ms"])
        print(
            f"p99 per step, saturated (mostly waiting in line; not judged): "
            f"{csteps[fastest]['p99_ms']:,.0f} ms ({fastest}) to "
            f"{csteps[slowest]['p99_ms']:,.0f} ms ({slowest})"
        )
    print(
        f"evenings: {crecord.evenings} in {capacity.elapsed:.1f} s = {per_second:.2f} "
        f"evenings/s, {crecord.requests / capacity.elapsed:.0f} requests/s; the load "
        f"generator used {capacity.client_cpu / capacity.elapsed:.0%} of one core of "
        f"{cores}"
    )
    if crecord.evenings:
        print(describe_cpu(capacity, kind))
    cost, counted = cost_ms(capacity, kind)
    from_cpu = cores / (cost / 1000) if cost else None
    share = EVENINGS_PER_COUPLE * SHARE_IN_WINDOW
    print(
        f"couples carried = evenings/s x {WINDOW_S} s / ({EVENINGS_PER_COUPLE} evenings "
        f"per couple x {SHARE_IN_WINDOW:g} of the couples in the same "
        f"{WINDOW_S // 60} minutes):"
    )
    print(
        f"  (a) measured: {per_second:.2f} x {WINDOW_S} / {share:g} = {measured:,.0f} "
        f"couples (a floor: the load generator used the same {cores} cores)"
    )
    if from_cpu is not None:
        print(
            f"  (b) from CPU per evening, {counted}; load generator excluded: "
            f"{cores} cores / {cost:.0f} ms = {from_cpu:.1f} evenings/s x {WINDOW_S} / "
            f"{share:g} = {couples_for(from_cpu):,.0f} couples"
        )
        if kind != "postgresql":
            print(
                "      (serve is one Python process: it cannot use all the cores; no goal "
                "on SQLite)"
            )
    else:
        print(f"  (b) from CPU per evening: not measured ({counted})")
    for phase in (warm, capacity):
        if phase.record.errors:
            print(
                f"{phase.name}: {len(phase.record.errors)} error(s), first: "
                f"{phase.record.errors[0]}"
            )

    goals = []

    def goal(name: str, shown: str, passed: bool) -> None:
        verdict = "PASS" if passed else "MISS"
        print(f"Goal: {name}: {shown}: {verdict}")
        goals.append({"goal": name, "shown": shown, "verdict": verdict})

    print()
    errors = len(record.errors) + len(crecord.errors)
    goal(
        "errors",
        f"{errors} (evening phase {len(record.errors)}, capacity phase "
        f"{len(crecord.errors)}), goal 0",
        not errors and record.evenings > 0,
    )
    for step in STEPS:
        if step in steps:
            goal(
                f"{step} p99",
                f"{steps[step]['p99_ms']:.1f} ms with partners' pauses, "
                f"goal < {MAX_STEP_P99_MS:g} ms",
                steps[step]["p99_ms"] < MAX_STEP_P99_MS,
            )
        else:
            goal(f"{step} p99", "not measured", False)
    if kind == "postgresql":
        clean = not crecord.errors and crecord.evenings > 0
        goal(
            "couples carried (a), measured, load generator on the same cores",
            f"{measured:,.0f}, goal >= {MIN_COUPLES_POSTGRES:,}",
            clean and measured >= MIN_COUPLES_POSTGRES,
        )
        if from_cpu is not None:
            goal(
                "couples carried (b), from CPU per evening, server + database, load "
                "generator excluded",
                f"{couples_for(from_cpu):,.0f}, goal >= {MIN_COUPLES_POSTGRES:,}",
                clean and couples_for(from_cpu) >= MIN_COUPLES_POSTGRES,
            )
        else:
            goal("couples carried (b), from CPU per evening", "not measured", False)
    for text in (record.errors + crecord.errors)[:5]:
        print(f"Error: {text}")
    return {
        "database": kind,
        "server": setting,
        "cores": cores,
        "evening": evening_phase.to_json(),
        "capacity": capacity.to_json(),
        "warmup": warm.to_json(),
        "offered_requests_per_s": offered,
        "evenings_per_s": per_second,
        "couples_measured": measured,
        "cpu_per_evening_ms": cost,
        "cpu_counted": counted,
        "couples_from_cpu": couples_for(from_cpu) if from_cpu else None,
        "goals": goals,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--partners",
        type=int,
        default=50,
        help="partners at once, an even number (default 50: 25 couples)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=2.0,
        help="seconds a partner reads each page before the next step, on "
        "average, in the evening phase (default 2)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="evenings per partner in the evening phase, each with a new couple (default 3)",
    )
    parser.add_argument(
        "--capacity-rounds",
        type=int,
        default=2,
        help="evenings per partner in the capacity phase (default 2)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=180,
        help="no evening of a phase starts after this many seconds of it",
    )
    parser.add_argument("--database", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"PostgreSQL database to create and drop (default {DEFAULT_PG_URL})",
    )
    parser.add_argument(
        "--serve-threads",
        type=int,
        default=8,
        help="waitress threads of `serve` (SQLite; its default is 8)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (PostgreSQL)")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gunicorn worker (PostgreSQL)"
    )
    parser.add_argument(
        "--seed", type=int, default=1, help="seed of the partners' answers and pauses"
    )
    parser.add_argument(
        "--no-save", action="store_true", help="do not write JSON results to bench/results/"
    )
    args = parser.parse_args(argv)
    if args.partners < 2 or args.partners % 2 or args.partners > 1000:
        parser.error("--partners must be an even number from 2 to 1000")
    if not (
        1 <= args.rounds <= 100
        and 1 <= args.capacity_rounds <= 100
        and 1 <= args.max_seconds <= 3600
    ):
        parser.error("--rounds and --capacity-rounds must be 1 to 100, --max-seconds 1 to 3600")
    if not 0 <= args.think <= 30:
        parser.error("--think must be 0 to 30 seconds")
    if min(args.serve_threads, args.workers, args.threads) < 1:
        parser.error("--serve-threads, --workers and --threads must be positive")
    return args


def _raise_exit(signum, _frame):
    print(f"bench/evening.py: stopped by signal {signum}; stopping the server", file=sys.stderr)
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.signal(signal.SIGHUP, _raise_exit)
    kinds = ("sqlite", "postgresql") if args.database == "both" else (args.database,)
    load = os.getloadavg()[0]
    print(
        f"Couples evening benchmark: {os.cpu_count()} CPUs, {platform.platform()}, "
        f"Python {platform.python_version()}; load average {load:.2f}; the load generator "
        "shares the machine with the server",
        flush=True,
    )
    results = []
    try:
        for kind in kinds:
            results.append(run(kind, args))
    except BenchError as error:
        print(f"bench/evening.py: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("bench/evening.py: interrupted; the server is stopped", file=sys.stderr)
        return 130
    if not args.no_save:
        RESULTS_DIR.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = RESULTS_DIR / f"evening-{stamp}.json"
        path.write_text(
            json.dumps(
                {
                    "when": stamp,
                    "settings": vars(args),
                    "machine": {
                        "cpus": os.cpu_count(),
                        "platform": platform.platform(),
                        "load_average_at_start": load,
                    },
                    "runs": results,
                },
                indent=2,
            )
            + "\n"
        )
        print(f"\nResults: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
