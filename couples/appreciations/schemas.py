import marshmallow as ma

from couples.i18n import N_
from couples.lovelanguages.content import LANGUAGES
from couples.safetycheck import SendAnyway
from couples.validation import OneOf, Strict, Text


class AppreciationInSchema(Strict):
    text = Text(
        required=True, min_length=1, max_length=500, multiline=True, blank=N_("Write a few words.")
    )
    language = ma.fields.String(validate=OneOf(LANGUAGES), allow_none=True)
    send_anyway = SendAnyway()
