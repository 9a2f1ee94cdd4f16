import marshmallow as ma

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
