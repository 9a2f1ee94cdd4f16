"""Background work for one process: the tick and delivery, each in a loop of its own.

The embedded default runs it in a thread of the serving process (`serve`), and `reminders
run` in the foreground. At scale Celery runs the same two functions instead."""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from flask import Flask

from couples.accounts import mailbox
from couples.clock import utcnow
from couples.extensions import db
from couples.notifications import delivery, reminders

log = logging.getLogger("couples.worker")

# How long a delivery lane waits, while the tick runs, before it claims again.
DRAIN_PAUSE = 0.05

# Set when something was queued that should go out now (see ``wake``).
_wake = threading.Event()


def wake() -> None:
    """Ask a running embedded worker to deliver now instead of at its next round."""
    _wake.set()


def _drain(app: Flask, ticking: threading.Event | None) -> tuple[int, int]:
    """Deliver batch after batch until a claim comes back short and the tick is over:
    (claimed, sent). A claim that began before the tick's last commit cannot see it, so
    once the tick is over there is one more claim before stopping. In a round without a
    tick (``ticking`` is None) the first short claim ends it."""
    claimed = sent = 0
    batch = int(app.config["PUSH_BATCH"])
    last_pass = False
    with app.app_context():
        try:
            while True:
                result = delivery.deliver_due(limit=batch)
                claimed += result.get("claimed", 0)
                sent += result.get("sent", 0)
                if result.get("claimed", 0) < batch:
                    if ticking is None or last_pass:
                        return claimed, sent
                    if not ticking.is_set():
                        last_pass = True  # everything the tick made is committed now
                        continue
                    # The tick commits more in a moment. (Not ``ticking.wait``: the event is
                    # set while the tick runs, so that would not wait at all.)
                    time.sleep(DRAIN_PAUSE)
        finally:
            db.session.remove()


def _tick(app: Flask, ticking: threading.Event) -> int:
    with app.app_context():
        try:
            # Small batches: each one is delivered as soon as it is committed.
            return reminders.tick(now=utcnow(), batch=200)
        finally:
            ticking.clear()
            db.session.remove()


def _send_mail(app: Flask) -> dict[str, int]:
    with app.app_context():
        try:
            return mailbox.send_due()
        finally:
            db.session.remove()


def run_once(app: Flask, *, tick: bool = True) -> dict[str, int]:
    """One round: create what is due (unless ``tick`` is false) while delivery lanes send
    it, until nothing is due. Several lanes deliver at once, so the push threads stay busy
    while one lane reads or records."""
    lanes = max(1, int(app.config.get("PUSH_LANES", 2)))
    ticking = threading.Event() if tick else None
    with ThreadPoolExecutor(max_workers=lanes + 2, thread_name_prefix="lane") as executor:
        if ticking is not None:
            ticking.set()
            created = executor.submit(_tick, app, ticking)
        drained = [executor.submit(_drain, app, ticking) for _ in range(lanes)]
        mailed = executor.submit(_send_mail, app)
        results = [future.result() for future in drained]
        mailed.result()
    return {
        "created": created.result() if ticking is not None else 0,
        "claimed": sum(r[0] for r in results),
        "sent": sum(r[1] for r in results),
    }


def loop(app: Flask, stop: threading.Event) -> None:
    """Until ``stop``: the tick every ``SCHEDULER_INTERVAL_SECONDS`` in a thread of its
    own, and delivery in this one, woken by ``wake`` (a notification to send now) and by
    the tick. A slow push service holds only delivery: the tick keeps its time. On
    SQLite, delivery without the tick leaves the write lock to the requests."""
    ticker = threading.Thread(target=_tick_loop, args=(app, stop), name="couples-tick", daemon=True)
    ticker.start()
    interval = float(app.config["SCHEDULER_INTERVAL_SECONDS"])
    while not stop.is_set():
        try:
            _deliver_round(app)
        except Exception:  # noqa: BLE001 (keep the loop alive; the next round retries)
            log.exception("background delivery failed")
        _wake.wait(interval)
        _wake.clear()
    ticker.join(timeout=interval + 10)


# Set while the tick thread creates notifications: delivery keeps claiming until it is over.
_ticking = threading.Event()


def _tick_loop(app: Flask, stop: threading.Event) -> None:
    interval = float(app.config["SCHEDULER_INTERVAL_SECONDS"])
    while not stop.is_set():
        _ticking.set()
        wake()  # delivery sends each batch as the tick commits it
        try:
            _tick(app, _ticking)
        except Exception:  # noqa: BLE001 (keep the loop alive; the next tick retries)
            log.exception("background tick failed")
        finally:
            _ticking.clear()
        wake()
        stop.wait(interval)
        if stop.is_set():
            wake()  # let delivery see the stop at once


def _deliver_round(app: Flask) -> None:
    """Delivery lanes until nothing is due (and the tick, if one is running, is over),
    and the mail that is due."""
    lanes = max(1, int(app.config.get("PUSH_LANES", 2)))
    ticking = _ticking if _ticking.is_set() else None
    with ThreadPoolExecutor(max_workers=lanes + 1, thread_name_prefix="lane") as executor:
        drained = [executor.submit(_drain, app, ticking) for _ in range(lanes)]
        mailed = executor.submit(_send_mail, app)
        for future in drained:
            future.result()
        mailed.result()


def start_thread(app: Flask) -> threading.Event:
    """Start the loop (and its tick thread) in a daemon thread; set the returned event
    to stop it."""
    stop = threading.Event()
    thread = threading.Thread(target=loop, args=(app, stop), name="couples-scheduler", daemon=True)
    thread.start()
    return stop
