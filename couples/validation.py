"""Input validation shared by the pages and the API: the same schemas check both."""

import re

import marshmallow as ma
from flask_babel import gettext as _
from flask_babel import ngettext

from couples.errors import Invalid
from couples.i18n import N_

# Characters no text keeps, as regular-expression classes that Python and ECMAScript read
# alike (the OpenAPI document states them as patterns). NUL breaks PostgreSQL; other C0
# and the C1 controls are never text (but a multi-line text keeps tabs and line breaks).
# Among the C1 controls, U+0085 is a space to Python's str.strip and \s but not to
# ECMAScript's: refused, it cannot pass one check and fail the other.
_CONTROLS = r"\u0000-\u001f\u007f-\u009f"
_CONTROLS_MULTILINE = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
_UNSTORABLE = r"\u0000"
# Lone surrogates cannot be stored either. JSON can only smuggle one in as an escape, and
# it is no Unicode text: the document's patterns (whose engines may not even represent
# one) leave them out, the checks refuse them.
_SURROGATES = r"\ud800-\udfff"


def no_chars_pattern(bad: str, *, invisible: str | None = None) -> str:
    """A pattern for a string without the characters of the class ``bad``; with
    ``invisible`` (a class too), with at least one character that is in neither."""
    if invisible is not None:
        return rf"^[^{bad}]*[^{bad}{invisible}][^{bad}]*$"
    return rf"^[^{bad}]*$"


# Ids are integer columns, and PostgreSQL refuses a number past 2**31 - 1 in a query: an
# id is a number from 0 to 2147483647, written without leading zeros.
ID_PATTERN = (
    r"^(0|[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}"
    r"|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}"
    r"|21474836[0-3][0-9]|214748364[0-7])$"
)
# The document gets the pattern from the Regexp validator.
ID = ma.validate.Regexp(ID_PATTERN, error=N_("Not a valid id."))


class Length(ma.validate.Length):
    """Length limits said the way a person would, in their language (the OpenAPI document
    still gets minLength and maxLength, minItems and maxItems). A given ``error`` (marked
    with ``N_``) is said instead."""

    def __call__(self, value):
        if self.error is not None or self.equal is not None:
            return super().__call__(value)
        if isinstance(value, str):
            if self.min is not None and len(value) < self.min:
                raise ma.ValidationError(
                    N_("Please fill this in.")
                    if self.min == 1
                    else _("Use at least %(num)d characters.", num=self.min)
                )
            if self.max is not None and len(value) > self.max:
                raise ma.ValidationError(_("Use at most %(num)d characters.", num=self.max))
            return value
        if self.min is not None and len(value) < self.min:
            raise ma.ValidationError(
                ngettext("Give at least %(num)d item.", "Give at least %(num)d items.", self.min)
            )
        if self.max is not None and len(value) > self.max:
            raise ma.ValidationError(
                ngettext("Give at most %(num)d item.", "Give at most %(num)d items.", self.max)
            )
        return value


class Range(ma.validate.Range):
    """A number's bounds said in the reader's language when both are included, unless an
    ``error`` (marked with ``N_``) is given."""

    def __call__(self, value):
        try:
            return super().__call__(value)
        except ma.ValidationError:
            if self.error is not None or not (self.min_inclusive and self.max_inclusive):
                raise
        if self.max is None:
            raise ma.ValidationError(_("Use a number of at least %(min)s.", min=self.min))
        if self.min is None:
            raise ma.ValidationError(_("Use a number of at most %(max)s.", max=self.max))
        raise ma.ValidationError(
            _("Use a number from %(min)s to %(max)s.", min=self.min, max=self.max)
        )


class OneOf(ma.validate.OneOf):
    """One of ``choices``, refused in the reader's language with the choices as the API
    writes them, unless an ``error`` (marked with ``N_``) is given."""

    def __call__(self, value):
        try:
            return super().__call__(value)
        except ma.ValidationError:
            if self.error != self.default_message:
                raise
        raise ma.ValidationError(_("Use one of: %(choices)s.", choices=self.choices_text))


REQUIRED = {"required": N_("Please fill this in."), "null": N_("Please fill this in.")}

# marshmallow's own messages a page can show: marked here for the catalogue, translated
# where they are shown (``| tr``), as the messages of the fields below.
MARSHMALLOW_MESSAGES = (
    N_("Unknown field."),
    N_("Invalid input type."),
    N_("Missing data for required field."),
    N_("Field may not be null."),
    N_("Invalid value."),
    N_("Not a valid string."),
    N_("Not a valid integer."),
    N_("Not a valid boolean."),
    N_("Not a valid date."),
    N_("Not a valid list."),
    N_("Not a valid email address."),
    N_("Not a valid mapping type."),
    N_("Invalid type."),
    N_("Not a valid number."),
    N_("Number too large."),
    N_("Special numeric values (nan or infinity) are not permitted."),
    N_("Not a valid datetime."),
    N_("Not a valid aware datetime."),
)


class _Checked(ma.fields.String):
    """A string without the characters of the class ``bad``. The same class makes the
    check and the ``pattern`` of the OpenAPI document. ``blank``, when given, is the
    message for a string with nothing but ``invisible`` characters (spaces unless said),
    which the pattern then refuses too."""

    def __init__(self, *, bad: str, blank: str | None = None, invisible: str = r"\s", **kwargs):
        metadata = {"pattern": no_chars_pattern(bad, invisible=invisible if blank else None)}
        metadata.update(kwargs.pop("metadata", None) or {})
        kwargs.setdefault("error_messages", REQUIRED)
        super().__init__(metadata=metadata, **kwargs)
        self._bad = re.compile(f"[{bad}{_SURROGATES}]")
        self._blank = blank
        self._visible = re.compile(f"[^{bad}{invisible}]")

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if self._bad.search(text):
            raise ma.ValidationError(N_("Contains characters that cannot be stored."))
        return text

    def _validate(self, value):
        super()._validate(value)
        # After the length check, which has its own word for an empty string.
        if self._blank and value and not self._visible.search(value):
            raise ma.ValidationError(self._blank)


class Text(_Checked):
    """A string a person wrote: no control characters, a bounded length; with ``blank``
    (the message), not only spaces."""

    def __init__(
        self, *, max_length: int = 2000, min_length: int = 0, multiline: bool = False, **kwargs
    ):
        validators = list(kwargs.pop("validate", []) or [])
        validators.append(Length(min=min_length, max=max_length))
        bad = _CONTROLS_MULTILINE if multiline else _CONTROLS
        super().__init__(bad=bad, validate=validators, **kwargs)
        self.multiline = multiline


class Secret(_Checked):
    """A password: any characters but NUL and lone surrogates, bounded length. A new
    password (``new=True``) is held to the configured minimum length by the accounts
    service; the document states it too (couples.api.spec)."""

    def __init__(self, *, new: bool = False, **kwargs):
        super().__init__(bad=_UNSTORABLE, validate=Length(min=1, max=1024), **kwargs)
        self.new = new

    def openapi_properties(self, config) -> dict:
        if not self.new:
            return {}
        return {
            "minLength": max(1, config["PASSWORD_MIN_LENGTH"]),
            "maxLength": min(1024, config["PASSWORD_MAX_LENGTH"]),
        }


class WholeNumber(ma.fields.Integer):
    """A JSON number without a fraction (5 or 5.0, as JSON Schema's integer); no strings,
    no true or false."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        if isinstance(value, float) and not value.is_integer():
            raise self.make_error("invalid")
        return int(value)


class Flag(ma.fields.Boolean):
    """true or false, and nothing else (marshmallow's Boolean also takes 1, "on", 0.0...)."""

    default_error_messages = {"invalid": N_("Use true or false.")}

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
