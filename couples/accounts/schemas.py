import marshmallow as ma

from couples.notifications.kinds import USER_KINDS
from couples.validation import Flag, Secret, Strict, Text


class Email(ma.fields.Email):
    """An email address with no control characters (even in a quoted local part)."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
            raise ma.ValidationError("Not a valid email address.")
        return text


class RegisterSchema(Strict):
    email = Email(required=True, validate=ma.validate.Length(max=254))
    password = Secret(required=True)
    display_name = Text(required=True, min_length=1, max_length=60)
    timezone = Text(required=True, min_length=1, max_length=64)


class LoginSchema(Strict):
    email = Text(required=True, min_length=1, max_length=254)
    password = Secret(required=True)
    remember = Flag(load_default=False)


class ResetRequestSchema(Strict):
    email = Text(required=True, min_length=1, max_length=254)


class ResetSchema(Strict):
    password = Secret(required=True)


_CLOCK = ma.validate.Regexp(
    r"^([01][0-9]|2[0-3]):[0-5][0-9]$", error="Use a 24-hour time like 21:00."
)


class QuietHoursSchema(Strict):
    start = ma.fields.String(required=True, validate=_CLOCK)
    end = ma.fields.String(required=True, validate=_CLOCK)


class NotificationPrefsSchema(Strict):
    reminder_time = ma.fields.String(validate=_CLOCK)
    quiet_hours = ma.fields.Nested(QuietHoursSchema)
    discreet = Flag()
    kinds = ma.fields.Dict(
        keys=ma.fields.String(
            validate=ma.validate.OneOf(
                [k.name for k in USER_KINDS], error="Not a kind of notification you can turn off."
            )
        ),
        values=Flag(),
        validate=ma.validate.Length(max=30),
    )


class ProfileSchema(Strict):
    display_name = Text(min_length=1, max_length=60)
    timezone = Text(min_length=1, max_length=64)
    notifications = ma.fields.Nested(NotificationPrefsSchema)


def minutes(clock: str) -> int:
    hours, mins = clock.split(":")
    return int(hours) * 60 + int(mins)


class PasswordChangeSchema(Strict):
    current_password = Secret(required=True)
    new_password = Secret(required=True)


class DeleteSchema(Strict):
    password = Secret(required=True)


class ExportSchema(Strict):
    password = Secret(required=True)
