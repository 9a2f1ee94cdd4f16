"""Every refusal a schema can give reaches a Spanish reader in Spanish: each schema of the
app is fed the wrong things a request can carry (missing, empty, too long, too many, out
of range, the wrong JSON type, NaN, an unknown field), once as an English reader and once
as a Spanish one, and no message may come out the same. This is what the API sends (a
problem's per-field ``errors``) and what a page shows beside a field."""

import importlib
import pkgutil

import marshmallow as ma
import pytest
from flask_babel import force_locale

import couples
from couples import errors
from couples.validation import Length, OneOf, Range

# The Celery app reads its settings from the environment at import; it has no schema.
NOT_IMPORTED = {"couples.tasks"}

# What a JSON body, a query string or a form can put in a field.
WRONG = (
    None,
    "",
    "   ",
    "x",
    "0",
    "2026-02-30",
    "2026-01-01T09:00:00",
    -1,
    0,
    10**12,
    1.5,
    float("inf"),
    float("nan"),
    True,
    [],
    ["x"] * 600,
    [1],
    {},
    {"x": 1},
    {"k" * 200: "v"},
    "a" * 5000,
)


def _schemas() -> list[type[ma.Schema]]:
    for module in pkgutil.walk_packages(couples.__path__, "couples."):
        if module.name not in NOT_IMPORTED:
            importlib.import_module(module.name)

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return sorted(
        {cls for cls in below(ma.Schema) if cls.__module__.startswith("couples.")},
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


SCHEMAS = _schemas()


def _leaves(messages, path=()):
    if isinstance(messages, dict):
        for key, value in messages.items():
            yield from _leaves(value, (*path, str(key)))
    elif isinstance(messages, list | tuple):
        for index, value in enumerate(messages):
            yield from _leaves(value, (*path, str(index)))
    else:
        yield path, messages


def _refusals(schema: ma.Schema, language: str) -> dict:
    """Each message of each wrong value in each field, as the reader of ``language``
    gets it (``errors._said``, as a problem says them), keyed by where it was said."""
    said = {}
    with force_locale(language):
        bodies = [{"not_a_field": 1}, {}]
        bodies += [{name: value} for name in schema.fields for value in WRONG]
        for body in bodies:
            try:
                schema.load(body)
            except ma.ValidationError as refused:
                for path, message in _leaves(errors._said(refused.messages)):
                    said[(repr(body)[:60], *path)] = message
    return said


def test_every_schema_of_the_app_is_probed():
    names = {cls.__name__ for cls in SCHEMAS}
    assert {"HearingIn", "OpenIn", "IdPageArgs", "SubscriptionSchema"} <= names
    assert len(SCHEMAS) > 50


@pytest.mark.parametrize("schema_class", SCHEMAS, ids=lambda cls: cls.__qualname__)
def test_no_refusal_of_a_schema_stays_in_english_for_a_spanish_reader(make_app, schema_class):
    app = make_app(LANGUAGES=["en", "es"])
    with app.test_request_context():
        schema = schema_class()
        english, spanish = _refusals(schema, "en"), _refusals(schema, "es")
    assert english.keys() == spanish.keys()
    same = sorted({english[key] for key in english if spanish[key] == english[key]})
    assert same == []


def test_the_probe_finds_an_english_refusal(make_app):
    class Plain(ma.Schema):
        limit = ma.fields.Integer(validate=ma.validate.Range(min=1, max=100))
        day = ma.fields.String(validate=ma.validate.OneOf(["mon", "tue"]))

    app = make_app(LANGUAGES=["en", "es"])
    with app.test_request_context():
        english, spanish = _refusals(Plain(), "en"), _refusals(Plain(), "es")
    same = {english[key] for key in english if spanish[key] == english[key]}
    assert same == {
        "Must be greater than or equal to 1 and less than or equal to 100.",
        "Must be one of: mon, tue.",
    }


def test_bounds_and_choices_are_said_in_the_readers_language(make_app):
    app = make_app(LANGUAGES=["en", "es"])
    cases = [
        (Range(min=1, max=100), 0, "Use a number from 1 to 100.", "Usa un número del 1 al 100."),
        (Range(min=1), 0, "Use a number of at least 1.", "Usa un número igual o mayor que 1."),
        (Range(max=9), 10, "Use a number of at most 9.", "Usa un número igual o menor que 9."),
        (
            OneOf(["mon", "tue"]),
            "x",
            "Use one of: mon, tue.",
            "Usa uno de estos valores: mon, tue.",
        ),
        (Length(max=2), [1, 2, 3], "Give at most 2 items.", "Da como máximo 2 elementos."),
        (Length(min=1, max=2), [], "Give at least 1 item.", "Da al menos 1 elemento."),
        (Length(max=3), "abcd", "Use at most 3 characters.", "Usa como máximo 3 caracteres."),
    ]
    with app.test_request_context():
        for check, value, english, spanish in cases:
            for language, expected in (("en", english), ("es", spanish)):
                with force_locale(language), pytest.raises(ma.ValidationError) as refused:
                    check(value)
                assert refused.value.messages == [expected]


def test_a_given_error_is_said_instead_and_translated_where_shown(make_app):
    app = make_app(LANGUAGES=["en", "es"])
    with app.test_request_context(), force_locale("es"):
        for check, value in (
            (Range(min=1, max=5, error="Choose from 1 to 5."), 9),
            (OneOf([4, 6], error="Choose from 1 to 5."), 5),
            (Length(min=1, max=3, error="Choose from 1 to 5."), []),
        ):
            with pytest.raises(ma.ValidationError) as refused:
                check(value)
            assert refused.value.messages == ["Choose from 1 to 5."]
            assert errors._said(refused.value.messages) == ["Elige del 1 al 5."]


def test_an_exclusive_bound_keeps_marshmallows_words_rather_than_wrong_ones():
    with pytest.raises(ma.ValidationError) as refused:
        Range(min=0, min_inclusive=False)(0)
    assert refused.value.messages == ["Must be greater than 0."]


def test_values_within_bounds_pass_unchanged():
    assert Range(min=1, max=100)(100) == 100
    assert OneOf(["mon"])("mon") == "mon"
    assert Length(min=1, max=2)(["a", "b"]) == ["a", "b"]
    assert Length(max=3)("abc") == "abc"
