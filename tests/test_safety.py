"""The words that may mean someone is not safe (couples.safety), read before they reach
the partner: table-driven, both what counts and what stays calm."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from couples.safety import CONTROL, FEAR, HARM, SELF_HARM, THREAT, TOPICS, check, scan, topics

# (what a person wrote, a topic it touches)
COUNTS = [
    # The sentences that once went through without a word of help.
    ("you pushed me", HARM),
    ("You blocked the door so I couldn't leave.", CONTROL),
    ("you punched the wall next to my head", HARM),
    ("You threw my phone against the wall.", HARM),
    ("I need to feel safe at home.", FEAR),
    # Physical harm, in its inflections.
    ("He hit me last night.", HARM),
    ("she keeps hitting me when she drinks", HARM),
    ("He pushes me when he's angry.", HARM),
    ("you were pushing me against the counter", HARM),
    ("He shoved me into the door.", HARM),
    ("you pushed me to the ground", HARM),
    ("She slapped me in front of the kids.", HARM),
    ("he punches me where it doesn't show", HARM),
    ("He kicked me.", HARM),
    ("you choked me", HARM),
    ("He strangled me until I passed out.", HARM),
    ("he beat me up", HARM),
    ("He grabbed my wrist so hard.", HARM),
    ("you grabbed me by the arm", HARM),
    ("He pulled my hair.", HARM),
    ("He threw a glass at me.", HARM),
    ("you've thrown things at me before", HARM),
    ("She throws plates across the room.", HARM),
    ("you smashed my phone", HARM),
    ("He kicked the door in.", HARM),
    ("he punched a hole in the wall", HARM),
    ("He held me down.", HARM),
    ("he put his hands around my neck", HARM),
    ("I had bruises on my arms for a week.", HARM),
    ("you gave me a black eye", HARM),
    ("He gets violent when he drinks.", HARM),
    ("it turned physical last night", HARM),
    ("you physically hurt me", HARM),
    ("I think this is abuse.", HARM),
    ("he is abusive", HARM),
    ("He forced me to have sex.", HARM),
    ("he attacked me in the car", HARM),
    # Negation still counts: a subject worth a gentle word.
    ("He never hit me, he just shouts.", HARM),
    ("you didn't push me, but you came close", HARM),
    ("It's not like he has ever hit me.", HARM),
    # Threats.
    ("He threatened to kill me if I leave.", THREAT),
    ("She threatens to take the kids.", THREAT),
    ("He said he'd hurt me.", THREAT),
    ("you said you would kill me", THREAT),
    ("he's going to kill me when he finds out", THREAT),
    ("He pulled a knife on me.", THREAT),
    ("he held a knife to my throat", THREAT),
    ("She threatened me.", THREAT),
    ("watch your back", THREAT),
    # Controlled or trapped.
    ("He won't let me leave the house.", CONTROL),
    ("she doesn't let me see my friends", CONTROL),
    ("He never lets me have my own money.", CONTROL),
    ("He stood in the doorway.", CONTROL),
    ("I couldn't get out.", CONTROL),
    ("He took my phone.", CONTROL),
    ("you take my keys so I can't go anywhere", CONTROL),
    ("He locked me in the bedroom.", CONTROL),
    ("he checks my phone every night", CONTROL),
    ("she tracks my location", CONTROL),
    ("He controls all the money.", CONTROL),
    ("I feel trapped.", CONTROL),
    ("you isolated me from my family", CONTROL),
    ("I'm not allowed to see my sister.", CONTROL),
    # Fear.
    ("I'm afraid of him.", FEAR),
    ("Honestly I'm terrified of you.", FEAR),
    ("I'm scared of him hurting me.", FEAR),
    ("I'm afraid of what he will do.", FEAR),
    ("I'm scared he'll hurt me.", FEAR),
    ("I fear for my life.", FEAR),
    ("I don't feel safe at home.", FEAR),
    ("I never feel safe around you.", FEAR),
    ("I want to feel safe in my own home again", FEAR),
    ("I feel unsafe.", FEAR),
    ("I'm scared to go home.", FEAR),
    ("I walk on eggshells around you.", FEAR),
    ("I flinch when you raise your hand.", FEAR),
    ("I think I'm in danger.", FEAR),
    # Harming oneself.
    ("Sometimes I want to kill myself.", SELF_HARM),
    ("I've been hurting myself again.", SELF_HARM),
    ("I cut myself last week.", SELF_HARM),
    ("I don't want to be here anymore.", SELF_HARM),
    ("I just want to die.", SELF_HARM),
    ("Everyone would be better off without me.", SELF_HARM),
    ("I've had suicidal thoughts.", SELF_HARM),
    ("I want to end it all.", SELF_HARM),
    ("I wish I was dead.", SELF_HARM),
    ("There's no point in living.", SELF_HARM),
    ("I don't want to wake up.", SELF_HARM),
    # Shapes of writing that must not hide it.
    ("HE   HIT\nME", HARM),
    ("I don’t feel safe at home", FEAR),
    ("he wouldn’t let me leave", CONTROL),
]

# Everyday words that stay calm. What is treated as ordinary, and why, is in the
# module's docstring; some near cases show help on purpose (see LEANS_TO_HELP).
CALM = [
    "I'm going to hit the gym after work.",
    "This song kills me every time.",
    "My feet are killing me.",
    "You're killing me with these puns.",
    "I could kill for a coffee.",
    "I was dying to tell you about my day.",
    "It really hit me how alone you felt.",
    "That comment hit me hard.",
    "Seeing you cry hit me hard.",
    "I'm sorry I pushed you to talk before you were ready.",
    "The news hit me like a truck.",
    "He hit me up on WhatsApp about Saturday.",
    "You pushed me away when I tried to talk.",
    "You pushed me to apply for the job, thank you.",
    "Stop pushing me for an answer.",
    "They pushed the meeting to Friday.",
    "You beat me at chess again.",
    "You beat me to it.",
    "You kicked me out of the conversation.",
    "It struck me as odd.",
    "I'm afraid of losing you.",
    "I'm scared of you leaving.",
    "I'm scared of spiders.",
    "I'm afraid of messing this up.",
    "I feel safe with you.",
    "I always feel safe at home with you.",
    "I don't feel safe telling you when I'm sad.",
    "You threatened to leave and it scared me.",
    "You threatened me with divorce over the dishes.",
    "You hurt me when you said I was lazy.",
    "I felt attacked when you criticized my cooking.",
    "You attacked me for the way I cook.",
    "I couldn't leave work early.",
    "I can't leave you, I love you.",
    "I threw a party for your birthday.",
    "I threw away the receipt.",
    "You took my parking spot.",
    "You never let me finish a sentence.",
    "You never let me speak.",
    "I don't want to live like this, always arguing about money.",
    "I don't want to be here when your mother visits.",
    "I could have died of embarrassment.",
    "I want to die of laughter at your jokes.",
    "We watched a violent film.",
    "Non-violent communication helped us.",
    "He was violently ill all night.",
    "Alcohol abuse runs in my family.",
    "Thank you for the flowers.",
    "Can we talk tonight?",
    "I felt crushed, small and overwhelmed.",
    "Stuck in traffic again, sorry!",
    "You read my messages and didn't reply.",
    "You slammed the door when you left.",
    "What we have is physical as well as emotional.",
]

# Near cases where help is shown on purpose: it errs on the side of a gentle word.
LEANS_TO_HELP = [
    ("Your message hit me hard.", HARM),  # "hit me" after a figure it does not know
    ("You're being controlling.", CONTROL),
    ("I walk on eggshells when you're tired.", FEAR),
]


@pytest.mark.parametrize(("text", "topic"), COUNTS + LEANS_TO_HELP)
def test_words_that_may_mean_danger_are_found(text, topic):
    assert topic in topics(text)


@pytest.mark.parametrize("text", CALM)
def test_everyday_words_stay_calm(text):
    assert topics(text) == frozenset(), scan(text)


def test_every_topic_has_many_cases_and_calm_ones_are_many_too():
    for topic in TOPICS:
        assert sum(1 for _, t in COUNTS if t == topic) >= 8, topic
    assert len(CALM) >= 40


def test_the_five_sentences_that_once_went_through_now_count():
    assert topics("you pushed me") == {HARM}
    assert topics("you blocked the door so I couldn't leave") == {CONTROL}
    assert topics("you punched the wall next to my head") == {HARM}
    assert topics("you threw my phone against the wall") == {HARM}
    assert topics("I need to feel safe at home") == {FEAR}


def test_scan_gives_each_phrase_as_written_in_order():
    text = "He took my phone. Then he hit me."
    found = scan(text)
    assert [(f.topic, f.phrase) for f in found] == [(CONTROL, "took my phone"), (HARM, "hit me")]
    assert all(text[f.start : f.end] == f.phrase for f in found)


def test_check_names_the_fields_and_their_topics_and_reads_nested_lists():
    body = {
        "i_feel": "scared",
        "when": "you blocked the door",
        "because": "I'm afraid of you",
        "commitments": [{"text": "next time I will call"}, {"text": "I won't hit you"}],
        "need_now": "space",
        "heard": True,
        "feelings": ["hurt", "want to die"],
    }
    assert check(body) == {
        "when": [CONTROL],
        "because": [FEAR],
        "commitments": [HARM],
        "feelings": [SELF_HARM],
    }
    assert check({"text": "Thank you for tonight"}) == {}
    assert check({}) == {}


def test_topics_come_in_a_steady_order_when_a_field_touches_several():
    assert check({"text": "I want to die. He hit me. I'm afraid of him."}) == {
        "text": [HARM, FEAR, SELF_HARM]
    }


@given(st.text(max_size=300))
def test_any_text_is_read_without_error(text):
    found = scan(text)
    assert all(f.phrase == text[f.start : f.end] and f.topic in TOPICS for f in found)
    assert topics(text) <= set(TOPICS)


def test_nothing_but_text_is_read():
    assert scan(None) == [] and topics(42) == frozenset() and scan("") == []
