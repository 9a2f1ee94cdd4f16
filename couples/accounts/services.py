"""Accounts: registration, login, sessions, passwords, export and deletion."""

import hashlib
import secrets
import unicodedata
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from couples import audit
from couples.accounts import mail, mailbox, passwords, sessions
from couples.accounts.models import Passkey, PasswordReset, User
from couples.clock import is_timezone, isoformat
from couples.db import begin_write
from couples.errors import EmailTaken, Invalid, ResetGone, WrongCredentials
from couples.extensions import db
from couples.features import features
from couples.i18n import writing_to
from couples.links import public_url
from couples.notifications.services import deliver_soon

DISPLAY_NAME_MAX = 60
EMAIL_MAX = 254


def _hasher():
    return current_app.extensions["couples.password_hasher"]


def normalize_email(email: str) -> str:
    return email.strip().lower()


def password_problem(password: str, *user_inputs: str) -> str | None:
    config = current_app.config
    return passwords.weakness(
        password,
        min_length=config["PASSWORD_MIN_LENGTH"],
        max_length=config["PASSWORD_MAX_LENGTH"],
        min_score=config["PASSWORD_MIN_SCORE"],
        user_inputs=tuple(user_inputs),
        gettext=_,
    )


def _visible(text: str) -> bool:
    """Whether ``text`` shows anything: not only spaces or invisible format characters."""
    return any(
        not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs") for ch in text
    )


# Bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): in a
# name they can turn what follows around on the partner's screen ("Ali" + U+202E +
# "exe.doc" reads "Alicod.exe"), so a name never keeps them.
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def clean_display_name(display_name: str) -> str:
    """The name as it is stored and shown: without bidirectional controls or surrounding
    spaces."""
    return display_name.translate(_BIDI_CONTROLS).strip()


def _check_profile(display_name: str | None, timezone: str | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if display_name is not None:
        name = clean_display_name(display_name)
        if not _visible(name):
            errors["display_name"] = [_("Tell us what your partner calls you.")]
        elif len(name) > DISPLAY_NAME_MAX:
            errors["display_name"] = [_("Use at most %(num)d characters.", num=DISPLAY_NAME_MAX)]
    if timezone is not None and not is_timezone(timezone):
        errors["timezone"] = [_("Pick a time zone from the list (for example Europe/London).")]
    return errors


def register(*, email: str, password: str, display_name: str, timezone: str) -> User:
    """Create an account. Refuses a weak password, an unknown time zone and an email that
    already has an account (compared case-insensitively)."""
    email = normalize_email(email)
    password = passwords.normalize(password)
    errors = _check_profile(display_name, timezone)
    if len(email) > EMAIL_MAX:
        # Lower-casing can lengthen an address ("İ" becomes two characters).
        errors["email"] = [_("Use at most %(num)d characters.", num=EMAIL_MAX)]
    weak = password_problem(password, email, display_name)
    if weak:
        errors["password"] = [weak]
    if errors:
        raise Invalid(errors=errors)
    password_hash = _hasher().hash(password)  # slow on purpose: before the write lock
    begin_write(db.session)
    if db.session.execute(db.select(User.id).filter_by(email=email)).first():
        raise EmailTaken(_("That email already has an account. Try logging in instead."))
    user = User(
        email=email,
        password_hash=password_hash,
        display_name=clean_display_name(display_name),
        timezone=timezone,
    )
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise EmailTaken(_("That email already has an account. Try logging in instead.")) from None
    return user


# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH: dict[str, str] = {}


def authenticate(*, email: str, password: str) -> User:
    """The user with this email and password. An unknown email and a wrong password are
    refused the same way, in about the same time."""
    user = db.session.execute(
        db.select(User).filter_by(email=normalize_email(email))
    ).scalar_one_or_none()
    hasher = _hasher()
    if user is None:
        key = repr(hasher)
        if key not in _DUMMY_HASH:
            _DUMMY_HASH[key] = hasher.hash(secrets.token_hex(16))
        passwords.check(hasher, _DUMMY_HASH[key], password)
        raise WrongCredentials(_("That email and password do not match an account."))
    matches, stale = passwords.check(hasher, user.password_hash, password)
    if not matches:
        raise WrongCredentials(_("That email and password do not match an account."))
    if stale:
        _rehash(user, hasher.hash(passwords.normalize(password)))
    return user


def _rehash(user: User, password_hash: str) -> None:
    """Store a new hash of the password just verified, unless the password changed
    meanwhile (a reset or a change must never be undone by a login with the old one)."""
    user_id, old_hash = user.id, user.password_hash
    begin_write(db.session)
    db.session.execute(
        db.update(User)
        .where(User.id == user_id, User.password_hash == old_hash)
        .values(password_hash=password_hash)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _password_matches(user: User, password: str) -> bool:
    return passwords.check(_hasher(), user.password_hash, password)[0]


def change_password(*, user: User, current_password: str, new_password: str) -> User:
    if not _password_matches(user, current_password):
        audit.record("password_change", "failed", user_id=user.id)
        raise Invalid(errors={"current_password": [_("That is not your current password.")]})
    new_password = passwords.normalize(new_password)
    weak = password_problem(new_password, user.email, user.display_name)
    if weak:
        raise Invalid(errors={"new_password": [weak]})
    password_hash = _hasher().hash(new_password)  # slow on purpose: before the write lock
    user_id, this_session = user.id, user.session_token
    begin_write(db.session)
    user = _locked_user(user_id)
    user.password_hash = password_hash
    sessions.end_others(user_id=user_id, keep_token=this_session)  # other devices log in again
    _revoke_resets(user_id)  # a link mailed before the change must not undo it
    db.session.commit()
    audit.record("password_change", user_id=user_id)
    return user


_UNSET = object()


def update_profile(
    *,
    user: User,
    display_name: str | None = None,
    timezone: str | None = None,
    language: str | None = _UNSET,
) -> User:
    begin_write(db.session)
    errors = _check_profile(display_name, timezone)
    if errors:
        raise Invalid(errors=errors)
    if language is not _UNSET:
        user.language = language or None  # "" or None: follow the browser
    if display_name is not None:
        user.display_name = clean_display_name(display_name)
    if timezone is not None and timezone != user.timezone:
        from couples.clock import utcnow
        from couples.notifications import reminders

        user.timezone = timezone
        reminders.reschedule(user, utcnow())
    db.session.commit()
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def request_password_reset(*, email: str, now: datetime) -> None:
    """Queue a reset mail for ``email`` (``send_queued`` makes it when it is sent). The
    same work for any address: whether it has an account is looked at only when the mail
    goes, in the background, so neither the answer nor its time tells."""
    address = normalize_email(email)[:EMAIL_MAX]
    begin_write(db.session)
    mailbox.queue(kind="password_reset", to=address, now=now)
    db.session.commit()
    audit.record("reset_request", "queued", email=address)
    deliver_soon()


def send_queued(*, kind: str, to: str, now: datetime) -> None:
    """Make and send a queued mail (``mailbox.send_due``). A reset mail to an address
    without an account is dropped; with one, it carries a single-use link valid for
    ``PASSWORD_RESET_TTL_MINUTES``."""
    if kind != "password_reset":
        raise ValueError(f"unknown mail kind: {kind}")
    user = db.session.execute(db.select(User).filter_by(email=to)).scalar_one_or_none()
    if user is None:
        db.session.rollback()
        audit.record("reset_request", "no_account", email=to)
        return
    token = secrets.token_urlsafe(32)
    ttl = timedelta(minutes=current_app.config["PASSWORD_RESET_TTL_MINUTES"])
    user_id = user.id
    link = public_url(f"/reset/{token}")
    with writing_to(user):  # in the language they read the app in
        subject = _("Reset your Couples password")
        paragraphs = [
            _("Hello %(name)s,", name=user.display_name),
            _("To choose a new password, open this link within the hour:"),
            link,
            _(
                "If you did not ask for this, you can ignore this message; your password"
                " stays as it is."
            ),
        ]
    begin_write(db.session)
    db.session.add(
        PasswordReset(
            token_hash=_token_hash(token), user_id=user_id, created_at=now, expires_at=now + ttl
        )
    )
    db.session.commit()
    mail.send(to, subject, "\n\n".join(paragraphs) + "\n")
    audit.record("reset_request", "sent", user_id=user_id, email=to)


def _usable_reset(token: str, now: datetime) -> PasswordReset:
    if not token or len(token) > 100:
        raise ResetGone(_("This reset link is not valid. Ask for a new one."))
    reset = db.session.execute(
        db.select(PasswordReset).filter_by(token_hash=_token_hash(token))
    ).scalar_one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        raise ResetGone(_("This reset link was used or has expired. Ask for a new one."))
    return reset


def check_reset_token(*, token: str, now: datetime) -> None:
    try:
        _usable_reset(token, now)
    except ResetGone:
        audit.record("reset", "refused")
        raise


def reset_password(*, token: str, new_password: str, now: datetime) -> User:
    """Set a new password from a reset link. The link works once; every session ends."""
    try:
        return _reset_password(token=token, new_password=new_password, now=now)
    except ResetGone:
        audit.record("reset", "refused")
        raise


def _reset_password(*, token: str, new_password: str, now: datetime) -> User:
    reset = _usable_reset(token, now)
    user_id = reset.user_id
    user = db.session.get(User, user_id)
    new_password = passwords.normalize(new_password)
    weak = password_problem(new_password, user.email, user.display_name)
    if weak:
        raise Invalid(errors={"password": [weak]})
    password_hash = _hasher().hash(new_password)  # slow on purpose: before the write lock
    begin_write(db.session)
    # The account's row first: two resets of one account (with one link or two) take
    # their turns, and always lock rows in the same order.
    user = _locked_user(user_id)
    # Claim the link only if it is still unused: of two requests with the same link, the
    # second finds it used once the first commits (PostgreSQL re-checks the condition on
    # the row it waited for) and changes nothing.
    claimed = db.session.execute(
        db.update(PasswordReset)
        .where(
            PasswordReset.token_hash == _token_hash(token),
            PasswordReset.user_id == user_id,
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        db.session.rollback()
        raise ResetGone(_("This reset link was used or has expired. Ask for a new one."))
    user.password_hash = password_hash
    sessions.end_others(user_id=user_id, keep_token=None)  # whoever knew the old one is out
    # and so are the passkeys: whoever added one with the old password too
    db.session.execute(db.delete(Passkey).where(Passkey.user_id == user_id))
    _revoke_resets(user_id)
    db.session.commit()
    audit.record("reset", user_id=user_id)
    return user


def _locked_user(user_id: int) -> User:
    """The user, read again and locked until the end of the transaction (PostgreSQL;
    SQLite's write lock is already held)."""
    return db.session.execute(
        db.select(User)
        .where(User.id == user_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()


def _revoke_resets(user_id: int) -> None:
    """End every reset link of the user that is still unused."""
    db.session.execute(
        db.delete(PasswordReset).where(
            PasswordReset.user_id == user_id, PasswordReset.used_at.is_(None)
        )
    )


def confirm_identity(
    *, user: User, event: str, password: str | None = None, passkey: dict | None = None
) -> None:
    """The account's password, or the answer of one of its passkeys, shown again now
    (Invalid under ``password`` or ``passkey`` otherwise)."""
    if passkey is not None:
        from couples.accounts import passkeys

        try:
            passkeys.confirm(user=user, credential=passkey)
        except (Invalid, WrongCredentials) as error:
            audit.record(event, "failed", user_id=user.id)
            messages = getattr(error, "errors", None) or {}
            detail = next(iter(messages.values()), [error.detail])
            raise Invalid(errors={"passkey": list(detail)}) from error
        return
    if not _password_matches(user, password or ""):
        audit.record(event, "failed", user_id=user.id)
        raise Invalid(errors={"password": [_("That is not your password.")]})


def export_data(*, user: User, password: str | None = None, passkey: dict | None = None) -> dict:
    """Everything the user wrote or set, as plain JSON data, once their password (or one
    of their passkeys) confirms it is them. It is asked every time, as for deleting the
    account: a session, even one restored from a remember-me cookie alone, never hands
    out the account's data."""
    confirm_identity(user=user, event="export", password=password, passkey=passkey)
    data = {
        "user": {
            "id": str(user.id),
            "email": user.email,
            "display_name": user.display_name,
            "timezone": user.timezone,
            "created_at": isoformat(user.created_at),
        },
    }
    for name, fn in features().exporters.items():
        data[name] = fn(user)
    audit.record("export", user_id=user.id)
    return data


def delete_account(
    *, user: User, now: datetime, password: str | None = None, passkey: dict | None = None
) -> None:
    """Delete the account after checking the password (or a passkey); unlinks first. The
    partner keeps their own entries."""
    confirm_identity(user=user, event="account_delete", password=password, passkey=passkey)
    user_id = user.id
    begin_write(db.session)
    for fn in features().before_delete:
        fn(user, now)
    db.session.delete(user)
    db.session.commit()
    audit.record("account_delete", user_id=user_id)
