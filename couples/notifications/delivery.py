"""Delivery: claim due notifications with a lease, push them to every device, record the
outcome. A worker killed mid-batch loses nothing: its leased rows fall due again when the
lease runs out. Retries are rows with a later ``next_attempt_at``."""

import logging
import random
import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Row, and_, func, or_

from couples import metrics
from couples.accounts.models import User
from couples.clock import utcnow
from couples.db import begin_write
from couples.extensions import db
from couples.i18n import written_in
from couples.links import public_origin
from couples.notifications import payload as payloads
from couples.notifications import schedule, webpush
from couples.notifications.kinds import KINDS
from couples.notifications.models import Notification, PushSubscription
from couples.notifications.services import allowed_endpoint, allowed_endpoints

log = logging.getLogger("couples.push")

_pools: dict[int, ThreadPoolExecutor] = {}
_pools_lock = threading.Lock()


def pool(size: int) -> ThreadPoolExecutor:
    with _pools_lock:
        if size not in _pools:
            _pools[size] = ThreadPoolExecutor(max_workers=size, thread_name_prefix="push")
        return _pools[size]


def signer() -> webpush.VapidSigner:
    app = current_app._get_current_object()
    cached = app.extensions.get("couples.vapid_signer")
    if cached is None:
        key = app.config.get("VAPID_PRIVATE_KEY")
        if not key:
            raise RuntimeError(
                "No VAPID key: set COUPLES_VAPID_PRIVATE_KEY or run "
                "`flask --app couples serve` once to create one."
            )
        cached = webpush.VapidSigner(key, app.config["VAPID_SUBJECT"])
        app.extensions["couples.vapid_signer"] = cached
    return cached


def _due(now: datetime):
    return or_(
        and_(Notification.status == "pending", Notification.next_attempt_at <= now),
        and_(Notification.status == "sending", Notification.lease_until < now),
    )


def count_due(*, now: datetime) -> int:
    count = db.session.execute(
        db.select(func.count()).select_from(Notification).where(_due(now))
    ).scalar_one()
    db.session.commit()
    return count


def outbox_due(*, now: datetime) -> tuple[int, datetime | None]:
    """How many notifications are due (or their lease ran out), and the earliest time
    one of them was due: one read by the delivery index."""
    count, oldest = db.session.execute(
        db.select(func.count(), func.min(Notification.next_attempt_at)).where(_due(now))
    ).one()
    db.session.commit()
    return count, oldest


@dataclass(frozen=True)
class Claim:
    """Rows leased to one worker until ``lease_until``, under a token of its own."""

    ids: list[int]
    token: str
    lease_until: datetime


def claim(*, now: datetime, limit: int, lease_seconds: int) -> Claim:
    """Lease up to ``limit`` due notifications (and those whose lease ran out) to this
    worker. SKIP LOCKED on PostgreSQL, BEGIN IMMEDIATE on SQLite: no row is claimed twice.
    When nothing is due, a read says so and no write begins (on SQLite a claim would
    otherwise wait for the write lock with the requests, for nothing)."""
    lease_until = now + timedelta(seconds=lease_seconds)
    token = secrets.token_hex(16)
    anything_due = db.session.execute(db.select(Notification.id).where(_due(now)).limit(1)).first()
    if anything_due is None:
        db.session.commit()  # end the read
        return Claim([], token, lease_until)
    begin_write(db.session)
    due = (
        db.select(Notification.id)
        .where(_due(now))
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = list(
        db.session.execute(
            db.update(Notification)
            .where(Notification.id.in_(due.scalar_subquery()))
            .values(
                status="sending",
                lease_until=lease_until,
                claim_token=token,
                attempts=Notification.attempts + 1,
            )
            .returning(Notification.id)
            .execution_options(synchronize_session=False)
        ).scalars()
    )
    db.session.commit()
    return Claim(ids, token, lease_until)


@dataclass(frozen=True)
class _Job:
    notification_id: int
    subscription_id: int
    endpoint: str
    p256dh: str
    auth: str
    payload: bytes
    ttl: int
    urgency: str
    topic: str | None


def _send(job: _Job, vapid: webpush.VapidSigner, timeout: float) -> webpush.SendResult:
    return webpush.send(
        endpoint=job.endpoint,
        p256dh=job.p256dh,
        auth=job.auth,
        payload=job.payload,
        ttl=job.ttl,
        urgency=job.urgency,
        topic=job.topic,
        signer=vapid,
        timeout=timeout,
    )


def _discreet_body(lang: str) -> str:
    """What a discreet push says in place of its words, in their language."""
    with written_in(lang):
        return _("Something new for you")


def deliver(leased: Claim, *, now_fn=utcnow) -> dict[str, int]:
    """Push the claimed notifications to each device of their user, then record what
    happened. The database transaction is closed while requests are in flight.

    Each push has a deadline of PUSH_TIMEOUT, and one starts only while the lease has
    room for it and for recording it: once the lease runs out, another worker may claim
    the rows, and a push still going out then could reach the device twice. What could
    not start in time goes back to the queue, due at once."""
    config = current_app.config
    now = now_fn()
    # Plain rows, not objects: at the nightly peak the ORM's bookkeeping for every
    # notification, user and device was the larger part of a batch's own cost.
    rows = db.session.execute(
        db.select(
            Notification.id,
            Notification.user_id,
            Notification.kind,
            Notification.title,
            Notification.body,
            Notification.lang,
            Notification.url,
            Notification.topic,
            Notification.expires_at,
            Notification.attempts,
            Notification.delivered_to,
            Notification.next_attempt_at,
            User.discreet,
        )
        .join(User, User.id == Notification.user_id)
        .where(
            Notification.id.in_(leased.ids),
            Notification.status == "sending",
            Notification.claim_token == leased.token,
        )
    ).all()
    devices: dict[int, list[Row]] = {}
    if rows:
        for sub in db.session.execute(
            db.select(
                PushSubscription.id,
                PushSubscription.user_id,
                PushSubscription.endpoint,
                PushSubscription.p256dh,
                PushSubscription.auth,
            ).where(PushSubscription.user_id.in_({note.user_id for note in rows}))
        ):
            devices.setdefault(sub.user_id, []).append(sub)
    db.session.commit()  # no transaction (and no SQLite write lock) while we wait on the network

    allowed = allowed_endpoints()
    base_url = public_origin()
    jobs: list[_Job] = []
    expired: list[int] = []
    for note in rows:
        if note.expires_at is not None and note.expires_at <= now:
            expired.append(note.id)
            continue
        spec = KINDS[note.kind]
        body = payloads.build(
            title=note.title,
            body=note.body,
            url=note.url,
            base_url=base_url,
            kind=note.kind,
            tag=f"{note.kind}-{note.id}",
            discreet=note.discreet,
            lang=note.lang,
            discreet_body=_discreet_body(note.lang) if note.discreet else payloads.DISCREET_BODY,
        )
        ttl = int((note.expires_at - now).total_seconds()) if note.expires_at else spec.ttl_seconds
        for sub in devices.get(note.user_id, []):
            if sub.id in (note.delivered_to or []) or not allowed_endpoint(sub.endpoint, allowed):
                continue
            jobs.append(
                _Job(
                    note.id,
                    sub.id,
                    sub.endpoint,
                    sub.p256dh,
                    sub.auth,
                    body,
                    max(1, ttl),
                    spec.urgency,
                    note.topic,
                )
            )

    vapid = signer()
    timeout = float(config.get("PUSH_TIMEOUT", 10))
    last_start = leased.lease_until - timedelta(seconds=2 * timeout)

    def attempt(job: _Job) -> webpush.SendResult | None:
        # Checked on the push thread, when the push would really start: jobs may wait
        # there behind another batch's.
        if now_fn() > last_start:
            return None
        return _send(job, vapid, timeout)

    executor = pool(int(config.get("PUSH_THREADS", 8)))
    results = list(executor.map(attempt, jobs))
    return _record(
        leased,
        claimed=[
            (note.id, note.attempts, note.delivered_to, note.next_attempt_at) for note in rows
        ],
        expired=expired,
        outcomes=list(zip(jobs, results, strict=True)),
        now=now_fn(),
    )


def _record(leased: Claim, *, claimed, expired, outcomes, now) -> dict[str, int]:
    begin_write(db.session)
    config = current_app.config
    max_attempts = int(config.get("PUSH_MAX_ATTEMPTS", 8))
    by_note: dict[int, list[tuple[_Job, webpush.SendResult]]] = {}
    for job, result in outcomes:
        by_note.setdefault(job.notification_id, []).append((job, result))

    gone, refused, delivered = set(), set(), set()
    pushes = {"sent": 0, "retried": 0, "gone": 0, "failed": 0}
    counts = {
        "sent": 0,
        "retry": 0,
        "dead": 0,
        "failed": 0,
        "expired": len(expired),
        "requeued": 0,
        "inbox": 0,
    }
    # A device removed while its push was on the way is no longer the user's: what went
    # to it does not count as delivered, and its failures are nobody's.
    job_devices = {job.subscription_id for job, _ in outcomes}
    devices = (
        set(
            db.session.execute(
                db.select(PushSubscription.id).where(PushSubscription.id.in_(job_devices))
            ).scalars()
        )
        if job_devices
        else set()
    )
    # One executemany UPDATE for the batch, each row only while it is still ours: what
    # another worker took over after our lease ran out is left as it has it.
    updates = []
    for note_id, attempts, delivered_to, due_at in claimed:
        change = {"id": note_id, "lease_until": None, "claim_token": None}
        updates.append(change)
        if note_id in expired:
            change["status"] = "expired"
            continue
        done = list(delivered_to or [])
        retry_after = []
        errors = []
        unsent = tried = 0
        for job, result in by_note.get(note_id, []):
            if job.subscription_id not in devices:
                continue
            if result is None:
                unsent += 1
                continue
            tried += 1
            if result.delivered:
                done.append(job.subscription_id)
                delivered.add(job.subscription_id)
                pushes["sent"] += 1
            elif result.gone:
                gone.add(job.subscription_id)
                pushes["gone"] += 1
            elif result.retryable:
                retry_after.append(result.retry_after or 0)
                errors.append(result.error)
                pushes["retried"] += 1
            else:
                refused.add(job.subscription_id)
                pushes["failed"] += 1
                errors.append(result.error)
                log.error("push refused for notification %s: %s", note_id, result.error)
        change["delivered_to"] = done
        change["last_error"] = (errors[-1] or "")[:300] if errors else None
        if retry_after and attempts < max_attempts:
            wait = schedule.backoff_seconds(
                attempts, base=float(config.get("PUSH_BACKOFF_SECONDS", 30)), jitter=random.random()
            )  # noqa: S311
            change["status"] = "pending"
            change["next_attempt_at"] = now + timedelta(seconds=max(wait, *retry_after))
            counts["retry"] += 1
        elif retry_after:
            change["status"] = "dead"
            counts["dead"] += 1
        elif unsent:
            # The lease ran short before every device had it: the rest go out next, in
            # their place in the queue (not behind everything due meanwhile), and a
            # claim that sent nothing does not count as an attempt.
            change["status"] = "pending"
            change["next_attempt_at"] = min(due_at, now) if due_at else now
            change["attempts"] = attempts - 1 if not tried else attempts
            counts["requeued"] += 1
        elif errors and not done:
            change["status"] = "failed"
            counts["failed"] += 1
        elif not done:
            # No device of the user's to push to: it stays in the inbox, and does not
            # count against the day's pushes.
            change["status"] = "inbox"
            counts["inbox"] += 1
        else:
            change["status"], change["sent_at"] = "sent", now
            counts["sent"] += 1
    # executemany takes rows of one shape at a time
    by_shape: dict[tuple, list[dict]] = {}
    for change in updates:
        by_shape.setdefault(tuple(sorted(change)), []).append(change)
    for group in by_shape.values():
        db.session.execute(
            db.update(Notification)
            .where(Notification.claim_token == leased.token)
            # Plain rows were read, not objects: there are none in the session to update.
            .execution_options(synchronize_session=None),
            group,
        )
    if gone:
        db.session.execute(db.delete(PushSubscription).where(PushSubscription.id.in_(gone)))
    if refused:
        db.session.execute(
            db.update(PushSubscription)
            .where(PushSubscription.id.in_(refused))
            .values(failures=PushSubscription.failures + 1)
        )
        db.session.execute(
            db.delete(PushSubscription).where(
                PushSubscription.id.in_(refused), PushSubscription.failures >= 3
            )
        )
    if delivered:
        db.session.execute(
            db.update(PushSubscription)
            .where(PushSubscription.id.in_(delivered - gone))
            .values(failures=0, last_success_at=now)
        )
    db.session.commit()
    for outcome, number in pushes.items():
        if number:
            metrics.DELIVERIES.labels(outcome).inc(number)
    return counts


def deliver_due(*, limit: int | None = None, now_fn=utcnow) -> dict[str, int]:
    """Claim one batch of due notifications and deliver it."""
    config = current_app.config
    leased = claim(
        now=now_fn(),
        limit=limit or int(config.get("PUSH_BATCH", 100)),
        lease_seconds=int(config.get("PUSH_LEASE_SECONDS", 60)),
    )
    if not leased.ids:
        return {"claimed": 0}
    return {"claimed": len(leased.ids), **deliver(leased, now_fn=now_fn)}
