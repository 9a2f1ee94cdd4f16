"""Signposting: the therapy guidance, the emergency resources, the danger detector and
when to show the guidance."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from couples.repair.signpost import (
    EMERGENCY,
    KINDS,
    SIGNPOST_REPAIRS,
    THERAPY_GUIDANCE,
    danger_kinds,
    danger_words,
    should_signpost,
)

# (sentence, the phrase found as written, its kind)
DANGER = [
    ("He hit me last night after the party.", "He hit me", "violence"),
    ("My husband has hit me before, twice.", "My husband has hit me", "violence"),
    ("You pushed me against the wall when I tried to leave.", "pushed me against", "violence"),
    ("She slapped me in front of the kids.", "slapped me", "violence"),
    ("He choked me during the argument.", "choked me", "violence"),
    ("He grabbed my wrist so hard it hurt for days.", "grabbed my wrist", "violence"),
    ("He threw a glass at me.", "threw a glass at me", "violence"),
    ("He shoved me into the door on the way out.", "shoved me", "violence"),
    ("He won’t let me leave the house on my own.", "won’t let me leave", "violence"),
    ("He gets violent when he drinks.", "gets violent", "violence"),
    ("He threatened to kill me if I ever leave.", "threatened to kill", "threat"),
    ("She said she would hurt the kids if I told anyone.", "said she would hurt", "threat"),
    ("He pulled a knife on me last week.", "pulled a knife", "threat"),
    ("She threatened me with a kitchen knife.", "threatened me", "threat"),
    ("I'm afraid of him when he has been drinking.", "afraid of him", "fear"),
    ("Honestly, I'm terrified of you.", "terrified of you", "fear"),
    ("I'm scared for my life.", "scared for my life", "fear"),
    ("I don’t feel safe at home anymore.", "don’t feel safe at home", "fear"),
    ("I'm afraid to go home tonight.", "afraid to go home", "fear"),
    ("Sometimes I think about killing myself.", "killing myself", "self_harm"),
    ("I just want to die.", "want to die", "self_harm"),
    ("I've been hurting myself again.", "hurting myself", "self_harm"),
    ("Everyone would be better off without me.", "better off without me", "self_harm"),
    ("I have had suicidal thoughts this month.", "suicidal", "self_harm"),
]

# Sentences from ordinary repairs, heavy with feeling, that must not raise an alarm.
SAFE = [
    "I feel hurt and lonely when you cancel our plans.",
    "You hurt me when you said I was lazy in front of your friends.",
    "It hurts me that you forgot our anniversary.",
    "It really hit me how alone you felt at the party.",
    "That comment hit me hard, and I've been thinking about it all day.",
    "Seeing you cry hit me hard.",
    "I felt attacked when you criticized my cooking.",
    "You pushed me away when I tried to talk about it.",
    "I'm sorry I pushed you to talk before you were ready.",
    "I'm afraid of losing you.",
    "I'm afraid of you leaving if I tell you how I feel.",
    "I'm scared of messing this up again.",
    "I felt threatened by how much time you spend with your ex.",
    "This silence is killing me.",
    "I was dying to tell you about my day and you didn't look up.",
    "I could have died of embarrassment when you told that story.",
    "You beat me at cards and then gloated all night.",
    "I don't feel safe telling you when something's wrong.",
    "I don't want to live like this, always arguing about money.",
    "I felt crushed, small and overwhelmed.",
    "He hit me up on WhatsApp to ask about Saturday.",
    "You kicked me out of the conversation by changing the subject.",
    "You beat me to it: I was about to apologize.",
    "I'm sorry I threatened to leave; I didn't mean it.",
    "You threatened me with divorce in the middle of a fight about the dishes.",
    "You threatened me with a break-up over a dinner booking.",
    "What we have is physical as well as emotional, and I missed that closeness.",
]


@pytest.mark.parametrize(("sentence", "phrase", "kind"), DANGER)
def test_words_that_suggest_danger_are_found_as_written(sentence, phrase, kind):
    assert phrase in danger_words(sentence)
    assert kind in danger_kinds(sentence)


@pytest.mark.parametrize("sentence", SAFE)
def test_the_feelings_of_an_ordinary_repair_raise_no_alarm(sentence):
    assert danger_words(sentence) == []
    assert danger_kinds(sentence) == frozenset()


def test_there_are_enough_examples_on_both_sides():
    assert len(DANGER) >= 15 and len(SAFE) >= 15
    assert {kind for _, _, kind in DANGER} == set(KINDS)


def test_each_phrase_comes_once_in_the_order_written():
    text = "He hit me. I'm afraid of him. HE HIT ME again, and I'm afraid of him."
    assert danger_words(text) == ["He hit me", "afraid of him"]


def test_case_spacing_and_apostrophes_do_not_hide_danger():
    assert danger_words("I DON'T   FEEL\nSAFE AT HOME") == ["DON'T   FEEL\nSAFE AT HOME"]
    assert danger_words("he wouldn’t let me leave") == ["wouldn’t let me leave"]


@given(st.text())
def test_danger_words_never_raise_and_return_substrings(text):
    words = danger_words(text)
    assert words == danger_words(text)
    assert all(word in text for word in words)
    assert danger_kinds(text) <= set(KINDS)


def test_danger_words_of_nothing_is_nothing():
    assert danger_words("") == []
    assert danger_words(None) == []  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("opened", "shown"), [(0, False), (1, False), (2, False), (3, True), (4, True), (12, True)]
)
def test_the_guidance_shows_from_the_third_repair_in_thirty_days(opened, shown):
    assert should_signpost(opened) is shown
    assert SIGNPOST_REPAIRS == 3


def test_therapy_guidance_covers_the_reasons_and_how_to_find_someone():
    reasons, finding = THERAPY_GUIDANCE.sections
    assert len(reasons.items) == 6
    text = " ".join(reasons.items).lower()
    for idea in ("keeps coming back", "past", "talking", "trust", "feelings", "grow"):
        assert idea in text
    assert any("doctor" in item for item in finding.items)
    assert any("on your own" in item for item in finding.items)
    assert THERAPY_GUIDANCE.note


def test_emergency_resources_name_the_numbers_and_a_safe_way_out():
    assert "112" in EMERGENCY.intro and "911" in EMERGENCY.intro and "999" in EMERGENCY.intro
    lines = [line for section in EMERGENCY.sections for line in section.lines]
    numbers = {line.number for line in lines}
    assert {"112", "911", "999", "1-800-799-7233", "0808 2000 247"} <= numbers
    assert all(line.dial.lstrip("+").isdigit() for line in lines)
    items = " ".join(item for section in EMERGENCY.sections for item in section.items)
    assert "helpline in your country" in items
    assert "Quick exit" in items and "history" in items


def test_the_guidance_never_diagnoses():
    words = " ".join(
        [g.title + " " + g.intro for g in (THERAPY_GUIDANCE, EMERGENCY)]
        + [item for g in (THERAPY_GUIDANCE, EMERGENCY) for s in g.sections for item in s.items]
    ).lower()
    for label in ("disorder", "narciss", "toxic", "you are being abused", "diagnos"):
        assert label not in words


@pytest.mark.parametrize(
    "sentence",
    [
        "you pushed me",
        "you blocked the door so I couldn't leave",
        "you punched the wall next to my head",
        "you threw my phone against the wall",
        "I need to feel safe at home",
        "he never hit me, but I'm scared of him hurting me",
    ],
)
def test_what_the_check_before_sending_finds_keeps_the_safety_card(sentence):
    # Words sent after the help was shown still show the writer the safety card.
    assert danger_words(sentence)
    assert danger_kinds(sentence) <= set(KINDS) and danger_kinds(sentence)
