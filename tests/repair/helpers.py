"""What the repair API tests share: bodies that pass, one call per step, a walk to any
state, and what a refused request must leave unchanged."""

from datetime import UTC, datetime

from sqlalchemy import event, func

from couples.extensions import db
from couples.notifications.models import Notification
from couples.repair.models import Commitment, FollowUp, FollowUpAnswer, Repair, RepairStep
from tests.factories import ApiClient, make_couple, make_user

START = datetime(2026, 6, 15, 17, 0, tzinfo=UTC)  # 13:00 New York, 18:00 London

HEARING = {
    "feelings": ["hurt", "lonely"],
    "i_feel": "hurt and lonely",
    "when": "you read your phone all through dinner",
    "because": "dinner is our time",
    "i_need": "phones away at the table",
    "need_now": "talk",
}
APOLOGY = {
    "acknowledgement": "I'm sorry I read my phone through our whole dinner.",
    "empathy": "When I do that, you feel lonely and unimportant.",
    "restitution": "You matter more to me than any message. I will leave my phone "
    "in the hall. What do you need from me tonight?",
}
REFLECTION = {
    "what_i_heard": "You felt alone at our own dinner while I looked at my phone, and "
    "you need the table to be ours."
}
THATS_IT = {"thats_it": True}
HEARD = {"heard": True}
PLAN_HURT = {"my_part": "I went quiet instead of saying so."}
PLAN_SORRY = {
    "my_part": "I kept scrolling.",
    "commitments": [
        {"text": "Next time we eat, I will leave my phone in the hall.", "owner": "me"}
    ],
}
CHOICE = {"choice": "A long walk together, phones at home."}
CONFIRM = {"confirmed": True}

# The states a repair passes through on its way, in order ("reflected": in ``reflect``
# with what was heard waiting for the hurt partner; "chosen": in ``reconnect`` with a
# choice waiting for the hurt partner's confirmation).
STAGES = (
    "ready",
    "hearing",
    "reflect",
    "reflected",
    "apology",
    "response",
    "plan",
    "reconnect",
    "chosen",
    "following_through",
)


def step(who, repair_id, name, body=None, status=200):
    """POST one step; it must answer ``status``. Returns the JSON answer."""
    response = who.post(f"/api/v1/repairs/{repair_id}/steps/{name}", json=body or {})
    assert response.status_code == status, (name, response.status_code, response.get_json())
    return response.get_json()


def call(who, path, body=None, status=200):
    """POST ``body`` to ``/api/v1/repairs/{path}``; it must answer ``status``."""
    response = who.post(f"/api/v1/repairs/{path}", json=body if body is not None else {})
    assert response.status_code == status, (path, response.status_code, response.get_json())
    return response.get_json()


def view(who, repair_id, status=200) -> dict:
    response = who.get(f"/api/v1/repairs/{repair_id}")
    assert response.status_code == status, response.get_json()
    return response.get_json()


def open_repair(who, role="apologizing", title="Saturday's dinner") -> str:
    response = who.post("/api/v1/repairs", json={"title": title, "role": role})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def sides(alex, sam, opener_role):
    """(hurt, apologizing) when Alex opened the repair as ``opener_role``."""
    return (sam, alex) if opener_role == "apologizing" else (alex, sam)


def walk(hurt, sorry, repair_id, to: str, start: str = "ready") -> dict:
    """Take a repair from the stage ``start`` (``ready`` when just opened) to the stage
    ``to`` (see STAGES) with bodies that pass; returns the last answer (the repair as
    the last actor sees it)."""
    moves = [
        (hurt, "ready", {"view": "hurt"}),
        (sorry, "ready", {"view": "apologizing"}),
        (hurt, "hearing", HEARING),
        (sorry, "reflect", REFLECTION),
        (hurt, "reflect", THATS_IT),
        (sorry, "apology", APOLOGY),
        (hurt, "response", HEARD),
        (hurt, "plan", PLAN_HURT),
        (sorry, "plan", PLAN_SORRY),
        (sorry, "reconnect", CHOICE),
        (hurt, "reconnect", CONFIRM),
    ]
    # how many moves reach each stage
    reach = {
        "ready": 0,
        "hearing": 2,
        "reflect": 3,
        "reflected": 4,
        "apology": 5,
        "response": 6,
        "plan": 7,
        "reconnect": 9,
        "chosen": 10,
        "following_through": 11,
    }
    data = view(hurt, repair_id)
    for who, name, body in moves[reach[start] : reach[to]]:
        data = step(who, repair_id, name, body)
    expected = {"chosen": "reconnect", "reflected": "reflect"}.get(to, to)
    assert data["state"] == expected, data["state"]
    return data


def follow_ups(data: dict) -> list[dict]:
    """Every follow-up of a repair answer, soonest first."""
    return sorted(
        (f for c in data["commitments"] for f in c["follow_ups"]),
        key=lambda f: (f["due_at"], f["id"]),
    )


def assert_problem(response, status: int, slug: str | None = None) -> dict:
    """``response`` is an RFC 9457 problem with ``status`` (and type ``/problems/slug``)."""
    assert response.status_code == status, (response.status_code, response.get_json())
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["type"].startswith("/problems/")
    assert isinstance(body["title"], str) and body["title"]
    assert isinstance(body["detail"], str) and body["detail"]
    if slug is not None:
        assert body["type"] == f"/problems/{slug}", body
    return body


def counts(app) -> dict[str, int]:
    """How many rows each repair table and the outbox hold."""
    with app.app_context():
        out = {
            model.__tablename__: db.session.execute(
                db.select(func.count()).select_from(model)
            ).scalar_one()
            for model in (Repair, RepairStep, Commitment, FollowUp, FollowUpAnswer, Notification)
        }
        db.session.remove()
    return out


def everything(app, alex, sam, repair_id) -> tuple:
    """What a refusal must leave as it was: the repair as each partner sees it and the
    number of rows in every table it could have written to. Each partner looks first:
    opening a repair is noted as having read it, which the other's view then shows."""
    view(alex, repair_id)
    view(sam, repair_id)
    return view(alex, repair_id), view(sam, repair_id), counts(app)


def statements(app, act) -> list[str]:
    """The SQL statements that ``act()`` runs (counted at ``before_cursor_execute``)."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        act()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return seen


def repair_loads(seen: list[str]) -> int:
    """How many of ``seen`` read a repair's row (its title comes only with the row)."""
    flat = [" ".join(s.split()) for s in seen]
    return sum(
        1
        for s in flat
        if s.startswith("SELECT ") and " FROM repairs " in f"{s} " and "repairs.title" in s
    )


def make_outsiders(app) -> None:
    """Carol and Dan, linked to each other, and Olive, linked to nobody."""
    with app.app_context():
        carol = make_user(email="carol@example.com", display_name="Carol", timezone="UTC")
        dan = make_user(email="dan@example.com", display_name="Dan", timezone="UTC")
        make_couple(carol, dan)
        make_user(email="olive@example.com", display_name="Olive", timezone="UTC")


def login(app, email: str) -> ApiClient:
    """A logged-in client (inside the time-travel of ``couple.at``, like the partners')."""
    return ApiClient(app).login(email)
