"""Per-request cost of a few routes in one process, without a server or the network.

    .venv/bin/python bench/profile_me.py                    # timings (best of --repeat)
    .venv/bin/python bench/profile_me.py --profile /api/v1/me [--linked] [--sort tottime]

Builds the app on a fresh SQLite database (migrated in a temporary folder, or
``--database-url``), registers a user (and a partner with ``--linked``), logs in through
the API, then calls the WSGI app directly with a prepared environ carrying the session
cookie, so the numbers are the app's own work: no test client, no HTTP parsing.
"""

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(BENCH_DIR.parent))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

PASSWORD = "velvet hamster orbit lamp 7"
PATHS = ["/healthz", "/api/v1/me"]


def migrate(url: str, instance: Path) -> None:
    env = {**os.environ, "COUPLES_SQLALCHEMY_DATABASE_URI": url,
           "COUPLES_INSTANCE_PATH": str(instance)}
    subprocess.run([sys.executable, "-m", "flask", "--app", "couples", "db", "upgrade"],
                   cwd=BENCH_DIR.parent, env=env, check=True, capture_output=True)


def build(url: str, linked: bool):
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
    cookie = first.get_cookie(app.config["SESSION_COOKIE_NAME"])
    return app, f"{cookie.key}={cookie.value}"


def environ_for(path: str, cookie: str) -> dict:
    return {
        "REQUEST_METHOD": "GET", "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8000", "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1:8000", "HTTP_COOKIE": cookie,
        "HTTP_ACCEPT": "*/*", "HTTP_USER_AGENT": "wrk", "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
        "wsgi.multiprocess": True, "wsgi.run_once": False, "wsgi.version": (1, 0),
    }


def call(app, path: str, cookie: str) -> tuple[str, bytes]:
    status = []
    body = b"".join(app(environ_for(path, cookie), lambda s, h, e=None: status.append(s)))
    return status[0], body


def timed(app, path, cookie, n):
    start = time.perf_counter()
    for _ in range(n):
        environ = environ_for(path, cookie)
        result = app(environ, lambda s, h, e=None: None)
        for _chunk in result:
            pass
        if hasattr(result, "close"):
            result.close()
    return (time.perf_counter() - start) / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url")
    parser.add_argument("--linked", action="store_true")
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
        app, cookie = build(url, args.linked)
        for path in args.paths + ([args.profile] if args.profile else []):
            status, body = call(app, path, cookie)
            if not status.startswith("200"):
                print(f"{path}: {status} {body[:200]!r}")
                return 1
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            timed(app, args.profile, cookie, args.n)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(args.sort).print_stats(args.limit)
            return 0
        for path in args.paths:
            best = min(timed(app, path, cookie, args.n) for _ in range(args.repeat))
            print(f"{path:30s} {best * 1e6:8.1f} us")
    return 0


if __name__ == "__main__":
    sys.exit(main())
