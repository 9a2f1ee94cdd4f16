"""The outbox of mail: a request queues a mail (one row), the background worker sends it
(the thread of `serve`, or Celery's delivery task), retries it when the mail server
fails, and gives up after ``MAIL_MAX_ATTEMPTS``."""

import logging
import smtplib
from datetime import datetime, timedelta

from flask import current_app

from couples.accounts.models import OutgoingMail
from couples.clock import utcnow
from couples.db import begin_write
from couples.extensions import db

log = logging.getLogger("couples.mail")

LEASE = timedelta(minutes=2)
FIRST_RETRY = timedelta(minutes=1)


def queue(*, kind: str, to: str, now: datetime) -> None:
    """Add a mail to send, in the caller's transaction."""
    db.session.add(OutgoingMail(kind=kind, to_address=to, created_at=now, next_attempt_at=now))


def _claim(now: datetime, limit: int) -> list[tuple[int, str, str, int]]:
    due = db.select(OutgoingMail.id).where(OutgoingMail.next_attempt_at <= now)
    if db.session.execute(due.limit(1)).first() is None:
        db.session.commit()  # end the read: nothing to send, no write lock taken
        return []
    begin_write(db.session)
    query = (
        db.select(OutgoingMail)
        .where(OutgoingMail.next_attempt_at <= now)
        .order_by(OutgoingMail.next_attempt_at, OutgoingMail.id)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(db.session.execute(query).scalars())
    claimed = [(row.id, row.kind, row.to_address, row.attempts) for row in rows]
    for row in rows:
        row.next_attempt_at = now + LEASE
    db.session.commit()
    return claimed


def send_due(*, now_fn=utcnow, limit: int = 20) -> dict[str, int]:
    """Send the mail that is due: {"sent": n, "failed": n}."""
    from couples.accounts.services import send_queued

    sent = failed = 0
    for mail_id, kind, to, attempts in _claim(now_fn(), limit):
        try:
            send_queued(kind=kind, to=to, now=now_fn())
        except (OSError, smtplib.SMTPException) as error:
            failed += 1
            _failed(mail_id, attempts + 1, error, now_fn())
            continue
        sent += 1
        begin_write(db.session)
        db.session.execute(db.delete(OutgoingMail).where(OutgoingMail.id == mail_id))
        db.session.commit()
    return {"sent": sent, "failed": failed}


def _failed(mail_id: int, attempts: int, error: Exception, now: datetime) -> None:
    begin_write(db.session)
    if attempts >= int(current_app.config["MAIL_MAX_ATTEMPTS"]):
        log.error("mail given up after %d attempts: %s", attempts, type(error).__name__)
        db.session.execute(db.delete(OutgoingMail).where(OutgoingMail.id == mail_id))
    else:
        log.warning("mail not sent (attempt %d): %s", attempts, type(error).__name__)
        db.session.execute(
            db.update(OutgoingMail)
            .where(OutgoingMail.id == mail_id)
            .values(attempts=attempts, next_attempt_at=now + FIRST_RETRY * 2 ** (attempts - 1))
        )
    db.session.commit()
