"""The love-language quiz: its pairs, its scoring and tie-breaks, and the content around it."""

from collections import Counter
from itertools import combinations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from couples.lovelanguages.content import (
    BID_GUIDES,
    BID_PRESETS,
    EVERYDAY_PRESETS,
    IDEAS,
    LANGUAGE_LABELS,
    LANGUAGES,
    QUIZ,
    QUIZ_BY_KEY,
    small_move,
)
from couples.lovelanguages.quiz import QuizError, Result, score

ALL_A = {pair.key: "a" for pair in QUIZ}


def answers(wins):
    """Quiz answers from a table of all ten pairings: ``wins[x, y]`` is how many of the two
    x-y pairs went to x."""
    assert {frozenset(k) for k in wins} == {frozenset(c) for c in combinations(LANGUAGES, 2)}
    handed_out = Counter()  # (winner, loser) -> pairs given so far
    choices = {}
    for pair in QUIZ:
        x, y = pair.a.language, pair.b.language
        x_wins = wins[x, y] if (x, y) in wins else 2 - wins[y, x]
        choices[pair.key] = "a" if handed_out[x, y] < x_wins else "b"
        handed_out[(x, y) if choices[pair.key] == "a" else (y, x)] += 1
    return choices


def preferring(*order):
    """The table of someone who always picks the language earlier in ``order``."""
    return {(x, y): 2 for x, y in combinations(order, 2)}


# ------------------------------------------------------------------------------ the quiz


def test_there_are_twenty_pairs_with_unique_keys_and_statements():
    assert len(QUIZ) >= 20
    assert len({pair.key for pair in QUIZ}) == len(QUIZ) == len(QUIZ_BY_KEY)
    texts = [option.text for pair in QUIZ for option in (pair.a, pair.b)]
    assert len(set(texts)) == len(texts)
    assert all(0 < len(text) <= 90 for text in texts)


def test_every_pair_sets_two_different_languages_side_by_side():
    for pair in QUIZ:
        assert pair.a.language in LANGUAGES and pair.b.language in LANGUAGES
        assert pair.a.language != pair.b.language


def test_every_pairing_of_languages_comes_equally_often_and_each_language_equally():
    pairings = Counter(frozenset((pair.a.language, pair.b.language)) for pair in QUIZ)
    assert set(pairings) == {frozenset(c) for c in combinations(LANGUAGES, 2)}
    assert set(pairings.values()) == {2}
    offered = Counter(option.language for pair in QUIZ for option in (pair.a, pair.b))
    assert offered == dict.fromkeys(LANGUAGES, 8)


def test_sides_are_varied_so_no_language_sits_always_on_one_side():
    on_a = Counter(pair.a.language for pair in QUIZ)
    assert on_a == dict.fromkeys(LANGUAGES, 4)
    for x, y in combinations(LANGUAGES, 2):
        sides = {pair.a.language for pair in QUIZ if {pair.a.language, pair.b.language} == {x, y}}
        assert sides == {x, y}


def test_no_language_is_asked_about_twice_running():
    for first, second in zip(QUIZ, QUIZ[1:], strict=False):
        assert not {first.a.language, first.b.language} & {second.a.language, second.b.language}


# ------------------------------------------------------------------------------ scoring


def test_a_clear_preference_gives_a_clear_ranking():
    result = score(answers(preferring("time", "touch", "words", "acts", "gifts")))
    assert result.counts == {"time": 8, "touch": 6, "words": 4, "acts": 2, "gifts": 0}
    assert result.ranking == ("time", "touch", "words", "acts", "gifts")
    assert result.tied == ()
    assert result.top == "time"
    assert not result.is_tied("time")


def test_a_two_way_tie_goes_to_the_one_that_won_head_to_head():
    wins = preferring("time", "words", "acts", "gifts", "touch")
    wins["time", "acts"] = wins["time", "gifts"] = 1
    result = score(answers(wins))
    assert result.counts == {"words": 6, "acts": 5, "gifts": 3, "time": 6, "touch": 0}
    # words comes first in LANGUAGES, but time won both of their pairs.
    assert result.ranking == ("time", "words", "acts", "gifts", "touch")
    assert result.tied == (("time", "words"),)
    assert result.is_tied("words") and not result.is_tied("acts")


def test_a_two_way_tie_split_head_to_head_keeps_the_order_of_languages():
    wins = preferring("time", "words", "acts", "gifts", "touch")
    wins["time", "words"] = 1
    result = score(answers(wins))
    assert result.counts == {"words": 7, "acts": 4, "gifts": 2, "time": 7, "touch": 0}
    assert result.ranking == ("words", "time", "acts", "gifts", "touch")
    assert result.tied == (("words", "time"),)


def test_a_three_way_tie_is_ordered_by_wins_inside_the_group():
    wins = preferring("acts", "time", "touch", "gifts", "words")
    wins["acts", "time"] = 1  # acts and time split their pairs
    wins["time", "touch"] = 0  # touch beats time twice
    wins["touch", "words"] = 1  # outside the group touch gives one pair to words,
    wins["acts", "gifts"] = 0  # and acts two to gifts
    result = score(answers(wins))
    assert result.counts == {"words": 1, "acts": 5, "gifts": 4, "time": 5, "touch": 5}
    # Inside the group acts won 3 pairs, touch 2, time 1.
    assert result.ranking == ("acts", "touch", "time", "gifts", "words")
    assert result.tied == (("acts", "touch", "time"),)


def test_a_three_way_cycle_falls_back_to_the_order_of_languages():
    wins = preferring("words", "time", "acts", "gifts", "touch")
    wins["acts", "touch"] = 0  # acts > gifts > touch > acts, two pairs each
    result = score(answers(wins))
    assert result.counts == {"words": 8, "acts": 2, "gifts": 2, "time": 6, "touch": 2}
    assert result.ranking == ("words", "time", "acts", "gifts", "touch")
    assert result.tied == (("acts", "gifts", "touch"),)


def test_all_a_gives_a_five_way_tie_in_the_order_of_languages():
    result = score(ALL_A)
    assert result.counts == dict.fromkeys(LANGUAGES, 4)
    assert result.ranking == LANGUAGES
    assert result.tied == (LANGUAGES,)


@pytest.mark.parametrize(
    "wins",
    [
        # every pairing split
        {pairing: 1 for pairing in combinations(LANGUAGES, 2)},
        # each language beats the next two round the circle
        {
            (x, y): 2 if (LANGUAGES.index(y) - LANGUAGES.index(x)) % 5 in (1, 2) else 0
            for x, y in combinations(LANGUAGES, 2)
        },
    ],
    ids=["all-split", "circle"],
)
def test_other_five_way_ties_also_keep_the_order_of_languages(wins):
    result = score(answers(wins))
    assert result.counts == dict.fromkeys(LANGUAGES, 4)
    assert result.ranking == LANGUAGES
    assert result.tied == (LANGUAGES,)


def test_all_b_is_level_too():
    result = score({pair.key: "b" for pair in QUIZ})
    assert result.counts == dict.fromkeys(LANGUAGES, 4)
    assert result.ranking == LANGUAGES


# ------------------------------------------------------------------------------ bad input


def test_a_missing_pair_names_that_pair():
    choices = dict(ALL_A)
    del choices["p07"]
    with pytest.raises(QuizError) as caught:
        score(choices)
    assert set(caught.value.errors) == {"choices.p07"}
    assert isinstance(caught.value, ValueError)


def test_an_empty_answer_names_every_pair():
    with pytest.raises(QuizError) as caught:
        score({})
    assert set(caught.value.errors) == {f"choices.{pair.key}" for pair in QUIZ}


@pytest.mark.parametrize("value", ["c", "A", "", None, 1, ["a"], {"a": 1}, "ab"])
def test_a_value_other_than_a_or_b_is_refused(value):
    with pytest.raises(QuizError) as caught:
        score({**ALL_A, "p03": value})
    assert list(caught.value.errors) == ["choices.p03"]
    assert all(isinstance(m, str) for m in caught.value.errors["choices.p03"])


def test_an_unknown_pair_is_refused_by_name():
    with pytest.raises(QuizError) as caught:
        score({**ALL_A, "p99": "a"})
    assert list(caught.value.errors) == ["choices.p99"]


def test_a_flood_of_unknown_keys_is_reported_briefly():
    with pytest.raises(QuizError) as caught:
        score({**ALL_A, **{f"k{n}": "a" for n in range(1000)}})
    assert len(caught.value.errors) == 20
    with pytest.raises(QuizError) as caught:
        score({**ALL_A, "x" * 5000: "a"})
    assert [len(field) for field in caught.value.errors] == [len("choices.") + 100]


@pytest.mark.parametrize("choices", [None, "a" * 20, ["a"] * 20, 42])
def test_answers_that_are_not_a_mapping_are_refused(choices):
    with pytest.raises(QuizError) as caught:
        score(choices)
    assert list(caught.value.errors) == ["choices"]


@given(st.fixed_dictionaries({pair.key: st.sampled_from("ab") for pair in QUIZ}))
def test_any_answers_give_a_ranking_of_all_five_and_counts_that_add_up(choices):
    result = score(choices)
    assert isinstance(result, Result)
    assert sorted(result.ranking) == sorted(LANGUAGES)
    assert sum(result.counts.values()) == len(QUIZ)
    assert set(result.counts) == set(LANGUAGES)
    counts_in_order = [result.counts[x] for x in result.ranking]
    assert counts_in_order == sorted(counts_in_order, reverse=True)
    for group in result.tied:
        assert len(group) > 1 and len({result.counts[x] for x in group}) == 1
    level = Counter(result.counts.values())
    assert sum(len(g) for g in result.tied) == sum(n for n in level.values() if n > 1)
    assert score(dict(reversed(list(choices.items())))) == result


@given(st.fixed_dictionaries({pair.key: st.sampled_from("ab") for pair in QUIZ}))
def test_two_level_languages_are_ordered_by_their_own_pairs(choices):
    result = score(choices)
    for group in result.tied:
        if len(group) == 2:
            first, second = group
            won = Counter(
                pair.a.language if choices[pair.key] == "a" else pair.b.language
                for pair in QUIZ
                if {pair.a.language, pair.b.language} == {first, second}
            )
            assert won[first] > won[second] or (
                won[first] == won[second] and LANGUAGES.index(first) < LANGUAGES.index(second)
            )


# ------------------------------------------------------------------------------ content


def test_labels_name_every_language():
    assert LANGUAGES == ("words", "acts", "gifts", "time", "touch")
    assert LANGUAGE_LABELS == {
        "words": "Words of affirmation",
        "acts": "Acts of service",
        "gifts": "Receiving gifts",
        "time": "Quality time",
        "touch": "Physical touch",
    }


def test_every_language_has_at_least_eight_distinct_ideas():
    assert set(IDEAS) == set(LANGUAGES)
    every = [idea for ideas in IDEAS.values() for idea in ideas]
    assert len(set(every)) == len(every)
    for ideas in IDEAS.values():
        assert len(ideas) >= 8
        assert all(idea.endswith(".") and len(idea) <= 100 for idea in ideas)


@pytest.mark.parametrize("language", LANGUAGES)
def test_small_move_is_steady_for_a_seed_and_walks_every_idea(language):
    assert small_move(language, 739_001) == small_move(language, 739_001)
    count = len(IDEAS[language])
    assert {small_move(language, 739_001 + n) for n in range(count)} == set(IDEAS[language])
    assert small_move(language, -3) in IDEAS[language]


def test_small_move_refuses_an_unknown_language():
    with pytest.raises(ValueError, match="unknown"):
        small_move("chocolate", 1)


def test_bid_presets_are_four_everyday_ones_and_two_that_ask_for_a_kind_of_answer():
    assert BID_PRESETS == {
        "thinking_of_you": "Thinking of you",
        "talk_tonight": "Can we talk tonight?",
        "hug": "Hug?",
        "look_at_this": "Look at this",
        "good_news": "I have good news",
        "hard_day": "I'm having a hard day",
    }
    assert set(BID_PRESETS) - set(EVERYDAY_PRESETS) == {"good_news", "hard_day"}
    # Every guide belongs to a preset, and has a few short steps.
    assert set(BID_GUIDES) == {"good_news", "hard_day", "talk_tonight"}
    for guide in BID_GUIDES.values():
        assert guide.title and 2 <= len(guide.steps) <= 4
        assert all(len(step) <= 90 for step in guide.steps)
