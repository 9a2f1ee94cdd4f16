"""Password hashing (argon2id) and the strength rule. No Flask imports."""

import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

# zxcvbn refuses more than 72 characters (its cost grows with length): the start decides.
_ZXCVBN_PREFIX = 72


def make_hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def verify(hasher: PasswordHasher, stored_hash: str, password: str) -> bool:
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def normalize(password: str) -> str:
    """The form a password is judged and hashed in: NFC, so that the same characters
    typed on two keyboards (a composed "é", or "e" and a combining accent) are one
    password."""
    return unicodedata.normalize("NFC", password)


def _forms(password: str) -> list[str]:
    """The forms to try, NFC first. Hashes made before passwords were normalized are of
    the form typed then, often decomposed (NFD): trying it as typed and decomposed too
    lets such an account log in however its password is typed now."""
    forms = [normalize(password)]
    for form in (password, unicodedata.normalize("NFD", password)):
        if form not in forms:
            forms.append(form)
    return forms


def check(hasher: PasswordHasher, stored_hash: str, password: str) -> tuple[bool, bool]:
    """Whether ``password`` matches ``stored_hash``, and whether the hash should be made
    again from the NFC form (it was made from another form, or with older parameters).

    A wrong password is tried in every form, so the time taken depends only on what was
    typed, never on the account."""
    for index, form in enumerate(_forms(password)):
        if verify(hasher, stored_hash, form):
            return True, index > 0 or hasher.check_needs_rehash(stored_hash)
    return False, False


def weakness(
    password: str,
    *,
    min_length: int,
    max_length: int,
    min_score: int,
    user_inputs: tuple[str, ...] = (),
) -> str | None:
    """Why ``password`` is refused, or None when it is acceptable.

    At least ``min_length`` characters, any characters, no composition rules; common and
    guessable passwords (zxcvbn score below ``min_score``) are refused."""
    if len(password) < min_length:
        return f"Use at least {min_length} characters."
    if len(password) > max_length:
        return f"Use at most {max_length} characters."
    inputs = [part for value in user_inputs for part in value.replace("@", " ").split() if part]
    result = zxcvbn(password[:_ZXCVBN_PREFIX], user_inputs=inputs)
    if result["score"] < min_score:
        # zxcvbn's warnings end with a full stop, or did in older versions not.
        warning = (result["feedback"].get("warning") or "").rstrip(". ")
        hint = f" {warning}." if warning else ""
        return (
            "This password is too easy to guess."
            + hint
            + " A few unrelated words together work well."
        )
    return None
