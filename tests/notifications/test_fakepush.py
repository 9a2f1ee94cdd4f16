"""The fake push service itself: a request cut off by a vanished sender is dropped
(as a real service would), not answered as a decryption failure."""

import socket
import time


def test_a_request_cut_off_mid_body_is_dropped_not_rejected(fake_push):
    subscription = fake_push.subscribe()
    path = subscription["endpoint"].removeprefix(fake_push.origin)
    host, port = fake_push.server.server_address
    with socket.create_connection((host, port)) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nTTL: 60\r\n"
            "Content-Encoding: aes128gcm\r\nContent-Length: 200\r\n\r\n".encode()
            + b"x" * 20
        )
    deadline = time.monotonic() + 5
    while fake_push.aborted == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake_push.aborted == 1
    assert fake_push.rejected == []
    assert fake_push.received == []


def test_a_complete_request_without_vapid_is_still_rejected(fake_push):
    subscription = fake_push.subscribe()
    path = subscription["endpoint"].removeprefix(fake_push.origin)
    status, _, _ = fake_push.handle(path, {"TTL": "60"}, b"not encrypted")
    assert status == 401
    assert fake_push.rejected and fake_push.rejected[0][0] == path
