"""Passkeys: signing in with one, and the account's own list (add, remove). Each ceremony
is an options request, whose answer goes to ``navigator.credentials.create`` or ``.get``
(after ``PublicKeyCredential.parse…OptionsFromJSON``), then the browser's
``credential.toJSON()`` sent back."""

import marshmallow as ma
from flask import jsonify
from flask_login import current_user
from flask_smorest import Blueprint

from couples.accounts import passkeys, web
from couples.accounts.schemas import (
    PasskeyAddSchema,
    PasskeyOptionsSchema,
    PasskeySignInSchema,
)
from couples.api.common import FreeFormSchema, accepts, load, no_body, public
from couples.api.serializers import UserSchema
from couples.api.views_data import user_data
from couples.clock import isoformat

auth_blp = Blueprint(
    "api_passkey_auth", __name__, url_prefix="/api/v1/auth/passkey", description="Sessions"
)
blp = Blueprint("api_passkeys", __name__, url_prefix="/api/v1/me", description="Passkeys")


class PasskeySchema(ma.Schema):
    id = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    created_at = ma.fields.String(required=True)
    last_used_at = ma.fields.String(allow_none=True, required=True)
    synced = ma.fields.Boolean(
        required=True, metadata={"description": "kept by a passkey manager across devices"}
    )


class PasskeyListSchema(ma.Schema):
    passkeys = ma.fields.List(ma.fields.Nested(PasskeySchema), required=True)


def passkey_data(passkey) -> dict:
    return {
        "id": passkey.public_id,
        "name": passkey.name,
        "created_at": isoformat(passkey.created_at),
        "last_used_at": isoformat(passkey.last_used_at) if passkey.last_used_at else None,
        "synced": passkey.backed_up,
    }


def _me():
    return current_user._get_current_object()


@auth_blp.route("/options", methods=["POST"])
@auth_blp.response(200, FreeFormSchema)
@public
def sign_in_options():
    """Options for `navigator.credentials.get` at the login (any passkey of this site;
    the device asks which). Valid for one answer, for five minutes."""
    no_body()
    web.throttled("PASSKEY_LIMIT_PER_ADDRESS")
    return jsonify(passkeys.sign_in_options())


@auth_blp.route("", methods=["POST"])
@auth_blp.response(200, UserSchema)
@public
@accepts(auth_blp, PasskeySignInSchema)
def sign_in():
    """Log in with the passkey's answer to the options. Refused (401) when the passkey is
    not kept here, was removed, answered for another site, or shows a copied key (its
    sign count went back); failures count against this address's login limit."""
    data = load(PasskeySignInSchema)
    return user_data(web.attempt_passkey_login(**data))


@blp.route("/passkeys", methods=["GET"])
@blp.response(200, PasskeyListSchema)
def list_passkeys():
    """My passkeys, the oldest first."""
    return {"passkeys": [passkey_data(p) for p in passkeys.passkeys_of(_me())]}


@blp.route("/passkey-options/register", methods=["POST"])
@blp.response(200, FreeFormSchema)
@accepts(blp, PasskeyOptionsSchema)
def registration_options():
    """Options for `navigator.credentials.create`, to add a passkey (409 at ten). My
    password confirms it is me (422 under `password` when wrong; tries count against my
    account's login limit)."""
    data = load(PasskeyOptionsSchema)
    user = _me()
    return jsonify(
        web.with_current_password(
            user, "password", lambda: passkeys.registration_options(user=user, **data)
        )
    )


@blp.route("/passkeys", methods=["POST"])
@blp.response(201, PasskeySchema)
@accepts(blp, PasskeyAddSchema)
def add_passkey():
    """Keep the passkey the browser made from the options, under a name of my choosing."""
    data = load(PasskeyAddSchema)
    return passkey_data(passkeys.register(user=_me(), **data))


@blp.route("/passkeys/<passkey_id>", methods=["DELETE"])
@blp.response(204)
def remove_passkey(passkey_id: str):
    """Remove one of my passkeys: it signs in no more (404 when it is not mine)."""
    no_body()
    passkeys.remove(user=_me(), public_id=passkey_id)


@blp.route("/passkey-options/confirm", methods=["POST"])
@blp.response(200, FreeFormSchema)
def confirm_options():
    """Options for `navigator.credentials.get` to confirm an export or a deletion with
    one of my passkeys instead of the password (404 when I have none)."""
    no_body()
    return jsonify(passkeys.confirm_options(user=_me()))
