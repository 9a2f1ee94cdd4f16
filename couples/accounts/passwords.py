"""Password hashing (argon2id) and the strength rule. No Flask imports."""

import unicodedata
from collections.abc import Callable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

# zxcvbn refuses more than 72 characters (its cost grows with length): the start decides.
_ZXCVBN_PREFIX = 72


def N_(text: str) -> str:  # noqa: N802 (pybabel's mark, as couples.i18n.N_, without Flask)
    return text


# zxcvbn's warnings (in English), marked for the catalogue: the strength rule's message
# quotes one, in the reader's language when ``weakness`` is given a ``gettext``.
ZXCVBN_WARNINGS = (
    N_("Straight rows of keys are easy to guess."),
    N_("Short keyboard patterns are easy to guess."),
    N_('Repeats like "aaa" are easy to guess.'),
    N_('Repeats like "abcabcabc" are only slightly harder to guess than "abc".'),
    N_('Sequences like "abc" or "6543" are easy to guess.'),
    N_("Recent years are easy to guess."),
    N_("Dates are often easy to guess."),
    N_("This is a top-10 common password."),
    N_("This is a top-100 common password."),
    N_("This is a very common password."),
    N_("This is similar to a commonly used password."),
    N_("A word by itself is easy to guess."),
    N_("Names and surnames by themselves are easy to guess."),
    N_("Common names and surnames are easy to guess."),
)


def _english(text: str) -> str:
    return text


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
    gettext: Callable[[str], str] = _english,
) -> str | None:
    """Why ``password`` is refused, or None when it is acceptable: in English, or in the
    words ``gettext`` gives for the English (Flask-Babel's, for a page's language).

    At least ``min_length`` characters, any characters, no composition rules; common and
    guessable passwords (zxcvbn score below ``min_score``) are refused."""
    if len(password) < min_length:
        return gettext("Use at least %(num)d characters.") % {"num": min_length}
    if len(password) > max_length:
        return gettext("Use at most %(num)d characters.") % {"num": max_length}
    inputs = [part for value in user_inputs for part in value.replace("@", " ").split() if part]
    result = zxcvbn(password[:_ZXCVBN_PREFIX], user_inputs=inputs)
    if result["score"] < min_score:
        # zxcvbn's warnings end with a full stop, or did in older versions not.
        warning = (result["feedback"].get("warning") or "").rstrip(". ")
        said = f"{warning}." if warning else ""  # as marked in ZXCVBN_WARNINGS
        hint = " " + gettext(said) if said else ""
        return (
            gettext("This password is too easy to guess.")
            + hint
            + " "
            + gettext("A few unrelated words together work well.")
        )
    return None
