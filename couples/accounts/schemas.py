import json
import unicodedata

import marshmallow as ma

from couples.clock import known_timezones
from couples.i18n import N_
from couples.i18n import NAMES as LANGUAGE_NAMES
from couples.notifications.kinds import USER_KINDS
from couples.validation import Flag, Length, OneOf, Secret, Strict, Text

TIMEZONE = OneOf(
    sorted(known_timezones()),
    error=N_("Pick a time zone from the list (for example Europe/London)."),
)


def _char_class(chars) -> str:
    """``chars`` (code points of the Basic Multilingual Plane) as a class body of ranges."""
    ranges, points = [], sorted(chars)
    for point in points:
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in ranges)


# What a name cannot show alone (accounts.services refuses a name of nothing else): spaces,
# controls and invisible format characters. The pattern names those of the Basic
# Multilingual Plane (Python and ECMAScript write other planes differently); the service
# also refuses a name of astral format characters only.
_INVISIBLE = r"\s" + _char_class(
    p
    for p in range(0x10000)
    if not 0xD800 <= p <= 0xDFFF and unicodedata.category(chr(p)) in ("Cc", "Cf", "Zs")
)


def DisplayName(**kwargs):  # noqa: N802 - a field, like the others
    return Text(
        min_length=1,
        max_length=60,
        blank=N_("Tell us what your partner calls you."),
        invisible=_INVISIBLE,
        **kwargs,
    )


def Timezone(**kwargs):  # noqa: N802
    return Text(min_length=1, max_length=64, validate=[TIMEZONE], **kwargs)


class Email(ma.fields.Email):
    """An email address with no control characters (even in a quoted local part)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
            raise ma.ValidationError(N_("Not a valid email address."))
        return text


class RegisterSchema(Strict):
    email = Email(required=True, validate=Length(max=254))
    password = Secret(required=True, new=True)
    display_name = DisplayName(required=True)
    timezone = Timezone(required=True)


class LoginSchema(Strict):
    email = Text(required=True, min_length=1, max_length=254)
    password = Secret(required=True)
    remember = Flag(load_default=False)


class ResetRequestSchema(Strict):
    email = Text(required=True, min_length=1, max_length=254)


class ResetSchema(Strict):
    password = Secret(required=True, new=True)


_CLOCK = ma.validate.Regexp(
    r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error=N_("Use a 24-hour time like 21:00.")
)


class QuietHoursSchema(Strict):
    start = ma.fields.String(required=True, validate=_CLOCK)
    end = ma.fields.String(required=True, validate=_CLOCK)


# Each kind a person can turn off, on (true) or off (false); no other key.
KindsSchema = type(
    "KindsSchema",
    (Strict,),
    {
        "error_messages": {"unknown": N_("Not a kind of notification you can turn off.")},
        **{kind.name: Flag() for kind in USER_KINDS},
    },
)


class NotificationPrefsSchema(Strict):
    reminder_time = ma.fields.String(validate=_CLOCK)
    quiet_hours = ma.fields.Nested(QuietHoursSchema)
    discreet = Flag()
    kinds = ma.fields.Nested(KindsSchema)


class ProfileSchema(Strict):
    display_name = DisplayName()
    timezone = Timezone()
    # null (or "" from the page): follow the browser's language
    language = ma.fields.String(
        allow_none=True,
        validate=OneOf(["", *LANGUAGE_NAMES], error=N_("Pick a language from the list.")),
    )
    notifications = ma.fields.Nested(NotificationPrefsSchema)


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


class PasswordChangeSchema(Strict):
    current_password = Secret(required=True)
    new_password = Secret(required=True, new=True)


class Credential(ma.fields.Dict):
    """A passkey's answer, as the browser's ``PublicKeyCredential.toJSON()`` gives it: an
    object, or (from a page's form) that object as JSON text. Checked by py_webauthn."""

    MAX_TEXT = 64 * 1024

    def __init__(self, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": N_("Not a passkey's answer.")})
        super().__init__(keys=ma.fields.String(), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            if len(value) > self.MAX_TEXT:
                raise self.make_error("invalid")
            try:
                value = json.loads(value)
            except (ValueError, RecursionError) as error:
                raise self.make_error("invalid") from error
        if not isinstance(value, dict) or len(json.dumps(value)) > self.MAX_TEXT:
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class _Confirmed(Strict):
    """Your password, or one of your passkeys' answers, confirms it."""

    json_schema = {"anyOf": [{"required": ["password"]}, {"required": ["passkey"]}]}

    password = Secret()
    passkey = Credential()

    @ma.validates_schema
    def _one_of_them(self, data, **_kwargs):
        if "password" not in data and "passkey" not in data:
            raise ma.ValidationError(N_("Please fill this in."), "password")


class DeleteSchema(_Confirmed):
    pass


class ExportSchema(_Confirmed):
    pass


class PasskeyNameSchema(Strict):
    name = Text(
        required=True,
        min_length=1,
        max_length=60,
        blank=N_("Give it a name you will know it by, like \u201cMy phone\u201d."),
    )


class PasskeyAddSchema(PasskeyNameSchema):
    credential = Credential(required=True)


class PasskeyOptionsSchema(Strict):
    # A session alone never adds a way in: the password confirms it is the owner.
    password = Secret(required=True)


class PasskeySignInSchema(Strict):
    credential = Credential(required=True)
    remember = Flag(load_default=False)
