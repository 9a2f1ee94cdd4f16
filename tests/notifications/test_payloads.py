import json

from couples.notifications.payload import MAX_PLAINTEXT, build, topic_for


def test_declarative_web_push_shape():
    message = json.loads(
        build(
            title="Sam sent you an appreciation",
            body="Open to read it",
            url="/journal",
            base_url="https://couples.example",
            kind="appreciation_received",
            tag="appreciation_received-7",
        )
    )
    assert message == {
        "web_push": 8030,
        "notification": {
            "title": "Sam sent you an appreciation",
            "body": "Open to read it",
            "navigate": "https://couples.example/journal",
            "tag": "appreciation_received-7",
            "lang": "en",
            "data": {"kind": "appreciation_received"},
        },
        "mutable": True,
    }


def test_discreet_hides_who_and_what():
    raw = build(
        title="Sam sent you an appreciation",
        body="Open to read it",
        url="/",
        base_url="https://x.example",
        kind="appreciation_received",
        tag="t",
        discreet=True,
    )
    message = json.loads(raw)
    assert message["notification"]["title"] == "Couples"
    assert message["notification"]["body"] == "Something new for you"
    assert b"Sam" not in raw


def test_a_long_body_is_shortened_to_fit_one_record():
    raw = build(
        title="t", body="ü" * 5000, url="/", base_url="https://x.example", kind="k", tag="t"
    )
    assert len(raw) <= MAX_PLAINTEXT
    assert json.loads(raw)["notification"]["body"].endswith("…")


def test_topic_is_short_base64url_and_differs_by_key():
    first, second = (
        topic_for("checkin_reminder", "2026-06-15"),
        topic_for("checkin_reminder", "2026-06-16"),
    )
    assert len(first) <= 32 and first != second
    assert all(c.isalnum() or c in "-_" for c in first)
