"""Input validation shared by the pages and the API: the same schemas check both."""

import re

import marshmallow as ma

from couples.errors import Invalid

# Lone surrogates cannot be stored; NUL breaks PostgreSQL; other C0 controls are never text.
_BAD_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_BAD_CHARS_ONE_LINE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


class Length(ma.validate.Length):
    """Length limits said the way a person would (the OpenAPI document still gets
    minLength and maxLength)."""

    def __call__(self, value):
        if self.min is not None and len(value) < self.min:
            raise ma.ValidationError(
                "Please fill this in." if self.min == 1 else f"Use at least {self.min} characters."
            )
        if self.max is not None and len(value) > self.max:
            raise ma.ValidationError(f"Use at most {self.max} characters.")
        return value


REQUIRED = {"required": "Please fill this in.", "null": "Please fill this in."}


class Text(ma.fields.String):
    """A string a person wrote: no control characters, a bounded length."""

    def __init__(
        self, *, max_length: int = 2000, min_length: int = 0, multiline: bool = False, **kwargs
    ):
        validators = list(kwargs.pop("validate", []) or [])
        validators.append(Length(min=min_length, max=max_length))
        kwargs.setdefault("error_messages", REQUIRED)
        super().__init__(validate=validators, **kwargs)
        self.multiline = multiline

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if (_BAD_CHARS if self.multiline else _BAD_CHARS_ONE_LINE).search(text):
            raise ma.ValidationError("Contains characters that cannot be stored.")
        return text


class Secret(ma.fields.String):
    """A password: any characters but NUL and lone surrogates, bounded length."""

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", REQUIRED)
        super().__init__(validate=Length(min=1, max=1024), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if re.search(r"[\x00\ud800-\udfff]", text):
            raise ma.ValidationError("Contains characters that cannot be stored.")
        return text


class Flag(ma.fields.Boolean):
    """true or false, and nothing else (marshmallow's Boolean also takes 1, "on", 0.0...)."""

    default_error_messages = {"invalid": "Use true or false."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Strict(ma.Schema):
    class Meta:
        unknown = ma.RAISE


def flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as {"dotted.path": [messages]}."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                name = prefix or "body"
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for path, msgs in flatten(value, name).items():
                flat.setdefault(path, []).extend(msgs)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "body"] = list(messages)
    elif isinstance(messages, list):
        for index, value in enumerate(messages):
            for path, msgs in flatten(value, f"{prefix}.{index}").items():
                flat.setdefault(path, []).extend(msgs)
    else:
        flat[prefix or "body"] = [str(messages)]
    return flat


_SCHEMAS: dict[type, ma.Schema] = {}


def validate(schema_cls, data, *, partial: bool = False) -> dict:
    """``data`` checked by ``schema_cls``; raises Invalid (422) with per-field messages.
    One instance of each schema serves every request: a schema keeps nothing of a
    load, and making one (its fields and their validators) costs more than the load."""
    schema = _SCHEMAS.get(schema_cls)
    if schema is None:
        schema = _SCHEMAS[schema_cls] = schema_cls()
    try:
        return schema.load(data, partial=partial)
    except ma.ValidationError as error:
        raise Invalid(errors=flatten(error.messages)) from None
