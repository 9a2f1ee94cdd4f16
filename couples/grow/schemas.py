import marshmallow as ma

from couples.grow.selfcheck import KEYS, TRIED
from couples.i18n import N_
from couples.safetycheck import SendAnyway
from couples.validation import Flag, Length, OneOf, Range, Strict, Text, WholeNumber

ENTRY_MAX = 10000


class EntryInSchema(Strict):
    text = Text(
        required=True,
        min_length=1,
        max_length=ENTRY_MAX,
        multiline=True,
        blank=N_("Write a few words, or as many as you like."),
    )
    # The prompt it answers (GET /api/v1/me/journal-prompt); none for free writing.
    prompt_key = ma.fields.String(validate=Length(max=40), allow_none=True)
    # A good memory of the two of us; by default, what the prompt is about.
    memory = Flag(allow_none=True)


class EntryChangeSchema(Strict):
    text = Text(
        min_length=1,
        max_length=ENTRY_MAX,
        multiline=True,
        blank=N_("Write a few words, or as many as you like."),
    )
    memory = Flag()


# Statement key -> 1 (not like me) .. 5 (very like me), every statement answered.
SelfCheckAnswers = Strict.from_dict(
    {
        key: WholeNumber(
            required=True,
            validate=Range(min=1, max=5),
            error_messages={"required": N_("Choose how much this is like you.")},
        )
        for key in KEYS
    },
    name="SelfCheckAnswers",
)


class SelfCheckInSchema(Strict):
    answers = ma.fields.Nested(SelfCheckAnswers, required=True)


class ShareInSchema(Strict):
    shared = Flag(required=True)


class TriedInSchema(Strict):
    tried = ma.fields.String(
        required=True,
        validate=OneOf(TRIED, error=N_("Choose yes, partly or not yet.")),
    )


class GoalInSchema(Strict):
    goal = Text(
        required=True, min_length=1, max_length=300, blank=N_("Write your goal in a few words.")
    )
    # How my partner can back me (optional).
    support = Text(max_length=300, allow_none=True)
    shared = Flag(load_default=False)


class PromiseInSchema(Strict):
    text = Text(
        required=True,
        min_length=1,
        max_length=200,
        blank=N_("Say what you promise, in a few words."),
    )
    day = ma.fields.Date(
        required=True,
        error_messages={"required": N_("Choose the day."), "invalid": N_("Choose the day.")},
        metadata={"description": "The promise's day, on my calendar (YYYY-MM-DD)"},
    )
    send_anyway = SendAnyway()


class TogetherPlanInSchema(Strict):
    text = Text(
        required=True,
        min_length=1,
        max_length=200,
        blank=N_("Say what you'd like to do, in a few words."),
    )
    day = ma.fields.Date(
        required=True,
        error_messages={"required": N_("Choose the day."), "invalid": N_("Choose the day.")},
        metadata={"description": "On my calendar (YYYY-MM-DD)"},
    )
    time = ma.fields.String(
        required=True,
        # The length too: Python's $ also matches before a final line break.
        validate=[
            ma.validate.Regexp(r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error=N_("Choose the time.")),
            Length(equal=5, error=N_("Choose the time.")),
        ],
        error_messages={"required": N_("Choose the time.")},
        metadata={"description": "On my clock (HH:MM, 24-hour)"},
    )
    send_anyway = SendAnyway()


class TogetherAnswerInSchema(Strict):
    answer = ma.fields.String(
        required=True,
        validate=OneOf(["yes", "another_time"], error=N_("Choose yes or another time.")),
    )
    note = Text(max_length=300, allow_none=True)
    send_anyway = SendAnyway()


class IdeaInSchema(Strict):
    text = Text(
        required=True,
        min_length=1,
        max_length=200,
        blank=N_("Write the idea in a few words."),
    )
