"""Response schemas: what the API shows of each object. Never a partner's email."""

import marshmallow as ma


class UserSchema(ma.Schema):
    id = ma.fields.String(required=True)
    email = ma.fields.String(required=True)
    display_name = ma.fields.String(required=True)
    timezone = ma.fields.String(required=True)
    language = ma.fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "chosen in the account; null: the browser's language"},
    )
    created_at = ma.fields.String(required=True)


class PartnerSchema(ma.Schema):
    display_name = ma.fields.String(required=True)
    timezone = ma.fields.String(required=True)


class CoupleSchema(ma.Schema):
    id = ma.fields.String(required=True)
    linked_at = ma.fields.String(required=True)
    partner = ma.fields.Nested(PartnerSchema, required=True)


class QuietHoursOutSchema(ma.Schema):
    start = ma.fields.String(required=True)
    end = ma.fields.String(required=True)


class NotificationPrefsOutSchema(ma.Schema):
    reminder_time = ma.fields.String(required=True)
    quiet_hours = ma.fields.Nested(QuietHoursOutSchema, required=True)
    discreet = ma.fields.Boolean(required=True)
    kinds = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Boolean(), required=True)


class MeSchema(ma.Schema):
    user = ma.fields.Nested(UserSchema, required=True)
    notifications = ma.fields.Nested(NotificationPrefsOutSchema, required=True)
    couple = ma.fields.Nested(CoupleSchema, allow_none=True, required=True)
    partner = ma.fields.Nested(PartnerSchema, allow_none=True, required=True)


class InviteSchema(ma.Schema):
    code = ma.fields.String(required=True)
    url = ma.fields.String(required=True)
    expires_at = ma.fields.String(required=True)


class PairingSchema(ma.Schema):
    couple = ma.fields.Nested(CoupleSchema, required=True)
    partner = ma.fields.Nested(PartnerSchema, required=True)


class CsrfSchema(ma.Schema):
    csrf_token = ma.fields.String(required=True)


class EmptySchema(ma.Schema):
    pass
