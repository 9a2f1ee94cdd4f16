"""Sending one Web Push message (RFC 8030/8291/8292). The only module that imports
pywebpush. aes128gcm only, always a TTL, a deadline for the whole request, no redirects, one HTTP
session per thread, and a VAPID header cached per push-service origin."""

import base64
import contextlib
import heapq
import itertools
import os
import socket
import threading
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
import requests.adapters
import urllib3
import urllib3.connection
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from pywebpush import WebPusher, WebPushException

VAPID_LIFETIME = 12 * 3600  # RFC 8292 allows reusing one token per origin; at most 24 h
VAPID_RENEW_BEFORE = 3600


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def generate_keys() -> tuple[str, str]:
    """A new VAPID key pair: (private raw 32 bytes, public uncompressed point), base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(private), b64url(public)


def load_private_key(text: str) -> Vapid02:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        return Vapid02.from_pem(text.encode())
    return Vapid02.from_raw(text.encode())


def public_key_of(vapid: Vapid02) -> str:
    return b64url(
        vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
    )


def origin_of(endpoint: str) -> str:
    parts = urlsplit(endpoint)
    return f"{parts.scheme}://{parts.netloc}"


class VapidSigner:
    """Signs VAPID tokens, one per push-service origin, reused until close to expiry."""

    def __init__(self, private_key: str, subject: str, clock=time.time):
        self.vapid = load_private_key(private_key)
        self.public_key = public_key_of(self.vapid)
        self.subject = subject
        self.clock = clock
        self._cache: dict[str, tuple[str, int]] = {}
        self._lock = threading.Lock()

    def authorization(self, endpoint: str) -> str:
        origin = origin_of(endpoint)
        now = self.clock()
        with self._lock:  # signing takes well under a millisecond: one signer at a time
            cached = self._cache.get(origin)
            if cached and cached[1] - now > VAPID_RENEW_BEFORE:
                return cached[0]
            # A fresh claims dict every time: signing libraries write into the one they get.
            claims = {"sub": self.subject, "aud": origin, "exp": int(now) + VAPID_LIFETIME}
            header = self.vapid.sign(claims)["Authorization"]
            self._cache[origin] = (header, claims["exp"])
            return header


class _NoRedirects(requests.Session):
    """A redirect could lead outside the allow-list: never follow one."""

    def request(self, method, url, *args, **kwargs):
        kwargs["allow_redirects"] = False
        return super().request(method, url, *args, **kwargs)


_local = threading.local()


class _Deadline:
    """A whole request's time limit. requests' timeout bounds each read, so a service
    that answers a byte at a time never reaches it; when this one passes, the socket of
    the request in flight is shut down, and the read waiting on it ends. One watchdog
    thread (``_watchdog``) keeps every deadline of the process."""

    def __init__(self, seconds: float):
        self.at = time.monotonic() + seconds
        self.connection = None
        self.passed = False
        self.over = False
        self._lock = threading.Lock()

    def __enter__(self):
        _local.deadline = self
        _watchdog.watch(self)
        return self

    def __exit__(self, *exc):
        with self._lock:
            self.over = True
            self.connection = None  # the request is over: its connection may be reused
        _local.deadline = None

    def cut(self) -> None:
        with self._lock:
            sock = getattr(self.connection, "sock", None)
            if self.over or sock is None:
                return
            self.passed = True
            with contextlib.suppress(OSError):  # closed already
                sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """Cuts each request whose deadline passed. One thread for the process, started with
    the first push (and again in a forked child), instead of a timer thread per push:
    at the nightly peak that was a thread started and stopped for every message."""

    def __init__(self):
        self._due: list[tuple[float, int, _Deadline]] = []
        self._count = itertools.count()
        self._changed = threading.Condition()
        self._thread: threading.Thread | None = None

    def watch(self, deadline: _Deadline) -> None:
        with self._changed:
            heapq.heappush(self._due, (deadline.at, next(self._count), deadline))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="push-deadlines", daemon=True
                )
                self._thread.start()
            elif self._due[0][2] is deadline:
                self._changed.notify()  # sooner than what the thread waits for

    def _run(self) -> None:
        while True:
            with self._changed:
                now = time.monotonic()
                passed = []
                while self._due and self._due[0][0] <= now:
                    passed.append(heapq.heappop(self._due)[2])
                if not passed:
                    # Woken a little late on purpose: the deadlines due together are
                    # taken in one round, not one wake-up each.
                    self._changed.wait(self._due[0][0] - now + 0.05 if self._due else None)
                    continue
            for deadline in passed:
                deadline.cut()  # nothing to do when its request ended in time

    def forget(self) -> None:
        """In a forked child: the parent's thread did not come along."""
        self._due, self._thread = [], None
        self._changed = threading.Condition()


_watchdog = _Watchdog()
os.register_at_fork(after_in_child=_watchdog.forget)


def _tracked(connection_class):
    class Tracked(connection_class):
        """Lets the deadline of this thread's request find its socket."""

        def request(self, *args, **kwargs):
            deadline = getattr(_local, "deadline", None)
            if deadline is not None:
                deadline.connection = self
            return super().request(*args, **kwargs)

    return Tracked


class _Pool(urllib3.HTTPConnectionPool):
    ConnectionCls = _tracked(urllib3.connection.HTTPConnection)


class _TlsPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _tracked(urllib3.connection.HTTPSConnection)


class _DeadlineAdapter(requests.adapters.HTTPAdapter):
    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _Pool, "https": _TlsPool}


def _session() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = _NoRedirects()
        adapter = _DeadlineAdapter()
        session.mount("https://", adapter)
        session.mount("http://", adapter)
    return session


@dataclass(frozen=True)
class SendResult:
    status: int | None  # HTTP status, or None when no answer came
    retry_after: float | None  # seconds, from Retry-After
    error: str | None

    @property
    def delivered(self) -> bool:
        return self.status in (201, 202)

    @property
    def gone(self) -> bool:
        return self.status in (404, 410)

    @property
    def retryable(self) -> bool:
        return self.status is None or self.status in (408, 429) or self.status >= 500

    @property
    def refused(self) -> bool:
        """A 4xx (or a redirect) caused by our request or key: no retry."""
        return not (self.delivered or self.gone or self.retryable)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return None
    return max(0.0, when - (now if now is not None else time.time()))


def send(
    *,
    endpoint: str,
    p256dh: str,
    auth: str,
    payload: bytes,
    ttl: int,
    urgency: str,
    topic: str | None,
    signer: VapidSigner,
    timeout: float = 10.0,
) -> SendResult:
    """POST one encrypted message to one subscription and report what the service said,
    within ``timeout`` seconds for the whole request."""
    headers = {"Authorization": signer.authorization(endpoint), "Urgency": urgency}
    if topic:
        headers["Topic"] = topic
    subscription = {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
    deadline = _Deadline(timeout)
    try:
        with deadline:
            response = WebPusher(subscription, requests_session=_session()).send(
                payload,
                headers,
                ttl=max(0, int(ttl)),
                content_encoding="aes128gcm",
                timeout=timeout,
            )
    except requests.Timeout:
        return SendResult(None, None, "timeout")
    except requests.RequestException as error:
        if deadline.passed:
            return SendResult(None, None, "timeout")
        return SendResult(None, None, f"connection error: {type(error).__name__}")
    except (WebPushException, ValueError) as error:
        # Keys that cannot be used: our side cannot send to this subscription.
        return SendResult(400, None, f"unusable subscription: {str(error)[:150]}")
    error = (
        None
        if response.status_code in (201, 202)
        else (f"{response.status_code} {response.reason}: {response.text[:150]}")
    )
    return SendResult(
        response.status_code, parse_retry_after(response.headers.get("Retry-After")), error
    )
