"""Celery, for running background work at scale (the Flask docs' pattern).

    celery -A couples.tasks worker      # any number, on any number of machines
    celery -A couples.tasks beat        # exactly one: fires the tick every minute

The tasks are thin: they call the same functions as the embedded thread. The outbox rows
and their leases are the truth; a task lost with a killed worker costs nothing, because
the next tick's sweep re-enqueues whatever is due (including rows whose lease ran out)."""

import math

from celery import Celery, Task
from celery.signals import after_setup_logger, task_failure, task_retry, task_success, worker_ready
from flask import Flask

from couples import create_app, logs, metrics
from couples.clock import utcnow
from couples.config import require

# At most this many delivery tasks are queued by one sweep.
MAX_FANOUT = 50


def celery_init_app(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                try:
                    return self.run(*args, **kwargs)
                finally:
                    from couples.extensions import db

                    db.session.remove()

    broker = app.config.get("CELERY_BROKER_URL") or "redis://127.0.0.1:6379/0"
    celery = Celery(app.name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=broker,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        timezone="UTC",
        beat_schedule={
            "tick": {
                "task": "couples.tick",
                "schedule": float(app.config.get("CELERY_TICK_SECONDS", 60)),
            },
        },
    )
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


@after_setup_logger.connect
def _log_format(logger, **_kwargs) -> None:
    """The worker's and beat's lines in the app's format (JSON with
    ``COUPLES_LOG_FORMAT=json``), over Celery's own."""
    for handler in logger.handlers:
        handler.setFormatter(logs.formatter_for(flask_app.config))


@task_success.connect
def _succeeded(sender=None, **_kwargs) -> None:
    metrics.TASKS.labels(sender.name, "success").inc()


@task_failure.connect
def _failed(sender=None, **_kwargs) -> None:
    metrics.TASKS.labels(sender.name, "failure").inc()


@task_retry.connect
def _retried(sender=None, **_kwargs) -> None:
    metrics.TASKS.labels(sender.name, "retry").inc()


@worker_ready.connect
def _serve_metrics(**_kwargs) -> None:
    """A worker's counts on ``COUPLES_METRICS_ADDRESS``, when it is set."""
    metrics.serve_on_address(flask_app)


flask_app = create_app()
require(flask_app.config, "BASE_URL")  # every push links to the public origin
celery = celery_init_app(flask_app)


@celery.task(name="couples.tick")
def tick() -> int:
    """Create what is due, then queue delivery for everything due."""
    from couples.notifications import reminders

    created = reminders.tick(now=utcnow())
    sweep.delay()
    return created


@celery.task(name="couples.sweep")
def sweep() -> int:
    """Queue enough delivery tasks for the rows that are due now (or whose lease ran
    out), and send the mail that is due (retries included); returns how many tasks it
    queued."""
    from couples.accounts import mailbox
    from couples.notifications import delivery

    mailbox.send_due()
    due = delivery.count_due(now=utcnow())
    batch = int(flask_app.config["PUSH_BATCH"])
    tasks = min(MAX_FANOUT, math.ceil(due / batch))
    for _ in range(tasks):
        deliver.delay()
    return tasks


@celery.task(name="couples.deliver")
def deliver() -> dict:
    """Claim one batch of pushes and deliver it, queueing another when the batch was
    full; then send the mail that is due."""
    from couples.accounts import mailbox
    from couples.notifications import delivery

    batch = int(flask_app.config["PUSH_BATCH"])
    result = delivery.deliver_due(limit=batch)
    if result.get("claimed", 0) >= batch:
        deliver.delay()
    mailbox.send_due()  # mail queued by requests (a reset link), and mail to retry
    return result
