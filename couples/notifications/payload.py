"""The push payload: Declarative Web Push JSON (RFC 8030 message, Safari 18.4+ shows it by
itself; every service worker reads the same fields). Pure, no Flask.

A payload never carries check-in answers or repair text: only a title and a body written
for the lock screen, and where tapping it goes."""

import json
from urllib.parse import urljoin

from couples.i18n import N_

MAX_PLAINTEXT = 3993  # RFC 8291 aes128gcm in one 4096-byte record
DISCREET_TITLE = "Couples"
DISCREET_BODY = N_("Something new for you")  # English; the sender passes the reader's words


def build(
    *,
    title: str,
    body: str,
    url: str,
    base_url: str,
    kind: str,
    tag: str,
    discreet: bool = False,
    lang: str = "en",
    discreet_body: str = DISCREET_BODY,
) -> bytes:
    """The encoded JSON payload; the "discreet" preference hides who and what, with
    ``discreet_body`` in its place (written in ``lang``, the language of the words)."""
    if discreet:
        title, body = DISCREET_TITLE, discreet_body
    message = {
        "web_push": 8030,
        "notification": {
            "title": title,
            "body": body,
            "navigate": urljoin(base_url.rstrip("/") + "/", url.lstrip("/")),
            "tag": tag,
            "lang": lang,
            "data": {"kind": kind},
        },
        "mutable": True,
    }
    encoded = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
    if len(encoded) > MAX_PLAINTEXT:
        # Only the body can be long; shorten it rather than fail the delivery.
        overflow = len(encoded) - MAX_PLAINTEXT
        short = body.encode()[: max(0, len(body.encode()) - overflow - 3)]
        return build(
            title=title,
            body=short.decode(errors="ignore") + "…",
            url=url,
            base_url=base_url,
            kind=kind,
            tag=tag,
            discreet=False,
            lang=lang,
        )
    return encoded


def topic_for(kind: str, key: str) -> str:
    """A Topic header value (at most 32 base64url characters) per kind and key, so an
    offline device receives only the latest reminder of that kind."""
    import base64
    import hashlib

    digest = hashlib.sha256(f"{kind}:{key}".encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:32]
