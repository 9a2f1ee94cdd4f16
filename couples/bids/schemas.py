import marshmallow as ma
from flask_babel import gettext as _

from couples.bids.services import RESPONSES
from couples.lovelanguages.content import BID_PRESETS
from couples.safetycheck import SendAnyway
from couples.validation import Flag, OneOf, Strict, Text


class BidInSchema(Strict):
    # The rules of _shape: a preset or words that are not only spaces; how I responded to
    # a bid noticed in person, and only to one.
    json_schema = {
        "allOf": [
            {
                "anyOf": [
                    {"required": ["preset"], "properties": {"preset": {"type": "string"}}},
                    {
                        "required": ["text"],
                        "properties": {"text": {"type": "string", "pattern": r"\S"}},
                    },
                ]
            },
            {
                "anyOf": [
                    {
                        "required": ["noticed", "my_response"],
                        "properties": {"noticed": {"const": True}},
                    },
                    {
                        "properties": {"noticed": {"const": False}},
                        "not": {"required": ["my_response"]},
                    },
                ]
            },
        ]
    }

    preset = ma.fields.String(validate=OneOf(list(BID_PRESETS)), allow_none=True)
    text = Text(max_length=280, allow_none=True)
    noticed = Flag(load_default=False)
    my_response = ma.fields.String(validate=OneOf(RESPONSES))
    send_anyway = SendAnyway()

    @ma.validates_schema
    def _shape(self, data, **kwargs):
        if not data.get("preset") and not (data.get("text") or "").strip():
            raise ma.ValidationError(_("Choose a bid or write your own words."), "text")
        if data.get("noticed") and not data.get("my_response"):
            raise ma.ValidationError(_("How did you respond?"), "my_response")
        if not data.get("noticed") and data.get("my_response"):
            raise ma.ValidationError(_("Only for a bid noticed in person."), "my_response")


class ResponseInSchema(Strict):
    response = ma.fields.String(required=True, validate=OneOf(RESPONSES))
    later_at = ma.fields.AwareDateTime(allow_none=True, format="iso")
