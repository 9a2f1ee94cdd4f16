"""Privacy on every route, found by walking ``app.url_map`` (a new route is covered as soon
as it exists):

- an anonymous caller gets 401 problem+json from every API route and a redirect to the
  login page from every page, except the routes listed as public;
- a logged-in outsider gets 404 for every object of a couple, with every method the route
  has, and nothing changes. Every route whose URL has arguments must be listed either with
  a builder of a real object of the couple, or as exempt with the reason: an unlisted one
  fails the suite until someone decides which it is."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from werkzeug.routing import Rule
from werkzeug.routing.converters import IntegerConverter, UUIDConverter

from couples import create_app
from couples.extensions import db
from tests.conftest import BASE_CONFIG
from tests.factories import PASSWORD, ApiClient

PROBLEM = "application/problem+json"
IMPLICIT_METHODS = {"HEAD", "OPTIONS"}

# Open to anonymous callers (by endpoint).
PUBLIC = {
    "static",
    "healthz",
    "readyz",
    "metrics",  # its own bearer token (tests/test_metrics.py)
    "api-docs.openapi_json",
    "api_auth.csrf_token",
    "api_auth.register",
    "api_auth.login",
    "api_auth.logout",
    "api_auth.password_reset_request",
    "api_auth.password_reset",
    "api_passkey_auth.sign_in_options",
    "api_passkey_auth.sign_in",
    "api_push.vapid_public_key",
    "accounts.home",
    "accounts.register",
    "accounts.login",
    "accounts.logout",
    "accounts.forgot",
    "accounts.reset",
    "pwa.manifest",
    "pwa.service_worker",
    "pwa.offline",
}

# Pages that send an anonymous caller somewhere else than the login page. An invite link
# asks a newcomer to create an account first, and links right after.
ANONYMOUS_REDIRECTS = {"pairing.join": "/register"}


@dataclass
class Couple:
    """The ``two_partners`` couple, for building URLs of its real objects."""

    app: object
    alex: ApiClient
    sam: ApiClient


def _alex_device(couple: Couple) -> str:
    response = couple.alex.post(
        "/api/v1/push/subscriptions",
        json={
            "endpoint": "https://fcm.googleapis.com/fcm/send/alex-phone",
            "keys": {"p256dh": "B" + "A" * 86, "auth": "a" * 22},
        },
    )
    assert response.status_code == 201, response.get_json()
    return f"/settings/notifications/devices/{response.get_json()['id']}/remove"


def _alex_session(couple: Couple) -> str:
    (session,) = couple.alex.get("/api/v1/me/sessions").get_json()["items"]
    return session["id"]


# Every route that names an object of a couple or of one of its partners: endpoint -> a
# function that builds the URL of a real object of the two_partners couple (creating it
# through the API if need be). Every route with arguments must be here or in EXEMPT. The
# couple routes without arguments show the caller's own couple: an outsider has none, and
# gets 404 there too.
def _revealed_date(couple: Couple) -> str:
    """A date both answered, with words of each to react to: a revealed check-in."""
    for item in couple.alex.get("/api/v1/checkins/today").get_json()["items"]:
        answers = {
            q["key"]: (q["min"] if q["type"] == "scale" else None)
            for q in item["questions"]
            if q["required"]
        }
        answers["appreciation"] = "the soup"
        url = f"/api/v1/checkins/{item['date']}/answers"
        if couple.sam.put(url, json={"answers": answers}).status_code == 200:
            assert couple.alex.put(url, json={"answers": answers}).status_code == 200
            return item["date"]
    raise AssertionError("no date both partners can answer now")


def _alex_checkin_date(couple: Couple) -> str:
    """A date Alex answered (his own local today), so the check-in exists."""
    [item, *_] = couple.alex.get("/api/v1/checkins/today").get_json()["items"]
    answers = {
        q["key"]: (q["min"] if q["type"] == "scale" else None)
        for q in item["questions"]
        if q["required"]
    }
    response = couple.alex.put(
        f"/api/v1/checkins/{item['date']}/answers", json={"answers": answers}
    )
    assert response.status_code == 200, response.get_json()
    return item["date"]


def _bid_to_sam(couple: Couple) -> str:
    response = couple.alex.post("/api/v1/bids", json={"preset": "hug"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _repair(couple: Couple) -> str:
    response = couple.alex.post(
        "/api/v1/repairs", json={"title": "The late train", "role": "apologizing"}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _trust_repair(couple: Couple) -> str:
    """A repair of trust, begun (Alex apologizing, Sam hurt), with a question of Sam's
    and weekly trust check-ins planned: its URL path."""
    from tests.repair.helpers import walk

    response = couple.alex.post(
        "/api/v1/repairs", json={"title": "The messages", "role": "apologizing", "kind": "trust"}
    )
    assert response.status_code == 201, response.get_json()
    repair_id = response.get_json()["id"]
    walk(couple.sam, couple.alex, repair_id, "reflect")
    asked = couple.sam.post(f"/api/v1/repairs/{repair_id}/questions", json={"question": "Why?"})
    assert asked.status_code == 201, asked.get_json()
    planned = couple.sam.put(f"/api/v1/repairs/{repair_id}/trust-checkins", json={"weeks": 4})
    assert planned.status_code == 200, planned.get_json()
    return f"/repairs/{repair_id}"


def _trust_question(couple: Couple) -> str:
    path = _trust_repair(couple)
    question = couple.sam.get(f"/api/v1{path}").get_json()["questions"][0]["id"]
    return f"{path}/questions/{question}/answer"


def _ended_couple(couple: Couple) -> str:
    """The couple, ended by Alex: its shared history may still be erased by either."""
    couple_id = couple.alex.get("/api/v1/couple").get_json()["id"]
    assert couple.alex.delete("/api/v1/couple").status_code == 204
    return f"/account/words/{couple_id}/erase"


def _follow_up(couple: Couple) -> str:
    """A repair walked to its follow-through, and one of its follow-ups."""
    from tests.repair.helpers import walk

    repair_id = _repair(couple)  # Alex apologizing, Sam hurt
    repair = walk(couple.sam, couple.alex, repair_id, "following_through")
    follow_up = repair["commitments"][0]["follow_ups"][0]["id"]
    return f"/repairs/{repair_id}/follow-ups/{follow_up}"


def _alex_kept_words(couple: Couple) -> str:
    response = couple.alex.post("/api/v1/kept", json={"source": "a bid", "text": "not sent"})
    assert response.status_code == 201, response.get_json()
    return f"/kept/{response.get_json()['id']}/remove"


def _alex_journal_entry(couple: Couple) -> str:
    response = couple.alex.post("/api/v1/me/journal", json={"text": "for me alone"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _promise(couple: Couple) -> str:
    """A promise of Alex's for tomorrow by UTC's calendar: today or later on any clock."""
    from couples.clock import utcnow

    day = utcnow().date() + timedelta(days=1)
    response = couple.alex.post(
        "/api/v1/couple/promises", json={"text": "Call at lunch", "day": day.isoformat()}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _plan(couple: Couple) -> str:
    """A plan of Alex's for tomorrow evening by UTC's calendar: still to come anywhere."""
    from couples.clock import utcnow

    day = utcnow().date() + timedelta(days=2)
    response = couple.alex.post(
        "/api/v1/couple/plans", json={"text": "A walk", "day": day.isoformat(), "time": "18:00"}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _alex_passkey(couple: Couple) -> str:
    from tests.softauthn import SoftPasskey

    options = couple.alex.post(
        "/api/v1/me/passkey-options/register", json={"password": PASSWORD}
    ).get_json()
    credential = SoftPasskey(rp_id="localhost", origin="http://localhost").create(options)
    response = couple.alex.post(
        "/api/v1/me/passkeys",
        json={"name": "Alex's phone", "credential": credential},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def _idea(couple: Couple) -> str:
    response = couple.alex.post("/api/v1/couple/ideas", json={"text": "Pottery"})
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


COUPLE_OBJECT_URLS: dict[str, Callable[[Couple], str]] = {
    "kept.remove": _alex_kept_words,
    "grow.answer_plan": lambda couple: f"/grow/together/plans/{_plan(couple)}/answer",
    "grow.withdraw_plan": lambda couple: f"/grow/together/plans/{_plan(couple)}/withdraw",
    "grow.remove_idea": lambda couple: f"/grow/together/ideas/{_idea(couple)}/remove",
    "api_together.one": lambda couple: f"/api/v1/couple/plans/{_plan(couple)}",
    "api_together.withdraw": lambda couple: f"/api/v1/couple/plans/{_plan(couple)}",
    "api_together.answer": lambda couple: f"/api/v1/couple/plans/{_plan(couple)}/answer",
    "api_together.remove_idea": lambda couple: f"/api/v1/couple/ideas/{_idea(couple)}",
    "grow.answer_promise": lambda couple: f"/grow/promises/{_promise(couple)}/answer",
    "grow.take_back_promise": lambda couple: f"/grow/promises/{_promise(couple)}/take-back",
    "api_promises.one": lambda couple: f"/api/v1/couple/promises/{_promise(couple)}",
    "api_promises.take_back": lambda couple: f"/api/v1/couple/promises/{_promise(couple)}",
    "api_promises.answer": lambda couple: f"/api/v1/couple/promises/{_promise(couple)}/answer",
    "grow.entry": lambda couple: f"/grow/journal/{_alex_journal_entry(couple)}",
    "grow.remove": lambda couple: f"/grow/journal/{_alex_journal_entry(couple)}/remove",
    "api_grow.one": lambda couple: f"/api/v1/me/journal/{_alex_journal_entry(couple)}",
    "api_grow.change": lambda couple: f"/api/v1/me/journal/{_alex_journal_entry(couple)}",
    "api_grow.remove": lambda couple: f"/api/v1/me/journal/{_alex_journal_entry(couple)}",
    "api_repairs.get_repair": lambda couple: f"/api/v1/repairs/{_repair(couple)}",
    "api_repairs.take_step": lambda couple: f"/api/v1/repairs/{_repair(couple)}/steps/ready",
    "api_repairs.pause": lambda couple: f"/api/v1/repairs/{_repair(couple)}/pause",
    "api_repairs.resume": lambda couple: f"/api/v1/repairs/{_repair(couple)}/resume",
    "api_repairs.close": lambda couple: f"/api/v1/repairs/{_repair(couple)}/close",
    "api_repairs.answer_follow_up": lambda couple: f"/api/v1{_follow_up(couple)}",
    "repairs.show": lambda couple: f"/repairs/{_repair(couple)}",
    "repairs.history": lambda couple: f"/repairs/{_repair(couple)}/history",
    "repairs.take_step": lambda couple: f"/repairs/{_repair(couple)}/steps/ready",
    "repairs.pause": lambda couple: f"/repairs/{_repair(couple)}/pause",
    "repairs.resume": lambda couple: f"/repairs/{_repair(couple)}/resume",
    "repairs.close": lambda couple: f"/repairs/{_repair(couple)}/close",
    "repairs.follow_up": _follow_up,
    "repairs.ask_question": lambda couple: f"{_trust_repair(couple)}/questions",
    "repairs.answer_question": _trust_question,
    "repairs.plan_trust_checkins": lambda couple: f"{_trust_repair(couple)}/trust-checkins",
    "repairs.answer_trust_checkin": lambda c: f"{_trust_repair(c)}/trust-checkins/1",
    "api_repairs.ask_question": lambda couple: f"/api/v1{_trust_repair(couple)}/questions",
    "api_repairs.answer_question": lambda couple: f"/api/v1{_trust_question(couple)}",
    "api_repairs.plan_trust_checkins": lambda c: f"/api/v1{_trust_repair(c)}/trust-checkins",
    "api_repairs.answer_trust_checkin": lambda c: f"/api/v1{_trust_repair(c)}/trust-checkins/1",
    "api_checkins.get_couple": lambda couple: "/api/v1/couple",
    "api_checkins.patch_couple": lambda couple: "/api/v1/couple",
    "api_checkins.one": lambda couple: f"/api/v1/checkins/{_alex_checkin_date(couple)}",
    "api_checkins.put_answers": lambda couple: (
        f"/api/v1/checkins/{_alex_checkin_date(couple)}/answers"
    ),
    "checkins.day": lambda couple: f"/checkin/{_alex_checkin_date(couple)}",
    "checkins.react": lambda couple: f"/checkin/{_revealed_date(couple)}/react",
    "api_checkins.put_reaction": lambda couple: (
        f"/api/v1/checkins/{_revealed_date(couple)}/reactions/appreciation"
    ),
    "api_checkins.delete_reaction": lambda couple: (
        f"/api/v1/checkins/{_revealed_date(couple)}/reactions/appreciation"
    ),
    "api_connection.respond": lambda couple: f"/api/v1/bids/{_bid_to_sam(couple)}/response",
    "bids.respond": lambda couple: f"/bids/{_bid_to_sam(couple)}/response",
    "api_pairing.unlink": lambda couple: "/api/v1/couple",
    "pairing.erase": _ended_couple,
    "notifications.remove_device": _alex_device,
    "accounts.sign_out_device": lambda c: f"/account/devices/{_alex_session(c)}/sign-out",
    "api_me.sign_out_session": lambda c: f"/api/v1/me/sessions/{_alex_session(c)}",
    "accounts.remove_passkey": lambda c: f"/account/passkeys/{_alex_passkey(c)}/remove",
    "api_passkeys.remove_passkey": lambda c: f"/api/v1/me/passkeys/{_alex_passkey(c)}",
}

# Objects of one partner alone (Alex's): the other partner gets 404 for them too.
PRIVATE_TO_ALEX = {
    "kept.remove",
    "grow.entry",
    "grow.remove",
    "api_grow.one",
    "api_grow.change",
    "api_grow.remove",
    "notifications.remove_device",
    "accounts.sign_out_device",
    "api_me.sign_out_session",
    "accounts.remove_passkey",
    "api_passkeys.remove_passkey",
}

# Routes with arguments that are not objects of a couple, and why.
EXEMPT: dict[str, str] = {
    "static": "a file of the app itself, the same for everyone",
    "accounts.reset": "a password reset token belongs to one account, not to a couple; "
    "an unknown or used token is 410 for anyone",
    "api_auth.password_reset": "a password reset token belongs to one account, not to a "
    "couple; an unknown or used token is 410 for anyone",
    # An invite is meant to be used by a person outside the couple: its whole point is
    # that someone who is not linked yet opens it and accepts it, so an outsider must
    # reach it. Guessing is what its random 10-character code prevents.
    "pairing.join": "an invite is for the person outside the couple, before linking",
    "api_pairing.accept_invite": "an invite is for the person outside the couple, before linking",
}

# The same routes as every test's app: the map does not depend on the database.
_rules_app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
RULES = sorted(_rules_app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint))
RULE_METHODS = [
    (rule, method) for rule in RULES for method in sorted(rule.methods - IMPLICIT_METHODS)
]


def _id(value):
    if isinstance(value, Rule):
        return value.endpoint
    return value if isinstance(value, str) else None


def sample_url(app, rule: Rule) -> str:
    """The rule's URL with a made-up value for each argument."""
    values = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        if isinstance(converter, IntegerConverter):
            values[name] = 1
        elif isinstance(converter, UUIDConverter):
            values[name] = uuid.uuid4()
        else:
            values[name] = "sample-" + name
    return app.url_map.bind("localhost").build(
        rule.endpoint, values, method=sorted(rule.methods)[0]
    )


def url_for_rule(app, rule: Rule, couple: Couple) -> str:
    if rule.endpoint in COUPLE_OBJECT_URLS:
        return COUPLE_OBJECT_URLS[rule.endpoint](couple)
    return sample_url(app, rule)


def send(client: ApiClient, method: str, url: str, *, api: bool):
    """GET as is; an unsafe method with the CSRF token (and an empty JSON object for the
    API, so that only the route's own checks can refuse it)."""
    if method == "GET":
        return client.get(url)
    kwargs = {"json": {}} if api else {}
    return client._unsafe(method, url, **kwargs)


def snapshot(app) -> dict:
    """Every row of every table: what "nothing changed" means."""
    with app.app_context():
        rows = {
            table.name: sorted(map(repr, db.session.execute(select(table)).all()))
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return rows


@pytest.fixture
def couple(app, two_partners):
    alex, sam = two_partners
    return Couple(app=app, alex=alex, sam=sam)


def test_every_route_with_arguments_is_classified():
    with_arguments = {rule.endpoint for rule in RULES if rule.arguments}
    unlisted = sorted(with_arguments - set(COUPLE_OBJECT_URLS) - set(EXEMPT))
    assert not unlisted, (
        "New routes with arguments: add each to COUPLE_OBJECT_URLS (an outsider must get "
        f"404) or to EXEMPT with the reason: {unlisted}"
    )
    assert not set(COUPLE_OBJECT_URLS) & set(EXEMPT)
    assert all(EXEMPT.values())


def test_the_lists_name_only_routes_that_exist():
    endpoints = {rule.endpoint for rule in RULES}
    for listed in (PUBLIC, ANONYMOUS_REDIRECTS, COUPLE_OBJECT_URLS, EXEMPT):
        assert not set(listed) - endpoints, set(listed) - endpoints


@pytest.mark.parametrize(("rule", "method"), RULE_METHODS, ids=_id)
def test_anonymous_callers_are_sent_to_log_in(app, couple, rule, method):
    anonymous = ApiClient(app)
    is_api = rule.rule.startswith("/api/")
    url = url_for_rule(app, rule, couple)
    before = snapshot(app)
    response = send(anonymous, method, url, api=is_api)

    if rule.endpoint in PUBLIC:
        assert response.status_code < 500, response.get_data(as_text=True)
        if is_api:
            assert response.status_code != 401 or (
                response.get_json()["type"] != "/problems/unauthorized"
            )
        elif method == "GET":
            location = urlsplit(response.headers.get("Location", ""))
            assert location.path != "/login", response.headers.get("Location")
        return

    if is_api:
        assert response.status_code == 401, response.get_data(as_text=True)
        assert response.mimetype == PROBLEM
        body = response.get_json()
        assert body["type"] == "/problems/unauthorized" and body["status"] == 401
        assert body["title"] and body["detail"]
    else:
        assert response.status_code in (302, 303), response.status_code
        location = urlsplit(response.headers["Location"])
        assert location.path == ANONYMOUS_REDIRECTS.get(rule.endpoint, "/login")
        if method == "GET" or rule.endpoint in ANONYMOUS_REDIRECTS:
            # Back to where they were going once logged in.
            assert parse_qs(location.query)["next"] == [urlsplit(url).path]
    assert snapshot(app) == before


COUPLE_OBJECT_METHODS = [
    (rule, method) for rule, method in RULE_METHODS if rule.endpoint in COUPLE_OBJECT_URLS
]


@pytest.mark.parametrize(("rule", "method"), COUPLE_OBJECT_METHODS, ids=_id)
def test_an_outsider_gets_404_for_every_object_of_a_couple(app, couple, outsider, rule, method):
    is_api = rule.rule.startswith("/api/")
    url = COUPLE_OBJECT_URLS[rule.endpoint](couple)
    before = snapshot(app)
    response = send(outsider, method, url, api=is_api)
    assert response.status_code == 404, response.get_data(as_text=True)
    if is_api:
        assert response.mimetype == PROBLEM
        assert response.get_json()["status"] == 404
    assert snapshot(app) == before
    # The URL names a real object: a partner does reach it.
    reached = [
        send(partner, "GET" if "GET" in rule.methods else method, url, api=is_api)
        for partner in (couple.alex, couple.sam)
    ]
    assert any(r.status_code != 404 for r in reached), [r.status_code for r in reached]


PRIVATE_METHODS = [
    (rule, method) for rule, method in COUPLE_OBJECT_METHODS if rule.endpoint in PRIVATE_TO_ALEX
]


@pytest.mark.parametrize(("rule", "method"), PRIVATE_METHODS, ids=_id)
def test_the_partner_gets_404_for_what_is_the_other_partners_alone(app, couple, rule, method):
    is_api = rule.rule.startswith("/api/")
    url = COUPLE_OBJECT_URLS[rule.endpoint](couple)
    before = snapshot(app)
    response = send(couple.sam, method, url, api=is_api)
    assert response.status_code == 404, response.get_data(as_text=True)
    assert snapshot(app) == before
    # Alex, whose it is, does reach it.
    reached = send(couple.alex, "GET" if "GET" in rule.methods else method, url, api=is_api)
    assert reached.status_code != 404


def test_the_private_list_names_objects_of_the_walk():
    assert set(COUPLE_OBJECT_URLS) >= PRIVATE_TO_ALEX
