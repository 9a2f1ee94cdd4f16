"""Lighthouse on four pages of the app, as a partner on a phone sees them.

    .venv/bin/python bench/lighthouse.py [--runs 3] [--page tonight] [--keep-reports DIR]

The script starts the app under gunicorn on 127.0.0.1 with a fresh SQLite database and the
demo couple (``flask --app couples demo seed``), logs both partners in through the JSON
API, prepares each page's state, then runs Lighthouse (mobile preset, simulated throttling)
several times per page, each time in a fresh Chromium (``CHROME_PATH``, Debian's by
default) whose cookie jar holds the partner's session cookie, and prints the median
accessibility, best-practices and performance scores and first contentful paint, with
PASS or MISS against the goals. Lighthouse comes from npm into bench/node_modules
(``npm install --prefix bench``). See README.md.
"""

import sys
from pathlib import Path

# Keep this folder off sys.path: bench/http.py would shadow the standard library's http.
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import contextlib  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.error  # noqa: E402
import urllib.request  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

from bench.http import (  # noqa: E402
    HOST,
    BenchError,
    Client,
    Server,
    app_env,
    free_port,
    migrate,
    todays_checkin,
)

LIGHTHOUSE = BENCH_DIR / "node_modules" / ".bin" / "lighthouse"
CHROME_PATH = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
# Lighthouse's own launcher's choice (chrome-launcher's default flags), headless.
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-extensions",
    "--disable-component-extensions-with-background-pages",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-client-side-phishing-detection",
    "--disable-sync",
    "--metrics-recording-only",
    "--disable-default-apps",
    "--mute-audio",
    "--no-default-browser-check",
    "--no-first-run",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    "--disable-background-timer-throttling",
    "--disable-ipc-flooding-protection",
    "--password-store=basic",
    "--disable-hang-monitor",
    "--disable-prompt-on-repost",
    "--disable-domain-reliability",
    "--disable-features=Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"
    "InterestFeedContentSuggestions,CertificateTransparencyComponentUpdater,"
    "AutofillServerCommunication,PrivacySandboxSettings4,RenderDocument",
)
CATEGORIES = ("accessibility", "best-practices", "performance")
RESULTS_DIR = BENCH_DIR / "results"
RUN_TIMEOUT = 180
RUN_ATTEMPTS = 3
START_TIMEOUT = 30.0


@dataclass(frozen=True)
class Goal:
    """A score at least ``min_score`` (0-100), or a metric under ``max_ms``."""

    name: str
    key: str
    min_score: int | None = None
    max_ms: float | None = None

    def check(self, value: float) -> bool:
        if self.min_score is not None:
            return value >= self.min_score
        return value < self.max_ms

    def describe(self) -> str:
        if self.min_score is not None:
            return f"{self.name} >= {self.min_score}"
        return f"{self.name} < {self.max_ms / 1000:g} s"


GOALS = (
    Goal("accessibility", "accessibility", min_score=100),
    Goal("best practices", "best-practices", min_score=95),
    Goal("performance", "performance", min_score=90),
    Goal("first contentful paint", "fcp_ms", max_ms=1500),
)


@dataclass
class Page:
    """One page to audit: its URL and the session cookie of the partner who opens it."""

    key: str
    title: str
    path: str
    cookies: dict[str, str]
    note: str
    runs: list[dict] = field(default_factory=list)

    def median(self, key: str) -> float:
        return statistics.median(run[key] for run in self.runs)


# --------------------------------------------------------------------------------------
# The app and its data


class Instance:
    """What ``bench.http.app_env`` needs to know of the database: a SQLite file in the
    run's own instance folder."""

    def __init__(self, workdir: Path):
        (workdir / "instance").mkdir(parents=True, exist_ok=True)
        self.app_url = f"sqlite:///{workdir / 'instance' / 'couples.sqlite3'}"


@dataclass
class DemoCouple:
    maya: str  # email
    jonah: str
    password: str


def seed_demo(env: dict[str, str]) -> DemoCouple:
    """``flask --app couples demo seed``: two months of history, a repair under way."""
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "couples", "demo", "seed"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"flask demo seed failed:\n{result.stderr[-2000:]}")
    emails = re.findall(r"^\s+\w+: (\S+@\S+)$", result.stdout, re.MULTILINE)
    password = re.search(r"password \(both\): (\S+)", result.stdout)
    if len(emails) != 2 or password is None:
        raise BenchError(f"unexpected output of flask demo seed:\n{result.stdout}")
    return DemoCouple(maya=emails[0], jonah=emails[1], password=password.group(1))


class EmbeddedServer(Server):
    """``flask --app couples serve``, the embedded default (waitress, keep-alive), in a
    process group of its own; ``bench.http.Server`` runs gunicorn instead."""

    def start(self) -> None:
        command = [
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
        ]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.chdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"the app server exited early:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                status, _, _ = Client(HOST, self.port).request("GET", self.ready_path)
                if status < 500:
                    return
            time.sleep(0.1)
        raise BenchError(
            f"the app server is not ready after {START_TIMEOUT:.0f} s:\n{self.log_tail()}"
        )


def log_in(port: int, email: str, password: str) -> Client:
    client = Client(HOST, port)
    client.fetch_csrf()
    client.expect(200, "POST", "/api/v1/auth/login", {"email": email, "password": password})
    client.fetch_csrf()  # a new session: a new token
    return client


def prepare_pages(port: int, demo: DemoCouple) -> list[Page]:
    """The three pages, each in the state the goals name."""
    maya = log_in(port, demo.maya, demo.password)
    jonah = log_in(port, demo.jonah, demo.password)

    # Tonight: Jonah answers his today (when the demo history left it open: Jonah lives in
    # New York, so at some hours his today is a date the history has revealed already);
    # Maya has not answered hers and opens /checkin.
    jonahs = jonah.expect(200, "GET", "/api/v1/checkins/today")["items"]
    answered = "nothing (his open check-ins are revealed already)"
    if jonahs and not jonahs[0]["revealed"] and jonahs[0]["my_answers"] is None:
        day, answers = todays_checkin(jonah)
        jonah.expect(200, "PUT", f"/api/v1/checkins/{day}/answers", {"answers": answers})
        answered = day
    items = maya.expect(200, "GET", "/api/v1/checkins/today")["items"]
    unanswered = [i for i in items if i["my_answers"] is None]
    if not unanswered:
        raise BenchError(f"Maya has no check-in open and unanswered: {items!r}")
    tonight_note = (
        f"Maya's {unanswered[0]['date']} {unanswered[0]['kind']} check-in, unanswered "
        f"({len(unanswered[0]['questions'])} questions); Jonah answered {answered}"
    )

    # Reveal: the newest revealed date of the demo history, as Maya.
    revealed = maya.expect(200, "GET", "/api/v1/checkins?limit=1")["items"]
    if not revealed or not revealed[0]["revealed"]:
        raise BenchError(f"no revealed check-in in the demo history: {revealed!r}")
    reveal_day = revealed[0]["date"]

    # Repair: the demo's repair under way; Jonah's apology is next, so his page has the
    # apology form (and repair.js).
    repairs = jonah.expect(200, "GET", "/api/v1/repairs")["items"]
    ongoing = [r for r in repairs if r["ended_at"] is None and r["next_actor"] == "me"]
    if not ongoing:
        raise BenchError(f"no repair under way with Jonah to act: {repairs!r}")
    repair = ongoing[0]

    return [
        Page(
            "home",
            "Home (what is waiting)",
            "/",
            dict(maya.cookies),
            "Maya's home, with what is waiting for her",
        ),
        Page(
            "tonight",
            "Tonight (check-in, unanswered)",
            "/checkin",
            dict(maya.cookies),
            tonight_note,
        ),
        Page(
            "reveal",
            "Reveal (a revealed date)",
            f"/checkin/{reveal_day}",
            dict(maya.cookies),
            f"Maya's revealed {reveal_day} {revealed[0]['kind']} check-in",
        ),
        Page(
            "repair",
            "Repair (under way)",
            f"/repairs/{repair['id']}",
            dict(jonah.cookies),
            f"Jonah's view of {repair['title']!r}, state {repair['state']}, his turn",
        ),
    ]


# --------------------------------------------------------------------------------------
# Lighthouse


class Chromium:
    """Debian's Chromium with a profile of its own and a DevTools port, for one run:
    the partner's session cookie goes into its cookie jar, as if they had logged in, so
    the redirect from /checkin and every later request carry it (Lighthouse keeps cookies
    when it resets the origin's storage)."""

    def __init__(self, workdir: Path, name: str):
        self.profile = workdir / f"chromium-{name}"
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            CHROME_PATH,
            *CHROME_FLAGS,
            f"--remote-debugging-port={self.port}",
            f"--user-data-dir={self.profile}",
            "about:blank",
        ]
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"Chromium exited at start ({self.process.returncode})")
            try:
                with urllib.request.urlopen(  # noqa: S310 (a loopback URL of ours)
                    f"http://{HOST}:{self.port}/json/version", timeout=2
                ):
                    return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        raise BenchError(f"Chromium's DevTools port did not answer in {START_TIMEOUT:.0f} s")

    def set_cookies(self, base_url: str, cookies: dict[str, str]) -> None:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as playwright:
            browser = playwright.chromium.connect_over_cdp(f"http://{HOST}:{self.port}")
            try:
                jar = browser.contexts[0]
                jar.clear_cookies()
                jar.add_cookies(
                    [
                        {
                            "name": name,
                            "value": value,
                            "url": base_url,
                            "httpOnly": True,
                            "sameSite": "Lax",
                        }
                        for name, value in cookies.items()
                    ]
                )
            finally:
                browser.close()  # disconnects; the browser and its cookies stay

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
        shutil.rmtree(self.profile, ignore_errors=True)


def run_lighthouse(base_url: str, page: "Page", workdir: Path, name: str) -> dict:
    """One Lighthouse run in a fresh Chromium holding ``page``'s session cookie: its
    scores (0-100), metrics (ms) and the audits that cost points."""
    chromium = Chromium(workdir, name)
    report = workdir / f"{name}.json"
    try:
        chromium.start()
        chromium.set_cookies(base_url, page.cookies)
        command = [
            str(LIGHTHOUSE),
            base_url + page.path,
            f"--port={chromium.port}",
            f"--hostname={HOST}",
            f"--only-categories={','.join(CATEGORIES)}",
            "--form-factor=mobile",
            "--output=json",
            f"--output-path={report}",
            "--quiet",
        ]
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=RUN_TIMEOUT, check=False
        )
    finally:
        chromium.stop()
    if result.returncode != 0 or not report.exists():
        raise BenchError(
            f"lighthouse failed on {page.path} (status {result.returncode}):\n"
            f"{result.stderr[-2000:]}"
        )
    data = json.loads(report.read_text())
    if data.get("runtimeError"):
        raise BenchError(f"lighthouse on {page.path}: {data['runtimeError']}")
    final_url = data.get("finalDisplayedUrl") or ""
    if "/login" in final_url:
        raise BenchError(
            f"lighthouse on {page.path} ended on the login page: the session cookie was not sent"
        )
    return summarize(data, report)


def run_with_retries(base_url: str, page: "Page", workdir: Path, name: str) -> dict:
    """Lighthouse sometimes fails to record a trace on a busy machine (NO_NAVSTART,
    NO_FCP): such a run is made again, twice at most."""
    for attempt in range(1, RUN_ATTEMPTS + 1):
        try:
            return run_lighthouse(base_url, page, workdir, f"{name}-try{attempt}")
        except BenchError as error:
            if attempt == RUN_ATTEMPTS or "login page" in str(error):
                raise
            print(
                f"  ({page.key}: run failed, trying again: {str(error).splitlines()[-1]})",
                flush=True,
            )
    raise AssertionError("unreachable")


def summarize(data: dict, report: Path) -> dict:
    audits = data["audits"]
    scores = {key: round(100 * (data["categories"][key]["score"] or 0)) for key in CATEGORIES}
    failed = {}
    for category in CATEGORIES:
        for ref in data["categories"][category]["auditRefs"]:
            audit = audits[ref["id"]]
            score = audit.get("score")
            if (
                score is not None
                and score < 1
                and (ref.get("weight") or audit["scoreDisplayMode"] == "metricSavings")
            ):
                shown = audit.get("displayValue") or ""
                failed[ref["id"]] = audit["title"] + (f" ({shown})" if shown else "")
    return {
        **scores,
        "fcp_ms": audits["first-contentful-paint"]["numericValue"],
        "lcp_ms": audits["largest-contentful-paint"]["numericValue"],
        "tbt_ms": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "final_url": data.get("finalDisplayedUrl"),
        "failed": failed,
        "report": report,
    }


def lighthouse_version() -> str:
    result = subprocess.run(
        [str(LIGHTHOUSE), "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    return result.stdout.strip() or "?"


def chromium_version() -> str:
    try:
        result = subprocess.run(
            [CHROME_PATH, "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except OSError:
        return "?"
    return result.stdout.strip() or "?"


# --------------------------------------------------------------------------------------
# Report


def format_table(pages: list[Page]) -> str:
    header = (
        f"{'page':<34}{'a11y':>6}{'best':>6}{'perf':>6}{'FCP s':>8}{'LCP s':>8}"
        f"{'TBT ms':>8}{'CLS':>7}"
    )
    lines = [header, "-" * len(header)]
    for page in pages:
        lines.append(
            f"{page.title:<34}{page.median('accessibility'):>6.0f}"
            f"{page.median('best-practices'):>6.0f}{page.median('performance'):>6.0f}"
            f"{page.median('fcp_ms') / 1000:>8.2f}{page.median('lcp_ms') / 1000:>8.2f}"
            f"{page.median('tbt_ms'):>8.0f}{page.median('cls'):>7.3f}"
        )
    return "\n".join(lines)


def check_goals(pages: list[Page]) -> list[dict]:
    results = []
    for page in pages:
        for goal in GOALS:
            value = page.median(goal.key)
            verdict = "PASS" if goal.check(value) else "MISS"
            shown = f"{value / 1000:.2f} s" if goal.max_ms else f"{value:.0f}"
            runs = ", ".join(
                f"{run[goal.key] / 1000:.2f}" if goal.max_ms else f"{run[goal.key]}"
                for run in page.runs
            )
            print(f"Goal: {page.key}: {goal.describe()}: {shown} (runs: {runs}) -> {verdict}")
            results.append(
                {"page": page.key, "goal": goal.describe(), "value": value, "verdict": verdict}
            )
    return results


def print_failed_audits(pages: list[Page]) -> None:
    """The audits that cost points, with how many runs failed them."""
    for page in pages:
        counts: dict[str, list] = {}
        for run in page.runs:
            for audit_id, text in run["failed"].items():
                counts.setdefault(audit_id, [0, text])[0] += 1
        if counts:
            print(f"Audits below full marks on {page.key}:")
            for audit_id, (count, text) in sorted(counts.items()):
                print(f"  {audit_id}: {text} [{count}/{len(page.runs)} runs]")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (median)")
    parser.add_argument(
        "--page",
        action="append",
        choices=("home", "tonight", "reveal", "repair"),
        default=[],
        help="audit only this page (repeatable)",
    )
    parser.add_argument(
        "--server",
        choices=("serve", "gunicorn"),
        default="serve",
        help="flask serve (waitress, the embedded default) or gunicorn",
    )
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn sync workers (with --server gunicorn)"
    )
    parser.add_argument(
        "--keep-reports",
        type=Path,
        metavar="DIR",
        help="copy every Lighthouse JSON report into DIR",
    )
    parser.add_argument(
        "--no-save", action="store_true", help="do not write JSON results to bench/results/"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.workers < 1:
        parser.error("--runs and --workers must be positive")
    return args


def _raise_exit(signum, _frame):
    print(f"bench/lighthouse.py: stopped by signal {signum}", file=sys.stderr)
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if not LIGHTHOUSE.exists():
        print(
            "bench/lighthouse.py needs Lighthouse in bench/node_modules:\n"
            "  npm install --prefix bench",
            file=sys.stderr,
        )
        return 2
    if importlib.util.find_spec("playwright") is None:
        print(
            "bench/lighthouse.py needs Playwright for Python (the project's dev extra) to "
            "put the session cookie into Chromium",
            file=sys.stderr,
        )
        return 2
    if not Path(CHROME_PATH).exists():
        print(
            f"bench/lighthouse.py needs Chromium at {CHROME_PATH} (apt-get install chromium, "
            "or set CHROME_PATH)",
            file=sys.stderr,
        )
        return 2
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.signal(signal.SIGHUP, _raise_exit)

    server = None
    with tempfile.TemporaryDirectory(prefix="couples-lighthouse-") as tmp:
        workdir = Path(tmp)
        try:
            env = app_env(Instance(workdir), workdir, [])
            migrate(env)
            demo = seed_demo(env)
            kind = EmbeddedServer if args.server == "serve" else Server
            server = kind(
                "app", "wsgi:app", ROOT, env, args.workers, "/healthz", workdir / "app.log"
            )
            server.start()
            pages = prepare_pages(server.port, demo)
            if args.page:
                pages = [page for page in pages if page.key in args.page]
            return measure_and_report(args, server.port, pages, workdir)
        except BenchError as error:
            print(f"bench/lighthouse.py: {error}", file=sys.stderr)
            if server is not None and server.process is not None:
                print(f"--- last lines of the server's log:\n{server.log_tail()}", file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            print("bench/lighthouse.py: interrupted", file=sys.stderr)
            return 130
        finally:
            if server is not None:
                server.stop()


def measure_and_report(
    args: argparse.Namespace, port: int, pages: list[Page], workdir: Path
) -> int:
    load = os.getloadavg()[0]
    served = (
        "flask serve (waitress)"
        if args.server == "serve"
        else f"gunicorn, {args.workers} sync workers"
    )
    print(
        f"Lighthouse {lighthouse_version()} ({chromium_version()}), mobile preset, "
        f"simulated throttling; {args.runs} run(s) per page; app: {served}; "
        f"load average {load:.2f} on {os.cpu_count()} CPUs",
        flush=True,
    )
    for page in pages:
        print(f"Note: {page.key}: {page.path}: {page.note}", flush=True)
    for number in range(1, args.runs + 1):
        for page in pages:
            started = time.monotonic()
            run = run_with_retries(f"http://{HOST}:{port}", page, workdir, f"{page.key}-{number}")
            page.runs.append(run)
            print(
                f"  run {number}: {page.key}: accessibility {run['accessibility']}, "
                f"best practices {run['best-practices']}, performance "
                f"{run['performance']}, FCP {run['fcp_ms'] / 1000:.2f} s "
                f"({time.monotonic() - started:.0f} s)",
                flush=True,
            )
            if args.keep_reports:
                args.keep_reports.mkdir(parents=True, exist_ok=True)
                target = args.keep_reports / f"{page.key}-{number}.json"
                target.write_bytes(run["report"].read_bytes())

    print()
    print(format_table(pages))
    print()
    goals = check_goals(pages)
    print()
    print_failed_audits(pages)
    if not args.no_save:
        RESULTS_DIR.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        path = RESULTS_DIR / f"lighthouse-{stamp}.json"
        path.write_text(
            json.dumps(
                {
                    "when": stamp,
                    "lighthouse": lighthouse_version(),
                    "chromium": chromium_version(),
                    "runs": args.runs,
                    "server": args.server,
                    "load_average_at_start": load,
                    "pages": {
                        page.key: {
                            "path": page.path,
                            "note": page.note,
                            "runs": [
                                {k: v for k, v in run.items() if k != "report"} for run in page.runs
                            ],
                        }
                        for page in pages
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
