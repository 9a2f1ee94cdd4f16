"""Passkeys with py_webauthn: adding one to an account, signing in with one, and
confirming an export or a deletion with one instead of the password.

Each ceremony is two requests. The first hands the browser options with a fresh challenge,
kept in the signed session and, by its hash, in ``passkey_challenges``; the second checks
the browser's answer against that challenge, which is then gone: an answer can be used
once, within ``CHALLENGE_MINUTES``, for the purpose it was asked for. The relying party
is the public origin (``COUPLES_BASE_URL``): its host is the RP id, and an answer made for
any other origin is refused."""

import hashlib
import json
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import session
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import (
    InvalidAuthenticationResponse,
    InvalidJSONStructure,
    InvalidRegistrationResponse,
)
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    CredentialDeviceType,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from couples import audit
from couples.accounts.models import Passkey, PasskeyChallenge, User
from couples.clock import isoformat, utcnow
from couples.db import begin_write, is_public_id
from couples.errors import Conflict, Invalid, NotFound, WrongCredentials
from couples.extensions import db
from couples.i18n import N_, translated
from couples.links import public_origin

CHALLENGE_MINUTES = 5
PASSKEYS_MAX = 10  # per account
RP_NAME = "Couples"
_SESSION_KEY = "passkey_challenge"
_TRANSPORTS = {t.value for t in AuthenticatorTransport}

# Not said more precisely to whoever tries: the answer is not one we can accept.
NOT_ACCEPTED = N_("That passkey could not be used here. Try again, or use your password.")


def _too_many() -> str:
    return ngettext(
        "An account keeps %(num)d passkey at most: remove it first.",
        "An account keeps %(num)d passkeys at most: remove one first.",
        PASSKEYS_MAX,
    )


def relying_party() -> tuple[str, str]:
    """(RP id, origin) from the public origin: its host, and scheme://host[:port]."""
    parts = urlsplit(public_origin())
    return parts.hostname, f"{parts.scheme}://{parts.netloc}"


def _new_challenge(purpose: str, user: User | None) -> bytes:
    challenge = secrets.token_bytes(32)
    now = utcnow()
    begin_write(db.session)
    db.session.execute(db.delete(PasskeyChallenge).where(PasskeyChallenge.expires_at <= now))
    db.session.add(
        PasskeyChallenge(
            challenge_hash=hashlib.sha256(challenge).hexdigest(),
            purpose=purpose,
            user_id=user.id if user is not None else None,
            expires_at=now + timedelta(minutes=CHALLENGE_MINUTES),
        )
    )
    db.session.commit()
    session[_SESSION_KEY] = {"purpose": purpose, "challenge": bytes_to_base64url(challenge)}
    return challenge


def _take_challenge(purpose: str, user: User | None) -> bytes:
    """This browser's challenge for ``purpose``, used up now (refused when it was used,
    has expired, or was asked for by another account)."""
    kept = session.pop(_SESSION_KEY, None)
    if not isinstance(kept, dict) or kept.get("purpose") != purpose:
        raise Invalid(errors={"credential": [_("Start again: that took too long.")]})
    challenge = base64url_to_bytes(kept["challenge"])
    begin_write(db.session)
    query = db.delete(PasskeyChallenge).where(
        PasskeyChallenge.challenge_hash == hashlib.sha256(challenge).hexdigest(),
        PasskeyChallenge.purpose == purpose,
        PasskeyChallenge.expires_at > utcnow(),
    )
    if user is not None:
        query = query.where(PasskeyChallenge.user_id == user.id)
    used = db.session.execute(query).rowcount
    db.session.commit()
    if used != 1:
        raise Invalid(errors={"credential": [_("Start again: that took too long.")]})
    return challenge


def _options(options) -> dict:
    return json.loads(options_to_json(options))


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = [AuthenticatorTransport(t) for t in passkey.transports or [] if t in _TRANSPORTS]
    return PublicKeyCredentialDescriptor(id=passkey.credential_id, transports=transports or None)


def passkeys_of(user: User) -> list[Passkey]:
    return list(
        db.session.execute(
            db.select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.id)
        ).scalars()
    )


def has_passkeys(user: User) -> bool:
    found = db.session.execute(db.select(Passkey.id).where(Passkey.user_id == user.id).limit(1))
    return found.first() is not None


# ---------------------------------------------------------------------------- adding one
def registration_options(*, user: User, password: str) -> dict:
    """Options for ``navigator.credentials.create``: a discoverable passkey (it names the
    account itself at sign-in), the person verified on the device, none twice. Only once
    the account's password confirms that the owner is adding it: a session alone, even one
    restored from a remember-me cookie, never adds a way in (and the challenge handed out
    here, for this account, is the proof when the passkey comes back)."""
    from couples.accounts.services import confirm_identity

    confirm_identity(user=user, event="passkey_added", password=password)
    owned = passkeys_of(user)
    if len(owned) >= PASSKEYS_MAX:
        raise Conflict(_too_many())
    rp_id, _origin = relying_party()
    handle = owned[0].user_handle if owned else secrets.token_bytes(32)
    session["passkey_handle"] = bytes_to_base64url(handle)
    options = generate_registration_options(
        rp_id=rp_id,
        rp_name=RP_NAME,
        user_id=handle,
        user_name=user.email,
        user_display_name=user.display_name,
        challenge=_new_challenge("register", user),
        exclude_credentials=[_descriptor(p) for p in owned],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.REQUIRED,
        ),
    )
    return _options(options)


def register(*, user: User, credential: dict, name: str) -> Passkey:
    """Keep the passkey the browser made with the options of ``registration_options``
    (asked for with the password, by this account, in the last five minutes)."""
    challenge = _take_challenge("register", user)
    handle = session.pop("passkey_handle", None)
    rp_id, origin = relying_party()
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            require_user_verification=True,
        )
    except (InvalidRegistrationResponse, InvalidJSONStructure, ValueError, TypeError) as error:
        audit.record("passkey_added", "failed", user_id=user.id)
        raise Invalid(errors={"credential": [translated(NOT_ACCEPTED)]}) from error
    response = credential.get("response")
    transports = response.get("transports") if isinstance(response, dict) else None
    if not isinstance(transports, list):
        transports = []
    passkey = Passkey(
        user_id=user.id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        user_handle=base64url_to_bytes(handle) if handle else secrets.token_bytes(32),
        name=name,
        transports=[t for t in transports if isinstance(t, str) and t in _TRANSPORTS][:8],
        backed_up=verified.credential_backed_up
        or verified.credential_device_type == CredentialDeviceType.MULTI_DEVICE,
        created_at=utcnow(),
    )
    begin_write(db.session)
    if len(passkeys_of(user)) >= PASSKEYS_MAX:
        db.session.rollback()
        raise Conflict(_too_many())
    db.session.add(passkey)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict(_("That passkey is already kept for an account here.")) from error
    audit.record("passkey_added", user_id=user.id)
    return passkey


def remove(*, user: User, public_id: str) -> None:
    """Remove one of the user's passkeys: it signs in no more. 404 when it is not theirs."""
    if not is_public_id(public_id):
        raise NotFound(_("That passkey is not on your account."))
    begin_write(db.session)
    gone = db.session.execute(
        db.delete(Passkey).where(Passkey.user_id == user.id, Passkey.public_id == public_id)
    ).rowcount
    if gone != 1:
        db.session.rollback()
        raise NotFound(_("That passkey is not on your account."))
    db.session.commit()
    audit.record("passkey_removed", user_id=user.id)


# ------------------------------------------------------------------- using one
def sign_in_options() -> dict:
    """Options for ``navigator.credentials.get`` at the login: any passkey of this site,
    the device chooses (no account is named before the person is known)."""
    rp_id, _origin = relying_party()
    options = generate_authentication_options(
        rp_id=rp_id,
        challenge=_new_challenge("sign_in", None),
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return _options(options)


def confirm_options(*, user: User) -> dict:
    """Options for confirming an export or a deletion with one of the user's passkeys."""
    owned = passkeys_of(user)
    if not owned:
        raise NotFound(_("There is no passkey on your account."))
    rp_id, _origin = relying_party()
    options = generate_authentication_options(
        rp_id=rp_id,
        challenge=_new_challenge("confirm", user),
        allow_credentials=[_descriptor(p) for p in owned],
        user_verification=UserVerificationRequirement.REQUIRED,
    )
    return _options(options)


def _check(credential: dict, *, purpose: str, user: User | None, event: str) -> Passkey:
    """The kept passkey that made ``credential`` for the challenge of ``purpose``, its
    sign count moved on; refused otherwise. A sign count that did not go up means a copy
    of the passkey was used: the answer is refused (py_webauthn's check) and that is
    recorded, so the person can remove it."""
    challenge = _take_challenge(purpose, user)
    if not isinstance(credential, dict):
        raise Invalid(errors={"credential": [translated(NOT_ACCEPTED)]})
    try:
        raw_id = base64url_to_bytes(str(credential.get("rawId") or credential.get("id") or ""))
    except (ValueError, TypeError):
        raw_id = b""
    query = db.select(Passkey).where(Passkey.credential_id == raw_id)
    if user is not None:
        query = query.where(Passkey.user_id == user.id)
    begin_write(db.session)
    passkey = db.session.execute(query.with_for_update()).scalar_one_or_none() if raw_id else None
    if passkey is None:
        db.session.rollback()
        audit.record(event, "unknown_passkey", user_id=user.id if user else None)
        raise WrongCredentials(translated(NOT_ACCEPTED))
    rp_id, origin = relying_party()
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, InvalidJSONStructure, ValueError, TypeError) as error:
        db.session.rollback()
        cloned = "sign count" in str(error).lower()
        audit.record(event, "cloned_passkey" if cloned else "failed", user_id=passkey.user_id)
        raise WrongCredentials(translated(NOT_ACCEPTED)) from error
    passkey.sign_count = verified.new_sign_count
    passkey.backed_up = verified.credential_backed_up
    passkey.last_used_at = utcnow()
    db.session.commit()
    return passkey


def sign_in(*, credential: dict) -> User:
    """The account whose passkey answered the login's challenge."""
    passkey = _check(credential, purpose="sign_in", user=None, event="passkey_login")
    return db.session.get(User, passkey.user_id)


def confirm(*, user: User, credential: dict) -> None:
    """The user showed one of their own passkeys (in place of the password)."""
    _check(credential, purpose="confirm", user=user, event="passkey_confirm")


def export(user: User) -> list[dict]:
    """The user's passkeys for their export: names and dates (never a key)."""
    return [
        {
            "name": p.name,
            "created_at": isoformat(p.created_at),
            "last_used_at": isoformat(p.last_used_at) if p.last_used_at else None,
            "synced": p.backed_up,
        }
        for p in passkeys_of(user)
    ]
