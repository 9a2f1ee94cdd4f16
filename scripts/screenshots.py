"""Screenshots of every page, as the demo couple and an unlinked user meet them, on phone
widths in light and dark, for a visual review.

    .venv/bin/python scripts/screenshots.py [--out DIR] [--widths 360,320] [--only TEXT]
                                            [--language es]

Starts the app (``flask serve``) on a free loopback port with its own instance folder,
seeds the demo couple (``flask demo seed``), registers an unlinked user, and saves one PNG
per page, width and colour scheme: ``<page>-<width>-<light|dark>.png``. Each picture is
as tall as the page, so the fixed bottom bar is drawn where a phone shows it once
scrolled to the end, below everything else. Pages marked ``narrow`` are also taken at
the second width. A few extra pictures show keyboard focus (``focus-*``): the last
control of a long form reached with Tab on a 740 px tall screen, which must not end up
under the bottom bar.

With ``--language``, every browser asks for that language (and the server offers it).

Needs Debian's Chromium (/usr/bin/chromium) and Playwright (the ``dev`` extra).
"""

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HEIGHT = 740
PASSWORD = "violet harbor pancake 71"  # noqa: S105 (a throwaway local account)


@dataclass(frozen=True)
class Shot:
    name: str
    who: str  # "maya", "jonah", "solo" (unlinked) or "visitor" (logged out)
    path: str
    narrow: bool = False  # also at the second width
    status: int = 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(instance: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUPLES_")}
    env.update(
        {
            "COUPLES_INSTANCE_PATH": str(instance),
            "COUPLES_RATELIMIT_ENABLED": "false",
            "COUPLES_PASSWORD_HASH_TIME_COST": "1",
            "COUPLES_PASSWORD_HASH_MEMORY_COST": "1024",
            "COUPLES_PASSWORD_HASH_PARALLELISM": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def flask(env: dict, *args: str) -> str:
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "flask", "--app", "couples", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"flask {' '.join(args)} failed:\n{result.stderr[-2000:]}")
    return result.stdout


def start_server(env: dict, port: int, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter and arguments)
            [
                sys.executable,
                "-m",
                "flask",
                "--app",
                "couples",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server exited:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(  # noqa: S310 (our own loopback server)
                f"http://localhost:{port}/healthz", timeout=2
            ):
                return process
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


def log_in(page, email: str, password: str) -> None:
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/(\?.*)?$"))


def api(page, method: str, path: str, body: dict | None = None) -> dict:
    token = page.request.get("/api/v1/auth/csrf").json()["csrf_token"]
    response = page.request.fetch(path, method=method, data=body, headers={"X-CSRF-Token": token})
    if not response.ok:
        raise SystemExit(f"{method} {path}: {response.status} {response.text()[:300]}")
    return response.json() if response.status != 204 else {}


NEXT_FRAMES = "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"


def take(page, out: Path, name: str, width: int, scheme: str) -> Path:
    page.set_viewport_size({"width": width, "height": HEIGHT})
    page.emulate_media(color_scheme=scheme)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.set_viewport_size({"width": width, "height": max(HEIGHT, height)})
    page.evaluate(NEXT_FRAMES)  # the fixed bar is placed for the new size before the shot
    path = out / f"{name}-{width}-{scheme}.png"
    page.screenshot(path=path)
    page.set_viewport_size({"width": width, "height": HEIGHT})
    return path


def sideways(page) -> int:
    """How many px the page is wider than the screen (0 when it fits)."""
    return page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "couples-screenshots"
    )
    parser.add_argument(
        "--widths",
        default="360,320",
        help="the first for every page, the others for pages marked narrow",
    )
    parser.add_argument("--only", default="", help="only pages whose name contains this")
    parser.add_argument("--language", default="en", help="the language the browsers ask for")
    args = parser.parse_args(argv)
    widths = [int(w) for w in args.widths.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="couples-shots-") as tmp:
        env = server_env(Path(tmp) / "instance")
        env["COUPLES_LANGUAGES"] = json.dumps(sorted({"en", args.language}))
        port = free_port()
        server = start_server(env, port, Path(tmp) / "server.log")
        try:
            seeded = flask(env, "demo", "seed")
            demo_password = re.search(r"password \(both\): (\S+)", seeded).group(1)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                base = f"http://localhost:{port}"
                problems = run(
                    browser, base, demo_password, args.out, widths, args.only, args.language
                )
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    for problem in problems:
        print(problem)
    print(f"Screenshots in {args.out}")
    return 1 if problems else 0


def run(
    browser,
    base: str,
    demo_password: str,
    out: Path,
    widths: list[int],
    only: str,
    language: str = "en",
) -> list[str]:
    def context(timezone: str = "Europe/London"):
        return browser.new_context(
            base_url=base,
            timezone_id=timezone,
            locale=language,
            viewport={"width": widths[0], "height": HEIGHT},
        )

    pages = {
        "visitor": context().new_page(),
        "maya": context().new_page(),
        "jonah": context("America/New_York").new_page(),
        "solo": context().new_page(),
    }
    log_in(pages["maya"], "maya.demo@example.com", demo_password)
    log_in(pages["jonah"], "jonah.demo@example.com", demo_password)
    solo = pages["solo"]
    solo.goto("/register")
    solo.locator("input[name=display_name]").fill("Robin")
    solo.locator("input[name=email]").fill("robin@example.com")
    solo.locator("input[name=password]").fill(PASSWORD)
    solo.locator("form button[type=submit]").first.click()
    solo.wait_for_url(re.compile(r"/pair$"))
    # Robin's invite: the sign-up page it leads to says who sent it.
    invite = api(solo, "POST", "/api/v1/invites")["code"]

    # Jonah answers tonight's check-in: Maya sees "Jonah has answered", he sees his wait.
    # Between midnight in London and midnight in New York the demo history already holds
    # Jonah's evening (seeded up to Maya's yesterday): nothing is left for him to answer.
    jonah, maya = pages["jonah"], pages["maya"]
    open_items = [
        item
        for item in api(jonah, "GET", "/api/v1/checkins/today")["items"]
        if not item["revealed"] and item["my_answers"] is None
    ]
    if open_items:
        item = open_items[0]
        answers = {}
        for question in item["questions"]:
            if question["type"] == "scale":
                answers[question["key"]] = question["min"] + 2
        answers["needs_help"] = "A walk after dinner, just the two of us."
        api(jonah, "PUT", f"/api/v1/checkins/{item['date']}/answers", {"answers": answers})
    else:
        print(
            "note: Jonah has no check-in left to answer at this hour; the pictures show "
            "the evening as the demo history left it",
            file=sys.stderr,
        )
    # Jonah reaches out: Maya's home shows it among what is waiting for her.
    api(jonah, "POST", "/api/v1/bids", {"preset": "good_news"})
    revealed = api(maya, "GET", "/api/v1/checkins?limit=1")["items"][0]["date"]
    repairs = api(maya, "GET", "/api/v1/repairs")["items"]
    ongoing = next(
        r["id"] for r in repairs if r["ended_at"] is None and r["state"] != "following_through"
    )
    older = next(r["id"] for r in repairs if r["state"] == "resolved")
    trusted = next(r["id"] for r in repairs if r["state"] == "following_through")
    memory = next(
        e["id"] for e in api(maya, "GET", "/api/v1/me/journal?limit=100")["items"] if e["memory"]
    )

    shots = [
        Shot("welcome", "visitor", "/", narrow=True),
        Shot("login", "visitor", "/login"),
        Shot("register", "visitor", "/register", narrow=True),
        Shot("register-invited", "visitor", f"/join/{invite}", narrow=True),
        Shot("forgot", "visitor", "/forgot"),
        Shot("reset-invalid", "visitor", "/reset/not-a-token", status=410),
        Shot("offline", "visitor", "/offline"),
        Shot("home-unlinked", "solo", "/", narrow=True),
        Shot("pair", "solo", "/pair", narrow=True),
        Shot("connect-unlinked", "solo", "/connect"),
        Shot("account-unlinked", "solo", "/account"),
        Shot("inbox-unlinked", "solo", "/notifications"),
        Shot("tonight-unlinked", "solo", "/checkin"),
        Shot("repairs-unlinked", "solo", "/repairs", status=404),
        Shot("home", "maya", "/", narrow=True),
        Shot("tonight", "maya", "/checkin", narrow=True),
        Shot("tonight-waiting", "jonah", "/checkin", narrow=True),
        Shot("reveal", "maya", f"/checkin/{revealed}", narrow=True),
        Shot("history", "maya", "/checkins"),
        Shot("checkin-settings", "maya", "/couple/checkins", narrow=True),
        Shot("connect", "maya", "/connect", narrow=True),
        Shot("love-languages", "maya", "/love-languages"),
        Shot("love-quiz", "maya", "/love-languages/quiz"),
        Shot("love-order", "jonah", "/love-languages/order", narrow=True),
        Shot("appreciations", "maya", "/appreciations"),
        Shot("appreciation-new", "jonah", "/appreciations/new", narrow=True),
        Shot("bids", "maya", "/bids", narrow=True),
        Shot("insights", "maya", "/insights", narrow=True),
        Shot("repairs", "maya", "/repairs"),
        Shot("repair-new", "maya", "/repairs/new"),
        Shot("repair-listening", "maya", f"/repairs/{ongoing}", narrow=True),
        Shot("repair-waiting", "jonah", f"/repairs/{ongoing}"),
        Shot("repair-pause", "maya", f"/repairs/{ongoing}/pause"),
        Shot("repair-history", "maya", f"/repairs/{ongoing}/history"),
        Shot("repair-earlier", "jonah", f"/repairs/{older}", narrow=True),
        Shot("repair-close", "jonah", f"/repairs/{older}/close"),
        Shot("repair-help", "maya", "/repairs/help", narrow=True),
        Shot("repair-trust", "maya", f"/repairs/{trusted}", narrow=True),
        Shot("repair-trust-partner", "jonah", f"/repairs/{trusted}"),
        Shot("grow", "maya", "/grow", narrow=True),
        Shot("journal", "maya", "/grow/journal", narrow=True),
        Shot("journal-search", "maya", "/grow/journal?q=walk"),
        Shot("journal-entry", "maya", f"/grow/journal/{memory}", narrow=True),
        Shot("journal-to-appreciation", "maya", f"/appreciations/new?entry={memory}"),
        Shot("journal-unlinked", "solo", "/grow/journal"),
        Shot("self-check", "solo", "/grow/self-check", narrow=True),
        Shot("self-check-result", "maya", "/grow/self-check", narrow=True),
        Shot("grow-partner-shared", "jonah", "/grow"),
        Shot("promises", "maya", "/grow/promises", narrow=True),
        Shot("promises-partner", "jonah", "/grow/promises"),
        Shot("together", "maya", "/grow/together", narrow=True),
        Shot("together-partner", "jonah", "/grow/together"),
        Shot("inbox", "jonah", "/notifications"),
        Shot("reminders", "maya", "/settings/notifications", narrow=True),
        Shot("account", "maya", "/account", narrow=True),
        Shot("account-delete", "maya", "/account/delete"),
        Shot("couple", "maya", "/couple", narrow=True),
        Shot("unlink", "maya", "/couple/unlink"),
        Shot("not-found", "maya", "/no-such-page", status=404),
    ]
    problems = []
    for shot in shots:
        if only and only not in shot.name:
            continue
        page = pages[shot.who]
        response = page.goto(shot.path)
        page.wait_for_load_state("networkidle")  # what the page's scripts fill in
        if response is None or response.status != shot.status:
            problems.append(f"{shot.name}: GET {shot.path} answered {response and response.status}")
        for width in widths if shot.narrow else widths[:1]:
            for scheme in ("light", "dark"):
                take(page, out, shot.name, width, scheme)
                if over := sideways(page):
                    problems.append(f"{shot.name} at {width} px: {over} px too wide")

    if not only or "flash" in only:
        # Flash messages: after sending an appreciation, and after saving reminders.
        jonah.goto("/appreciations/new")
        jonah.locator("textarea[name=text]").fill("You made dinner when I was tired.")
        jonah.locator("main form button[type=submit]").first.click()
        jonah.wait_for_load_state("networkidle")
        for scheme in ("light", "dark"):
            take(jonah, out, "flash-appreciation-sent", widths[-1], scheme)
        maya.goto("/settings/notifications")
        maya.locator("form[action$='/settings/notifications'] button[type=submit]").first.click()
        maya.wait_for_load_state("networkidle")
        for scheme in ("light", "dark"):
            take(maya, out, "flash-reminders-saved", widths[-1], scheme)

    if not only or "focus" in only:
        # Keyboard focus on the last control of long pages, on a screen of normal height.
        for name, who, path in (
            ("tonight", "maya", "/checkin"),
            ("repair-listening", "maya", f"/repairs/{ongoing}"),
            ("checkin-settings", "maya", "/couple/checkins"),
            ("reminders", "maya", "/settings/notifications"),
        ):
            page = pages[who]
            page.set_viewport_size({"width": widths[0], "height": HEIGHT})
            page.goto(path)
            covered = focus_last_control(page)
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)
                page.screenshot(path=out / f"focus-{name}-{widths[0]}-{scheme}.png")
            if covered:
                problems.append(
                    f"focus-{name}: the focused control is under the bottom bar: {covered}"
                )
    return problems


FOCUS_LAST = """() => {
  const bar = document.querySelector("nav.bottom");
  const focused = document.activeElement;
  if (!bar || !focused) return null;
  const box = focused.getBoundingClientRect(), top = bar.getBoundingClientRect().top;
  return box.bottom > top ? `${focused.outerHTML.slice(0, 80)} ends at ${box.bottom} px, ` +
    `the bar starts at ${top} px` : null;
}"""


def focus_last_control(page) -> str | None:
    """Tab through the page as a keyboard user would, until focus leaves <main> for the
    bottom bar, then Shift+Tab back to the last control of <main>; whether that control
    ends up under the bar."""
    page.locator("main").focus()
    for _ in range(300):
        page.keyboard.press("Tab")
        if page.evaluate("() => !!document.activeElement.closest('nav.bottom')"):
            break
    page.keyboard.press("Shift+Tab")
    return page.evaluate(FOCUS_LAST)


if __name__ == "__main__":
    sys.exit(main())
