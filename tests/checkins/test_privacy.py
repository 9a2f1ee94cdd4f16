"""The privacy rule, hunted hard: a partner's check-in answers are never visible before
the other has answered the same date, in no page, API response, export, count or push.

Alex answers a weekly check-in with a unique marker in every text field (a custom text
question included) and distinctive scores and choices. Sam, who has not answered that
date, then requests every GET route of the app (found by walking ``app.url_map``), fails
to submit in both the API and the form, reads the inbox and the export, and receives
real, decrypted push messages: no marker, no answer, no count of Alex's answers shows
anywhere. Once Sam answers, the markers do show (so these tests can fail). Outsiders
never see them, and after unlinking neither partner sees the other's answers."""

import json
import uuid
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from werkzeug.routing.converters import IntegerConverter, UUIDConverter

from couples.extensions import db
from couples.notifications import worker
from couples.notifications.models import Notification
from tests.factories import PASSWORD, ApiClient, make_couple, make_user, post_form

LINKED = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
SUNDAY = date(2026, 11, 22)  # a weekly check-in in the default schedule
# 15:00 in New York (Alex), 20:00 in London (Sam): Sunday the 22nd for both, and outside
# Sam's quiet hours, so a push goes out at once.
EVENING = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)
NEXT_NOON = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # Sunday closed in London and Paris

TEXT_KEYS = (
    "needs_help",
    "appreciation",
    "felt_seen",
    "on_my_mind_text",
    "question_of_the_day",
    "week_went_well",
    "week_appreciations",
    "week_talk_about",
    "week_more_for_you",
    "week_together",
)
# The keys every answers object has (both required): a dict holding one is someone's
# answers.
ANSWER_MARKS = {"needs_met", "week_needs_met"}
CUSTOM = [
    {"type": "text", "prompt": "A word for our week"},
    {"type": "scale", "prompt": "How playful were we?"},
    {"type": "choice", "prompt": "Tea or coffee?", "options": ["Tea", "Coffee"]},
]


# ------------------------------------------------------------------------------ the world
@pytest.fixture
def world(make_app, push_settings, fake_push):
    """An app that pushes to the fake push service, with logins at any instant."""
    app = make_app(RATELIMIT_ENABLED=False, **push_settings)

    def person(email, name, tz):
        with time_machine.travel(LINKED, tick=False), app.app_context():
            return make_user(email=email, display_name=name, timezone=tz).id

    def link(first, second, when=LINKED):
        from couples.accounts.models import User

        with time_machine.travel(when, tick=False), app.app_context():
            make_couple(
                db.session.execute(db.select(User).filter_by(email=first)).scalar_one(),
                db.session.execute(db.select(User).filter_by(email=second)).scalar_one(),
                now=when,
            )

    @contextmanager
    def at(instant):
        with time_machine.travel(instant, tick=False):
            yield

    def login(email):
        return ApiClient(app).login(email)

    def device(client):
        info = fake_push.subscribe()
        response = client.post("/api/v1/push/subscriptions", json=info)
        assert response.status_code == 201, response.get_json()
        return info["endpoint"]

    def deliver():
        result = worker.run_once(app)
        assert fake_push.rejected == [], fake_push.rejected
        return result

    def pushes(endpoint):
        return fake_push.for_endpoint(endpoint)

    return SimpleNamespace(
        app=app,
        person=person,
        link=link,
        at=at,
        login=login,
        device=device,
        deliver=deliver,
        pushes=pushes,
    )


def alex_and_sam(world):
    world.person("alex@example.com", "Alex", "America/New_York")
    world.person("sam@example.com", "Sam", "Europe/London")
    world.link("alex@example.com", "sam@example.com")


def marks(prefix: str, keys) -> dict[str, str]:
    """A unique marker per text field: ``prefix`` and a uuid."""
    return {key: f"{prefix}{uuid.uuid4().hex}" for key in keys}


def add_custom_questions(client) -> dict[str, str]:
    """The couple's own questions: {type: answer key}."""
    response = client.patch("/api/v1/couple", json={"custom_questions": CUSTOM})
    assert response.status_code == 200, response.get_json()
    return {q["type"]: q["key"] for q in response.get_json()["custom_questions"]}


def full_answers(
    text: dict[str, str],
    custom: dict[str, str],
    *,
    scores=(1, 2, 9, 5),
    choices=("gifts", "rarely", "Coffee"),
) -> dict:
    """Every question of the weekly check-in answered: the texts are ``text`` markers."""
    needs, mood, week, custom_scale = scores
    wish, turned, drink = choices
    return {
        **{key: text[key] for key in TEXT_KEYS},
        custom["text"]: text[custom["text"]],
        custom["scale"]: custom_scale,
        custom["choice"]: drink,
        "needs_met": needs,
        "mood": mood,
        "week_needs_met": week,
        "love_languages_felt": ["gifts", "touch"],
        "love_language_wish": wish,
        "turned_toward": turned,
        "on_my_mind": True,
    }


def put(client, day, answers):
    return client.put(f"/api/v1/checkins/{day.isoformat()}/answers", json={"answers": answers})


# --------------------------------------------------------------------------- the walk
def _argument_values(rule, days: list[date]) -> list[dict]:
    """Sensible values for a rule's path arguments: the dates around the check-in for a
    date, small ids for an id, a made-up word for anything else."""
    options: dict[str, list] = {}
    for name in rule.arguments:
        converter = rule._converters.get(name)
        if name == "day":
            options[name] = [d.isoformat() for d in days] + ["not-a-date"]
        elif isinstance(converter, IntegerConverter):
            options[name] = [1, 2, 3]
        elif isinstance(converter, UUIDConverter):
            options[name] = [uuid.uuid4()]
        else:
            options[name] = ["sample", "1"]
    combos = [{}]
    for name, values in options.items():
        combos = [{**combo, name: value} for combo in combos for value in values]
    return combos


def get_urls(app, days: list[date]) -> list[str]:
    """Every GET URL of the app for these dates, with the query variants pages and lists
    take (edit mode, history cursors, page sizes)."""
    adapter = app.url_map.bind("localhost")
    urls: list[str] = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue  # static: the app's own files, the same for everyone
        for values in _argument_values(rule, days):
            urls.append(adapter.build(rule.endpoint, values, method="GET"))
    after = (max(days) + timedelta(days=1)).isoformat()
    urls += [
        f"/checkins?before={after}",
        f"/checkins?before={days[0].isoformat()}",
        f"/api/v1/checkins?cursor={after}&limit=100",
        "/api/v1/checkins?limit=1",
        "/api/v1/notifications?limit=100",
        "/api/v1/notifications?cursor=999999",
        "/api/v1/insights?days=7",
        "/api/v1/insights?days=90",
        "/insights?days=7",
        "/insights?days=90",
    ]
    urls += [url + ("&" if "?" in url else "?") + "edit=1" for url in list(urls)]
    return urls


# The exports are read with a POST (they ask for the password): the walk reads them too.
EXPORTS = ("POST /api/v1/me/export", "POST /account/export")


def walk(client, urls: list[str], *, exports: bool = True) -> dict[str, SimpleNamespace]:
    """GET every URL (redirects not followed), then both exports: {url: status, headers,
    body}."""
    seen = {}
    for url in [*urls, *(EXPORTS if exports else ())]:
        if url == EXPORTS[0]:
            response = client.export()
        elif url == EXPORTS[1]:
            response = post_form(client, "/account/export", {"password": PASSWORD})
        else:
            response = client.get(url)
        assert response.status_code < 500, (
            url,
            response.status_code,
            response.get_data(as_text=True)[:2000],
        )
        headers = [(k, v) for k, v in response.headers.items() if k.lower() != "set-cookie"]
        seen[url] = SimpleNamespace(
            status=response.status_code,
            headers=headers,
            body=response.get_data(as_text=True),
            mimetype=response.mimetype,
        )
    return seen


def _answer_dicts(value, path="$"):
    """Paths of the answers objects (a score under an answer key) and of the
    ``partner_answers`` keys inside JSON."""
    if isinstance(value, dict):
        if "partner_answers" in value:
            yield f"{path}.partner_answers"
        if any(isinstance(value.get(key), int | None) for key in ANSWER_MARKS & value.keys()):
            yield path
        for key, item in value.items():
            yield from _answer_dicts(item, f"{path}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _answer_dicts(item, f"{path}[{index}]")


def leaks(seen: dict[str, SimpleNamespace], hidden: dict[str, str]) -> list[str]:
    """Where any of ``hidden`` (or its first 12 characters: a shortened preview) shows, in
    a body or a header."""
    found = []
    for url, response in seen.items():
        texts = [response.body] + [f"{k}: {v}" for k, v in response.headers]
        for key, marker in hidden.items():
            for needle in (marker, marker[-12:], marker[:12]):
                if any(needle in text for text in texts):
                    found.append(f"{url}: {key}")
                    break
    return found


def structural_leaks(seen: dict[str, SimpleNamespace], *, own_answers: bool = False) -> list[str]:
    """JSON responses holding anyone's answers (the OpenAPI document describes the
    fields, it holds no answers). With ``own_answers`` the caller has answers of their
    own: those (``my_answers``, and ``answers`` in the export) are allowed, a
    ``partner_answers`` never is."""
    found = []
    for url, response in seen.items():
        if response.mimetype not in ("application/json", "application/problem+json"):
            continue
        if url.startswith("/api/v1/openapi.json"):
            continue
        for path in _answer_dicts(json.loads(response.body)):
            if own_answers and path.endswith((".my_answers", "].answers")):
                continue
            found.append(f"{url}: {path}")
    return found


def partner_series(seen: dict[str, SimpleNamespace]) -> dict[str, list]:
    """What the insights show of the partner: {url: every partner value}."""
    shown = {}
    for url, response in seen.items():
        if url.startswith("/api/v1/insights") and response.status == 200:
            data = json.loads(response.body)
            shown[url] = [
                value
                for name in ("needs_met", "mood")
                for value in data[name]["partner"]
                if value is not None
            ]
            shown[url] += [
                count
                for name in ("love_languages_felt", "turned_toward_checkins")
                for count in (data[name].get("partner") or {}).values()
                if count
            ]
    return shown


def assert_nothing_of(seen, hidden: dict[str, str], *, own_answers: bool = False) -> None:
    assert not leaks(seen, hidden)
    assert not structural_leaks(seen, own_answers=own_answers)


# ------------------------------------------------------------------------------ tests
def test_alex_answers_show_nowhere_for_sam_until_sam_answers(world):
    alex_and_sam(world)
    with world.at(EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        sam_phone, alex_phone = world.device(sam), world.device(alex)
        custom = add_custom_questions(alex)
        alex_text = marks("alex", [*TEXT_KEYS, custom["text"]])
        answers = full_answers(alex_text, custom)
        response = put(alex, SUNDAY, answers)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["my_answers"] == answers  # Alex sees her own
        assert response.get_json()["kind"] == "weekly"

        # Sam's own failed submissions echo nothing of Alex's.
        refused = put(sam, SUNDAY, {"needs_met": 9, "mood": 1})
        assert refused.status_code == 422
        # On another of Sam's devices: a refused form is kept for the browser that sent
        # it, and the walk below looks at a page with nothing of Sam's kept on it.
        other = world.login("sam@example.com")
        form = other.client.post(
            f"/checkin/{SUNDAY}", data={"csrf_token": other.csrf(), "mood": "3"}
        )
        assert form.status_code == 303  # back to the page, which shows what Sam wrote
        form = other.client.get(form.headers["Location"])
        assert form.status_code == 200
        failed = {
            name: SimpleNamespace(
                status=r.status_code,
                body=r.get_data(as_text=True),
                headers=list(r.headers.items()),
                mimetype=r.mimetype,
            )
            for name, r in (("PUT 422", refused), ("POST form 422", form))
        }
        assert_nothing_of(failed, alex_text)
        assert failed["POST form 422"].body.count(" checked") == 1  # Sam's own mood

        days = [SUNDAY - timedelta(days=1), SUNDAY, SUNDAY + timedelta(days=1)]
        urls = get_urls(world.app, days)
        first = walk(sam, urls)
        assert_nothing_of(first, alex_text)
        # The walk did reach Sam's check-in, the inbox and the export.
        item = json.loads(first[f"/api/v1/checkins/{SUNDAY}"].body)
        assert item["partner_answered"] is True and item["my_answers"] is None
        assert "partner_answers" not in item and item["revealed"] is False
        assert first[f"/checkin/{SUNDAY}"].status == 200
        assert "Alex has answered" in first[f"/checkin/{SUNDAY}"].body
        assert " checked" not in first[f"/checkin/{SUNDAY}"].body  # no answer pre-filled
        assert 'class="reveal' not in first[f"/checkin/{SUNDAY}"].body
        inbox = json.loads(first["/api/v1/notifications"].body)["items"]
        assert [n["kind"] for n in inbox] == ["partner_checked_in"]
        series = partner_series(first)
        assert len(series) >= 3 and not any(series.values()), series  # nothing counted
        export = json.loads(first["POST /api/v1/me/export"].body)
        assert export["checkins"]["checkins"] == []
        assert json.loads(first["POST /account/export"].body) == export

        # No count and no score: what Sam gets is the same whether Alex answered every
        # question or only the required ones, and whatever her scores.
        response = put(alex, SUNDAY, {"needs_met": 5, "mood": 5, "week_needs_met": 1})
        assert response.status_code == 200, response.get_json()
        assert walk(sam, urls) == first
        other = full_answers(
            alex_text, custom, scores=(4, 5, 2, 1), choices=("time", "mostly", "Tea")
        )
        assert put(alex, SUNDAY, other).status_code == 200
        assert walk(sam, urls) == first
        assert put(alex, SUNDAY, answers).status_code == 200
        assert walk(sam, urls) == first
        world.deliver()

    with world.at(EVENING + timedelta(minutes=65)):  # Sam's 21:00 weekly reminder is due
        world.deliver()
        received = world.pushes(sam_phone)
        kinds = sorted(r.message["notification"]["data"]["kind"] for r in received)
        assert kinds.count("partner_checked_in") == 1  # one, however many edits
        assert "weekly_checkin" in kinds
        pushed = {
            f"push {n}": SimpleNamespace(
                body=r.plaintext.decode(), headers=list(r.headers.items()), mimetype="text/plain"
            )
            for n, r in enumerate(received)
        }
        assert not leaks(pushed, alex_text)
        for r in received:
            text = json.dumps(r.message["notification"])
            assert "Coffee" not in text and "gifts" not in text.lower()

        # Sam answers: now each sees the other's answers (the markers can be found).
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        sam_text = marks("sam", [*TEXT_KEYS, custom["text"]])
        response = put(sam, SUNDAY, full_answers(sam_text, custom, scores=(3, 3, 6, 2)))
        assert response.status_code == 200, response.get_json()
        revealed = response.get_json()
        assert revealed["revealed"] is True and revealed["partner_answers"] == answers
        for client, theirs in ((sam, alex_text), (alex, sam_text)):
            shown = walk(
                client,
                [
                    f"/api/v1/checkins/{SUNDAY}",
                    f"/checkin/{SUNDAY}",
                    "/checkins",
                    "/api/v1/checkins",
                ],
                exports=False,
            )
            for url, response in shown.items():
                missing = [key for key, marker in theirs.items() if marker not in response.body]
                assert not missing, (url, missing)
        # Now the insights count it: Alex's scores show as Sam's partner's.
        series = sam.get("/api/v1/insights?days=7").get_json()
        assert 1 in series["needs_met"]["partner"] and 2 in series["mood"]["partner"]
        # An export holds only one's own answers, even once revealed.
        sam_export = sam.export().get_data(as_text=True)
        assert all(m in sam_export for m in sam_text.values())
        assert not any(m in sam_export for m in alex_text.values())

        world.deliver()
        told = [r.message["notification"]["data"]["kind"] for r in world.pushes(alex_phone)]
        assert told.count("partner_checked_in") == 1
        for endpoint, theirs in ((alex_phone, sam_text), (sam_phone, alex_text)):
            pushed = {
                f"push {n}": SimpleNamespace(
                    body=r.plaintext.decode(),
                    headers=list(r.headers.items()),
                    mimetype="text/plain",
                )
                for n, r in enumerate(world.pushes(endpoint))
            }
            assert not leaks(pushed, theirs)
    with world.app.app_context():
        counts = db.session.execute(
            db.select(Notification.user_id, db.func.count())
            .where(Notification.kind == "partner_checked_in")
            .group_by(Notification.user_id)
        ).all()
        assert sorted(count for _, count in counts) == [1, 1]


def test_outsiders_never_see_the_couples_answers(world):
    alex_and_sam(world)
    world.person("olive@example.com", "Olive", "UTC")  # in no couple
    world.person("pat@example.com", "Pat", "Europe/London")  # in another couple
    world.person("quinn@example.com", "Quinn", "Europe/Paris")
    world.link("pat@example.com", "quinn@example.com")
    with world.at(EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        custom = add_custom_questions(alex)
        alex_text = marks("alex", [*TEXT_KEYS, custom["text"]])
        sam_text = marks("sam", [*TEXT_KEYS, custom["text"]])
        assert put(alex, SUNDAY, full_answers(alex_text, custom)).status_code == 200
        hidden = {**alex_text, **{f"sam {k}": v for k, v in sam_text.items()}}
        days = [SUNDAY - timedelta(days=1), SUNDAY]
        urls = get_urls(world.app, days)
        olive, pat = world.login("olive@example.com"), world.login("pat@example.com")
        for outsider in (olive, pat):
            assert_nothing_of(walk(outsider, urls), hidden)
        assert put(sam, SUNDAY, full_answers(sam_text, custom)).json["revealed"] is True
        for outsider in (olive, pat):
            assert_nothing_of(walk(outsider, urls), hidden)
        for url in (
            f"/checkin/{SUNDAY}",
            f"/api/v1/checkins/{SUNDAY}",
            "/api/v1/checkins",
            "/checkins",
            "/api/v1/checkins/today",
            f"/checkin/{SUNDAY}?edit=1",
        ):
            assert olive.get(url).status_code == 404, url
        # Pat's own Sunday is open for Pat: Pat's couple's, empty, not Alex and Sam's.
        own = pat.get(f"/api/v1/checkins/{SUNDAY}").get_json()
        assert own["partner_answered"] is False and own["my_answers"] is None
        assert pat.get("/api/v1/checkins").get_json()["items"] == []
    with world.at(NEXT_NOON):  # the Sunday is closed for everyone; only the couple has it
        olive, pat = world.login("olive@example.com"), world.login("pat@example.com")
        alex = world.login("alex@example.com")
        assert [i["date"] for i in alex.get("/api/v1/checkins").get_json()["items"]] == [
            SUNDAY.isoformat()
        ]
        for outsider in (olive, pat):
            for url in (f"/checkin/{SUNDAY}", f"/api/v1/checkins/{SUNDAY}"):
                assert outsider.get(url).status_code == 404, url
            assert_nothing_of(walk(outsider, get_urls(world.app, days)), hidden)
        for url in ("/api/v1/checkins", "/checkins"):
            assert olive.get(url).status_code == 404, url


def _history_is_gone(client) -> None:
    """Not linked any more: no history of the couple (404, or an empty list)."""
    for url in ("/api/v1/checkins", "/checkins"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        if response.status_code == 200 and url.startswith("/api/"):
            assert response.get_json()["items"] == []
    assert client.get(f"/api/v1/checkins/{SUNDAY}").status_code == 404
    assert client.get(f"/checkin/{SUNDAY}").status_code == 404


def test_after_unlinking_neither_sees_the_others_answers(world):
    alex_and_sam(world)
    world.person("pat@example.com", "Pat", "Europe/London")
    monday = SUNDAY + timedelta(days=1)
    with world.at(EVENING):
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        custom = add_custom_questions(alex)
        alex_text = marks("alex", [*TEXT_KEYS, custom["text"]])
        sam_text = marks("sam", [*TEXT_KEYS, custom["text"]])
        assert put(alex, SUNDAY, full_answers(alex_text, custom)).status_code == 200
        assert put(sam, SUNDAY, full_answers(sam_text, custom)).json["revealed"] is True
    with world.at(EVENING + timedelta(days=1)):  # Monday: Alex answers, Sam has not
        alex, sam = world.login("alex@example.com"), world.login("sam@example.com")
        alex_monday = marks("alexmonday", ("needs_help", "felt_seen"))
        response = put(alex, monday, {"needs_met": 2, "mood": 2, **alex_monday})
        assert response.status_code == 200, response.get_json()
        assert sam.delete("/api/v1/couple").status_code == 204
        assert sam.delete("/api/v1/couple").status_code == 404
        alex_all = {**alex_text, **alex_monday}
        urls = get_urls(world.app, [SUNDAY, monday])
        for client, own, theirs in ((alex, alex_all, sam_text), (sam, sam_text, alex_all)):
            _history_is_gone(client)
            seen = walk(client, urls)
            assert not leaks(seen, theirs)
            for url in EXPORTS:
                body = seen[url].body
                missing = [key for key, marker in own.items() if marker not in body]
                assert not missing, (url, missing)  # each keeps an export of their own
        assert (
            sam.put(
                f"/api/v1/checkins/{monday}/answers", json={"answers": {"needs_met": 3, "mood": 3}}
            ).status_code
            == 404
        )

        # Alex links with someone new: her old couple's answers stay behind, both ways.
        world.link("alex@example.com", "pat@example.com", when=EVENING + timedelta(days=1))
        alex, pat = world.login("alex@example.com"), world.login("pat@example.com")
        assert alex.get("/api/v1/checkins").get_json()["items"] == []
        assert pat.get("/api/v1/checkins").get_json()["items"] == []
        mine = alex.get(f"/api/v1/checkins/{monday}").get_json()
        assert mine["my_answers"] is None
        response = put(pat, monday, {"needs_met": 4, "mood": 4})
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["partner_answered"] is False
        assert response.get_json()["revealed"] is False
        assert "partner_answers" not in response.get_json()
        assert_nothing_of(
            walk(pat, urls),
            {**alex_all, **{f"sam {k}": v for k, v in sam_text.items()}},
            own_answers=True,
        )
        assert not leaks(walk(alex, urls), sam_text)
