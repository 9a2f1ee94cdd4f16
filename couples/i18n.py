"""Languages, with Flask-Babel: English and Spanish.

The language of a page is the one the person chose in their account, else the best of
their browser's ``Accept-Language`` among ``COUPLES_LANGUAGES``, else English. The
language a person last used is kept on their account (``users.language`` when chosen,
``users.seen_language`` otherwise), so that what reaches them away from a page (a push)
is written in it too. Dates and times follow the language (Babel's formats) and the
person's own time zone.

Strings are marked with ``gettext`` (``_`` in templates), extracted by ``pybabel`` with
``babel.cfg`` into ``couples/translations/messages.pot``; each language's ``messages.po``
is compiled to ``messages.mo`` beside it (README: Translating)."""

import re
from datetime import date, datetime
from functools import lru_cache

from babel.dates import format_date, format_datetime
from babel.messages.mofile import read_mo
from flask import Flask, current_app, g, has_app_context, has_request_context, request
from flask_babel import Babel, force_locale, get_locale, gettext
from flask_login import current_user

from couples import ROOT

TRANSLATIONS = ROOT / "couples" / "translations"

# Every language the app has words for, by its own name.
NAMES = {"en": "English", "es": "Español"}


def N_(text: str) -> str:  # noqa: N802 (the name pybabel looks for)
    """Mark ``text`` (a constant: a question, a prompt, a label) for the catalogue without
    translating it here: it stays English where it is kept and sent on (the database, the
    API's keys), and is translated where a person reads it, with ``translated``."""
    return text


def translated(text) -> str:
    """The page's language's words for ``text``, an English string marked with ``N_``
    (``| tr`` in templates). Unlike ``_`` in a template it formats nothing, so a ``%``
    in the text is just a ``%``."""
    return gettext(text) if text else text


def offered() -> list[str]:
    """The languages a browser is answered in and the account page offers
    (``COUPLES_LANGUAGES``), English first. One chosen in the account (through the API)
    may be any of ``NAMES``."""
    chosen = [code for code in current_app.config.get("LANGUAGES") or ["en"] if code in NAMES]
    return ["en", *[code for code in chosen if code != "en"]]


def language_of(user) -> str:
    """The language to write to ``user`` in: their choice, else the one their browser
    last asked for, else English."""
    chosen = getattr(user, "language", None)
    if chosen in NAMES:
        return chosen
    seen = getattr(user, "seen_language", None)
    return seen if seen in offered() else "en"


def browser_language() -> str:
    return request.accept_languages.best_match(offered(), default="en")


def select_locale() -> str:
    """The request's language (Flask-Babel asks once, when the first words are said)."""
    if not has_request_context():
        return "en"
    if current_user.is_authenticated and current_user.language in NAMES:
        chosen = current_user.language
    else:
        chosen = browser_language()
    g.language = chosen
    return chosen


def answer_language() -> str:
    """The language this answer's words were said in: the one chosen for the request; else
    (no words said, so nothing was chosen) the account's choice if the account was loaded
    (``g.account_language``: nothing is read again for it), else the browser's."""
    chosen = g.get("language") or g.get("account_language")
    return chosen if chosen in NAMES else browser_language()


def name_the_language(response):
    """Every answer but a static file names its language (``Content-Language``)."""
    if request.endpoint != "static":
        response.headers.setdefault("Content-Language", answer_language())
    return response


def select_timezone() -> str | None:
    if has_request_context() and current_user.is_authenticated:
        return current_user.timezone
    return None


def writing_to(user):
    """``with writing_to(user):`` gettext in ``user``'s language (a push, a mail)."""
    return force_locale(language_of(user))


def written_in(code: str | None):
    """``with written_in(code):`` gettext in a language kept in the database (a
    notification's), English for one the app has no words for."""
    return force_locale(code if code in NAMES else "en")


def language_choices(user) -> list[tuple[str, str]]:
    """The account page's list: the offered languages, and the one chosen if it is not."""
    codes = offered()
    if user.language in NAMES and user.language not in codes:
        codes.append(user.language)
    return [(code, NAMES[code]) for code in codes]


def current_language() -> str:
    return str(get_locale() or "en")


# strftime's fields as CLDR's (Babel's) pattern letters.
_FIELDS = {
    "%-d": "d",
    "%d": "dd",
    "%b": "MMM",
    "%B": "MMMM",
    "%a": "EEE",
    "%A": "EEEE",
    "%Y": "y",
    "%H": "HH",
    "%M": "mm",
}
_FIELD = re.compile("|".join(re.escape(field) for field in _FIELDS))
# Where a language says a date its own way ("5 de diciembre").
_OWN_WAY = {
    "es": {
        "%-d %B": "d 'de' MMMM",
        "%-d %B %Y": "d 'de' MMMM 'de' y",
        "%d %B %Y": "d 'de' MMMM 'de' y",
        "%A %-d %B": "EEEE d 'de' MMMM",
        "%A %-d %B %Y": "EEEE d 'de' MMMM 'de' y",
        "%-d %B %Y, %H:%M": "d 'de' MMMM 'de' y, HH:mm",
    }
}


def _cldr(pattern: str) -> str:
    """A strftime pattern as a CLDR one: fields mapped, any other letters quoted."""
    out, end = [], 0
    for found in _FIELD.finditer(pattern):
        out.append(_literal(pattern[end : found.start()]))
        out.append(_FIELDS[found.group()])
        end = found.end()
    out.append(_literal(pattern[end:]))
    return "".join(out)


def _literal(text: str) -> str:
    return re.sub(r"[A-Za-z']+", lambda m: "'" + m.group().replace("'", "''") + "'", text)


def format_moment(value: date | datetime, pattern: str) -> str:
    """``value`` (a date, or a datetime already on the reader's clock) written with a
    strftime ``pattern`` in the page's language: month and day names, and the language's
    own order of a long date."""
    language = current_language() if has_app_context() else "en"
    if language == "en":
        return value.strftime(pattern)
    cldr = _OWN_WAY.get(language, {}).get(pattern) or _cldr(pattern)
    if isinstance(value, datetime):
        return format_datetime(value, cldr, tzinfo=value.tzinfo, locale=language)
    return format_date(value, cldr, locale=language)


@lru_cache(maxsize=8)
def _script_words(language: str, mtime_ns: int) -> dict:
    """The compiled "js" catalogue of ``language`` as {English: words}, read once per
    version of the file (``mtime_ns``): the same for everyone. Words said in a context
    are keyed "context\u0004English", as gettext keys them (``pgettext`` in words.js)."""
    path = TRANSLATIONS / language / "LC_MESSAGES" / "js.mo"
    with path.open("rb") as handle:
        catalog = read_mo(handle)
    words = {}
    for message in catalog:
        if not message.id:
            continue
        english = message.id[0] if isinstance(message.id, tuple | list) else message.id
        key = f"{message.context}\u0004{english}" if message.context else english
        words[key] = list(message.string) if message.pluralizable else message.string
    return words


def script_words() -> dict:
    """The words the scripts say, in the page's language (nothing for English: the
    scripts' own strings are English)."""
    language = current_language()
    path = TRANSLATIONS / language / "LC_MESSAGES" / "js.mo"
    if language == "en" or not path.exists():
        return {}
    return _script_words(language, path.stat().st_mtime_ns)


def init_app(app: Flask) -> None:
    Babel(
        app,
        locale_selector=select_locale,
        timezone_selector=select_timezone,
        default_translation_directories=str(TRANSLATIONS),
    )
    # {% trans %} blocks are read with their whitespace collapsed (as pybabel extracts them)
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["language_choices"] = language_choices
    app.jinja_env.globals["script_words"] = script_words
    app.add_template_filter(format_moment, "moment")
    app.add_template_filter(translated, "tr")
    app.after_request(name_the_language)
