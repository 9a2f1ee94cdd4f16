"""Push fan-out benchmark: the durable outbox against plain pywebpush calls, and the cost of
the reminder tick as the number of users grows.

    .venv/bin/python bench/push_fanout.py [--users 5000] [--threads 32] [--latency 0.05]
                                          [--tick-sizes 1000,100000] [--tick-due 1000]
                                          [--peak-sizes 1000,100000]
                                          [--database-url postgresql://...]

One run, everything on 127.0.0.1, each phase in its own child process (so each reports its
own peak RSS and CPU time), the fake push service (tests/fakepush.py) in another one:

1. raw: ``webpush.send`` for every subscription on a thread pool, no database;
2. outbox: the embedded worker's round (``worker.run_once``): ``reminders.tick`` creates
   one check-in reminder per linked user while ``delivery.deliver_due`` lanes claim, send
   and record, until nothing is due;
3. tick: ``reminders.tick`` with the same number of due users among few or many users;
4. peak: ``reminders.tick`` with every user due at once (the nightly peak), then once more
   at the same instant, which must create nothing.

The outbox, tick and peak phases run on SQLite, or on PostgreSQL with
``--database-url`` (one database of the run's own, emptied between phases). Prints
delivered/s, the outbox/raw ratio, peak memory, tick medians, the peak's seconds and
cost per due user, and PASS or MISS per goal. Exit status 0 either way (a measurement,
not a test); 1 when the run itself failed. See README.md.
"""

import sys
from pathlib import Path

# bench/ holds a file named http.py: keep the folder off sys.path so ``http`` is the stdlib.
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import queue  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
from collections import Counter  # noqa: E402
from datetime import UTC, datetime, timedelta  # noqa: E402

from bench.http import BenchError, PostgresDatabase  # noqa: E402

RESULTS_DIR = BENCH_DIR / "results"
SUBJECT = "mailto:bench@couples.test"
TITLE = "Tonight's check-in"
OUTBOX_MIN_RATIO = 0.8
TICK_MAX_RATIO = 1.5
# The nightly peak: 100,000 due users queued within 20 s, that is 0.2 ms per due user.
PEAK_MS_PER_USER = 0.2
MP = multiprocessing.get_context("spawn")


class TickDatabase(PostgresDatabase):
    """The run's own PostgreSQL database for the tick phases: the app's tables only."""

    seed_sql = None


# --------------------------------------------------------------------------------------
# The fake push service, in its own process


def _fake_service_main(conn, latency: float) -> None:
    """Runs tests.fakepush.FakePushService and answers commands sent over ``conn``."""
    from tests.fakepush import FakePushService

    service = FakePushService(latency=latency).start()
    try:
        conn.send(service.origin)
        while True:
            command, *args = conn.recv()
            if command == "subscribe":
                conn.send([service.subscribe() for _ in range(args[0])])
            elif command == "stats":
                since_received, since_rejected = args
                all_received, all_rejected = list(service.received), list(service.rejected)
                received = all_received[since_received:]
                rejected = all_rejected[since_rejected:]
                paths = Counter(r.path for r in received)
                titles = Counter(r.message["notification"]["title"] for r in received)
                conn.send(
                    {
                        "received_total": len(all_received),
                        "rejected_total": len(all_rejected),
                        "received": len(received),
                        "distinct": len(paths),
                        "max_per_endpoint": max(paths.values(), default=0),
                        "titles": dict(titles),
                        "rejected": [list(r) for r in rejected[:5]],
                    }
                )
            elif command == "stop":
                conn.send("stopped")
                return
    finally:
        service.stop()


class FakeService:
    """Handle on the fake push service process."""

    def __init__(self, latency: float):
        self.conn, child = MP.Pipe()
        self.process = MP.Process(
            target=_fake_service_main, args=(child, latency), name="fakepush", daemon=True
        )
        self.process.start()
        child.close()
        self.origin = self._recv(30)
        self.mark = (0, 0)

    def _recv(self, timeout: float):
        if not self.conn.poll(timeout):
            raise BenchError("the fake push service did not answer")
        return self.conn.recv()

    def subscribe(self, count: int) -> list[dict]:
        self.conn.send(("subscribe", count))
        return self._recv(120)

    def start_window(self) -> None:
        stats = self.stats()
        self.mark = (stats["received_total"], stats["rejected_total"])

    def stats(self) -> dict:
        self.conn.send(("stats", *self.mark))
        return self._recv(60)

    def stop(self) -> None:
        if self.process.is_alive():
            try:
                self.conn.send(("stop",))
                self._recv(10)
            except (BenchError, OSError, EOFError):
                pass
            self.process.join(10)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(5)
        self.conn.close()


# --------------------------------------------------------------------------------------
# Child processes


def _child_entry(results, name: str, kwargs: dict) -> None:
    try:
        results.put(("ok", globals()[name](**kwargs)))
    except BaseException:  # noqa: BLE001 (report anything to the parent)
        results.put(("error", traceback.format_exc()))


def run_child(name: str, timeout: float, **kwargs) -> dict:
    """Run the function ``name`` of this module in a fresh process; return its result."""
    results = MP.Queue()
    process = MP.Process(target=_child_entry, args=(results, name, kwargs), name=name)
    process.start()
    try:
        try:
            status, value = results.get(timeout=timeout)
        except queue.Empty:
            raise BenchError(f"{name} did not finish within {timeout:.0f} s") from None
        if status != "ok":
            raise BenchError(f"{name} failed:\n{value}")
        process.join(30)
        return value
    finally:
        if process.is_alive():
            process.terminate()
            process.join(10)
        if process.is_alive():
            process.kill()
            process.join(5)
        results.close()


class Usage:
    """Peak RSS, CPU time and (optionally) the tracemalloc peak of this process."""

    def __init__(self, trace: bool):
        self.trace = trace
        self.rss_start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        self.cpu_start = self._cpu()
        if trace:
            import tracemalloc

            tracemalloc.start()

    @staticmethod
    def _cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    def done(self) -> dict:
        result = {
            "rss_start_mib": self.rss_start / 1024,
            "rss_peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "cpu_s": self._cpu() - self.cpu_start,
            "tracemalloc_peak_mib": None,
        }
        if self.trace:
            import tracemalloc

            result["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        return result


def _make_app(database_url: str, instance: str, **config):
    os.environ["COUPLES_INSTANCE_PATH"] = instance
    from couples import create_app

    return create_app(
        {
            "TESTING": False,
            "SECRET_KEY": "bench-secret-key-not-for-production",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "BASE_URL": "http://localhost",
            "VAPID_SUBJECT": SUBJECT,
            **config,
        }
    )


def _tz_near_noon(now: datetime) -> str:
    """A fixed-offset zone where it is around midday now, so that a check-in reminder
    created now (it expires at the recipient's midnight) cannot expire mid-run."""
    offset = 12 - now.hour
    if offset < -12:
        offset += 24
    if offset == 0:
        return "UTC"
    return f"Etc/GMT{-offset:+d}"  # POSIX sign: Etc/GMT-5 is UTC+5


def _seed_linked_users(*, count: int, now: datetime, timezone: str, due_at, chunk=5000):
    """Insert ``count`` users, linked two by two into couples. ``due_at(index)`` gives each
    user's ``next_checkin_reminder_at``. Returns the user ids in insertion order."""
    from sqlalchemy import insert

    from couples.accounts.models import User
    from couples.extensions import db
    from couples.pairing.models import Couple, CoupleMember

    base = {
        "password_hash": "x",
        "timezone": timezone,
        "session_version": 1,
        "reminder_minute": 21 * 60,
        "quiet_start_minute": 0,
        "quiet_end_minute": 0,
        "discreet": False,
        "kinds_off": [],
        "created_at": now,
        "updated_at": now,
    }
    for start in range(0, count, chunk):
        db.session.execute(
            insert(User),
            [
                {
                    **base,
                    "email": f"u{n}@bench.test",
                    "display_name": f"P{n}",
                    "next_checkin_reminder_at": due_at(n),
                }
                for n in range(start, min(count, start + chunk))
            ],
        )
    ids = list(db.session.execute(db.select(User.id).order_by(User.id)).scalars())
    pairs = count // 2
    for start in range(0, pairs, chunk):
        db.session.execute(
            insert(Couple), [{"created_at": now}] * (min(pairs, start + chunk) - start)
        )
    couple_ids = list(db.session.execute(db.select(Couple.id).order_by(Couple.id)).scalars())
    members = []
    for index, couple_id in enumerate(couple_ids):
        for slot in (1, 2):
            members.append(
                {
                    "couple_id": couple_id,
                    "user_id": ids[2 * index + slot - 1],
                    "slot": slot,
                    "joined_at": now,
                }
            )
    for start in range(0, len(members), chunk):
        db.session.execute(insert(CoupleMember), members[start : start + chunk])
    db.session.commit()
    return ids


def phase_raw(
    *, subscriptions: list[dict], private_key: str, threads: int, trace: bool, deadline_s: float
) -> dict:
    """``webpush.send`` for every subscription on a pool of ``threads``; no database."""
    from concurrent.futures import ThreadPoolExecutor

    from couples.notifications import payload as payloads
    from couples.notifications import webpush

    usage = Usage(trace)
    signer = webpush.VapidSigner(private_key, SUBJECT)
    jobs = [
        (
            sub,
            payloads.build(
                title=TITLE,
                body="Two quiet minutes for you and P.",
                url="/",
                base_url="http://localhost",
                kind="checkin_reminder",
                tag=f"checkin_reminder-{n}",
            ),
        )
        for n, sub in enumerate(subscriptions)
    ]

    def send(job):
        sub, body = job
        return webpush.send(
            endpoint=sub["endpoint"],
            p256dh=sub["keys"]["p256dh"],
            auth=sub["keys"]["auth"],
            payload=body,
            ttl=3600,
            urgency="normal",
            topic=None,
            signer=signer,
            timeout=min(10.0, deadline_s),
        )

    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="push")
    try:
        start = time.perf_counter()
        results = list(executor.map(send, jobs))
        elapsed = time.perf_counter() - start
    finally:
        executor.shutdown(wait=True)
    statuses = Counter(str(r.status) for r in results)
    return {
        "elapsed_s": elapsed,
        "delivered": sum(r.delivered for r in results),
        "statuses": dict(statuses),
        **usage.done(),
    }


def phase_outbox(
    *,
    database_url: str,
    instance: str,
    subscriptions: list[dict],
    private_key: str,
    origin: str,
    threads: int,
    batch: int,
    lanes: int,
    trace: bool,
    deadline_s: float,
) -> dict:
    """Tick (one check-in reminder per linked user), then the embedded worker's round
    (``worker.run_once``: delivery lanes until nothing is due)."""
    from sqlalchemy import func, insert

    from couples.clock import utcnow
    from couples.extensions import db
    from couples.notifications import delivery, reminders, worker
    from couples.notifications.models import Notification, PushSubscription

    app = _make_app(
        database_url,
        instance,
        VAPID_PRIVATE_KEY=private_key,
        PUSH_ALLOWED_ENDPOINTS=[origin],
        PUSH_THREADS=threads,
        PUSH_BATCH=batch,
        PUSH_TIMEOUT=10,
        PUSH_LANES=lanes,
    )
    count = len(subscriptions)
    with app.app_context():
        now = utcnow()
        due = now - timedelta(minutes=1)
        ids = _seed_linked_users(
            count=count, now=now, timezone=_tz_near_noon(now), due_at=lambda n: due
        )
        db.session.execute(
            insert(PushSubscription),
            [
                {
                    "user_id": user_id,
                    "endpoint": sub["endpoint"],
                    "p256dh": sub["keys"]["p256dh"],
                    "auth": sub["keys"]["auth"],
                    "failures": 0,
                    "created_at": now,
                    "updated_at": now,
                }
                for user_id, sub in zip(ids, subscriptions, strict=True)
            ],
        )
        db.session.commit()
        db.session.remove()

    usage = Usage(trace)
    # The tick and the delivery lanes overlap in the worker's round: the tick's own end and
    # each claim's duration are taken around the functions the round calls.
    marks: dict[str, float] = {}
    batch_s: list[float] = []
    original_tick, original_deliver = reminders.tick, delivery.deliver_due

    def timed_tick(*args, **kwargs):
        try:
            return original_tick(*args, **kwargs)
        finally:
            marks["tick_done"] = time.perf_counter()

    def timed_deliver(*args, **kwargs):
        began = time.perf_counter()
        result = original_deliver(*args, **kwargs)
        if result.get("claimed", 0):
            batch_s.append(time.perf_counter() - began)
        return result

    reminders.tick, delivery.deliver_due = timed_tick, timed_deliver
    with app.app_context():
        try:
            start = time.perf_counter()
            limit = start + deadline_s
            # The embedded worker's own round: the tick commits reminders in small batches
            # while the delivery lanes send them, until a claim comes back short.
            result = worker.run_once(app)
            end = time.perf_counter()
            created = result["created"]
            totals = {"claimed": result["claimed"], "sent": result["sent"]}
            statuses = dict(
                db.session.execute(
                    db.select(Notification.status, func.count()).group_by(Notification.status)
                ).all()
            )
            db.session.commit()
        finally:
            reminders.tick, delivery.deliver_due = original_tick, original_deliver
            db.session.remove()
            delivery.pool(threads).shutdown(wait=True)
    return {
        "created": created,
        "tick_s": marks["tick_done"] - start,
        "elapsed_s": end - start,
        "batches": len(batch_s),
        "batch_median_s": statistics.median(batch_s) if batch_s else None,
        "totals": totals,
        "db_statuses": statuses,
        "timed_out": end >= limit,
        **usage.done(),
    }


def _empty_tables() -> None:
    """Remove what an earlier phase seeded (PostgreSQL: one database for every phase)."""
    from couples.accounts.models import User
    from couples.extensions import db
    from couples.notifications.models import Notification, PushSubscription
    from couples.pairing.models import Couple, CoupleMember

    for model in (Notification, PushSubscription, CoupleMember, Couple, User):
        db.session.execute(db.delete(model))
    db.session.commit()


def _refresh_statistics() -> None:
    """What autovacuum would have done by then: fresh planner statistics (and on
    PostgreSQL, the dead rows of a reset cleared away)."""
    from couples.extensions import db

    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(db.text("VACUUM ANALYZE"))
    else:
        db.session.execute(db.text("ANALYZE"))
        db.session.commit()


def _backend_cpu() -> tuple[int, float] | None:
    """The PostgreSQL backend of this process's one connection, and its CPU seconds so
    far (/proc: the server runs on this machine); None on SQLite or when unreadable."""
    from couples.extensions import db

    if db.engine.dialect.name != "postgresql":
        return None
    pid = db.session.execute(db.text("SELECT pg_backend_pid()")).scalar_one()
    db.session.commit()
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            fields = stat.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def phase_tick(
    *, database_url: str, instance: str, users: int, due: int, repeats: int, again: bool = False
) -> dict:
    """Time ``reminders.tick`` with ``due`` of ``users`` linked users due; the others are
    due far in the future. The state is restored between repetitions. With ``again``, a
    second tick at the same instant follows the last one: it must create nothing."""
    from sqlalchemy import func

    from couples.accounts.models import User
    from couples.clock import utcnow
    from couples.extensions import db
    from couples.notifications import reminders
    from couples.notifications.models import Notification

    # One connection, so that the database's CPU time for the tick is that of one backend.
    app = _make_app(
        database_url,
        instance,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0}
        if database_url.startswith("postgresql")
        else {},
    )
    with app.app_context():
        _empty_tables()
        now = utcnow().replace(second=0, microsecond=0)
        due = min(due, users)
        step = users / due
        due_positions = {int(i * step) for i in range(due)}
        # Due ones fell due over the last 30 minutes; the rest spread over the next year.
        ids = _seed_linked_users(
            count=users,
            now=now,
            timezone=_tz_near_noon(now),
            due_at=lambda n: (
                now - timedelta(minutes=n % 30)
                if n in due_positions
                else now + timedelta(days=1 + n % 365, minutes=n % 1440)
            ),
        )
        due_ids = {ids[p] for p in due_positions}
        due_at = {
            user_id: at
            for user_id, at in db.session.execute(
                db.select(User.id, User.next_checkin_reminder_at)
            ).all()
            if user_id in due_ids
        }
        moves = [{"id": user_id, "next_checkin_reminder_at": at} for user_id, at in due_at.items()]

        def reset():
            db.session.execute(db.delete(Notification))
            for start in range(0, len(moves), 5000):
                db.session.execute(db.update(User), moves[start : start + 5000])
            db.session.commit()
            db.session.expunge_all()
            _refresh_statistics()

        times, cpu, server_cpu, created = [], [], [], []
        for repeat in range(repeats + 1):  # the first one warms up and is not counted
            reset()
            backend_before = _backend_cpu()
            start, cpu_start = time.perf_counter(), time.process_time()
            made = reminders.tick(now=now)
            elapsed, cpu_s = time.perf_counter() - start, time.process_time() - cpu_start
            backend_after = _backend_cpu()
            if repeat:
                times.append(elapsed)
                cpu.append(cpu_s)
                created.append(made)
                if backend_before and backend_after and backend_before[0] == backend_after[0]:
                    server_cpu.append(backend_after[1] - backend_before[1])
        pending = db.session.execute(
            db.select(func.count(func.distinct(Notification.user_id))).where(
                Notification.status == "pending"
            )
        ).scalar_one()
        made_again = reminders.tick(now=now) if again else None
        db.session.remove()
    return {
        "users": users,
        "due": due,
        "times_s": times,
        "median_s": statistics.median(times),
        "cpu_s": cpu,
        "server_cpu_s": server_cpu or None,
        "created": created,
        "pending_users_after_last": pending,
        "created_again": made_again,
    }


# --------------------------------------------------------------------------------------
# The run


def migrate(database_url: str, instance: Path) -> None:
    env = {
        **os.environ,
        "COUPLES_SQLALCHEMY_DATABASE_URI": database_url,
        "COUPLES_INSTANCE_PATH": str(instance),
    }
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "couples", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if result.returncode != 0:
        raise BenchError(f"flask db upgrade failed:\n{result.stderr[-3000:]}")


def fresh_database(template: Path, folder: Path, name: str) -> str:
    path = folder / f"{name}.sqlite3"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


def say(text: str = "") -> None:
    print(text, flush=True)


def mib(value) -> str:
    return "-" if value is None else f"{value:.0f} MiB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--users",
        type=int,
        default=5000,
        help="users (one subscription and one notification each); even",
    )
    parser.add_argument("--threads", type=int, default=32, help="PUSH_THREADS and raw pool")
    parser.add_argument("--batch", type=int, default=100, help="PUSH_BATCH (app default 100)")
    parser.add_argument(
        "--lanes", type=int, default=2, help="PUSH_LANES: batches in flight at once (app default 2)"
    )
    parser.add_argument(
        "--latency",
        type=float,
        default=0.05,
        help="seconds the fake push service waits before each answer",
    )
    parser.add_argument(
        "--tick-sizes",
        default="1000,100000",
        help="comma-separated user counts for the tick timing",
    )
    parser.add_argument("--tick-due", type=int, default=1000, help="due users in each size")
    parser.add_argument(
        "--tick-repeats",
        type=int,
        default=5,
        help="timed repetitions per size (plus one warm-up); median shown",
    )
    parser.add_argument(
        "--peak-sizes",
        default="1000,100000",
        help="comma-separated user counts, all due at once, for the nightly peak",
    )
    parser.add_argument(
        "--peak-repeats",
        type=int,
        default=1,
        help="timed peak ticks per size (plus one warm-up); median shown",
    )
    parser.add_argument(
        "--database-url",
        help="run the tick and peak phases on this PostgreSQL database (postgresql://...; "
        "created, migrated and dropped by the run) instead of SQLite",
    )
    parser.add_argument("--skip-tick", action="store_true", help="no tick timing")
    parser.add_argument("--skip-peak", action="store_true", help="no nightly peak")
    parser.add_argument("--skip-push", action="store_true", help="no push phases")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also report tracemalloc peaks (slows the push phases)",
    )
    parser.add_argument(
        "--timeout", type=float, default=600, help="upper bound in seconds for each phase"
    )
    parser.add_argument("--no-save", action="store_true", help="do not write bench/results/")
    args = parser.parse_args(argv)
    args.users += args.users % 2
    args.tick_sizes = [int(s) for s in args.tick_sizes.split(",") if s.strip()]
    args.peak_sizes = [int(s) for s in args.peak_sizes.split(",") if s.strip()]
    return args


def _raise_exit(signum, _frame):
    raise SystemExit(128 + signum)


def run(args, folder: Path) -> dict:
    from couples.notifications.webpush import generate_keys

    report: dict = {
        "args": {k: v for k, v in vars(args).items()},
        "goals": {},
        "load_start": " ".join(f"{x:.1f}" for x in os.getloadavg()),
    }
    instance = folder / "instance"
    instance.mkdir()
    template = folder / "template.sqlite3"
    say("Migrating a fresh SQLite schema ...")
    migrate(f"sqlite:///{template}", instance)
    private_key, _public = generate_keys()
    postgres = TickDatabase(args.database_url, keep=False) if args.database_url else None
    try:
        if postgres is not None:
            say(f"Creating and migrating the PostgreSQL database {postgres.name} ...")
            postgres.create()
            migrate(postgres.app_url, instance)

        def database_for(name: str) -> str:
            if postgres is not None:
                return postgres.app_url  # emptied by each phase
            return fresh_database(template, folder, name)

        return _phases(args, report, folder, instance, private_key, database_for)
    finally:
        if postgres is not None:
            try:
                postgres.drop()
            except (BenchError, subprocess.TimeoutExpired) as error:  # keep the run's own error
                print(f"could not drop {postgres.name}: {error}", file=sys.stderr)


def _phases(args, report, folder, instance, private_key, database_for) -> dict:
    if not args.skip_push:
        service = FakeService(args.latency)
        try:
            say(
                f"Fake push service at {service.origin} (latency {args.latency * 1000:.0f} ms,"
                f" own process); {args.users} subscriptions ..."
            )
            subscriptions = service.subscribe(args.users)

            say(f"[raw] {args.users} x webpush.send on {args.threads} threads, no database")
            service.start_window()
            raw = run_child(
                "phase_raw",
                args.timeout,
                subscriptions=subscriptions,
                private_key=private_key,
                threads=args.threads,
                trace=args.tracemalloc,
                deadline_s=args.timeout,
            )
            raw["service"] = service.stats()
            raw["rate"] = raw["service"]["received"] / raw["elapsed_s"]
            report["raw"] = raw

            say(
                f"[outbox] seed {args.users} linked users, tick, deliver_due until none due "
                f"(PUSH_THREADS={args.threads}, PUSH_BATCH={args.batch}, PUSH_LANES={args.lanes})"
            )
            service.start_window()
            outbox = run_child(
                "phase_outbox",
                args.timeout + 120,
                database_url=database_for("outbox"),
                instance=str(instance),
                subscriptions=subscriptions,
                private_key=private_key,
                origin=service.origin,
                threads=args.threads,
                batch=args.batch,
                lanes=args.lanes,
                trace=args.tracemalloc,
                deadline_s=args.timeout,
            )
            outbox["service"] = service.stats()
            outbox["rate"] = outbox["service"]["received"] / outbox["elapsed_s"]
            report["outbox"] = outbox
        finally:
            service.stop()

    if not args.skip_tick:
        report["tick"] = []
        for size in args.tick_sizes:
            say(
                f"[tick] {size} linked users, {min(args.tick_due, size)} due, "
                f"{args.tick_repeats} timed runs ..."
            )
            report["tick"].append(
                run_child(
                    "phase_tick",
                    args.timeout,
                    database_url=database_for(f"tick{size}"),
                    instance=str(instance),
                    users=size,
                    due=args.tick_due,
                    repeats=args.tick_repeats,
                )
            )
    if not args.skip_peak:
        report["peak"] = []
        for size in args.peak_sizes:
            say(f"[peak] {size} linked users, all due, {args.peak_repeats} timed run(s) ...")
            report["peak"].append(
                run_child(
                    "phase_tick",
                    args.timeout,
                    database_url=database_for(f"peak{size}"),
                    instance=str(instance),
                    users=size,
                    due=size,
                    repeats=args.peak_repeats,
                    again=True,
                )
            )
    return report


def print_report(args, report: dict) -> None:
    say()
    say(
        f"Push fan-out benchmark  {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC  "
        f"{platform.python_implementation()} {platform.python_version()}  "
        f"{os.cpu_count()} CPUs  load {report['load_start']}"
    )
    say("push, tick and peak phases on " + ("PostgreSQL" if args.database_url else "SQLite"))
    goals = report["goals"]
    if "raw" in report:
        raw, outbox = report["raw"], report["outbox"]
        n = args.users
        say(
            f"{n} subscriptions, fake push service latency {args.latency * 1000:.0f} ms, "
            f"{args.threads} threads, PUSH_BATCH={args.batch}"
        )
        say()
        head = (
            f"{'phase':<8} {'delivered':>10} {'seconds':>8} {'deliv/s':>8} "
            f"{'CPU s':>7} {'CPU ms/msg':>10} {'peak RSS':>9} {'tracemalloc':>11}"
        )
        say(head)
        say("-" * len(head))
        for name, phase in (("raw", raw), ("outbox", outbox)):
            received = phase["service"]["received"]
            say(
                f"{name:<8} {received:>10} {phase['elapsed_s']:>8.2f} {phase['rate']:>8.0f} "
                f"{phase['cpu_s']:>7.1f} {1000 * phase['cpu_s'] / max(1, received):>10.2f} "
                f"{mib(phase['rss_peak_mib']):>9} {mib(phase['tracemalloc_peak_mib']):>11}"
            )
        say()
        say(
            f"outbox detail: the tick created {outbox['created']} in {outbox['tick_s']:.2f} s "
            f"while delivery ran alongside; all delivered after {outbox['elapsed_s']:.2f} s, "
            f"{outbox['batches']} claims (median {1000 * (outbox['batch_median_s'] or 0):.0f} "
            "ms per claim, send and record)"
        )
        say(f"outbox database: {outbox['db_statuses']}; deliver_due totals: {outbox['totals']}")
        say(
            f"peak RSS at phase start (imports, seed data): raw {mib(raw['rss_start_mib'])}, "
            f"outbox {mib(outbox['rss_start_mib'])}"
        )
        checks = {
            "raw: every subscription received one message": raw["service"]["received"] == n
            and raw["service"]["distinct"] == n,
            "outbox: tick created one notification per user": outbox["created"] == n,
            "outbox: every subscription received exactly one message": outbox["service"]["received"]
            == n
            and outbox["service"]["distinct"] == n
            and outbox["service"]["max_per_endpoint"] == 1,
            "outbox: the messages are the check-in reminder": outbox["service"]["titles"]
            == {TITLE: n},
            "outbox: every notification is sent in the database": outbox["db_statuses"]
            == {"sent": n},
            "no request rejected by the push service": not raw["service"]["rejected"]
            and not outbox["service"]["rejected"],
        }
        for text, ok in checks.items():
            say(f"  check  {'ok  ' if ok else 'FAIL'}  {text}")
        for phase in (raw, outbox):
            for rejected in phase["service"]["rejected"]:
                say(f"         rejected: {rejected}")
        ratio = outbox["rate"] / raw["rate"] if raw["rate"] else 0.0
        report["ratio_outbox_raw"] = ratio
        ok = ratio >= OUTBOX_MIN_RATIO and all(checks.values())
        goals["outbox"] = ok
        say()
        say(
            f"outbox {outbox['rate']:.0f}/s vs raw {raw['rate']:.0f}/s: ratio {ratio:.2f} "
            f"(goal >= {OUTBOX_MIN_RATIO}, all checks ok)  {verdict(ok)}"
        )
    if "tick" in report:
        say()
        say(f"{'tick: users':<14} {'due':>6} {'median s':>9} {'runs (s)':<40} created")
        for row in report["tick"]:
            runs = " ".join(f"{t:.3f}" for t in row["times_s"])
            say(
                f"{row['users']:<14} {row['due']:>6} {row['median_s']:>9.3f} {runs:<40} "
                f"{sorted(set(row['created']))}"
            )
        rows = sorted(report["tick"], key=lambda row: row["users"])
        created_ok = all(set(row["created"]) == {row["due"]} for row in rows)
        if len(rows) >= 2:
            # the cost among the most users against the cost among the fewest, whichever
            # happened to be faster
            ratio = rows[-1]["median_s"] / rows[0]["median_s"]
            report["ratio_tick"] = ratio
            ok = ratio <= TICK_MAX_RATIO and created_ok
            goals["tick"] = ok
            say(
                f"tick among {rows[-1]['users']} / among {rows[0]['users']} users, medians: "
                f"{ratio:.2f} (goal <= {TICK_MAX_RATIO}, each run created one reminder per "
                f"due user)  {verdict(ok)}"
            )
    if "peak" in report:
        say()
        say(
            f"{'peak: due':<14} {'median s':>9} {'ms/user':>8} {'CPU s':>7} {'DB CPU s':>8} "
            f"{'runs (s)':<24} created  again"
        )
        rows = sorted(report["peak"], key=lambda row: row["users"])
        for row in rows:
            row["ms_per_user"] = 1000 * row["median_s"] / row["due"]
            runs = " ".join(f"{t:.2f}" for t in row["times_s"])
            server = row["server_cpu_s"]
            server_text = f"{statistics.median(server):.2f}" if server else "-"
            say(
                f"{row['due']:<14} {row['median_s']:>9.2f} {row['ms_per_user']:>8.3f} "
                f"{statistics.median(row['cpu_s']):>7.2f} {server_text:>8} {runs:<24} "
                f"{sorted(set(row['created']))}  {row['created_again']}"
            )
        largest = rows[-1]
        exact = all(
            set(row["created"]) == {row["due"]}
            and row["pending_users_after_last"] == row["due"]
            and row["created_again"] == 0
            for row in rows
        )
        ok = largest["ms_per_user"] <= PEAK_MS_PER_USER and exact
        goals["peak"] = ok
        say(
            f"peak: {largest['due']} due users queued in {largest['median_s']:.1f} s, "
            f"{largest['ms_per_user']:.3f} ms each (goal <= {PEAK_MS_PER_USER} ms: 100,000 "
            f"in {100_000 * PEAK_MS_PER_USER / 1000:.0f} s; one pending reminder per user, "
            f"none made again by a second tick)  {verdict(ok)}"
        )
        if largest["server_cpu_s"]:
            busy = statistics.median(largest["cpu_s"]) + statistics.median(largest["server_cpu_s"])
            say(
                f"peak CPU: tick process + its database backend {busy:.1f} s, "
                f"{1000 * busy / largest['due']:.3f} ms per due user (the time it would take "
                "with both to themselves, shown, no goal)"
            )
        if len(rows) >= 2:
            ratio = largest["ms_per_user"] / rows[0]["ms_per_user"]
            report["ratio_peak_per_user"] = ratio
            say(
                f"peak cost per due user, {largest['due']} against {rows[0]['due']}: "
                f"{ratio:.2f} (shown, no goal)"
            )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_exit)
    signal.signal(signal.SIGHUP, _raise_exit)
    folder = Path(tempfile.mkdtemp(prefix="couples-push-bench-"))
    started = time.perf_counter()
    try:
        report = run(args, folder)
        print_report(args, report)
        report["wall_s"] = time.perf_counter() - started
        say()
        say(f"Total run time {report['wall_s']:.0f} s.")
        if not args.no_save:
            RESULTS_DIR.mkdir(exist_ok=True)
            path = RESULTS_DIR / f"push-fanout-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
            path.write_text(json.dumps(report, indent=2, default=str))
            say(f"Results written to {path.relative_to(ROOT)}")
        return 0
    except BenchError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return 1
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
