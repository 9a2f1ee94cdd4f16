"""What a check-in request may carry: the couple's settings and a partner's answers.
The answers' own rules (per question type) are in rules.check_answers."""

import marshmallow as ma

from couples.checkins import rules
from couples.i18n import N_
from couples.safetycheck import SendAnyway
from couples.validation import ID, ID_PATTERN, Flag, Length, OneOf, Strict, Text

DAY_CHOICES = OneOf(rules.WEEKDAYS, error=N_("Use mon, tue, wed, thu, fri, sat or sun."))


class ScheduleSchema(Strict):
    nightly_days = ma.fields.List(ma.fields.String(validate=DAY_CHOICES), validate=Length(max=7))
    weekly_day = ma.fields.String(validate=DAY_CHOICES, allow_none=True)


class ModulesSchema(Strict):
    needs = Flag()
    appreciation = Flag()
    mood = Flag()
    on_my_mind = Flag()
    help = Flag()
    love_languages = Flag()
    connection = Flag()
    question = Flag()


class CustomQuestionInSchema(Strict):
    # The rules of _shape: a question kept by its id, or a new one of a type; a choice
    # with options, the other types without.
    json_schema = {
        "anyOf": [
            {"required": ["id"]},
            {"required": ["type", "options"], "properties": {"type": {"const": "choice"}}},
            {
                "required": ["type"],
                "properties": {"type": {"enum": [t for t in rules.CUSTOM_TYPES if t != "choice"]}},
                "not": {"required": ["options"]},
            },
        ]
    }

    id = ma.fields.String(validate=ID)
    type = ma.fields.String(
        validate=OneOf(rules.CUSTOM_TYPES, error=N_("Use text, scale or choice."))
    )
    prompt = Text(required=True, min_length=1, max_length=200)
    options = ma.fields.List(
        Text(min_length=1, max_length=60),
        validate=Length(min=2, max=6, error=N_("Give 2 to 6 options.")),
        # _distinct is stricter: "Yes" and " yes" are one option too.
        metadata={"uniqueItems": True},
    )

    @ma.validates_schema
    def _shape(self, data, **kwargs):
        if "id" in data:
            return
        if "type" not in data:
            raise ma.ValidationError(N_("Please choose a type."), "type")
        if data["type"] == "choice" and not data.get("options"):
            raise ma.ValidationError(N_("A choice needs 2 to 6 options."), "options")
        if data["type"] != "choice" and data.get("options"):
            raise ma.ValidationError(N_("Only a choice has options."), "options")

    @ma.validates("options")
    def _distinct(self, value, **kwargs):
        if len({v.strip().casefold() for v in value}) != len(value):
            raise ma.ValidationError(N_("Each option once."))


# The messages above stay English (the API's); the settings page translates them.


class CoupleSettingsSchema(Strict):
    schedule = ma.fields.Nested(ScheduleSchema)
    modules = ma.fields.Nested(ModulesSchema)
    custom_questions = ma.fields.List(
        ma.fields.Nested(CustomQuestionInSchema), validate=Length(max=10)
    )


# A text answer as rules.check_answers takes it: after "\r\n" becomes "\n" and the ends
# lose their spaces, at most TEXT_MAX characters and no control character but tabs and
# line breaks. (Lone surrogates are refused too; see couples.validation.)
_TEXT_BAD = r"\u0000-\u0008\u000b-\u001f\u007f-\u009f"
TEXT_ANSWER = {
    "type": ["string", "null"],
    "pattern": rf"^\s*(?:[^{_TEXT_BAD}]|\r\n){{0,{rules.TEXT_MAX}}}\s*$",
}


def _answer_schema(question: dict) -> dict:
    kind = question["type"]
    if kind == "text":
        return TEXT_ANSWER
    if kind == "scale":
        return {"type": ["integer", "null"], "minimum": question["min"], "maximum": question["max"]}
    if kind == "choice":
        return {"enum": [*question["options"], None]}
    if kind == "multi":
        return {
            "type": ["array", "null"],
            "items": {"enum": list(question["options"])},
            "uniqueItems": True,
        }
    if kind == "yesno":
        return {"type": ["boolean", "null"]}
    raise ValueError(f"unknown question type {kind!r}")


def answers_schema() -> dict:
    """Every answer a check-in can have, by key and question type (null: skipped). Which
    of them a date asks, which are required and a custom question's type and options are
    the couple's and the date's; rules.check_answers holds answers to those."""
    questions = [
        *(q for qs in rules.NIGHTLY_MODULES.values() for q in qs),
        {"key": "question_of_the_day", "type": "text"},
        *rules.WEEKLY_QUESTIONS,
    ]
    custom = rules.custom_question(0, "scale", "")
    return {
        "type": "object",
        "properties": {q["key"]: _answer_schema(q) for q in questions},
        "patternProperties": {
            "^custom_" + ID_PATTERN[1:]: {"anyOf": [TEXT_ANSWER, _answer_schema(custom)]}
        },
        "additionalProperties": False,
    }


class Answers(ma.fields.Dict):
    """A check-in's answers, checked against the date's questions by the service."""

    def openapi_properties(self, config) -> dict:
        return answers_schema()


class AnswersSchema(Strict):
    answers = Answers(
        keys=ma.fields.String(validate=Length(max=80)),
        values=ma.fields.Raw(allow_none=True),
        required=True,
        validate=Length(max=60),
    )
    send_anyway = SendAnyway()


def settings_changes(data: dict, current_modules_off: list[str]) -> dict:
    """The loaded CoupleSettingsSchema as services.update_settings' ``changes``."""
    changes: dict = {}
    schedule = data.get("schedule") or {}
    if "nightly_days" in schedule:
        changes["nightly_days"] = [rules.WEEKDAYS.index(d) for d in schedule["nightly_days"]]
    if "weekly_day" in schedule:
        day = schedule["weekly_day"]
        changes["weekly_day"] = None if day is None else rules.WEEKDAYS.index(day)
    if "modules" in data:
        off = set(current_modules_off)
        for module, on in data["modules"].items():
            (off.discard if on else off.add)(module)
        changes["modules_off"] = sorted(off)
    if "custom_questions" in data:
        changes["custom_questions"] = [
            {**item, "id": int(item["id"])} if "id" in item else item
            for item in data["custom_questions"]
        ]
    return changes


class ReactionSchema(Strict):
    kind = ma.fields.String(
        required=True,
        validate=OneOf(tuple(rules.REACTIONS), error=N_("Use heart, thanks or talk.")),
        metadata={"description": 'A heart, a thank-you, or "let\'s talk about this".'},
    )
