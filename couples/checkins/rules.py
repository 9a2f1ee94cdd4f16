"""The check-in rules, pure: which dates a partner may answer, what kind of check-in a
date has, the questions of a date, checking answers, and what a reveal offers next.

No Flask and no database here (but Flask-Babel's gettext, which works without an app):
the services pass in the schedule, the clock and the stored answers."""

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.numbers import format_decimal
from flask_babel import gettext as _

from couples.i18n import N_, current_language, translated
from couples.lovelanguages.content import LANGUAGES

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # date.weekday() order
ALL_DAYS = frozenset(range(7))
SUNDAY = 6
# Yesterday's check-in stays open until noon, local time.
GRACE_UNTIL = time(12, 0)
TEXT_MAX = 2000
TURNED_TOWARD = ("mostly", "sometimes", "rarely")
# A choice is shown as its option with a capital (templates/checkins/_answers.html): the
# words of these, for the catalogue.
CHOICE_WORDS = (N_("Mostly"), N_("Sometimes"), N_("Rarely"))

# The nightly core: at most four questions, on one phone screen, in a few taps.
CORE_MODULES = ("needs", "appreciation", "mood", "on_my_mind")
# "Go deeper": optional, below the core, each on or off for the couple.
DEEPER_MODULES = ("help", "love_languages", "connection", "question")
MODULES = CORE_MODULES + DEEPER_MODULES
MODULE_LABELS = {
    "needs": N_("How well my needs were met"),
    "appreciation": N_("Something I appreciated today"),
    "mood": N_("Mood"),
    "on_my_mind": N_("Something on my mind"),
    "help": N_("One thing that would help tomorrow"),
    "love_languages": N_("Love languages I felt"),
    "connection": N_("Feeling turned toward"),
    "question": N_("A deeper question of the day"),
}
CUSTOM_TYPES = ("text", "scale", "choice")
# What a partner may send back on an answer of the other's, once both have answered:
# turning toward what was said. (kind: what the buttons say, what the other is told)
REACTIONS = {
    "heart": ("♥", N_("sent a heart")),
    "thanks": (N_("Thank you"), N_("said thank you")),
    "talk": (N_("Let's talk about this"), N_("would like to talk about this")),
}


@dataclass(frozen=True)
class Schedule:
    nightly_days: frozenset[int] = ALL_DAYS
    weekly_day: int | None = SUNDAY
    modules_off: frozenset[str] = frozenset()


_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def parse_day(text: str) -> date | None:
    """A YYYY-MM-DD date, or None when ``text`` is not one."""
    if not isinstance(text, str) or not _DATE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def kind_for(day: date, schedule: Schedule) -> str | None:
    """``weekly`` on the weekly day, ``nightly`` on a nightly day, else None (no check-in)."""
    weekday = day.weekday()
    if schedule.weekly_day == weekday:
        return "weekly"
    if weekday in schedule.nightly_days:
        return "nightly"
    return None


def local_now(now: datetime, tz_name: str) -> datetime:
    return now.astimezone(ZoneInfo(tz_name))


def open_dates(now: datetime, tz_name: str) -> list[date]:
    """The dates a partner may answer at ``now``: their local today, then their local
    yesterday until 12:00 local."""
    here = local_now(now, tz_name)
    today = here.date()
    if here.time() < GRACE_UNTIL:
        return [today, today - timedelta(days=1)]
    return [today]


def answerable(day: date, now: datetime, tz_name: str) -> bool:
    return day in open_dates(now, tz_name)


@dataclass(frozen=True)
class AgendaWindow:
    """What the weekly check-in of ``day`` draws its agenda from: the check-ins of the six
    dates before it (``first`` to ``day``, ``day`` left out), and the appreciations sent
    from the start of ``first`` to the end of ``day``, local time (instants in UTC)."""

    day: date
    first: date
    notes_from: datetime
    notes_until: datetime


def agenda_window(day: date, tz_name: str) -> AgendaWindow:
    zone = ZoneInfo(tz_name)
    first = day - timedelta(days=6)
    return AgendaWindow(
        day,
        first,
        datetime.combine(first, time(0), tzinfo=zone),
        datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone),
    )


def weekly_day_of(days: Iterable[date], weekly_day: int | None) -> date | None:
    """The one of ``days`` (open dates: consecutive, at most two) that falls on the
    schedule's weekly day, if any."""
    if weekly_day is None:
        return None
    return next((day for day in days if day.weekday() == weekly_day), None)


# ---------------------------------------------------------------------------- questions
def _q(key: str, type_: str, prompt: str, *, required: bool = False, **extra) -> dict:
    question = {"key": key, "type": type_, "prompt": prompt, "required": required}
    question.update(extra)
    return question


def _scale(key: str, prompt: str, low: int, high: int, *, required: bool = False) -> dict:
    return _q(key, "scale", prompt, required=required, min=low, max=high)


NIGHTLY_MODULES: dict[str, tuple[dict, ...]] = {
    "needs": (_scale("needs_met", N_("Were your needs met today?"), 1, 5, required=True),),
    "appreciation": (_q("appreciation", "text", N_("Something I appreciated about you today")),),
    "mood": (_scale("mood", N_("How is your mood tonight?"), 1, 5, required=True),),
    "on_my_mind": (
        _q("on_my_mind", "yesno", N_("Something on your mind?")),
        _q("on_my_mind_text", "text", N_("What is it, in a few words?"), follows="on_my_mind"),
    ),
    "help": (_q("needs_help", "text", N_("One thing that would help me tomorrow")),),
    "love_languages": (
        _q(
            "love_languages_felt",
            "multi",
            N_("Which love languages did you feel today?"),
            options=list(LANGUAGES),
        ),
        _q(
            "love_language_wish",
            "choice",
            N_("Which would you love more of tomorrow?"),
            options=list(LANGUAGES),
        ),
    ),
    "connection": (
        _q(
            "turned_toward",
            "choice",
            N_("Did you feel turned toward today?"),
            options=list(TURNED_TOWARD),
            hint=N_("When you reached for me (a word, a look, a touch), did I notice and answer?"),
        ),
        _q("felt_seen", "text", N_("A moment I felt seen")),
    ),
}
CORE_KEYS = frozenset(q["key"] for m in CORE_MODULES for q in NIGHTLY_MODULES[m])

WEEKLY_QUESTIONS: tuple[dict, ...] = (
    _q("week_went_well", "text", N_("Three things that went well for us this week")),
    _q("week_appreciations", "text", N_("What I appreciated about you this week")),
    _q("week_talk_about", "text", N_("One thing we should talk about")),
    _scale(
        "week_needs_met",
        N_("Overall, how well were your needs met this week?"),
        1,
        10,
        required=True,
    ),
    _q("week_more_for_you", "text", N_("What can I do more of for you this week?")),
    _q("week_together", "text", N_("One thing we'll do together next week")),
)


def custom_key(question_id: int) -> str:
    return f"custom_{question_id}"


def prompt_text(question: dict) -> str:
    """A question's words in the page's language; the couple's own stay as they wrote them."""
    if question["key"].startswith("custom_"):
        return question["prompt"]
    return translated(question["prompt"])


def custom_question(
    question_id: int, type_: str, prompt: str, options: Iterable[str] | None = None
) -> dict:
    if type_ == "scale":
        return _scale(custom_key(question_id), prompt, 1, 5)
    if type_ == "choice":
        return _q(custom_key(question_id), "choice", prompt, options=list(options or ()))
    return _q(custom_key(question_id), "text", prompt)


def questions_for(
    kind: str,
    *,
    modules_off: Iterable[str] = (),
    question_of_the_day: str | None = None,
    custom: Iterable[dict] = (),
) -> list[dict]:
    """The questions of one check-in, in the order they are asked: the core, then what
    goes deeper (the deeper modules, the question of the day, the couple's own
    questions), then on the weekly check-in the week's questions."""
    off = set(modules_off)
    questions = [
        dict(q) for module in MODULES if module not in off for q in NIGHTLY_MODULES.get(module, ())
    ]
    if "question" not in off and question_of_the_day:
        questions.append(_q("question_of_the_day", "text", question_of_the_day))
    questions.extend(dict(q) for q in custom)
    if kind == "weekly":
        questions.extend(dict(q) for q in WEEKLY_QUESTIONS)
    return questions


WEEKLY_KEYS = frozenset(q["key"] for q in WEEKLY_QUESTIONS)


@dataclass(frozen=True)
class Parts:
    """A check-in's questions as the page groups them."""

    core: list[dict]
    deeper: list[dict]
    week: list[dict]


def parts(questions: Iterable[dict]) -> Parts:
    """Split stored questions into the core, "go deeper" and the week's, in their order.
    A check-in keeps the questions it was asked, so this goes by key."""
    core, deeper, week = [], [], []
    for question in questions:
        key = question["key"]
        (core if key in CORE_KEYS else week if key in WEEKLY_KEYS else deeper).append(question)
    return Parts(core, deeper, week)


# ------------------------------------------------------------------------------ answers
def _bad_text(value: str) -> str | None:
    if len(value) > TEXT_MAX:
        return _(
            "Keep it under %(max)s characters.",
            max=format_decimal(TEXT_MAX, locale=current_language()),
        )
    for char in value:
        if char in "\n\t":
            continue
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc"):
            return _("This contains characters that can't be saved.")
    return None


def _check(question: dict, value):
    """(clean value, None) or (None, message) for one answer."""
    kind = question["type"]
    if kind == "text":
        if not isinstance(value, str):
            return None, _("Write this as text.")
        value = value.replace("\r\n", "\n").strip()
        if problem := _bad_text(value):
            return None, problem
        return (value or None), None
    if kind == "scale":
        low, high = question["min"], question["max"]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            return None, _("Choose a number from %(low)s to %(high)s.", low=low, high=high)
        return value, None
    if kind == "choice":
        if not isinstance(value, str) or value not in question["options"]:
            return None, _("Choose one of the options.")
        return value, None
    if kind == "multi":
        if (
            not isinstance(value, list)
            or any(not isinstance(v, str) for v in value)
            or any(v not in question["options"] for v in value)
        ):
            return None, _("Choose from the options.")
        if len(set(value)) != len(value):
            return None, _("Choose each option once.")
        return [o for o in question["options"] if o in value], None
    if kind == "yesno":
        if not isinstance(value, bool):
            return None, _("Answer yes or no.")
        return value, None
    raise ValueError(f"unknown question type {kind!r}")


def check_answers(questions: list[dict], answers: Mapping) -> tuple[dict, dict[str, list[str]]]:
    """Validate ``answers`` against ``questions``: (clean answers keyed like the questions,
    every question present with None when skipped; errors keyed ``answers.<key>``)."""
    errors: dict[str, list[str]] = {}
    by_key = {q["key"]: q for q in questions}
    for key in answers:
        if key not in by_key:
            errors[f"answers.{str(key)[:80]}"] = [_("This is not a question of this check-in.")]
    clean: dict = {}
    for key, question in by_key.items():
        value = answers.get(key)
        if value is not None:
            value, problem = _check(question, value)
            if problem:
                errors[f"answers.{key}"] = [problem]
                continue
        if value is None and question["required"]:
            errors[f"answers.{key}"] = [_("Please answer this one.")]
        clean[key] = value
    for key, question in by_key.items():
        # A follow-up counts only after "yes": words left in it after a "no" are not
        # an answer (the page hides the field then, and the partner never sees them).
        if question.get("follows") and clean.get(question["follows"]) is not True:
            clean[key] = None
            errors.pop(f"answers.{key}", None)
    return clean, errors


# ------------------------------------------------------------------------------- reveal
def next_step_reasons(mine: Mapping, theirs: Mapping) -> list[str]:
    """Why a revealed check-in offers a next step (talk tonight, pick a time, repair):
    a low needs score, scores far apart, or something on someone's mind. Offered only."""
    reasons = []
    a, b = mine.get("needs_met"), theirs.get("needs_met")
    if (a is not None and a <= 2) or (b is not None and b <= 2):
        reasons.append("needs_low")
    if a is not None and b is not None and abs(a - b) >= 2:
        reasons.append("needs_apart")
    if mine.get("on_my_mind") or theirs.get("on_my_mind"):
        reasons.append("on_my_mind")
    return reasons
