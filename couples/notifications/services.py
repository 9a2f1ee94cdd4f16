"""Notifications: the one way any feature tells a user something, push subscriptions,
preferences, and the inbox."""

import re
import time
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext, ngettext
from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite

from couples.accounts.models import User
from couples.db import begin_write, in_ids
from couples.errors import Conflict, Invalid, NotFound, SubscriptionTaken, TooManyDevices
from couples.extensions import db
from couples.i18n import N_, language_of, translated, writing_to, written_in
from couples.notifications import schedule
from couples.notifications.kinds import INBOX_ONLY, KINDS
from couples.notifications.models import Notification, PushSubscription
from couples.notifications.payload import topic_for
from couples.pagination import keyset_page

DAILY_CAP = 6
DEFAULT_ALLOWED_ENDPOINTS = (
    "https://fcm.googleapis.com",
    "https://android.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://*.push.services.mozilla.com",
    "https://web.push.apple.com",
    "https://*.push.apple.com",
    "https://*.notify.windows.com",
)


# ---------------------------------------------------------------------------- creating


def _insert():
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    # On the table and with a list of rows: one statement sent as an executemany (one
    # cached statement, pipelined on psycopg). The rowcount it keeps is the number of rows
    # made, those skipped as already there not counted, on psycopg and sqlite3 alike.
    return (
        module.insert(Notification.__table__)
        .on_conflict_do_nothing(index_elements=["user_id", "kind", "dedupe_key"])
        .execution_options(preserve_rowcount=True)
    )


_CAPPED_KINDS = tuple(k.name for k in KINDS.values() if k.capped)


def pushes_today(users: list[User], now: datetime) -> dict[int, int]:
    """How many pushes each of ``users`` has had since their own local midnight, in one
    query for the whole list."""
    if not users:
        return {}
    starts = {u.id: schedule.start_of_local_day(now, u.timezone) for u in users}
    rows = db.session.execute(
        db.select(Notification.user_id, Notification.created_at).where(
            in_ids(Notification.user_id, starts),
            Notification.push.is_(True),
            Notification.kind.in_(_CAPPED_KINDS),
            Notification.status.notin_(("capped", "inbox")),
            Notification.created_at >= min(starts.values()),
        )
    ).all()
    counts = dict.fromkeys(starts, 0)
    for user_id, created_at in rows:
        if created_at >= starts[user_id]:
            counts[user_id] += 1
    return counts


def notification_row(
    *,
    user: User,
    kind: str,
    dedupe_key: str,
    title: str,
    body: str,
    now: datetime,
    url: str = "/",
    data: dict | None = None,
    topic_key: str | None = None,
    in_inbox: bool = True,
    sent_today: int | None = None,
) -> dict:
    """The outbox row for one notification, with its delivery decided: every column set,
    so many rows can go into one INSERT. ``title`` and ``body`` are written in ``user``'s
    language (``with writing_to(user):``), which the row records."""
    values = {
        "user_id": user.id,
        "kind": kind,
        "dedupe_key": dedupe_key,
        "title": title,
        "body": body,
        "lang": language_of(user),
        "url": url,
        "data": data or {},
        "created_at": now,
        "in_inbox": in_inbox,
        "delivered_to": [],
        "push": False,
        "status": "inbox",
        "next_attempt_at": None,
        "expires_at": None,
        "topic": None,
    }
    spec = KINDS.get(kind)
    turned_off = spec is not None and spec.user_can_turn_off and kind in (user.kinds_off or [])
    if kind in INBOX_ONLY or spec is None or turned_off:
        return values
    if (
        spec.capped
        and (sent_today if sent_today is not None else pushes_today([user], now)[user.id])
        >= DAILY_CAP
    ):
        values.update(push=True, status="capped")
        return values
    due = (
        now
        if spec.quiet_hours_exempt
        else schedule.quiet_hours_end(
            now, user.timezone, user.quiet_start_minute, user.quiet_end_minute
        )
    )
    expires = (
        schedule.end_of_local_day(now, user.timezone)
        if spec.until_end_of_evening
        else due + timedelta(seconds=spec.ttl_seconds)
    )
    if expires <= due:  # quiet hours last past the moment it was for
        return values
    values.update(
        push=True,
        status="pending",
        next_attempt_at=due,
        expires_at=expires,
        topic=topic_for(kind, topic_key or dedupe_key) if spec.replaceable else None,
    )
    return values


def insert_rows(rows: list[dict]) -> int:
    """Insert outbox rows; those already there (same user, kind and key) are skipped.
    Returns how many were new."""
    if not rows:
        return 0
    return db.session.execute(_insert(), rows).rowcount


def notify(
    *,
    user: User,
    kind: str,
    dedupe_key: str,
    title: str,
    body: str,
    now: datetime,
    url: str = "/",
    data: dict | None = None,
    topic_key: str | None = None,
    in_inbox: bool = True,
    commit: bool = True,
    sent_today: int | None = None,
) -> bool:
    """Record a notification for ``user`` and queue its push. Creating the same
    (user, kind, dedupe key) again is a no-op, whatever runs twice. Returns True when a
    new one was created.

    The push waits for the end of the user's quiet hours (except kinds exempt from
    them), is skipped when the user turned the kind off, and past the daily cap stays in
    the inbox only (``sent_today``, when the caller counted it already for many users at
    once). ``title`` and ``body`` are what a lock screen may show: never check-in answers
    or repair text."""
    begin_write(db.session)
    values = notification_row(
        user=user,
        kind=kind,
        dedupe_key=dedupe_key,
        title=title,
        body=body,
        now=now,
        url=url,
        data=data,
        topic_key=topic_key,
        in_inbox=in_inbox,
        sent_today=sent_today,
    )
    created = insert_rows([values]) == 1
    if commit:
        db.session.commit()
        if created and values["status"] == "pending" and values["next_attempt_at"] <= now:
            deliver_soon()
    return created


_celery_clients: dict[str, object] = {}


# How long a request may wait on the broker, and how long after a failure it does not
# try at all: the outbox rows are committed already, and the next tick's sweep queues
# whatever no one woke a worker for.
BROKER_TIMEOUT_SECONDS = 0.5
BROKER_REST_SECONDS = 10.0
_broker_down_until: dict[str, float] = {}


def _celery_client(broker: str):
    from celery import Celery

    client = _celery_clients.get(broker)
    if client is None:
        client = Celery("couples", broker=broker)
        client.conf.broker_connection_timeout = BROKER_TIMEOUT_SECONDS
        if broker.startswith(("redis://", "rediss://")):
            client.conf.broker_transport_options = {
                "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
                "socket_timeout": BROKER_TIMEOUT_SECONDS,
            }
        _celery_clients[broker] = client
    return client


def deliver_soon() -> None:
    """Ask the background worker to deliver now rather than at its next round: best
    effort, once, briefly. A request never waits on a broker that is down."""
    from couples.notifications import worker

    worker.wake()
    broker = current_app.config.get("CELERY_BROKER_URL")
    if not broker or time.monotonic() < _broker_down_until.get(broker, 0.0):
        return
    try:
        _celery_client(broker).send_task("couples.deliver", retry=False)
    except Exception as error:  # noqa: BLE001 (the next tick's sweep delivers it anyway)
        _broker_down_until[broker] = time.monotonic() + BROKER_REST_SECONDS
        current_app.logger.warning(
            "could not queue delivery (%s); the next tick will", type(error).__name__
        )


# ------------------------------------------------------------------------------- inbox


def withdraw_pending(*, user_ids: list[int], now: datetime) -> int:
    """When a couple ends: pushes still waiting (for quiet hours to end, or for a retry)
    are not sent any more, so nothing from the former partner arrives afterwards. They
    stay in each inbox as they were. Not committed here."""
    return db.session.execute(
        db.update(Notification)
        .where(
            Notification.user_id.in_(user_ids),
            Notification.status == "pending",
            Notification.kind.not_in(["couple_ended", "test"]),
        )
        .values(status="expired", last_error="the couple ended", next_attempt_at=now)
    ).rowcount


# Where a deleted account's name stood in the notifications it caused (in each
# notification's own language).
FORMER_PARTNER = N_("your former partner")


def forget_name(*, user_id: int, name: str, since: datetime, until: datetime) -> int:
    """The notifications ``user_id`` got between ``since`` and ``until`` (while linked to
    the account being deleted, called ``name``) stop carrying that name: each mention in
    a title, a body or the data reads "your former partner", in the language the
    notification is written in. Not committed here. Returns how many changed."""
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    rows = db.session.execute(
        db.select(
            Notification.id,
            Notification.title,
            Notification.body,
            Notification.data,
            Notification.lang,
        )
        .where(Notification.user_id == user_id, Notification.created_at.between(since, until))
        .order_by(Notification.id)
    ).all()
    changed = []
    for note_id, title, body, data, lang in rows:
        with written_in(lang):
            former = translated(FORMER_PARTNER)
        values = {
            "title": _unnamed(title, pattern, former)[:_TITLE_LENGTH],
            "body": _unnamed(body, pattern, former)[:_BODY_LENGTH],
            "data": _unnamed(data, pattern, former),
        }
        if values != {"title": title, "body": body, "data": data}:
            changed.append({"id": note_id, **values})
    if changed:
        db.session.execute(db.update(Notification), changed)
    return len(changed)


_TITLE_LENGTH = Notification.__table__.c.title.type.length
_BODY_LENGTH = Notification.__table__.c.body.type.length


def _unnamed(value, pattern: re.Pattern, former: str):
    """``value`` (text, or JSON data) with every whole-word match of ``pattern`` put as
    ``former`` ("your former partner"), capitalised where a sentence starts."""
    if isinstance(value, dict):
        return {key: _unnamed(item, pattern, former) for key, item in value.items()}
    if isinstance(value, list):
        return [_unnamed(item, pattern, former) for item in value]
    if not isinstance(value, str):
        return value

    def replace(match: re.Match) -> str:
        before = value[: match.start()].rstrip()
        starts = not before or before[-1] in ".!?:"
        return former[0].upper() + former[1:] if starts else former

    return pattern.sub(replace, value)


INBOX_PAGE = 50
INBOX_MAX = 100


def inbox(
    *, user_id: int, before_id: int | None = None, limit: int = INBOX_PAGE
) -> tuple[list[Notification], int | None]:
    """My notifications that belong in the inbox, newest first: one page and the next
    cursor. One query."""
    notes, more = keyset_page(
        db.select(Notification).where(
            Notification.user_id == user_id, Notification.in_inbox.is_(True)
        ),
        Notification.id,
        before=before_id,
        limit=limit,
        most=INBOX_MAX,
    )
    return notes, (notes[-1].id if more else None)


def unread_count(*, user_id: int) -> int:
    return db.session.execute(
        db.select(func.count())
        .select_from(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.in_inbox.is_(True),
            Notification.read_at.is_(None),
        )
    ).scalar_one()


def unread_of_kind(*, user_id: int, kind: str) -> list[Notification]:
    return list(
        db.session.execute(
            db.select(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.kind == kind,
                Notification.read_at.is_(None),
            )
            .order_by(Notification.created_at.desc())
        ).scalars()
    )


def settle(*, user_id: int, dedupe_key: str, now: datetime) -> None:
    """Mark read what asked the user for something they have just done (a reminder of
    a check-in, "add yours"), so it no longer shows as new. Not committed here."""
    db.session.execute(
        db.update(Notification)
        .where(
            Notification.user_id == user_id,
            Notification.dedupe_key == dedupe_key,
            Notification.read_at.is_(None),
        )
        .values(read_at=now)
    )


def settle_many(*, user_id: int, dedupe_keys: list[str], now: datetime) -> None:
    """``settle`` for several notifications at once. Not committed here."""
    if dedupe_keys:
        db.session.execute(
            db.update(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.dedupe_key.in_(dedupe_keys),
                Notification.read_at.is_(None),
            )
            .values(read_at=now)
        )


def read_kind(*, user_id: int, kind: str, now: datetime) -> None:
    """The user has seen what notifications of ``kind`` told them (the page they lead
    to): mark them read. A read first, so that a page shown again writes nothing."""
    unread = (
        Notification.user_id == user_id,
        Notification.kind == kind,
        Notification.read_at.is_(None),
    )
    if db.session.execute(db.select(Notification.id).where(*unread).limit(1)).first() is None:
        return
    begin_write(db.session)
    db.session.execute(db.update(Notification).where(*unread).values(read_at=now))
    db.session.commit()


def mark_read(*, user_id: int, ids: list[int] | None, now: datetime) -> int:
    """Mark the user's notifications read (all of them when ``ids`` is None)."""
    begin_write(db.session)
    query = db.update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(ids))
    count = db.session.execute(query.values(read_at=now)).rowcount
    db.session.commit()
    return count


# --------------------------------------------------------------------------- retention

# Rows deleted per statement, and statements per tick: a backlog (the first tick after an
# upgrade, or after a long stop) is worked off a few thousand rows a minute, each batch
# a short write of its own.
PRUNE_BATCH = 500
PRUNE_ROUNDS = 10
# Rows the delivery still works on: never deleted, however old.
UNDELIVERED = ("pending", "sending")
# Shorter would forget what the cap and the appreciation nudge look back on (days), and
# let a notification's key be used twice: a smaller setting counts as this.
RETENTION_MIN_DAYS = 7


def prune(*, now: datetime, batch: int = PRUNE_BATCH, rounds: int = PRUNE_ROUNDS) -> int:
    """Delete the notifications made more than ``NOTIFICATION_RETENTION_DAYS`` before
    ``now``, read or not, except those still pending or being sent: ``batch`` rows per
    statement, each committed, at most ``rounds`` of them. Returns how many went."""
    days = max(RETENTION_MIN_DAYS, float(current_app.config["NOTIFICATION_RETENTION_DAYS"]))
    cutoff = now - timedelta(days=days)
    removed = 0
    for _ in range(rounds):
        begin_write(db.session)
        # Two statements: the ids first (by the index on created_at), then a delete by
        # primary key. As one DELETE ... IN (subquery with LIMIT) a planner may run the
        # subquery again for every row of the table.
        ids = list(
            db.session.execute(
                db.select(Notification.id)
                .where(Notification.created_at < cutoff, Notification.status.not_in(UNDELIVERED))
                .limit(batch)
            ).scalars()
        )
        if ids:
            removed += db.session.execute(
                db.delete(Notification)
                .where(Notification.id.in_(ids))
                .execution_options(synchronize_session=False)
            ).rowcount
        db.session.commit()
        if len(ids) < batch:
            break
    return removed


# ----------------------------------------------------------------------- subscriptions


def _literal(text: str) -> str:
    """``text`` as a regular expression that matches it alone, in Python and ECMAScript."""
    return "".join(
        ch
        if ch.isascii() and (ch.isalnum() or ch in "-_")
        else "\\."
        if ch == "."
        else f"\\u{ord(ch):04x}"
        for ch in text
    )


@lru_cache(maxsize=8)
def endpoint_pattern(allowed: tuple[str, ...]) -> str:
    """A regular expression (Python and ECMAScript alike) of the endpoints on a push
    service of the allow-list, as browsers write them: scheme and host in lower case, a
    ``*.`` entry's subdomains of letters, digits and dashes, the entry's port if it names
    one, then a path, query or fragment without spaces or control characters. The OpenAPI
    document states it; ``allowed_endpoint`` holds endpoints to it too."""
    origins = []
    for entry in allowed:
        rule = urlsplit(entry)
        if not rule.hostname:
            continue
        host = rule.hostname.lower()
        if host.startswith("*."):
            host_re = r"(?:[a-z0-9-]+\.)+" + _literal(host[2:])
        else:
            host_re = _literal(host)
        port = f":{rule.port}" if rule.port is not None else ""
        origins.append(f"{_literal(rule.scheme)}://{host_re}{port}")
    rest = r"(?:[/?#][^\u0000-\u0020\u007f-\u009f]*)?"
    return f"^(?:{'|'.join(origins) or '(?!)'}){rest}$"


def allowed_endpoint(endpoint: str, allowed: list[str] | tuple[str, ...]) -> bool:
    """Whether ``endpoint`` is on a push service of the allow-list: scheme and host must
    match exactly, or a ``*.`` entry matches subdomains; a port only if the entry names
    one. The endpoint is also written as ``endpoint_pattern`` says."""
    if not re.fullmatch(endpoint_pattern(tuple(allowed)), endpoint):
        return False
    try:
        parts = urlsplit(endpoint)
        port = parts.port
    except ValueError:
        return False
    if not parts.hostname or parts.username or parts.password:
        return False
    host = parts.hostname.lower()
    for entry in allowed:
        rule = urlsplit(entry)
        if rule.scheme != parts.scheme or not rule.hostname:
            continue
        if rule.port != port:
            continue
        pattern = rule.hostname.lower()
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and host != pattern[2:]:
                return True
        elif host == pattern:
            return True
    return False


def allowed_endpoints() -> list[str]:
    return list(current_app.config.get("PUSH_ALLOWED_ENDPOINTS") or DEFAULT_ALLOWED_ENDPOINTS)


TAKEN = N_(
    "This browser already gets another account's notifications. Log out of that "
    "account here first (logging out stops them), then turn reminders on again."
)


def subscribe(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str | None = None
) -> tuple[PushSubscription, bool]:
    """Store a browser's subscription for ``user``. The same endpoint again from ``user``
    updates it; another user's endpoint is refused (409) and stays theirs: anyone who
    learns an endpoint could otherwise take that person's reminders away. Two requests
    with one new endpoint at the same moment: the first stores it, the second is
    answered as if it came just after. Returns (subscription, created)."""
    begin_write(db.session)
    subscription = _subscription_at(endpoint)
    if subscription is not None and subscription.user_id != user.id:
        raise SubscriptionTaken(translated(TAKEN))
    if not allowed_endpoint(endpoint, allowed_endpoints()):
        raise Invalid(
            gettext("This push service is not one we send to."),
            errors={"endpoint": [gettext("Not a known push service.")]},
        )
    created = False
    if subscription is None:
        _room_for_a_device(user)
        # The unique endpoint decides between two requests that both found none: the
        # second waits for the first (PostgreSQL) and then inserts nothing.
        created = _insert_subscription(user=user, endpoint=endpoint, p256dh=p256dh, auth=auth)
        subscription = _subscription_at(endpoint)
        if subscription is None:  # made and removed again by others meanwhile
            raise Conflict(gettext("This device changed a moment ago. Please try again."))
        if subscription.user_id != user.id:
            raise SubscriptionTaken(translated(TAKEN))
    subscription.p256dh = p256dh
    subscription.auth = auth
    subscription.user_agent = (user_agent or "")[:200] or None
    subscription.failures = 0
    db.session.commit()
    return subscription, created


def _room_for_a_device(user: User) -> None:
    """Refuse a device past ``PUSH_DEVICES_MAX`` (409): every push goes to every device,
    and many would make each reminder many requests to the push services. The user's
    row is locked first, so two new devices at once are counted one after the other."""
    db.session.execute(db.select(User.id).where(User.id == user.id).with_for_update())
    devices = db.session.execute(
        db.select(func.count()).select_from(PushSubscription).filter_by(user_id=user.id)
    ).scalar_one()
    most = int(current_app.config["PUSH_DEVICES_MAX"])
    if devices >= most:
        raise TooManyDevices(
            ngettext(
                "Reminders already go to %(num)d device. Remove it in Reminder settings if "
                "you no longer use it, then turn them on here.",
                "Reminders already go to %(num)d devices. Remove one you no longer use in "
                "Reminder settings, then turn them on here.",
                most,
            )
        )


def _subscription_at(endpoint: str) -> PushSubscription | None:
    """The subscription of ``endpoint`` as committed now, locked until the end of the
    transaction (PostgreSQL; SQLite's write lock is already held)."""
    return db.session.execute(
        db.select(PushSubscription)
        .filter_by(endpoint=endpoint)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()


def _insert_subscription(*, user: User, endpoint: str, p256dh: str, auth: str) -> bool:
    """Insert the subscription unless its endpoint is stored already; whether it was."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    statement = (
        module.insert(PushSubscription)
        .values(user_id=user.id, endpoint=endpoint, p256dh=p256dh, auth=auth, failures=0)
        .on_conflict_do_nothing(index_elements=["endpoint"])
        .returning(PushSubscription.id)
    )
    return db.session.execute(statement).first() is not None


def unsubscribe(*, user: User, endpoint: str) -> None:
    begin_write(db.session)
    subscription = db.session.execute(
        db.select(PushSubscription).filter_by(endpoint=endpoint, user_id=user.id)
    ).scalar_one_or_none()
    if subscription is None:
        raise NotFound(gettext("No such subscription."))
    db.session.delete(subscription)
    db.session.commit()


def remove_device(*, user: User, device_id: int) -> None:
    """Stop reminders to one of my devices (404 for anyone else's)."""
    begin_write(db.session)
    # ids are 32-bit integer columns: a larger number cannot name a device
    device = db.session.get(PushSubscription, device_id) if device_id < 2**31 else None
    if device is None or device.user_id != user.id:
        raise NotFound(gettext("No such device."))
    db.session.delete(device)
    db.session.commit()


def subscriptions_of(user: User) -> list[PushSubscription]:
    return list(
        db.session.execute(
            db.select(PushSubscription)
            .filter_by(user_id=user.id)
            .order_by(PushSubscription.created_at)
        ).scalars()
    )


def send_test(*, user: User, now: datetime) -> int:
    """Queue a test push to every device of ``user`` now (not in the inbox, ignores quiet
    hours and the cap). Returns the number of devices it will go to."""
    count = len(subscriptions_of(user))
    if count:
        with writing_to(user):
            body = gettext("Reminders are working on this device.")
        notify(
            user=user,
            kind="test",
            dedupe_key=f"test:{now.isoformat()}",
            title="Couples",
            body=body,
            url="/",
            now=now,
            in_inbox=False,
        )
    return count


# ------------------------------------------------------------------------- preferences


def update_preferences(
    *,
    user: User,
    now: datetime,
    reminder_minute: int | None = None,
    quiet_start_minute: int | None = None,
    quiet_end_minute: int | None = None,
    discreet: bool | None = None,
    kinds_off: list[str] | None = None,
    commit: bool = True,
) -> User:
    """Change notification preferences; the next reminder is recomputed."""
    begin_write(db.session)
    if kinds_off is not None:
        unknown = sorted(set(kinds_off) - {k.name for k in KINDS.values() if k.user_can_turn_off})
        if unknown:
            raise Invalid(
                errors={
                    "notifications.kinds_off": [
                        gettext("Unknown kind: %(kinds)s.", kinds=", ".join(unknown))
                    ]
                }
            )
        user.kinds_off = sorted(set(kinds_off))
    for name, value in (
        ("reminder_minute", reminder_minute),
        ("quiet_start_minute", quiet_start_minute),
        ("quiet_end_minute", quiet_end_minute),
    ):
        if value is not None:
            setattr(user, name, value)
    problems = schedule.settings_problems(
        user.reminder_minute, user.quiet_start_minute, user.quiet_end_minute
    )
    if problems:
        db.session.rollback()
        raise Invalid(errors={f"notifications.{key}": [text] for key, text in problems.items()})
    if discreet is not None:
        user.discreet = discreet
    from couples.notifications import reminders

    reminders.reschedule(user, now)
    if commit:
        db.session.commit()
    return user


# ---------------------------------------------------------------------------- export


def export(user: User) -> dict:
    notes = db.session.execute(
        db.select(Notification)
        .where(Notification.user_id == user.id, Notification.in_inbox.is_(True))
        .order_by(Notification.id)
    ).scalars()
    return {
        "preferences": {
            "reminder_minute": user.reminder_minute,
            "quiet_start_minute": user.quiet_start_minute,
            "quiet_end_minute": user.quiet_end_minute,
            "discreet": user.discreet,
            "kinds_off": list(user.kinds_off or []),
        },
        "devices": [
            {"endpoint": s.endpoint, "created_at": s.created_at.isoformat()}
            for s in subscriptions_of(user)
        ],
        "inbox": [
            {
                "kind": n.kind,
                "title": n.title,
                "body": n.body,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at.isoformat() if n.read_at else None,
            }
            for n in notes
        ],
    }
