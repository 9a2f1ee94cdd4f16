"""The question of the day: the bank itself and the rotation that keeps it fresh."""

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from couples.checkins.bank import (
    BY_KEY,
    NO_REPEAT_DAYS,
    QUESTIONS,
    THEMES,
    Question,
    cycle,
    question_of_the_day,
)

START = date(2026, 1, 1)


def a_year(couple_id: int, start: date = START) -> list[Question]:
    return [question_of_the_day(couple_id, start + timedelta(days=n)) for n in range(365)]


def test_the_bank_holds_well_over_sixty_questions():
    assert NO_REPEAT_DAYS == 60
    assert len(QUESTIONS) >= 72


def test_keys_are_unique_short_and_name_their_theme():
    keys = [q.key for q in QUESTIONS]
    assert len(set(keys)) == len(keys)
    assert set(BY_KEY) == set(keys)
    for q in QUESTIONS:
        assert re.fullmatch(r"[a-z]+-\d{2}", q.key)
        assert q.key.startswith(f"{q.theme}-")


def test_prompts_are_unique():
    prompts = [q.prompt.casefold() for q in QUESTIONS]
    assert len(set(prompts)) == len(prompts)


def test_every_theme_has_at_least_eight_questions():
    per_theme = Counter(q.theme for q in QUESTIONS)
    assert set(per_theme) == set(THEMES)
    assert all(count >= 8 for count in per_theme.values()), per_theme


@pytest.mark.parametrize("question", QUESTIONS, ids=lambda q: q.key)
def test_prompts_are_short_questions(question):
    assert len(question.prompt) <= 200
    assert question.prompt.endswith("?")
    assert question.prompt == question.prompt.strip()
    assert "  " not in question.prompt


def test_the_question_of_a_date_is_from_the_bank_and_always_the_same():
    question = question_of_the_day(7, START)
    assert isinstance(question, Question)
    assert BY_KEY[question.key] is question
    assert question_of_the_day(7, START) == question
    cycle.cache_clear()
    assert question_of_the_day(7, START) == question  # not an accident of the cache


@pytest.mark.parametrize("couple_id", [1, 2, 7, 1000, 2**31 - 1])
def test_a_year_has_no_repeat_within_sixty_days(couple_id):
    picks = a_year(couple_id, START + timedelta(days=couple_id % 97))
    last_seen: dict[str, int] = {}
    for day, question in enumerate(picks):
        if question.key in last_seen:
            assert day - last_seen[question.key] > NO_REPEAT_DAYS, (question.key, day)
        last_seen[question.key] = day
    assert len(last_seen) == len(QUESTIONS)  # the whole bank comes round within a year


@pytest.mark.parametrize("couple_id", [1, 2, 3, 42])
def test_themes_take_turns(couple_id):
    themes = [q.theme for q in a_year(couple_id)]
    assert all(a != b for a, b in zip(themes, themes[1:], strict=False))
    for start in range(0, len(themes) - 14):
        assert set(themes[start : start + 14]) == set(THEMES)


def test_a_cycle_holds_every_question_once():
    order = cycle(5)
    assert sorted(q.key for q in order) == sorted(q.key for q in QUESTIONS)


def test_couples_get_their_own_order():
    firsts = {tuple(q.key for q in a_year(couple_id)[:10]) for couple_id in range(1, 21)}
    assert len(firsts) == 20


def test_both_partners_far_apart_see_the_same_question_for_a_date():
    # The date, not the instant, decides: whoever answers the 10th gets the 10th's question.
    assert question_of_the_day(3, date(2026, 3, 10)) == question_of_the_day(3, date(2026, 3, 10))
    assert question_of_the_day(3, date(2026, 3, 10)) != question_of_the_day(3, date(2026, 3, 11))
