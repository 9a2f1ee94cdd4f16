"""A push service for tests that behaves like a real one: it checks the VAPID token
(ES256 signature against the ``k`` key, ``aud`` is its own origin, ``exp`` in the future
and at most 24 h away, ``sub`` mailto: or https:), requires TTL, validates Urgency and
Topic, refuses bodies over 4096 bytes with 413, and decrypts the aes128gcm body with
http_ece using the subscriber's private key and auth secret.

Each subscription it hands out has a behaviour: a list of answers it plays in order
("ok", "gone", "notfound", "ratelimit:<seconds>", "error", "hang", "badrequest",
"redirect"), then "ok" for ever. "hang" answers nothing until the sender gives up and
closes the connection: only the sender's timeout ends it, however slow the machine is."""

import base64
import json
import os
import re
import secrets
import select
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

URGENCIES = {"very-low", "low", "normal", "high"}
HANG = object()  # what handle() returns for a request it never answers
TRICKLE = object()  # what handle() returns for a request answered a byte at a time
TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


@dataclass
class Received:
    path: str
    headers: dict
    claims: dict
    plaintext: bytes

    @property
    def message(self) -> dict:
        return json.loads(self.plaintext)


@dataclass
class Subscriber:
    token: str
    key: ec.EllipticCurvePrivateKey
    auth: bytes
    script: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_answer(self) -> str:
        with self.lock:
            return self.script.pop(0) if self.script else "ok"


class FakePushService:
    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.subscribers: dict[str, Subscriber] = {}
        self.received: list[Received] = []
        self.rejected: list[tuple[str, int, str]] = []
        self.attempts: dict[str, int] = {}
        self.aborted = 0  # requests whose sender vanished before the body was complete
        self.hung_up = 0  # "hang" or "trickle" requests whose sender gave up waiting
        self.trickled = 0  # "trickle" answers sent to the end
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        service = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender went away mid-request (a killed worker): like a real
                    # service, drop the incomplete request instead of answering it.
                    with service._lock:
                        service.aborted += 1
                    self.close_connection = True
                    return
                answer = service.handle(self.path, dict(self.headers), body)
                if answer is HANG:
                    service._hang(self.connection)
                    self.close_connection = True
                    return
                if answer is TRICKLE:
                    service._trickle(self.connection)
                    self.close_connection = True
                    return
                status, headers, text = answer
                payload = text.encode()
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the sender was killed while we answered

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> "FakePushService":
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # lets requests still hanging go
        self.server.shutdown()
        self.server.server_close()

    def subscribe(self, *script: str) -> dict:
        """A new browser subscription (PushSubscription JSON) whose answers follow ``script``."""
        token = secrets.token_urlsafe(12)
        key = ec.generate_private_key(ec.SECP256R1())
        subscriber = Subscriber(token, key, os.urandom(16), list(script))
        self.subscribers[token] = subscriber
        public = key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.origin}/push/{token}",
            "expirationTime": None,
            "keys": {"p256dh": b64e(public), "auth": b64e(subscriber.auth)},
        }

    def for_endpoint(self, endpoint: str) -> list[Received]:
        path = endpoint.removeprefix(self.origin)
        return [r for r in self.received if r.path == path]

    # ------------------------------------------------------------------ the protocol
    def handle(self, path: str, headers: dict, body: bytes) -> tuple[int, dict, str] | object:
        """(status, headers, text) to answer, or HANG."""
        if self.latency:
            time.sleep(self.latency)
        headers = {k.lower(): v for k, v in headers.items()}
        with self._lock:
            self.attempts[path] = self.attempts.get(path, 0) + 1
        match = re.fullmatch(r"/push/([A-Za-z0-9_-]+)", path)
        subscriber = self.subscribers.get(match.group(1)) if match else None
        if subscriber is None:
            return self._reject(path, 404, "no such subscription")
        try:
            claims = self._check_vapid(headers.get("authorization", ""))
        except ValueError as error:
            return self._reject(path, 401, str(error))
        if not re.fullmatch(r"\d+", headers.get("ttl", "")):
            return self._reject(path, 400, "TTL header required")
        if "urgency" in headers and headers["urgency"] not in URGENCIES:
            return self._reject(path, 400, "bad Urgency")
        if "topic" in headers and not TOPIC.fullmatch(headers["topic"]):
            return self._reject(path, 400, "bad Topic")
        if len(body) > 4096:
            return self._reject(path, 413, "payload too large")
        if headers.get("content-encoding") != "aes128gcm":
            return self._reject(path, 415, "aes128gcm only")
        answer = subscriber.next_answer()
        name, _, arg = answer.partition(":")
        if name == "hang":
            return HANG
        if name == "trickle":
            return TRICKLE
        answers = {
            "gone": (410, {}, "gone"),
            "notfound": (404, {}, "not found"),
            "ratelimit": (429, {"Retry-After": arg or "30"}, "slow down"),
            "error": (500, {}, "oops"),
            "badrequest": (400, {}, "bad request"),
            "redirect": (307, {"Location": f"{self.origin}/elsewhere"}, "moved"),
        }
        if name in answers:
            return answers[name]
        try:
            plaintext = http_ece.decrypt(
                body, private_key=subscriber.key, auth_secret=subscriber.auth, version="aes128gcm"
            )
        except Exception as error:  # noqa: BLE001 (anything that fails to decrypt)
            return self._reject(path, 400, f"cannot decrypt: {error}")
        with self._lock:
            self.received.append(Received(path, headers, claims, plaintext))
        return 201, {"Location": f"{self.origin}/message/{secrets.token_hex(4)}"}, ""

    def _hang(self, connection) -> None:
        """Answer nothing until the sender closes the connection (its timeout) or the
        service stops."""
        while not self._stopping.is_set():
            readable, _, _ = select.select([connection], [], [], 0.1)
            if not readable:
                continue
            try:
                closed = connection.recv(1, socket.MSG_PEEK) == b""
            except OSError:
                closed = True
            if closed:
                with self._lock:
                    self.hung_up += 1
                return
            self._stopping.wait(0.1)  # bytes from a sender still waiting: hang on

    def _trickle(self, connection) -> None:
        """Answer 201 one byte every half second, each read of the sender's getting
        something, until the answer is complete (about a minute) or the sender closes
        the connection."""
        answer = b"HTTP/1.1 201 Created\r\nLocation: /message/slow\r\nContent-Length: 0\r\n\r\n"
        for byte in answer:
            try:
                connection.sendall(bytes([byte]))
            except OSError:
                break
            if self._stopping.wait(0.5):
                return
            readable, _, _ = select.select([connection], [], [], 0)
            try:
                closed = bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
            except OSError:
                closed = True
            if closed:
                with self._lock:
                    self.hung_up += 1
                return
        with self._lock:
            self.trickled += 1

    def _reject(self, path, status, reason):
        with self._lock:
            self.rejected.append((path, status, reason))
        return status, {}, reason

    def _check_vapid(self, authorization: str) -> dict:
        match = re.fullmatch(r"vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)", authorization.strip())
        if not match:
            raise ValueError("Authorization is not vapid t=...,k=...")
        token, key = match.groups()
        try:
            header_b64, claims_b64, signature_b64 = token.split(".")
            header = json.loads(b64d(header_b64))
            claims = json.loads(b64d(claims_b64))
            signature = b64d(signature_b64)
            public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64d(key))
        except (ValueError, json.JSONDecodeError) as error:
            raise ValueError(f"malformed token: {error}") from None
        if header.get("alg") != "ES256" or len(signature) != 64:
            raise ValueError("not ES256")
        der = encode_dss_signature(
            int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        )
        try:
            public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            raise ValueError("bad signature") from None
        if claims.get("aud") != self.origin:
            raise ValueError(f"aud {claims.get('aud')!r} is not {self.origin}")
        now = time.time()
        exp = claims.get("exp")
        if not isinstance(exp, int) or exp <= now or exp > now + 24 * 3600:
            raise ValueError("exp must be in the future and at most 24 h away")
        if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
            raise ValueError("sub must be mailto: or https:")
        return claims
