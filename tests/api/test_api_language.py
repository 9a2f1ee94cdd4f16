"""The API answers in the reader's language, as the pages do: the account's choice, else
the browser's best among the offered languages, else English. Its words for reading
(the waiting list, labels, prompts, a problem's title, detail and per-field messages)
change with it; keys, codes, ids and what people wrote never do. Every answer names its
language in Content-Language."""

from datetime import UTC, datetime

import pytest
import time_machine
from flask_babel import force_locale, gettext, ngettext

from couples.lovelanguages import content
from tests.factories import ApiClient, make_couple, make_user

EVENING = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)  # 15:00 New York, 20:00 London
SPANISH = "es-MX,es;q=0.9,en;q=0.5"
ENGLISH = "en-GB,en;q=0.9"


def spanish(app, text: str, **values) -> str:
    """What the Spanish catalogue says for ``text``; it must say something of its own."""
    with app.test_request_context(), force_locale("es"):
        said = gettext(text, **values)
    assert said != (text % values if values else text), f"not in Spanish: {text!r}"
    return said


def spanish_plural(app, one: str, other: str, num: int) -> str:
    with app.test_request_context(), force_locale("es"):
        said = ngettext(one, other, num)
    assert said != other % {"num": num}, f"not in Spanish: {other!r}"
    return said


def reader(app, email: str, accept_language: str) -> ApiClient:
    """A logged-in API client whose browser asks for ``accept_language``."""
    who = ApiClient(app)
    who.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept_language
    return who.login(email)


def linked(app):
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex", timezone="America/New_York")
        sam = make_user(email="sam@example.com", display_name="Sam", timezone="Europe/London")
        make_couple(alex, sam)


@pytest.fixture
def bilingual(make_app):
    """Alex's browser asks for Spanish, Sam's for English; the app offers both. The
    clock stays at one evening."""
    app = make_app(LANGUAGES=["en", "es"], RATELIMIT_ENABLED=False)
    with time_machine.travel(EVENING, tick=False):
        linked(app)
        yield app


def waiting(who) -> tuple[list[dict], str]:
    response = who.get("/api/v1/me/waiting")
    assert response.status_code == 200
    return response.get_json()["items"], response.headers["Content-Language"]


def summary(items: list[dict]) -> list[tuple]:
    return [(i["kind"], i["title"], i["detail"], i["url"]) for i in items]


# ------------------------------------------------------------------------- the waiting list


def test_a_spanish_browser_reads_what_waits_in_spanish_and_an_english_one_in_english(bilingual):
    alex = reader(bilingual, "alex@example.com", SPANISH)
    sam = reader(bilingual, "sam@example.com", ENGLISH)
    assert sam.post("/api/v1/bids", json={"preset": "hug"}).status_code == 201
    assert (
        alex.post("/api/v1/appreciations", json={"text": "Gracias por la sopa."}).status_code == 201
    )

    items, language = waiting(alex)
    assert language == "es"
    hug = spanish(bilingual, "Hug?")
    hours = spanish_plural(bilingual, "%(num)d hour left", "%(num)d hours left", 12)
    assert summary(items) == [("bid", f"Sam: {hug}", hours, "/bids")]

    items, language = waiting(sam)
    assert language == "en"
    assert summary(items) == [
        ("appreciation", "Alex appreciated you", "Read it in your journal.", "/appreciations")
    ]


def test_the_language_chosen_in_the_account_wins_over_the_browsers(bilingual):
    alex = reader(bilingual, "alex@example.com", SPANISH)
    sam = reader(bilingual, "sam@example.com", ENGLISH)
    assert sam.patch("/api/v1/me", json={"language": "es"}).status_code == 200
    assert (
        alex.post("/api/v1/bids", json={"text": "¿Paseamos después de cenar?"}).status_code == 201
    )

    items, language = waiting(sam)
    assert language == "es"
    hours = spanish_plural(bilingual, "%(num)d hour left", "%(num)d hours left", 12)
    # Alex's own words stay as written; only the app's words change.
    assert summary(items) == [("bid", "Alex: ¿Paseamos después de cenar?", hours, "/bids")]


def test_spanish_is_not_answered_where_it_is_not_offered(make_app):
    app = make_app(RATELIMIT_ENABLED=False, LANGUAGES=["en"])
    with time_machine.travel(EVENING, tick=False):
        linked(app)
        alex = reader(app, "alex@example.com", SPANISH)
        sam = reader(app, "sam@example.com", SPANISH)
        sam.post("/api/v1/bids", json={"preset": "hug"})
        items, language = waiting(alex)
        assert language == "en"
        assert summary(items) == [("bid", "Sam: Hug?", "12 hours left", "/bids")]

        labels = alex.get("/api/v1/love-languages")
        assert labels.headers["Content-Language"] == "en"
        assert labels.get_json()["labels"] == content.LANGUAGE_LABELS

        missing = alex.get("/api/v1/no-such-thing")
        assert missing.headers["Content-Language"] == "en"
        assert missing.get_json()["title"] == "Not found"


# --------------------------------------------------------------------------- love languages


def test_love_language_labels_ideas_and_the_quiz_are_in_the_readers_words(bilingual):
    alex = reader(bilingual, "alex@example.com", SPANISH)
    sam = reader(bilingual, "sam@example.com", ENGLISH)

    answer = alex.get("/api/v1/love-languages")
    assert answer.headers["Content-Language"] == "es"
    body = answer.get_json()
    assert body["labels"] == {
        key: spanish(bilingual, label) for key, label in content.LANGUAGE_LABELS.items()
    }
    assert body["ideas"] == {
        key: [spanish(bilingual, idea) for idea in ideas] for key, ideas in content.IDEAS.items()
    }

    quiz = alex.get("/api/v1/love-languages/quiz")
    assert quiz.headers["Content-Language"] == "es"
    quiz = quiz.get_json()
    assert quiz["prompt"] == spanish(bilingual, content.QUIZ_PROMPT)
    assert [(p["key"], p["a"]["language"], p["b"]["language"]) for p in quiz["pairs"]] == [
        (p.key, p.a.language, p.b.language) for p in content.QUIZ
    ]
    first = content.QUIZ[0]
    assert quiz["pairs"][0]["a"]["text"] == spanish(bilingual, first.a.text)

    # English, exactly as it always was.
    english = sam.get("/api/v1/love-languages")
    assert english.headers["Content-Language"] == "en"
    assert english.get_json()["labels"] == content.LANGUAGE_LABELS
    assert english.get_json()["ideas"] == {k: list(v) for k, v in content.IDEAS.items()}
    quiz = sam.get("/api/v1/love-languages/quiz").get_json()
    assert quiz["prompt"] == "Which would mean more to you?"
    assert quiz["pairs"][0]["a"]["text"] == first.a.text


def test_check_in_questions_are_asked_in_the_readers_language_under_the_same_keys(bilingual):
    alex = reader(bilingual, "alex@example.com", SPANISH)
    sam = reader(bilingual, "sam@example.com", ENGLISH)
    mine = alex.get("/api/v1/checkins/today")
    assert mine.headers["Content-Language"] == "es"
    theirs = sam.get("/api/v1/checkins/today").get_json()["items"][0]["questions"]
    questions = mine.get_json()["items"][0]["questions"]

    def shape(question):
        return {k: v for k, v in question.items() if k not in ("prompt", "hint")}

    assert [shape(q) for q in questions] == [shape(q) for q in theirs]
    assert [q["prompt"] for q in questions] == [spanish(bilingual, q["prompt"]) for q in theirs]
    assert theirs[0] == {
        "key": "needs_met",
        "type": "scale",
        "prompt": "Were your needs met today?",
        "required": True,
        "min": 1,
        "max": 5,
    }


# -------------------------------------------------------------------------------- problems


def test_a_refused_body_is_explained_in_the_readers_language_under_the_same_fields(bilingual):
    alex = reader(bilingual, "alex@example.com", SPANISH)
    sam = reader(bilingual, "sam@example.com", ENGLISH)
    body = {"ranking": ["words", "acts"], "surprise": 1}

    refused = alex.put("/api/v1/love-languages", json=body)
    assert refused.status_code == 422
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["Content-Language"] == "es"
    problem = refused.get_json()
    assert problem["type"] == "/problems/validation" and problem["status"] == 422
    assert problem["title"] == spanish(bilingual, "Some answers need another look")
    assert problem["errors"] == {
        "ranking": [spanish(bilingual, "Put all five in order.")],
        "surprise": [spanish(bilingual, "Unknown field.")],
    }

    english = sam.put("/api/v1/love-languages", json=body)
    assert english.headers["Content-Language"] == "en"
    problem = english.get_json()
    assert problem["title"] == "Some answers need another look"
    assert problem["errors"] == {
        "ranking": ["Put all five in order."],
        "surprise": ["Unknown field."],
    }


def test_a_message_made_by_a_validator_is_said_in_the_readers_language(bilingual):
    alex = reader(bilingual, "alex@example.com", SPANISH)
    refused = alex.put("/api/v1/love-languages", json={"ranking": ["words"] * 4 + ["hugs"]})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {
        "ranking.4": [spanish(bilingual, "Use words, acts, gifts, time or touch.")]
    }


def test_not_found_is_said_in_the_readers_language(bilingual):
    alex = reader(bilingual, "alex@example.com", SPANISH)
    sam = reader(bilingual, "sam@example.com", ENGLISH)

    missing = alex.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["Content-Language"] == "es"
    problem = missing.get_json()
    assert problem["type"] == "/problems/not-found"
    assert problem["title"] == spanish(bilingual, "Not found")
    assert problem["detail"] == spanish(
        bilingual, "There is nothing here. The link may be old, or mistyped."
    )

    no_checkin = alex.get("/api/v1/checkins/2026-02-30").get_json()
    assert no_checkin["title"] == spanish(bilingual, "Not found")
    assert no_checkin["detail"] == spanish(bilingual, "There is no check-in for that date.")

    english = sam.get("/api/v1/no-such-thing")
    assert english.headers["Content-Language"] == "en"
    assert english.get_json()["title"] == "Not found"
    assert sam.get("/api/v1/checkins/2026-02-30").get_json()["detail"] == (
        "There is no check-in for that date."
    )


def test_the_help_before_sending_is_in_the_readers_language_with_the_same_numbers(bilingual):
    alex = reader(bilingual, "alex@example.com", SPANISH)
    sam = reader(bilingual, "sam@example.com", ENGLISH)
    words = {"text": "you blocked the door so I couldn't leave"}

    mine = alex.post("/api/v1/appreciations", json=words)
    theirs = sam.post("/api/v1/appreciations", json=words)
    assert mine.status_code == theirs.status_code == 409
    assert mine.headers["Content-Language"] == "es"
    mine, theirs = mine.get_json(), theirs.get_json()
    assert mine["type"] == theirs["type"] == "/problems/safety-check"
    assert mine["fields"] == theirs["fields"]
    assert mine["title"] == spanish(bilingual, theirs["title"])
    assert mine["resources"]["title"] == spanish(bilingual, theirs["resources"]["title"])
    assert mine["resources"]["note"] == spanish(bilingual, theirs["resources"]["note"])
    for section, english in zip(
        mine["resources"]["sections"], theirs["resources"]["sections"], strict=True
    ):
        assert section["title"] == spanish(bilingual, english["title"])
        assert [line["number"] for line in section["lines"]] == [
            line["number"] for line in english["lines"]
        ]
    assert mine["resources"]["quick_exit"] == theirs["resources"]["quick_exit"]


def test_the_openapi_document_is_for_developers_and_stays_english(bilingual):
    document = bilingual.test_client().get(
        "/api/v1/openapi.json", headers={"Accept-Language": SPANISH}
    )
    assert document.status_code == 200
    assert document.headers["Content-Language"] == "en"
    assert document.get_json()["info"]["description"] == (
        "Check-ins, appreciations and repair for two partners."
    )


def test_an_answer_without_words_names_the_language_the_account_chose(bilingual):
    alex = reader(bilingual, "alex@example.com", ENGLISH)
    assert alex.patch("/api/v1/me", json={"language": "es"}).status_code == 200
    journal = alex.get("/api/v1/me/journal")
    assert journal.status_code == 200 and journal.headers["Content-Language"] == "es"
    assert alex.patch("/api/v1/me", json={"language": None}).status_code == 200
    assert alex.get("/api/v1/me/journal").headers["Content-Language"] == "en"
