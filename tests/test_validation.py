import marshmallow as ma
import pytest

from couples.errors import Invalid
from couples.validation import Secret, Strict, Text, flatten, validate


class Example(Strict):
    name = Text(required=True, min_length=1, max_length=5)
    note = Text(multiline=True)
    secret = Secret()
    items = ma.fields.List(ma.fields.Nested(lambda: Item()))


class Item(Strict):
    size = ma.fields.Integer(required=True)


def errors_of(data):
    with pytest.raises(Invalid) as caught:
        validate(Example, data)
    return caught.value.errors


def test_errors_are_flattened_to_dotted_paths():
    errors = errors_of({"name": "toolongname", "items": [{"size": 1}, {"size": "x"}], "extra": 1})
    assert set(errors) == {"name", "items.1.size", "extra"}
    assert all(isinstance(m, list) and m for m in errors.values())


def test_a_body_that_is_not_an_object_is_reported_on_body():
    assert flatten({"_schema": ["Invalid input type."]}) == {"body": ["Invalid input type."]}


@pytest.mark.parametrize("bad", ["a\x00b", "a\ud800", "tab\there", "line\nbreak"])
def test_one_line_text_refuses_control_characters_and_lone_surrogates(bad):
    assert "name" in errors_of({"name": bad[:5]})


def test_multiline_text_keeps_newlines_and_tabs_but_not_nul():
    assert validate(Example, {"name": "ok", "note": "one\n\ttwo"})["note"] == "one\n\ttwo"
    assert "note" in errors_of({"name": "ok", "note": "a\x00"})


def test_emoji_and_other_scripts_are_text():
    assert validate(Example, {"name": "🌙ミラ"})["name"] == "🌙ミラ"


def test_secret_refuses_nul_but_keeps_spaces():
    assert validate(Example, {"name": "a", "secret": " p w "})["secret"] == " p w "
    assert "secret" in errors_of({"name": "a", "secret": "p\x00w"})
