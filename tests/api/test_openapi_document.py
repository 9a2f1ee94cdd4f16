"""The OpenAPI document states the rules the server checks, so a client (and the fuzz test)
knows what is accepted. Each test names one rule that once lived only in a validator."""

import re

import jsonschema_rs
import pytest

from couples import create_app
from couples.clock import known_timezones
from couples.lovelanguages.content import LANGUAGES, QUIZ
from couples.notifications.kinds import USER_KINDS
from tests.conftest import BASE_CONFIG


def document(**config) -> dict:
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://", **config})
    return app.test_client().get("/api/v1/openapi.json").get_json()


@pytest.fixture(scope="module")
def schemas() -> dict:
    return document()["components"]["schemas"]


def body_schema(doc: dict, method: str, path: str) -> dict:
    body = doc["paths"][f"/api/v1{path}"][method]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    return doc["components"]["schemas"][ref.rsplit("/", 1)[1]]


def matches(pattern: str, value: str) -> bool:
    """As a JSON Schema validator reads the pattern (not Python's re)."""
    return jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid(value)


def test_a_time_zone_is_one_the_server_knows(schemas):
    for name in ("Register", "Profile"):
        assert set(schemas[name]["properties"]["timezone"]["enum"]) == known_timezones()


def test_a_ranking_is_all_five_languages_once(schemas):
    ranking = schemas["Ranking"]["properties"]["ranking"]
    assert ranking["minItems"] == ranking["maxItems"] == 5
    assert ranking["uniqueItems"] is True
    assert set(ranking["items"]["enum"]) == set(LANGUAGES)


def test_text_refuses_control_characters_in_the_pattern(schemas):
    one_line = schemas["Register"]["properties"]["display_name"]["pattern"]
    multiline = schemas["AppreciationIn"]["properties"]["text"]["pattern"]
    for pattern in (one_line, multiline, schemas["Login"]["properties"]["email"]["pattern"]):
        assert matches(pattern, "Mira 🌙")
        assert not matches(pattern, "a\x00b") and not matches(pattern, "a\x1bb")
    assert not matches(one_line, "two\nlines")
    assert matches(multiline, "two\nlines\tand a tab")
    assert not matches(multiline, "   ")  # an appreciation says something


def test_notification_kinds_are_the_ones_a_person_can_turn_off(schemas):
    kinds = schemas["Kinds"]
    assert set(kinds["properties"]) == {kind.name for kind in USER_KINDS}
    assert all(p == {"type": "boolean"} for p in kinds["properties"].values())
    assert kinds["additionalProperties"] is False


def test_ids_are_bounded_by_the_integer_columns(schemas):
    pattern = schemas["Read"]["properties"]["ids"]["items"]["pattern"]
    assert matches(pattern, "0") and matches(pattern, str(2**31 - 1))
    assert not matches(pattern, str(2**31)) and not matches(pattern, "007")


def test_a_new_password_has_the_configured_minimum_length():
    doc = document(PASSWORD_MIN_LENGTH=12)
    assert body_schema(doc, "post", "/auth/register")["properties"]["password"]["minLength"] == 12
    change = body_schema(doc, "post", "/me/password")["properties"]
    assert change["new_password"]["minLength"] == 12
    assert change["current_password"]["minLength"] == 1  # any old password may be typed


def test_the_push_endpoint_pattern_is_the_configured_allow_list():
    doc = document(PUSH_ALLOWED_ENDPOINTS=["https://push.example", "https://*.push.test"])
    pattern = body_schema(doc, "post", "/push/subscriptions")["properties"]["endpoint"]["pattern"]
    assert matches(pattern, "https://push.example/send/abc")
    assert matches(pattern, "https://eu-1.push.test/x")
    assert not matches(pattern, "https://push.test/x")
    assert not matches(pattern, "https://fcm.googleapis.com/fcm/send/abc")
    assert not matches(pattern, "https://push.example:8443/x")


def test_either_or_rules_are_stated_on_their_objects(schemas):
    bid = jsonschema_rs.validator_for(schemas["BidIn"])
    assert bid.is_valid({"preset": "hug"}) and bid.is_valid({"text": "a walk?"})
    assert not bid.is_valid({}) and not bid.is_valid({"text": "  "})
    assert not bid.is_valid({"preset": "hug", "noticed": True})
    assert bid.is_valid({"preset": "hug", "noticed": True, "my_response": "toward"})
    assert not bid.is_valid({"preset": "hug", "my_response": "toward"})
    check = jsonschema_rs.validator_for(schemas["ApologyCheckIn"])
    assert check.is_valid({"text": "I am sorry"}) and check.is_valid({"empathy": "It hurt"})
    assert not check.is_valid({}) and not check.is_valid({"text": "x", "empathy": "y"})


def test_the_quiz_answers_every_pair_with_a_or_b(schemas):
    choices = schemas["QuizAnswers"]["properties"]["choices"]
    assert set(choices["required"]) == {pair.key for pair in QUIZ}
    assert all(p["enum"] == ["a", "b"] for p in choices["properties"].values())
    assert choices["additionalProperties"] is False


def test_answers_are_typed_by_their_question(schemas):
    answers = jsonschema_rs.validator_for(schemas["Answers"]["properties"]["answers"])
    assert answers.is_valid({"mood": 3, "needs_help": " a walk\r\n", "custom_12": None})
    assert answers.is_valid({"love_languages_felt": ["time", "words"], "on_my_mind": False})
    assert not answers.is_valid({"mood": 6})
    assert not answers.is_valid({"love_languages_felt": ["time", "time"]})
    assert not answers.is_valid({"needs_help": "a\x00b"})
    assert not answers.is_valid({"needs_help": "x" * 2001})
    assert not answers.is_valid({"made_up": 1})
    assert not answers.is_valid({"custom_2147483648": 1})


def patterns_in(value) -> list[str]:
    if isinstance(value, dict):
        found = [value["pattern"]] if isinstance(value.get("pattern"), str) else []
        return found + [p for v in value.values() for p in patterns_in(v)]
    if isinstance(value, list):
        return [p for v in value for p in patterns_in(v)]
    return []


def test_every_pattern_reads_the_same_in_python(schemas):
    # The server's checks are Python's re; each pattern must mean the same there.
    samples = ["", "a", "Mira 🌙", "a\x00b", "x\ny", "0", "2147483648", "https://a.b/c"]
    found = patterns_in(schemas)
    assert len(found) > 20
    for pattern in found:
        for sample in samples:
            assert bool(re.search(pattern, sample)) == matches(pattern, sample), (pattern, sample)
