"""Scoring the love-language quiz into a ranking of the five languages. Pure, no Flask
(but Flask-Babel's gettext, which works without an app).

Ties. Languages chosen equally often are ordered head to head: by how many times each was
chosen over the other languages of that group when they were paired (for two languages,
which one won their two pairs). Any still level keep the order of ``LANGUAGES`` (words,
acts, gifts, time, touch). ``tied`` names every group that had the same count, so a page
can say they are close and invite the person to order them by hand."""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from couples.lovelanguages.content import LANGUAGES, QUIZ, QUIZ_BY_KEY

SIDES = ("a", "b")
# Enough to show someone what went wrong, not a mirror of whatever they sent.
_MAX_REPORTED = 20
_MAX_KEY_LENGTH = 100


class QuizError(ValueError):
    """Answers that cannot be scored. ``errors`` maps ``choices.<pair key>`` (or
    ``choices``) to a list of messages, the shape the 422 responses carry."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("the quiz answers cannot be scored")  # never shown: errors are answered
        self.errors = errors


@dataclass(frozen=True)
class Result:
    counts: dict[str, int]  # how often each language was chosen, all five
    ranking: tuple[str, ...]  # all five, most chosen first
    tied: tuple[tuple[str, ...], ...]  # groups with equal counts, in ranking order

    @property
    def top(self) -> str:
        return self.ranking[0]

    def is_tied(self, language: str) -> bool:
        return any(language in group for group in self.tied)


def choices_schema() -> dict:
    """The JSON Schema of the answers ``score`` takes (the OpenAPI document states it)."""
    return {
        "type": "object",
        "properties": {pair.key: {"type": "string", "enum": list(SIDES)} for pair in QUIZ},
        "required": [pair.key for pair in QUIZ],
        "additionalProperties": False,
    }


def _check(choices: object) -> dict[str, str]:
    if not isinstance(choices, Mapping):
        raise QuizError({"choices": [_("Answer each pair with a or b.")]})
    errors: dict[str, list[str]] = {}
    unknown = [key for key in choices if key not in QUIZ_BY_KEY]
    for key in unknown[:_MAX_REPORTED]:
        errors[f"choices.{str(key)[:_MAX_KEY_LENGTH]}"] = [_("Not a pair in this quiz.")]
    for pair in QUIZ:
        if pair.key not in choices:
            errors[f"choices.{pair.key}"] = [_("Pick one of the two.")]
        elif not (isinstance(choices[pair.key], str) and choices[pair.key] in SIDES):
            errors[f"choices.{pair.key}"] = [_('Choose "a" or "b".')]
    if errors:
        raise QuizError(errors)
    return {pair.key: choices[pair.key] for pair in QUIZ}


def _head_to_head(group: Sequence[str], wins: Counter[tuple[str, str]]) -> list[str]:
    """``group`` (languages with the same count) ordered by how often each was chosen over
    the others of the group; then in the order of LANGUAGES."""
    points = {x: sum(wins[x, y] for y in group if y != x) for x in group}
    return sorted(group, key=lambda x: (-points[x], LANGUAGES.index(x)))


def score(choices: Mapping[str, str]) -> Result:
    """The ranking of the five languages from one partner's quiz answers.

    ``choices`` maps every pair key of ``QUIZ`` to "a" or "b". Anything else (a missing
    pair, an unknown key, another value) raises ``QuizError`` and scores nothing. Counts
    add up to the number of pairs; the ranking is all five, by count, ties broken as the
    module describes."""
    checked = _check(choices)
    counts = dict.fromkeys(LANGUAGES, 0)
    wins: Counter[tuple[str, str]] = Counter()
    for pair in QUIZ:
        chosen, other = (pair.a, pair.b) if checked[pair.key] == "a" else (pair.b, pair.a)
        counts[chosen.language] += 1
        wins[chosen.language, other.language] += 1

    ranking: list[str] = []
    tied: list[tuple[str, ...]] = []
    for count in sorted(set(counts.values()), reverse=True):
        group = _head_to_head([x for x in LANGUAGES if counts[x] == count], wins)
        ranking.extend(group)
        if len(group) > 1:
            tied.append(tuple(group))
    return Result(counts=counts, ranking=tuple(ranking), tied=tuple(tied))
