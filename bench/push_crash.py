"""A worker killed with SIGKILL in the middle of a fan-out: what is lost (nothing) and what
is sent twice (at most what was in flight).

    .venv/bin/python bench/push_crash.py [--users 2000] [--latency 0.05] [--kill-after 300]
                                         [--database-url postgresql://... [--broker URL]]

Everything on 127.0.0.1. ``--users`` users, each with one device on the fake push service
(tests/fakepush.py, ``--latency`` per answer) and one notification due now. A worker
delivers them: on SQLite the embedded loop (``flask reminders run``); with
``--database-url`` a real Celery worker (``--pool=threads -c 4``) on the ``--broker``
(Redis), woken by the sweep the beat sends, on a PostgreSQL database the run creates,
migrates and drops. Once the push service has received ``--kill-after`` messages the
worker's process group gets SIGKILL; the rows it held then are counted; a second worker
starts and delivers the rest.

Prints what the push service received: lost (a device that never got its message: the
goal is 0), duplicates (devices that got theirs more than once: the goal is at most the
rows held at the kill, the pushes that may have been in flight), and the time the second
worker took. Exit status 0 either way (a measurement, not a test); 1 when the run itself
failed. See README.md.
"""

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import UTC, datetime  # noqa: E402

from bench.http import BenchError  # noqa: E402
from bench.push_fanout import RESULTS_DIR, TickDatabase, _make_app, migrate, say  # noqa: E402

# The worker's settings: a short lease and timeout, so that the second worker takes over
# what the first one held within seconds; small batches, as in a busy evening.
WORKER_SETTINGS = {
    "COUPLES_PUSH_LEASE_SECONDS": "5",
    "COUPLES_PUSH_TIMEOUT": "2",
    "COUPLES_PUSH_BATCH": "50",
    "COUPLES_PUSH_THREADS": "8",
    "COUPLES_SCHEDULER_INTERVAL_SECONDS": "1",
    "COUPLES_BASE_URL": "http://localhost",
}


def seed(app, service, count: int, now: datetime) -> None:
    """``count`` users, one device and one notification due now each."""
    from tests.factories import pending_pushes

    with app.app_context():
        pending_pushes(service, count, now, email="crash{n}@example.com")


def statuses(app) -> dict[str, int]:
    from sqlalchemy import func

    from couples.extensions import db
    from couples.notifications.models import Notification

    with app.app_context():
        counts = dict(
            db.session.execute(
                db.select(Notification.status, func.count()).group_by(Notification.status)
            ).all()
        )
        db.session.remove()
    return counts


class Worker:
    """One worker process (group), started with the run's settings."""

    def __init__(self, args, database_url: str, origin: str, key: str, folder: Path, name: str):
        env = {k: v for k, v in os.environ.items() if not k.startswith("COUPLES_")}
        env.update(
            {
                **WORKER_SETTINGS,
                "COUPLES_SQLALCHEMY_DATABASE_URI": database_url,
                "COUPLES_VAPID_PRIVATE_KEY": key,
                "COUPLES_PUSH_ALLOWED_ENDPOINTS": json.dumps([origin]),
                "COUPLES_CELERY_BROKER_URL": args.broker,
                "COUPLES_INSTANCE_PATH": str(folder / "instance"),
            }
        )
        if args.database_url:
            command = [
                sys.executable, "-m", "celery", "-A", "couples.tasks", "worker",
                "--pool=threads", "-c", "4", "--without-gossip", "--without-mingle",
                "--without-heartbeat", "-n", f"{name}@%h", "--loglevel=INFO",
            ]  # fmt: skip
        else:
            command = [sys.executable, "-m", "flask", "--app", "couples", "reminders", "run"]
        self.log_path = folder / f"{name}.log"
        self.log = open(self.log_path, "w")  # noqa: SIM115 (closed in stop)
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.celery = args.database_url is not None
        self.broker = args.broker

    def beat(self) -> None:
        """What `celery beat` sends every minute, sooner: queue delivery for what is due."""
        if self.celery:
            from celery import Celery

            Celery("couples", broker=self.broker).send_task("couples.sweep")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        self.log.close()

    def tail(self) -> str:
        return self.log_path.read_text()[-2000:]


def run(args, folder: Path) -> dict:
    from couples.notifications.webpush import generate_keys
    from tests.fakepush import FakePushService

    instance = folder / "instance"
    instance.mkdir()
    postgres = TickDatabase(args.database_url, keep=False) if args.database_url else None
    database_url = postgres.app_url if postgres else f"sqlite:///{folder / 'crash.sqlite3'}"
    service = FakePushService(latency=args.latency).start()
    try:
        if postgres:
            say(f"Creating and migrating the PostgreSQL database {postgres.name} ...")
            postgres.create()
        migrate(database_url, instance)
        key, _public = generate_keys()
        app = _make_app(database_url, str(instance), VAPID_PRIVATE_KEY=key)
        say(f"Seeding {args.users} users, one device and one notification each ...")
        seed(app, service, args.users, datetime.now(UTC))

        say("Starting the first worker ...")
        started = time.monotonic()
        first = Worker(args, database_url, service.origin, key, folder, "first")
        try:
            limit = time.monotonic() + args.timeout
            while len(service.received) < args.kill_after and time.monotonic() < limit:
                first.beat()
                time.sleep(0.2)
            if len(service.received) < args.kill_after:
                raise BenchError(f"the first worker sent too little:\n{first.tail()}")
            first.kill()  # mid-batch: pushes are in flight
        finally:
            if first.process.poll() is None:
                first.kill()
        at_kill = len(service.received)
        killed_after = time.monotonic() - started
        held = statuses(app).get("sending", 0)
        say(f"Killed after {at_kill} pushes ({killed_after:.1f} s); {held} rows held then")

        second = Worker(args, database_url, service.origin, key, folder, "second")
        resumed = time.monotonic()
        try:
            limit = resumed + args.timeout
            while statuses(app).get("sent", 0) < args.users and time.monotonic() < limit:
                second.beat()
                time.sleep(0.5)
            recovered = time.monotonic() - resumed
        finally:
            second.stop()
        final = statuses(app)
        per_device = Counter(r.path for r in service.received)
        return {
            "users": args.users,
            "latency_s": args.latency,
            "database": "postgresql" if postgres else "sqlite",
            "worker": "celery --pool=threads -c 4" if postgres else "flask reminders run",
            "received_at_kill": at_kill,
            "seconds_to_kill": killed_after,
            "held_at_kill": held,
            "received": len(service.received),
            "devices_reached": len(per_device),
            "lost": args.users - len(per_device),
            "duplicates": sum(1 for n in per_device.values() if n > 1),
            "max_per_device": max(per_device.values(), default=0),
            "rejected": len(service.rejected),
            "recovery_s": recovered,
            "statuses": final,
            "second_worker_log": second.tail() if final.get("sent", 0) < args.users else None,
        }
    finally:
        service.stop()
        if postgres:
            try:
                postgres.drop()
            except (BenchError, subprocess.TimeoutExpired) as error:
                print(f"could not drop {postgres.name}: {error}", file=sys.stderr)


def report(args, result: dict) -> None:
    say()
    say(
        f"Push crash benchmark  {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC  "
        f"CPython {platform.python_version()}  {os.cpu_count()} CPUs  "
        f"load {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    say(
        f"{result['users']} notifications on {result['database']}, worker "
        f"{result['worker']}, push service latency {result['latency_s'] * 1000:.0f} ms"
    )
    say(
        f"killed (SIGKILL) after {result['received_at_kill']} pushes, "
        f"{result['seconds_to_kill']:.1f} s in; {result['held_at_kill']} rows held at the kill"
    )
    say(
        f"second worker: all delivered after {result['recovery_s']:.1f} s; "
        f"database {result['statuses']}"
    )
    say(
        f"received {result['received']}: {result['devices_reached']} devices reached, "
        f"lost {result['lost']}, duplicates {result['duplicates']} "
        f"(at most {result['max_per_device']} per device), rejected {result['rejected']}"
    )
    lost_ok = result["lost"] == 0 and result["statuses"] == {"sent": result["users"]}
    dup_ok = result["duplicates"] <= result["held_at_kill"] and result["max_per_device"] <= 2
    say(f"lost: {result['lost']} (goal 0)  {'PASS' if lost_ok else 'MISS'}")
    say(
        f"duplicates: {result['duplicates']} (goal <= the {result['held_at_kill']} rows held "
        f"at the kill, never more than twice)  {'PASS' if dup_ok else 'MISS'}"
    )
    if result["second_worker_log"]:
        say("--- the second worker's last lines:")
        say(result["second_worker_log"])


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per push answer")
    parser.add_argument("--kill-after", type=int, default=300, help="pushes before the kill")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL (postgresql://127.0.0.1/NAME, created and dropped by the run) with "
        "a Celery worker, instead of SQLite with the embedded worker",
    )
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/7", help="Celery broker")
    parser.add_argument("--timeout", type=float, default=240, help="bound for each worker")
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="couples-crash-") as tmp:
            result = run(args, Path(tmp))
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    report(args, result)
    if not args.no_save:
        RESULTS_DIR.mkdir(exist_ok=True)
        path = RESULTS_DIR / f"push-crash-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
        path.write_text(json.dumps({"args": vars(args), "result": result}, indent=2))
        say(f"Results written to {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
