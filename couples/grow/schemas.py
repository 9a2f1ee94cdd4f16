import marshmallow as ma

from couples.grow.selfcheck import KEYS, TRIED
from couples.validation import Flag, Strict, Text

ENTRY_MAX = 10000


class EntryInSchema(Strict):
    text = Text(
        required=True,
        min_length=1,
        max_length=ENTRY_MAX,
        multiline=True,
        blank="Write a few words, or as many as you like.",
    )
    # The prompt it answers (GET /api/v1/me/journal-prompt); none for free writing.
    prompt_key = ma.fields.String(validate=ma.validate.Length(max=40), allow_none=True)
    # A good memory of the two of us; by default, what the prompt is about.
    memory = Flag(allow_none=True)


class EntryChangeSchema(Strict):
    text = Text(
        min_length=1,
        max_length=ENTRY_MAX,
        multiline=True,
        blank="Write a few words, or as many as you like.",
    )
    memory = Flag()


class SelfCheckInSchema(Strict):
    # Statement key -> 1 (not like me) .. 5 (very like me), every statement answered.
    answers = ma.fields.Dict(
        keys=ma.fields.String(validate=ma.validate.OneOf(KEYS)),
        values=ma.fields.Integer(strict=True, validate=ma.validate.Range(min=1, max=5)),
        required=True,
    )

    @ma.validates_schema
    def _all_answered(self, data, **kwargs):
        missing = [k for k in KEYS if k not in data.get("answers", {})]
        if missing:
            raise ma.ValidationError(
                {f"answers.{k}": ["Choose how much this is like you."] for k in missing}
            )


class ShareInSchema(Strict):
    shared = Flag(required=True)


class TriedInSchema(Strict):
    tried = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(TRIED, error="Choose yes, partly or not yet."),
    )
