import marshmallow as ma

from couples.lovelanguages.content import LANGUAGES
from couples.safetycheck import SendAnyway
from couples.validation import Strict, Text


class AppreciationInSchema(Strict):
    text = Text(required=True, min_length=1, max_length=500, multiline=True)
    language = ma.fields.String(validate=ma.validate.OneOf(LANGUAGES), allow_none=True)
    send_anyway = SendAnyway()

    @ma.validates("text")
    def _words(self, value, **kwargs):
        if not value.strip():
            raise ma.ValidationError("Write a few words.")
