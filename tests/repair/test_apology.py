"""The apology check: which drafts get which gentle notes, and which get none."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from couples.repair import apology
from couples.repair.apology import CODES, MESSAGES, ApologyWarning, as_dicts, check
from couples.repair.content import APOLOGY_PARTS


def found(warnings):
    return [(w.code, w.part, w.match) for w in warnings]


ACK, EMP, RES = "acknowledgement", "empathy", "restitution"

# (arguments for check, every note expected, in order: (code, part, match))
FLAGGED = [
    pytest.param(
        {
            "text": "I’m sorry you feel that way, and I know you were hurt when I left the "
            "party early."
        },
        [("sorry_you_feel", None, "sorry you feel")],
        id="sorry-you-feel",
    ),
    pytest.param(
        {"acknowledgement": "I'm sorry you were upset about the text I sent your mum."},
        [("sorry_you_feel", ACK, "sorry you were upset")],
        id="sorry-you-were-upset",
    ),
    pytest.param(
        {"acknowledgement": "I'm sorry if I embarrassed you in front of your friends."},
        [("sorry_if", ACK, "sorry if")],
        id="sorry-if",
    ),
    pytest.param(
        {"restitution": "If anything I said hurt you, I apologize. I love you."},
        [("sorry_if", RES, "If anything I said hurt you")],
        id="if-anything-i-said-hurt-you",
    ),
    pytest.param(
        {"text": "My apologies if that came across badly."},
        [("sorry_if", None, "apologies if"), ("no_action", None, None), ("no_feeling", None, None)],
        id="apologies-if-and-nothing-named",
    ),
    pytest.param(
        {"acknowledgement": "I'm sorry I was late, but the traffic on the bridge was terrible."},
        [("sorry_but", ACK, "sorry I was late, but")],
        id="sorry-but-clause",
    ),
    pytest.param(
        {"text": "Sorry, but you know how my boss is. I feel bad that you waited alone."},
        [("sorry_but", None, "Sorry, but"), ("no_action", None, None)],
        id="sorry-comma-but",
    ),
    pytest.param(
        {"acknowledgement": "I’m sorry… but it was a long week and I forgot to call."},
        [("sorry_but", ACK, "sorry… but")],
        id="sorry-ellipsis-but",
    ),
    pytest.param(
        {
            "empathy": "You made me so angry that I said things I didn't mean, and I know "
            "that left you feeling small."
        },
        [("you_made_me", EMP, "You made me")],
        id="you-made-me",
    ),
    pytest.param(
        {"restitution": "I only snapped because you forced me to choose between you and my mum."},
        [("you_made_me", RES, "you forced me")],
        id="you-forced-me",
    ),
    pytest.param(
        {"restitution": "Honestly, it was partly your fault too."},
        [("you_made_me", RES, "it was partly your fault")],
        id="your-fault",
    ),
    pytest.param(
        {"empathy": "You always say I don't listen, so I guess you felt unheard again."},
        [("always_never", EMP, "You always")],
        id="you-always",
    ),
    pytest.param(
        {
            "text": "I'm sorry I forgot the anniversary dinner. You never remind me, though, "
            "and I know you felt forgotten."
        },
        [("always_never", None, "You never")],
        id="you-never",
    ),
    pytest.param(
        {"restitution": "You’re constantly on my case, and I will still do better."},
        [("always_never", RES, "You’re constantly")],
        id="you-are-constantly",
    ),
    pytest.param(
        {"restitution": "I'll try to put my phone away at dinner from now on."},
        [("will_try", RES, "I'll try")],
        id="i-will-try-contracted",
    ),
    pytest.param(
        {"restitution": "I’m going to try harder to be on time."},
        [("will_try", RES, "I’m going to try")],
        id="going-to-try",
    ),
    pytest.param(
        {"restitution": "I will really try not to bring up your ex again."},
        [("will_try", RES, "I will really try")],
        id="will-really-try",
    ),
    pytest.param(
        {"empathy": "I think you were overreacting a bit, but I can see you felt embarrassed."},
        [("minimizing", EMP, "overreacting")],
        id="overreacting",
    ),
    pytest.param(
        {"restitution": "It was only a joke, and I didn't mean anything by it."},
        [("minimizing", RES, "only a joke")],
        id="only-a-joke",
    ),
    pytest.param(
        {"acknowledgement": "I'm sorry it turned into such a fight; it's not a big deal though."},
        [("minimizing", ACK, "not a big deal"), ("no_action", ACK, None)],
        id="not-a-big-deal",
    ),
    pytest.param({"acknowledgement": "I'm sorry."}, [("no_action", ACK, None)], id="bare-sorry"),
    pytest.param(
        {"acknowledgement": "Sorry for everything that happened last weekend."},
        [("no_action", ACK, None)],
        id="sorry-for-everything",
    ),
    pytest.param(
        {"acknowledgement": "I apologize for what happened at your sister's wedding."},
        [("no_action", ACK, None)],
        id="what-happened",
    ),
    pytest.param(
        {"acknowledgement": "I'm really sorry I hurt you. I feel awful about it."},
        [("no_action", ACK, None)],
        id="impact-only",
    ),
    pytest.param(
        {"acknowledgement": "I'm sorry, I was wrong."},
        [("no_action", ACK, None)],
        id="verdict-only",
    ),
    pytest.param(
        {"empathy": "I can see why that got to you, and I get it."},
        [("no_feeling", EMP, None)],
        id="empathy-without-feeling",
    ),
    pytest.param(
        {"empathy": "I know it wasn't what you expected.", "feelings": ["lonely"]},
        [("no_feeling", EMP, None)],
        id="empathy-without-their-feeling",
    ),
    pytest.param(
        {"text": "I'm sorry I missed your call at lunch."},
        [("no_feeling", None, None)],
        id="whole-text-without-feeling",
    ),
    pytest.param(
        {"text": "I’m sorry you feel hurt. You made me wait for an hour, and you always do."},
        [
            ("sorry_you_feel", None, "sorry you feel"),
            ("you_made_me", None, "You made me"),
            ("always_never", None, "you always"),
            ("no_action", None, None),
        ],
        id="several-in-order",
    ),
]


# Flawed in ways a word list misses: an excuse next to the sorry, the partner's part
# offered as the cause, and a bare verdict about what was said.
FLAGGED += [
    pytest.param(
        {"acknowledgement": "I'm sorry, I was stressed and you kept pushing."},
        [
            ("excuse", ACK, "I was stressed"),
            ("you_made_me", ACK, "you kept pushing"),
            ("no_action", ACK, None),
        ],
        id="excuse-plus-blame",
    ),
    pytest.param(
        {"text": "I'm sorry, I was stressed and you kept pushing."},
        [
            ("excuse", None, "I was stressed"),
            ("you_made_me", None, "you kept pushing"),
            ("no_action", None, None),
        ],
        id="excuse-plus-blame-whole-text",
    ),
    pytest.param(
        {"acknowledgement": "I'm sorry I snapped at you, I'd had such a long day."},
        [("excuse", ACK, "I'd had such a long day")],
        id="excuse-long-day",
    ),
    pytest.param(
        {"acknowledgement": "Sorry. I'm just really tired."},
        [("excuse", ACK, "I'm just really tired"), ("no_action", ACK, None)],
        id="excuse-tired-present",
    ),
    pytest.param(
        {"acknowledgement": "I'm sorry I was under so much pressure at work."},
        [("excuse", ACK, "I was under so much pressure"), ("no_action", ACK, None)],
        id="excuse-pressure",
    ),
    pytest.param(
        {"restitution": "I lost it because you wouldn't stop going on about the money."},
        [("you_made_me", RES, "you wouldn't stop")],
        id="you-wouldnt-stop",
    ),
    pytest.param(
        {"empathy": "You felt hurt, but honestly you started it."},
        [("you_made_me", EMP, "you started it")],
        id="you-started-it",
    ),
    pytest.param(
        {"restitution": "I only shouted because you provoked me."},
        [("you_made_me", RES, "you provoked me")],
        id="you-provoked-me",
    ),
    pytest.param(
        {"acknowledgement": "I'm sorry I said that."},
        [("no_action", ACK, None)],
        id="verdict-said-that",
    ),
    pytest.param(
        {"acknowledgement": "I'm sorry I hoped you wouldn't notice."},
        [("no_action", ACK, None)],
        id="only-a-hope",
    ),
    pytest.param(
        {"acknowledgement": "I'm sorry I needed more time."},
        [("no_action", ACK, None)],
        id="only-a-need",
    ),
]


@pytest.mark.parametrize(("kwargs", "expected"), FLAGGED)
def test_flagged_drafts_get_exactly_the_expected_notes(kwargs, expected):
    assert found(check(**kwargs)) == expected


def test_every_code_is_covered_by_a_flagged_example():
    covered = {code for p in FLAGGED for code, _, _ in p.values[1]}
    assert covered == set(CODES)


SOUND_TEXTS = [
    pytest.param(
        "I'm sorry I snapped at you in front of your sister. You must have felt embarrassed "
        "and small. You deserve better from me, and next time I'm stressed I will step "
        "outside before I say anything.",
        id="snapped",
    ),
    pytest.param(
        "I’m sorry for forgetting our dinner on Friday. I know you sat there waiting and "
        "felt like you didn't matter to me. You do. I've put a reminder in my calendar for "
        "every plan we make, and I'd love to take you there this Saturday.",
        id="forgot",
    ),
    pytest.param(
        "I'm sorry I criticized your cooking in front of our friends. It was unkind, and I "
        "imagine you felt humiliated. I love what you make for us, and I will keep any "
        "feedback for when we're alone and you've asked for it.",
        id="criticized",
    ),
    pytest.param(
        "I’m sorry I was an hour late to your birthday drinks. You waited on your own and "
        "I know that hurt. I will leave work on time on days that matter to you, and I'll "
        "text you the moment anything changes.",
        id="late",
    ),
    pytest.param(
        "I apologise for raising my voice last night. You were scared and I didn't notice. "
        "Next time I feel myself getting angry, I will tell you I need ten minutes and go "
        "for a walk.",
        id="raised-voice",
    ),
    pytest.param(
        "I'm sorry I laughed when you tripped at the party. It wasn't just a joke to you; "
        "you felt mocked. You always stand up for me, and I will do the same for you.",
        id="laughed-kind-always",
    ),
    pytest.param(
        "I'm sorry I said you were overreacting when you told me about your day. You were "
        "hurt and I brushed it off. I will listen first and ask what you need.",
        id="owns-what-was-said",
    ),
    pytest.param(
        "I'm sorry I didn't call when I said I would. I know you were worried and felt "
        "ignored. From now on I will message you whenever my plans change.",
        id="didnt-call",
    ),
    pytest.param(
        "I'm sorry I forgot to pick you up, but more than that I'm sorry I made excuses "
        "afterwards. You felt dismissed twice.",
        id="but-more-than-that",
    ),
    pytest.param(
        "I'm sorry I was late again, but that's no excuse; you waited in the cold and felt "
        "forgotten. I will set an alarm to leave half an hour earlier.",
        id="but-no-excuse",
    ),
    pytest.param(
        "I'm sorry I came home two hours late when you made me a birthday dinner. You felt "
        "let down, and you had every right to. I will call you the moment I know I'm "
        "running late.",
        id="you-made-me-dinner",
    ),
    pytest.param(
        "I'm sorry.   I shared what you told me about your dad with my sister, and I know "
        "you felt betrayed. I will ask you before I pass on anything private.",
        id="sorry-then-what-for",
    ),
]

SOUND_PARTS = [
    pytest.param(
        {
            "acknowledgement": "I'm sorry that I left without saying goodbye this morning.",
            "empathy": "When I rush out like that, I think it leaves you feeling unimportant, "
            "like an afterthought.",
            "restitution": "You're the first person I want to see every day. I was anxious "
            "about the meeting, and that's no excuse. Tomorrow I will get up ten "
            "minutes earlier so we can say a proper goodbye. Is there anything "
            "you need from me today?",
        },
        id="left-without-goodbye",
    ),
    pytest.param(
        {
            "acknowledgement": "I'm sorry I was on my phone all through dinner with your parents.",
            "empathy": "I can imagine you felt alone at that table, and embarrassed in front "
            "of them.",
            "restitution": "You and your family matter to me far more than my messages. From "
            "now on my phone stays in my coat when we eat together. What would "
            "help you feel better tonight?",
        },
        id="phone-at-dinner",
    ),
    pytest.param(
        {
            "acknowledgement": "I'm sorry I broke my promise to come to your race.",
            "empathy": "You were counting on me, and I know you felt let down and disappointed.",
            "restitution": "I care about the things you work hard for. I said yes to extra "
            "work without thinking, and I will check our calendar before I "
            "agree to anything on a weekend.",
        },
        id="broke-a-promise",
    ),
    pytest.param(
        {
            "acknowledgement": "I'm sorry I told Jess about your job interview when you'd "
            "asked me to keep it between us.",
            "empathy": "That must have made you feel betrayed, and worried about who else knows.",
            "restitution": "Your trust means everything to me. I will not share anything "
            "private without asking you first. Would it help if I told Jess I "
            "was wrong to pass it on?",
        },
        id="shared-a-secret",
    ),
    pytest.param(
        {
            "acknowledgement": "I’m sorry I didn’t stand up for you when my brother made that "
            "comment.",
            "empathy": "You must’ve felt alone and exposed at that table.",
            "restitution": "I’ve told him it wasn’t okay, and I won’t stay quiet next time. "
            "What do you need from me now?",
        },
        id="curly-apostrophes",
    ),
    pytest.param(
        {
            "acknowledgement": "I'm sorry I keep interrupting you when you talk about work.",
            "empathy": "It must feel like I don't care about your day, and that's lonely.",
            "restitution": "I love you. I'll try your idea of a weekly check-in, and I will "
            "let you finish before I say anything.",
        },
        id="try-your-idea",
    ),
    pytest.param(
        {
            "acknowledgement": "I'm sorry for my tone this morning.",
            "empathy": "You were already stressed and I made it harder.",
            "restitution": "I will tell you when I'm tired instead of taking it out on you.",
        },
        id="my-tone",
    ),
    pytest.param(
        {
            "acknowledgement": "I apologize for the comment I made about your weight.",
            "empathy": "I know you felt overlooked when I said it in front of everyone.",
            "restitution": "I will never comment on your body again.",
            "feelings": ["overlooked", "hurt"],
        },
        id="their-own-feeling-word",
    ),
    pytest.param(
        {"acknowledgement": "I'm sorry I've been so distant this week."}, id="acknowledgement-only"
    ),
    pytest.param(
        {part: prompt.placeholder for part, prompt in APOLOGY_PARTS.items()},
        id="the-page-placeholders",
    ),
]


# Sound apologies whose verb no hand list had: "said", "-eed" verbs, irregular pasts; and
# the why given apart from the sorry, or owned.
SOUND_TEXTS += [
    pytest.param(
        "I'm sorry I said I'd be home by six and then stayed out until ten. You waited up "
        "and felt forgotten. I will call you before I decide to stay late.",
        id="said-i-would",
    ),
    pytest.param(
        "I'm sorry I agreed to the weekend with my parents without asking you first. You "
        "felt left out of a decision that was yours too. I will check with you before I "
        "say yes to plans for us both.",
        id="agreed",
    ),
    pytest.param(
        "I'm sorry I snapped at you when you asked about dinner. I was stressed, and that's "
        "no excuse; you felt hurt. I will tell you when I need a minute instead.",
        id="why-owned-after-the-sorry",
    ),
    pytest.param(
        "I apologise that I hung up on you. You felt shut out. I will stay on the line and "
        "tell you if I need a break.",
        id="hung-up",
    ),
]

SOUND_ACKNOWLEDGEMENTS = [
    "I'm sorry I said you were being dramatic.",
    "I'm sorry I said I'd come and then didn't.",
    "I'm sorry I agreed to host without asking you.",
    "I'm sorry I guaranteed your brother a room without talking to you.",
    "I'm sorry I overslept and missed your talk.",
    "I'm sorry I swore at you in the car.",
    "I'm sorry I threw out your notes.",
    "I'm sorry I fled the room in the middle of our talk.",
    "I'm sorry I sped off and left you at the kerb.",
    "I'm sorry I spent the savings without telling you.",
    "I'm sorry I stopped answering your messages.",
    "I'm sorry I teased you about your accent.",
    "I'm sorry I misunderstood and didn't check with you.",
    "I'm sorry I was short with you this morning.",
    "I'm sorry I was rude to your mum.",
    "I'm sorry I've been distant since the move.",
    "I'm sorry I'd promised the car to Sam before asking you.",
    "I'm sorry I was so tired that I forgot your birthday, and that's on me.",
]


@pytest.mark.parametrize("sentence", SOUND_ACKNOWLEDGEMENTS)
def test_an_acknowledgement_with_any_past_form_passes(sentence):
    assert check(acknowledgement=sentence) == []


def test_the_apology_that_says_what_was_said_passes():
    acknowledgement = "I'm sorry I said yes to that call all through our dinner."
    assert check(acknowledgement=acknowledgement) == []


def test_an_excuse_is_read_only_beside_the_sorry():
    # In making it right, the why belongs; in a whole draft, after the sorry sentence.
    assert check(restitution="I was stressed about work. I will tell you next time.") == []
    assert found(check(acknowledgement="I'm sorry I shouted, but I was tired.")) == [
        ("sorry_but", ACK, "sorry I shouted, but")
    ]


@pytest.mark.parametrize("text", SOUND_TEXTS)
def test_sound_whole_apologies_get_no_notes(text):
    assert check(text=text) == []


@pytest.mark.parametrize("kwargs", SOUND_PARTS)
def test_sound_three_part_apologies_get_no_notes(kwargs):
    assert check(**kwargs) == []


@pytest.mark.parametrize(
    "sentence",
    [
        "I'm sorry I snapped at you in front of your sister",
        "I'm sorry for forgetting our dinner",
        "I'm sorry that I left without saying goodbye",
        "I'm sorry for not telling you sooner",
        "I'm sorry I never called back",
        "I'm sorry I’d already promised Sam the car",
        "I'm sorry about the joke I made at the party",
        "Sorry for yelling at the kids in front of you",
    ],
)
def test_an_acknowledgement_that_names_what_was_done_passes(sentence):
    assert check(acknowledgement=sentence) == []


def test_part_checks_run_only_on_their_own_part():
    # A bare sorry and no feeling are fine outside the part that needs them.
    assert check(empathy="I'm sorry. You felt lonely.") == []
    assert check(acknowledgement="I'm sorry I forgot to pick you up.") == []
    assert check(restitution="I'm sorry. It won't happen again.") == []
    assert found(check(empathy="I'm sorry.")) == [("no_feeling", EMP, None)]


def test_phrase_checks_run_on_every_part_and_keep_the_part_order():
    got = check(
        acknowledgement="I'm sorry I shouted, but I was tired.",
        empathy="You never let me explain, and you felt hurt.",
        restitution="I'll try to stay calm.",
    )
    assert found(got) == [
        ("sorry_but", ACK, "sorry I shouted, but"),
        ("always_never", EMP, "You never"),
        ("will_try", RES, "I'll try"),
    ]


def test_match_is_the_partners_own_substring():
    text = "I’M SORRY   IF\nthat upset you. You felt hurt and I shouted."
    (note, *_) = check(text=text)
    assert note.code == "sorry_if"
    assert note.match == "SORRY   IF"
    assert note.match in text


def test_curly_and_straight_apostrophes_are_alike():
    for written in ("I'll try", "I’ll try", "I‘ll try", "Ill try"):
        notes = check(restitution=f"{written} to be home by seven.")
        assert found(notes) == [("will_try", RES, written)]


def test_the_partners_feelings_count_in_any_case_and_spacing():
    assert check(empathy="I think you felt LEFT   out of it.", feelings=["left out"]) == []
    assert check(empathy="You felt like a spare part.", feelings=["like a spare part"]) == []
    assert found(check(empathy="You felt like a spare part.")) == [("no_feeling", EMP, None)]


def test_reported_words_are_owned_not_flagged():
    assert check(acknowledgement="I'm sorry I told you that you always overreact.") == []
    assert (
        check(acknowledgement='I\'m sorry I said "you made me do it" when I forgot the tickets.')
        == []
    )


def test_kind_absolutes_are_not_flagged():
    assert check(restitution="You're always there for me, and I will be there for you.") == []
    assert check(restitution="You never let me down, so I will not let you down.") == []


def test_nothing_to_check_gives_no_notes():
    assert check() == []
    assert check(text="") == []
    assert check(text="  \n\t ") == []
    assert check(acknowledgement="", empathy=" ", restitution="") == []


def test_a_text_and_parts_together_are_refused():
    with pytest.raises(ValueError):
        check(text="I'm sorry I was late.", empathy="You felt alone.")


def test_as_dicts_gives_part_and_match_only_when_there_is_one():
    notes = check(acknowledgement="I'm sorry if I was short with you.", empathy="Noted.")
    assert as_dicts(notes) == [
        {"code": "sorry_if", "message": MESSAGES["sorry_if"], "part": ACK, "match": "sorry if"},
        {"code": "no_feeling", "message": MESSAGES["no_feeling"], "part": EMP},
    ]
    assert as_dicts(check(text="I'm sorry.")) == [
        {"code": "no_action", "message": MESSAGES["no_action"]},
        {"code": "no_feeling", "message": MESSAGES["no_feeling"]},
    ]


def test_every_code_has_a_short_kind_message():
    assert set(MESSAGES) == set(CODES)
    for message in MESSAGES.values():
        assert 20 < len(message) <= 140
        assert "you must" not in message.lower()


def test_notes_are_frozen_values():
    note = ApologyWarning("sorry_if", MESSAGES["sorry_if"], ACK, "sorry if")
    with pytest.raises(AttributeError):
        note.code = "other"  # type: ignore[misc]


@given(st.text())
def test_never_raises_and_is_deterministic_for_any_text(text):
    first = check(text=text)
    assert check(text=text) == first
    for note in first:
        assert note.code in CODES
        assert note.match is None or note.match in text


@given(st.text(), st.text(), st.text(), st.lists(st.text(max_size=30), max_size=4))
def test_never_raises_for_any_parts(ack, emp, res, feelings):
    notes = check(acknowledgement=ack, empathy=emp, restitution=res, feelings=feelings)
    parts = {"acknowledgement": ack, "empathy": emp, "restitution": res}
    assert [apology.PARTS.index(n.part) for n in notes] == sorted(
        apology.PARTS.index(n.part) for n in notes
    )
    for note in notes:
        assert note.match is None or note.match in parts[note.part]
