"""The words of the repair pages: feelings, needs, the I-statement, the pause, the apology
parts, the plan, the response, the follow-up and ways to reconnect."""

import ast
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from couples.lovelanguages.content import LANGUAGES
from couples.repair import content
from couples.repair.apology import check
from couples.repair.content import (
    APOLOGY_PARTS,
    COMMITMENT_EXAMPLES,
    FEELING_GROUPS,
    FEELINGS,
    FOLLOW_UP_OUTCOMES,
    I_STATEMENT,
    NEEDS_NOW,
    PAUSE_LENGTHS,
    PAUSE_MAX_MINUTES,
    PAUSE_MIN_MINUTES,
    RECONNECT_BY_KEY,
    RECONNECT_GENERAL,
    RECONNECT_IDEAS,
    STOP,
    clean_feeling,
    i_statement,
    join_words,
    reconnect_suggestions,
)

# --------------------------------------------------------------------------- feelings


def test_the_picker_offers_at_least_thirty_feelings_including_the_core_ones():
    assert len(FEELINGS) >= 30
    assert len(set(FEELINGS)) == len(FEELINGS)
    for word in (
        "hurt",
        "lonely",
        "angry",
        "sad",
        "scared",
        "ashamed",
        "dismissed",
        "overwhelmed",
        "disappointed",
        "anxious",
    ):
        assert word in FEELINGS


def test_the_flat_list_follows_the_groups_and_every_word_is_its_own_clean_form():
    assert tuple(w for _, words in FEELING_GROUPS for w in words) == FEELINGS
    assert all(label and words for label, words in FEELING_GROUPS)
    assert all(clean_feeling(word) == word for word in FEELINGS)


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("hurt", "hurt"),
        ("  Left   Out ", "left out"),
        ("Taken for granted", "taken for granted"),
        ("second-best", "second-best"),
        ("don’t know", "don't know"),
        ("déçu", "déçu"),
        ("a" * 30, "a" * 30),
    ],
)
def test_a_partners_own_feeling_is_kept_tidied(typed, kept):
    assert clean_feeling(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "   ",
        "a" * 31,
        "123",
        "sad!",
        "--",
        "hurt--bad",
        "<b>hurt</b>",
        "hurt\nsad",
        None,
        7,
        ["hurt"],
    ],
)
def test_what_cannot_be_a_feeling_is_refused(typed):
    assert clean_feeling(typed) is None


@given(st.text())
def test_clean_feeling_never_raises_and_is_stable(text):
    cleaned = clean_feeling(text)
    if cleaned is not None:
        assert 1 <= len(cleaned) <= 30
        assert clean_feeling(cleaned) == cleaned


def test_join_words_reads_like_a_sentence():
    assert join_words([]) == ""
    assert join_words(["hurt"]) == "hurt"
    assert join_words(["hurt", "lonely"]) == "hurt and lonely"
    assert join_words(["hurt", "lonely", "tired"]) == "hurt, lonely and tired"


# --------------------------------------------------------------------- needs, statement


def test_the_four_needs_each_have_a_label_and_a_line():
    assert list(NEEDS_NOW) == ["space", "talk", "reassurance", "closeness"]
    assert all(choice.label and choice.help for choice in NEEDS_NOW.values())


def test_the_i_statement_fields_match_the_hearing_step():
    assert list(I_STATEMENT) == ["i_feel", "when", "because", "i_need"]
    assert all(p.label and p.help and p.placeholder for p in I_STATEMENT.values())


def test_the_i_statement_placeholders_read_as_one_sentence():
    p = {k: v.placeholder for k, v in I_STATEMENT.items()}
    assert i_statement(p["i_feel"], p["when"], p["because"], p["i_need"]) == (
        "I feel lonely when you scroll through your phone while we eat because dinner is the "
        "one part of the day that's just ours. I need us to leave our phones in the other "
        "room at dinner."
    )


@pytest.mark.parametrize(
    ("feelings", "when", "because", "need", "sentence"),
    [
        (
            ["hurt"],
            "you laughed at my idea",
            "I'd worked on it all week",
            "you to ask first",
            "I feel hurt when you laughed at my idea because I'd worked on it all week. "
            "I need you to ask first.",
        ),
        (
            ["hurt", "lonely"],
            "You went to bed without saying goodnight.",
            "because it felt like we were strangers",
            "I need a hug before we sleep.",
            "I feel hurt and lonely when you went to bed without saying goodnight because it felt "
            "like we were strangers. I need a hug before we sleep.",
        ),
        (
            ["hurt", "lonely", "tired"],
            "when  Sam cancelled  again",
            "",
            "",
            "I feel hurt, lonely and tired when Sam cancelled again.",
        ),
        (
            "anxious",
            "",
            "",
            "a text when you're running late",
            "I feel anxious. I need a text when you're running late.",
        ),
        ([], "", "", "", ""),
    ],
)
def test_i_statement_composes_the_partners_words(feelings, when, because, need, sentence):
    assert i_statement(feelings, when, because, need) == sentence


def test_i_statement_drops_a_lead_word_typed_on_its_own():
    assert i_statement(["sad"], "When.", "because", "I need") == "I feel sad."


@given(st.lists(st.text(max_size=40), max_size=4), st.text(), st.text(), st.text())
def test_i_statement_never_raises(feelings, when, because, need):
    sentence = i_statement(feelings, when, because, need)
    assert sentence == "" or sentence.endswith(".")


# ------------------------------------------------------------------------------ pause


def test_stop_has_its_four_steps_in_order():
    assert [s.title for s in STOP] == ["Stop", "Take a breath", "Observe", "Proceed with intention"]
    assert len({s.key for s in STOP}) == 4
    for step in STOP:
        assert 1 <= len(re.findall(r"[.!?](?:\s|$)", step.text)) <= 2


def test_pause_lengths_lie_between_twenty_minutes_and_a_day():
    minutes = [m for m, _ in PAUSE_LENGTHS]
    assert minutes == sorted(set(minutes))
    assert minutes[0] == PAUSE_MIN_MINUTES == 20
    assert minutes[-1] == PAUSE_MAX_MINUTES == 1440
    assert all(label for _, label in PAUSE_LENGTHS)


# -------------------------------------------------------------------------- apology


def test_the_three_apology_parts_have_words_and_a_sound_example():
    assert list(APOLOGY_PARTS) == ["acknowledgement", "empathy", "restitution"]
    assert all(p.label and p.help and p.placeholder for p in APOLOGY_PARTS.values())
    assert check(**{k: p.placeholder for k, p in APOLOGY_PARTS.items()}) == []


# ------------------------------------------------------------- plan, response, follow-up


def test_commitment_examples_follow_next_time_i_will():
    assert 2 <= len(COMMITMENT_EXAMPLES) <= 3
    for example in COMMITMENT_EXAMPLES:
        assert re.fullmatch(r"Next time .+, I will .+\.", example)
        assert check(restitution=example) == []
    assert content.COMMITMENT_PROMPT.placeholder in COMMITMENT_EXAMPLES


def test_follow_up_outcomes_are_kind_and_never_a_grade():
    assert list(FOLLOW_UP_OUTCOMES) == ["kept", "partly", "not"]
    labels = [c.label for c in FOLLOW_UP_OUTCOMES.values()]
    assert labels == ["We did", "Partly", "Not yet"]
    words = " ".join(labels + [c.help for c in FOLLOW_UP_OUTCOMES.values()]).lower()
    for grading in ("fail", "score", "broke", "missed"):
        assert grading not in words


def test_the_my_part_words_are_there():
    assert content.MY_PART_PROMPT.label == "My part in it"
    assert content.MY_PART_PROMPT.help


# ------------------------------------------------------------------------- reconnect


def test_every_language_has_at_least_four_ideas_and_keys_are_unique():
    assert set(RECONNECT_IDEAS) == set(LANGUAGES)
    assert all(len(ideas) >= 4 for ideas in RECONNECT_IDEAS.values())
    assert len(RECONNECT_GENERAL) >= 3
    keys = [k for ideas in RECONNECT_IDEAS.values() for k, _ in ideas] + [
        k for k, _ in RECONNECT_GENERAL
    ]
    assert len(keys) == len(set(keys)) == len(RECONNECT_BY_KEY)
    assert all(re.fullmatch(r"[a-z]+_[a-z_]+", k) for k in keys)


def test_suggestions_come_from_the_top_two_languages_and_general_ideas():
    got = reconnect_suggestions(["touch", "acts", "words", "time", "gifts"])
    assert {s["language"] for s in got} == {"touch", "acts", None}
    assert [s["language"] for s in got[:3]] == ["touch", "acts", None]
    assert all(set(s) == {"key", "language", "text"} for s in got)
    assert all(RECONNECT_BY_KEY[s["key"]] == s for s in got)


@pytest.mark.parametrize("ranking", [None, [], ["bogus"]])
def test_without_a_profile_every_language_takes_a_turn(ranking):
    got = reconnect_suggestions(ranking, n=6)
    assert [s["language"] for s in got] == [*LANGUAGES, None]


def test_suggestions_skip_unknown_and_repeated_keys_and_respect_n():
    got = reconnect_suggestions(["gifts", "gifts", "nope", "time"], n=3)
    assert [s["language"] for s in got] == ["gifts", "time", None]
    assert reconnect_suggestions(["time"], n=0) == []
    everything = reconnect_suggestions(None, n=1000)
    assert len(everything) == len(RECONNECT_BY_KEY)


def test_suggestions_are_the_same_for_the_same_ranking():
    ranking = ["words", "time", "touch", "acts", "gifts"]
    assert reconnect_suggestions(ranking) == reconnect_suggestions(list(ranking))


@pytest.mark.parametrize("module", ["apology", "content", "signpost"])
def test_the_repair_words_and_checks_are_pure(module):
    source = Path(content.__file__).with_name(f"{module}.py").read_text()
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0])
    assert not imported & {"flask", "flask_sqlalchemy", "sqlalchemy", "werkzeug"}
