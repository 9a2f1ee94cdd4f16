"""Evening benchmark: many partners doing their evening at once, through the app's pages.

    .venv/bin/python bench/evening.py [--partners 50] [--rounds 3] [--database both]
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

``--partners`` partners (half as many couples) run at once, each in a thread, with no
pause between requests. A check-in is answered once per night, so every round gives each
pair of threads a couple of its own; one round warms the server up, then ``--rounds``
rounds are timed. The app runs under ``flask --app couples serve`` on SQLite and under
gunicorn on PostgreSQL, started by this script with a fresh instance folder or database
and stopped at the end; everything listens on 127.0.0.1. The accounts are registered and
linked through the JSON API before the timing.

Prints p50 and p99 per step, errors, evenings per second and the number of couples one
such machine carries, with PASS or MISS per goal. Exit status 0 either way (a
measurement, not a test); 1 when the run itself failed. See README.md.
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
    migrate,
)

RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/couples_bench_evening"
PASSWORD = "velvet hamster orbit lamp 7"
USER_AGENT = "couples-bench-evening/1"
REQUEST_TIMEOUT = 30.0  # seconds, per request
PARTNER_WAIT = 60.0  # seconds one partner waits for the other's answers, at most
STEPS = ("home", "open check-in", "answer", "reveal", "appreciation form",
         "send appreciation", "insights")

# Goals
MAX_STEP_P99_MS = 250.0
WINDOW_S = 900  # a busy quarter of an hour...
SHARE_IN_WINDOW = 0.2  # ...in which a fifth of the couples do their evening
EVENINGS_PER_COUPLE = 2  # an evening here is one partner's
MIN_COUPLES_POSTGRES = 50_000

# The server's settings besides the database: registration and login throttles raised
# (every account comes from 127.0.0.1) and a cheap password hash. Passwords are hashed
# only when registering and logging in, which happen before the timing.
SERVER_SETTINGS = {
    "COUPLES_REGISTER_LIMIT_PER_ADDRESS": "1000000 per hour",
    "COUPLES_LOGIN_LIMIT_PER_ADDRESS": "1000000 per 15 minutes",
    "COUPLES_LOGIN_LIMIT_PER_ACCOUNT": "1000 per 15 minutes",
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

    def _send(self, method: str, path: str, body: bytes | None,
              headers: dict[str, str]) -> tuple[http.client.HTTPResponse, bytes]:
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

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str | None = None, extra: dict[str, str] | None = None
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

    def open(self, method: str, path: str, form: list[tuple[str, str]] | None = None
             ) -> Page:
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

    def api(self, method: str, path: str, payload: object = None,
            csrf: str | None = None) -> tuple[int, object]:
        body = json.dumps(payload).encode() if payload is not None else None
        extra = {"X-CSRF-Token": csrf} if csrf else None
        status, _headers, data = self.request(
            method, path, body, "application/json" if body is not None else None, extra)
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
            fields[a["name"]] = Field("select", [_attrs(o.group(1)).get("value", "")
                                                 for o in options])
        return Form(action, fields)
    raise StepFailed(f"{page.path}: no form posting to {action}")


def fill(form: Form, rng: random.Random, texts: dict[str, str] | None = None
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
                data.append((name, rng.choice(values[len(values) // 2:])))
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
        default_factory=lambda: (threading.Event(), threading.Event()))

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
        status, body = browser.api("POST", "/api/v1/auth/register", {
            "email": f"evening-{label}{role}-{secrets.token_hex(3)}@example.com",
            "password": PASSWORD, "display_name": f"Partner {label}{role}",
            "timezone": "UTC"}, csrf=body["csrf_token"])
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
    status, accepted = browsers[1].api("POST", f"/api/v1/invites/{body['code']}/accept",
                                       csrf=tokens[1])
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


def evening(couple: Couple, role: int, record: Record, rng: random.Random) -> None:
    """One partner's evening, step by step, each step timed as the partner waits for it."""
    me = couple.partners[role]
    step, sent_before = "home", me.requests

    def timed(name: str, action):
        nonlocal step
        step = name
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
        if not couple.answered[1 - role].wait(PARTNER_WAIT):
            raise StepFailed(f"the partner did not answer within {PARTNER_WAIT:.0f} s")
        timed("reveal", lambda: expect(me.open("GET", day_path), 200, day_path,
                                       "Here you are, side by side."))
        page = timed("appreciation form", lambda: expect(
            me.open("GET", "/appreciations/new"), 200))
        sent = fill(find_form(page, "/appreciations/new"), rng,
                    {"text": rng.choice(SENTENCES)})
        timed("send appreciation", lambda: expect(
            me.open("POST", "/appreciations/new", sent), 200, "/appreciations"))
        timed("insights", lambda: expect(me.open("GET", "/insights"), 200))
    except Exception as error:  # noqa: BLE001 (counted: a load generator goes on)
        couple.answered[role].set()  # the partner need not wait for answers never sent
        record.error(f"{step}: {type(error).__name__}: {error}")
        me.close()
        return
    record.done(me.requests - sent_before)


def partner_thread(couples: list[Couple], role: int, record: Record, warm: Record,
                   warmed: threading.Barrier, deadline: list[float], seed: int) -> None:
    """A partner's evenings: the warm-up couple's, then one per timed round."""
    rng = random.Random(seed)
    for index, couple in enumerate(couples):
        if index == 0:
            evening(couple, role, warm, rng)
            couple.partners[role].close()
            try:
                warmed.wait(PARTNER_WAIT + 4 * REQUEST_TIMEOUT)
            except threading.BrokenBarrierError:
                warm.error("warm-up: the other partners did not finish")
                return
            continue
        if not couple.starts(deadline[0]):
            return
        evening(couple, role, record, rng)
        couple.partners[role].close()


# --------------------------------------------------------------------------------------
# Servers and databases


class EmbeddedServer(Server):
    """``flask --app couples serve``: waitress in one process, SQLite in its instance
    folder (it migrates the database on start)."""

    def __init__(self, env: dict[str, str], log_path: Path, threads: int):
        super().__init__("serve", "couples", ROOT, env, 1, "/api/v1/auth/csrf", log_path,
                         threads)
        self.start_timeout = 120.0

    def command(self) -> list[str]:
        return [sys.executable, "-m", "flask", "--app", "couples", "serve", "--host", HOST,
                "--port", str(self.port), "--threads", str(self.threads)]


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
    env.update({"COUPLES_SQLALCHEMY_DATABASE_URI": database.app_url,
                "COUPLES_SECRET_KEY": secrets.token_urlsafe(32),
                "COUPLES_SESSION_COOKIE_SECURE": "false",
                "COUPLES_REMEMBER_COOKIE_SECURE": "false"})
    server = Server("gunicorn", "wsgi:app", ROOT, env, args.workers, "/api/v1/auth/csrf",
                    workdir / "gunicorn.log", args.threads)
    try:
        migrate(env)
        server.start()
    except BaseException:
        server.stop()
        database.drop()
        raise
    return server, database, (f"gunicorn wsgi:app ({args.workers} workers x {args.threads} "
                              f"threads)")


# --------------------------------------------------------------------------------------
# Running and reporting


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (share 0.99: p99)."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), math.ceil(share * len(ordered))) - 1)]


def run(kind: str, args: argparse.Namespace) -> dict:
    slots = args.partners // 2
    with tempfile.TemporaryDirectory(prefix="couples-evening-") as tmp:
        workdir = Path(tmp)
        (workdir / "instance").mkdir()
        server, database, setting = start_server(kind, args, workdir)
        try:
            return measure(args, server, setting, slots, kind)
        except BenchError:
            print(f"--- last lines of the server's log:\n{server.log_tail()}", file=sys.stderr)
            raise
        finally:
            server.stop()
            if database is not None:
                database.drop()


def measure(args: argparse.Namespace, server: Server, setting: str, slots: int,
            kind: str) -> dict:
    rounds = 1 + args.rounds  # the first warms up
    print(f"\n== {kind}: {setting}; {slots * 2} partners ({slots} couples) at once, "
          f"1 warm-up round then {args.rounds} timed", flush=True)
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        couples = list(pool.map(lambda n: make_couple(server.port, f"c{n}-"),
                                range(slots * rounds)))
    print(f"setup: {len(couples) * 2} partners registered and linked in "
          f"{time.monotonic() - started:.1f} s", flush=True)

    record, warm = Record(), Record()
    deadline = [float("inf")]
    timed_start = [0.0, 0.0, None]  # monotonic, this process's CPU, the server's CPU
    pgid = server.process.pid  # the server runs in a process group of its own

    def begin_timing() -> None:
        timed_start[:] = [time.monotonic(), time.process_time(), group_cpu_seconds(pgid)]
        deadline[0] = timed_start[0] + args.max_seconds

    warmed = threading.Barrier(slots * 2, action=begin_timing)
    threads = []
    for slot in range(slots):
        mine = [couples[r * slots + slot] for r in range(rounds)]
        for role in (0, 1):
            thread = threading.Thread(
                target=partner_thread, daemon=True, name=f"partner-{slot}-{role}",
                args=(mine, role, record, warm, warmed, deadline, args.seed + slot * 2 + role))
            threads.append(thread)
            thread.start()
    limit = time.monotonic() + args.max_seconds + PARTNER_WAIT + 4 * REQUEST_TIMEOUT + 60
    for thread in threads:
        thread.join(max(0.0, limit - time.monotonic()))
    if any(thread.is_alive() for thread in threads):
        raise BenchError("partners still busy long after the deadline")
    elapsed = time.monotonic() - timed_start[0]
    client_cpu = time.process_time() - timed_start[1]
    server_after = group_cpu_seconds(pgid)
    server_cpu = (server_after - timed_start[2]
                  if server_after is not None and timed_start[2] is not None else None)
    return report(kind, setting, record, warm, elapsed, client_cpu, server_cpu)


def report(kind: str, setting: str, record: Record, warm: Record, elapsed: float,
           client_cpu: float, server_cpu: float | None) -> dict:
    print(f"\n{'step':<20}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    steps = {}
    for step in STEPS:
        times = record.times[step]
        if times:
            steps[step] = {"count": len(times), "p50_ms": percentile(times, 0.5),
                           "p99_ms": percentile(times, 0.99), "max_ms": max(times)}
            print(f"{step:<20}{len(times):>7}{steps[step]['p50_ms']:>9.1f}"
                  f"{steps[step]['p99_ms']:>9.1f}{steps[step]['max_ms']:>9.1f}")
        else:
            print(f"{step:<20}{0:>7}{'-':>9}{'-':>9}{'-':>9}")
    per_second = record.evenings / elapsed if elapsed > 0 else 0.0
    couples = per_second * WINDOW_S / (EVENINGS_PER_COUPLE * SHARE_IN_WINDOW)
    print(f"\nevenings: {record.evenings} in {elapsed:.1f} s = {per_second:.2f} evenings/s, "
          f"{record.requests / elapsed:.0f} requests/s (the load generator used "
          f"{client_cpu / elapsed:.0%} of one core)")
    if server_cpu is not None and record.evenings:
        print(f"app server CPU: {server_cpu / record.evenings * 1000:.0f} ms per evening, "
              f"{server_cpu / elapsed:.0%} of one core"
              + (" (PostgreSQL's not counted)" if kind == "postgresql" else ""))
    print(f"capacity: couples carried = evenings/s x {WINDOW_S} s / ({EVENINGS_PER_COUPLE} "
          f"evenings per couple x {SHARE_IN_WINDOW:g} of the couples in the same "
          f"{WINDOW_S // 60} minutes) = {per_second:.2f} x {WINDOW_S} / "
          f"{EVENINGS_PER_COUPLE * SHARE_IN_WINDOW:g} = {couples:,.0f} couples")
    if warm.errors:
        print(f"warm-up: {len(warm.errors)} error(s), first: {warm.errors[0]}")

    goals = []

    def goal(name: str, shown: str, passed: bool) -> None:
        verdict = "PASS" if passed else "MISS"
        print(f"Goal: {name}: {shown}: {verdict}")
        goals.append({"goal": name, "shown": shown, "verdict": verdict})

    goal("errors", f"{len(record.errors)}, goal 0", not record.errors and record.evenings > 0)
    for step in STEPS:
        if step in steps:
            goal(f"{step} p99", f"{steps[step]['p99_ms']:.1f} ms, goal < {MAX_STEP_P99_MS:g} ms",
                 steps[step]["p99_ms"] < MAX_STEP_P99_MS)
        else:
            goal(f"{step} p99", "not measured", False)
    if kind == "postgresql":
        goal("couples carried", f"{couples:,.0f}, goal >= {MIN_COUPLES_POSTGRES:,}",
             couples >= MIN_COUPLES_POSTGRES and not record.errors)
    for text in record.errors[:5]:
        print(f"Error: {text}")
    return {"database": kind, "server": setting, "elapsed_s": elapsed,
            "evenings": record.evenings, "evenings_per_s": per_second,
            "couples_carried": couples, "client_cpu_s": client_cpu,
            "server_cpu_s": server_cpu, "steps": steps,
            "errors": record.errors, "warmup_errors": warm.errors, "goals": goals}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--partners", type=int, default=50,
                        help="partners at once, an even number (default 50: 25 couples)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="timed evenings per partner, each with a new couple")
    parser.add_argument("--max-seconds", type=float, default=180,
                        help="no evening starts after this many seconds of timing")
    parser.add_argument("--database", choices=("both", "sqlite", "postgresql"), default="both")
    parser.add_argument("--database-url", default=None,
                        help=f"PostgreSQL database to create and drop (default {DEFAULT_PG_URL})")
    parser.add_argument("--serve-threads", type=int, default=8,
                        help="waitress threads of `serve` (SQLite; its default is 8)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (PostgreSQL)")
    parser.add_argument("--threads", type=int, default=4,
                        help="threads per gunicorn worker (PostgreSQL)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the partners' answers")
    parser.add_argument("--no-save", action="store_true",
                        help="do not write JSON results to bench/results/")
    args = parser.parse_args(argv)
    if args.partners < 2 or args.partners % 2 or args.partners > 1000:
        parser.error("--partners must be an even number from 2 to 1000")
    if not 1 <= args.rounds <= 100 or not 1 <= args.max_seconds <= 3600:
        parser.error("--rounds must be 1 to 100, --max-seconds 1 to 3600")
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
    print(f"Couples evening benchmark: {os.cpu_count()} CPUs, {platform.platform()}, "
          f"Python {platform.python_version()}; load average {load:.2f}; the load generator "
          "shares the machine with the server", flush=True)
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
        path.write_text(json.dumps({"when": stamp, "settings": vars(args),
                                    "machine": {"cpus": os.cpu_count(),
                                                "platform": platform.platform(),
                                                "load_average_at_start": load},
                                    "runs": results}, indent=2) + "\n")
        print(f"\nResults: {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
