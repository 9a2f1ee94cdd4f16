"""Plain factory functions and a small API client for tests."""

from datetime import timedelta
from types import SimpleNamespace

from couples.accounts import services as accounts
from couples.accounts.models import User
from couples.clock import utcnow
from couples.extensions import db
from couples.notifications.models import Notification
from couples.pairing import services as pairing

PASSWORD = "quiet harbour lantern 42"


def push_device(user: User, fake_push, *script: str) -> tuple[int, str]:
    """A device of ``user``'s subscribed at the fake push service, whose answers follow
    ``script`` (tests/fakepush.py): (its subscription id, its endpoint)."""
    from couples.notifications.services import subscribe

    info = fake_push.subscribe(*script)
    device, _created = subscribe(
        user=user,
        endpoint=info["endpoint"],
        p256dh=info["keys"]["p256dh"],
        auth=info["keys"]["auth"],
    )
    return device.id, info["endpoint"]


def make_user(
    *,
    email: str = "user@example.com",
    display_name: str = "Robin",
    timezone: str = "UTC",
    password: str = PASSWORD,
) -> User:
    return accounts.register(
        email=email, password=password, display_name=display_name, timezone=timezone
    )


def make_couple(first: User, second: User, now=None):
    invite = pairing.create_invite(user=first, now=now or utcnow())
    return pairing.accept_invite(user=second, code=invite.code, now=now or utcnow())


# Requests that start or end a session: the session's CSRF token ends with them.
_NEW_SESSION = (
    "/api/v1/auth/login",
    "/api/v1/auth/passkey",
    "/api/v1/auth/register",
    "/api/v1/auth/logout",
    "/api/v1/auth/password-reset/",
    "/login",
    "/register",
    "/logout",
    "/reset/",
    "/account/delete",
)


def _starts_a_session(method: str, path: str) -> bool:
    path = path.split("?", 1)[0]
    return (method == "DELETE" and path == "/api/v1/me") or any(
        path == prefix or (prefix.endswith("/") and path.startswith(prefix))
        for prefix in _NEW_SESSION
    )


class ApiClient:
    """A Flask test client that fetches a CSRF token and sends it on unsafe requests."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()
        self.token = None

    def csrf(self) -> str:
        if self.token is None:
            self.token = self.client.get("/api/v1/auth/csrf").get_json()["csrf_token"]
        return self.token

    def login(self, email: str, password: str = PASSWORD, **extra):
        response = self.post(
            "/api/v1/auth/login", json={"email": email, "password": password, **extra}
        )
        assert response.status_code == 200, response.get_json()
        return self

    def get(self, path, **kwargs):
        return self.client.get(path, **kwargs)

    def export(self, password: str = PASSWORD):
        """My data, from the API (the password is asked every time)."""
        return self.post("/api/v1/me/export", json={"password": password})

    def _unsafe(self, method, path, **kwargs):
        headers = dict(kwargs.pop("headers", {}) or {})
        headers.setdefault("X-CSRF-Token", self.csrf())
        response = self.client.open(path, method=method, headers=headers, **kwargs)
        if _starts_a_session(method, path):
            self.token = None
        return response

    def post(self, path, **kwargs):
        return self._unsafe("POST", path, **kwargs)

    def put(self, path, **kwargs):
        return self._unsafe("PUT", path, **kwargs)

    def patch(self, path, **kwargs):
        return self._unsafe("PATCH", path, **kwargs)

    def delete(self, path, **kwargs):
        return self._unsafe("DELETE", path, **kwargs)


def post_form(who: ApiClient, path: str, data: dict):
    """Post a page's form as a browser would, with the CSRF token."""
    response = who.client.post(path, data={"csrf_token": who.csrf(), **data})
    if _starts_a_session("POST", path):
        who.token = None
    return response


def post_refused(who: ApiClient, path: str, data: dict, to: str):
    """Post a page's form that is refused: it redirects (303) to ``to``, the form's own
    page, whose GET (returned) shows the words and the messages kept."""
    response = post_form(who, path, data)
    assert response.status_code == 303, response.status_code
    assert response.headers["Location"] == to, response.headers["Location"]
    return who.client.get(to)


def page(who: ApiClient, path: str) -> str:
    """A page's HTML; it must answer 200."""
    response = who.client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def partners_with_a_device(app, fake_push) -> tuple[ApiClient, ApiClient, dict]:
    """Alex (New York) and Sam (London), linked and logged in, and a subscribed device of
    Sam's on the fake push service: (alex, sam, device)."""
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex", timezone="America/New_York")
        sam = make_user(email="sam@example.com", display_name="Sam", timezone="Europe/London")
        make_couple(alex, sam)
    alex, sam = ApiClient(app).login("alex@example.com"), ApiClient(app).login("sam@example.com")
    device = fake_push.subscribe()
    assert sam.post("/api/v1/push/subscriptions", json=device).status_code == 201
    return alex, sam, device


def pending_pushes(service, count: int, now, *, email: str = "u{n}@example.com") -> None:
    """``count`` users, each with one device on the fake push ``service`` and one bid
    notification due at ``now``, written straight to the tables (many at once, for the
    worker crash test and benchmark). Needs an app context; commits."""
    from sqlalchemy import insert

    from couples.notifications.models import PushSubscription

    base = {
        "password_hash": "x",
        "display_name": "P",
        "timezone": "UTC",
        "reminder_minute": 1260,
        "quiet_start_minute": 0,
        "quiet_end_minute": 0,
        "discreet": False,
        "kinds_off": [],
        "created_at": now,
        "updated_at": now,
    }
    db.session.execute(insert(User), [{**base, "email": email.format(n=n)} for n in range(count)])
    ids = list(db.session.execute(db.select(User.id).order_by(User.id)).scalars())
    devices, notes = [], []
    for user_id in ids:
        info = service.subscribe()
        devices.append(
            {
                "user_id": user_id,
                "endpoint": info["endpoint"],
                "p256dh": info["keys"]["p256dh"],
                "auth": info["keys"]["auth"],
                "failures": 0,
                "created_at": now,
                "updated_at": now,
            }
        )
        notes.append(
            {
                "user_id": user_id,
                "kind": "bid_received",
                "dedupe_key": "crash",
                "title": "Sam sent you a bid",
                "body": "A moment together?",
                "url": "/",
                "data": {},
                "push": True,
                "in_inbox": True,
                "status": "pending",
                "created_at": now,
                "next_attempt_at": now,
                "attempts": 0,
                "expires_at": now + timedelta(hours=6),
                "delivered_to": [],
            }
        )
    db.session.execute(insert(PushSubscription), devices)
    db.session.execute(insert(Notification), notes)
    db.session.commit()


def notifications_of(app, email: str, kind: str | None = None) -> list[SimpleNamespace]:
    """The notifications of the user with ``email`` (of one kind), oldest first, as plain
    records readable outside the app context."""
    with app.app_context():
        query = (
            db.select(Notification)
            .join(User, User.id == Notification.user_id)
            .where(User.email == email)
            .order_by(Notification.id)
        )
        if kind is not None:
            query = query.where(Notification.kind == kind)
        return [
            SimpleNamespace(
                kind=n.kind,
                title=n.title,
                body=n.body,
                url=n.url,
                data=n.data,
                topic=n.topic,
                push=n.push,
                status=n.status,
                created_at=n.created_at,
                dedupe_key=n.dedupe_key,
            )
            for n in db.session.execute(query).scalars()
        ]


def send_mail(app) -> dict:
    """What the background worker does with the mail requests queued: send it."""
    from couples.accounts import mailbox

    with app.app_context():
        result = mailbox.send_due()
        db.session.remove()
    return result
