"""Metrics in the Prometheus text format, with the Prometheus client library.

Served at ``/metrics`` to a scraper that sends ``Authorization: Bearer
<COUPLES_METRICS_TOKEN>`` (404 while no token is set), and, in a process without a web
server (`reminders run`, a Celery worker), on ``COUPLES_METRICS_ADDRESS`` (``host:port``,
bound by that process alone). Under gunicorn, set ``PROMETHEUS_MULTIPROC_DIR`` to an
empty folder before it starts: every worker process writes its counts there and any of
them answers a scrape with the sum (the library's multiprocess mode).

The outbox's two numbers are read from the database at each scrape, so every process
tells the same truth; everything else is counted where it happens."""

import hmac
import os
import time

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    disable_created_metrics,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily

# No ``_created`` series beside each counter: a scraper has no use for them here.
disable_created_metrics()

# Created unregistered: each app builds the registry it serves (see ``registry``).
REQUESTS = Counter(
    "couples_http_requests",
    "Requests answered, by endpoint (the route's name), method and status.",
    ["endpoint", "method", "status"],
    registry=None,
)
LATENCY = Histogram(
    "couples_http_request_duration_seconds",
    "Time from a request's arrival to its answer, by endpoint.",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=None,
)
DELIVERIES = Counter(
    "couples_push_deliveries",
    "Pushes to one device, by outcome: sent, retried (the service asked to try later), "
    "gone (the device unsubscribed) or failed (refused).",
    ["outcome"],
    registry=None,
)
TICK = Histogram(
    "couples_tick_duration_seconds",
    "How long one tick took to create what was due.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
    registry=None,
)
TASKS = Counter(
    "couples_celery_tasks",
    "Celery tasks finished, by task and outcome (success, failure, retry).",
    ["task", "outcome"],
    registry=None,
)
OWN = (REQUESTS, LATENCY, DELIVERIES, TICK, TASKS)

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


class OutboxCollector:
    """The outbox as a scrape finds it: how many notifications are due now (including
    those whose lease ran out), and how long the oldest of them has waited."""

    def __init__(self, app: Flask):
        self.app = app

    def describe(self):
        return []  # read at each scrape, never at registration

    def collect(self):
        from sqlalchemy.exc import SQLAlchemyError

        from couples.clock import utcnow
        from couples.extensions import db
        from couples.notifications.delivery import outbox_due

        now = utcnow()
        with self.app.app_context():
            try:
                count, oldest = outbox_due(now=now)
            except SQLAlchemyError:
                yield GaugeMetricFamily(
                    "couples_database_up", "Whether the scrape could read the database.", 0
                )
                return
            finally:
                db.session.remove()
        yield GaugeMetricFamily(
            "couples_database_up", "Whether the scrape could read the database.", 1
        )
        yield GaugeMetricFamily(
            "couples_outbox_due_notifications",
            "Notifications due to be sent now, or whose sender's lease ran out.",
            value=count,
        )
        yield GaugeMetricFamily(
            "couples_outbox_oldest_due_age_seconds",
            "How long the oldest due notification has waited past its time (0: none due).",
            value=max(0.0, (now - oldest).total_seconds()) if oldest else 0.0,
        )


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def registry(app: Flask) -> CollectorRegistry:
    """The app's registry: this process's counts (or every process's, in multiprocess
    mode) and the outbox."""
    found = app.extensions.get("couples.metrics")
    if found is None:
        found = CollectorRegistry(auto_describe=False)
        if multiprocess_dir():
            multiprocess.MultiProcessCollector(found)
        else:
            for metric in OWN:
                found.register(metric)
            ProcessCollector(registry=found)
        found.register(OutboxCollector(app))
        app.extensions["couples.metrics"] = found
    return found


def metrics_view():
    token = current_app.config.get("METRICS_TOKEN")
    if not token:
        abort(404)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if (
        scheme.lower() != "bearer"
        or not given
        or not hmac.compare_digest(given.encode(), str(token).encode())
    ):
        return Response(
            "A bearer token is needed.\n",
            401,
            {"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"},
            mimetype="text/plain",
        )
    response = Response(generate_latest(registry(current_app)), content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def _started():
    g.metrics_started = time.perf_counter()


def _answered(response):
    endpoint = request.url_rule.endpoint if request.url_rule is not None else "unmatched"
    method = request.method if request.method in METHODS else "other"
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    started = g.pop("metrics_started", None)
    if started is not None:
        LATENCY.labels(endpoint).observe(time.perf_counter() - started)
    return response


def init_app(app: Flask) -> None:
    """Count every request (registered first, so that the clock starts before any other
    hook runs) and add ``/metrics``."""
    app.before_request(_started)
    app.after_request(_answered)
    app.add_url_rule("/metrics", "metrics", metrics_view)


def serve_on_address(app: Flask) -> None:
    """With ``COUPLES_METRICS_ADDRESS`` (``host:port``), answer scrapes there from a
    thread of this process: for the processes that serve no web requests."""
    address = app.config.get("METRICS_ADDRESS")
    if not address:
        return
    host, _, port = str(address).rpartition(":")
    start_http_server(int(port), addr=host.strip("[]") or "127.0.0.1", registry=registry(app))
