"""The attachment self-check: twelve statements, three for each lean, answered from
"not like me" (1) to "very like me" (5). It says where a person leans, gently, and offers
one small practice a week for that lean. A reflection, not a diagnosis. Pure data and
arithmetic, no Flask.

Statement and practice keys are stored with answers, so a key is never reused."""

from dataclasses import dataclass
from datetime import date, timedelta

from couples.i18n import N_

LEANS = ("anxious", "avoidant", "disorganized", "secure")


@dataclass(frozen=True)
class Statement:
    key: str
    lean: str
    text: str


STATEMENTS: tuple[Statement, ...] = (
    Statement(
        "quiet-worry",
        "anxious",
        N_("When my partner goes quiet, I worry something is wrong between us."),
    ),
    Statement(
        "need-reassure", "anxious", N_("I need to hear often that I'm loved before I believe it.")
    ),
    Statement("unanswered", "anxious", N_("An unanswered message can fill my whole afternoon.")),
    Statement(
        "alone-when-emotional",
        "avoidant",
        N_("When things get emotional, I'd rather be on my own."),
    ),
    Statement("needing-unsafe", "avoidant", N_("Needing someone feels a little unsafe to me.")),
    Statement(
        "solve-alone", "avoidant", N_("I'd rather sort a problem out alone than ask for help.")
    ),
    Statement(
        "close-then-run",
        "disorganized",
        N_("I want closeness, and then closeness makes me want to run."),
    ),
    Statement(
        "flooded",
        "disorganized",
        N_("Strong feelings can flood me, and then I don't know what to do."),
    ),
    Statement("trust-unsure", "disorganized", N_("I'm unsure I can trust the people I love most.")),
    Statement("ask-needs", "secure", N_("I can ask for what I need without much fear.")),
    Statement("after-argument", "secure", N_("After we argue, I trust that we'll be all right.")),
    Statement("close-and-apart", "secure", N_("I'm at ease both close together and apart.")),
)
KEYS = tuple(s.key for s in STATEMENTS)

# Where I lean, in gentle words: never a label on the person.
LEAN_WORDS = {
    "anxious": (
        N_("You may lean toward worrying about closeness"),
        N_(
            "When you feel far apart, you may reach harder for reassurance. That comes from "
            "caring a lot; a steadier way to ask can help you both."
        ),
    ),
    "avoidant": (
        N_("You may lean toward needing room"),
        N_(
            "When feelings run high, you may step back to cope. Small, steady steps toward "
            "sharing can make closeness feel safer."
        ),
    ),
    "disorganized": (
        N_("You may feel pulled both ways"),
        N_(
            "Closeness may feel wanted and unsettling at once. Steadying yourself first, and "
            "saying out loud what you feel, can help. A therapist can help too."
        ),
    ),
    "secure": (
        N_("You seem mostly steady"),
        N_(
            "You can usually ask for what you need and trust that hard moments pass. Everyone "
            "has wobbles; the practices keep that steadiness growing."
        ),
    ),
}

# What a partner reads when the lean is shared with them: what helps, not a verdict.
PARTNER_WORDS = {
    "anxious": N_(
        "{name} may worry about closeness when you feel far apart. Plain, warm words "
        "and following through on small things help {name} feel sure of you."
    ),
    "avoidant": N_(
        "{name} may need room when feelings run high. Patience helps, and so does "
        "letting {name} come back without pressure."
    ),
    "disorganized": N_(
        "{name} may feel pulled toward you and away at once. Calm, steady "
        "closeness helps, and so does asking {name} what would help right now."
    ),
    "secure": N_("{name} feels mostly steady. Keep turning toward each other."),
}


@dataclass(frozen=True)
class Practice:
    key: str
    lean: str
    text: str


PRACTICES: tuple[Practice, ...] = (
    Practice(
        "say-need", "anxious", N_("Say one need directly this week, instead of hinting or testing.")
    ),
    Practice(
        "soothe-first",
        "anxious",
        N_("When worry rises, calm yourself for ten minutes before you reach out."),
    ),
    Practice(
        "check-story",
        "anxious",
        N_("Catch one worst-case story and write a kinder, likelier one beside it."),
    ),
    Practice(
        "own-thing",
        "anxious",
        N_("Do one thing just for you that has nothing to do with the relationship."),
    ),
    Practice(
        "share-vulnerable",
        "avoidant",
        N_("Share one vulnerable thing with your partner this week."),
    ),
    Practice(
        "name-pulling",
        "avoidant",
        N_(
            "Notice when you pull away, and say so: \u201cI need a bit of room, I'll be back.\u201d"
        ),
    ),
    Practice("ask-small", "avoidant", N_("Ask your partner for help with one small thing.")),
    Practice(
        "feeling-word",
        "avoidant",
        N_("Once a day, put one feeling into a word, even just to yourself."),
    ),
    Practice(
        "ground",
        "disorganized",
        N_("When it all gets too much, ground yourself: feet on the floor, five slow breaths."),
    ),
    Practice(
        "routine",
        "disorganized",
        N_("Keep one small daily routine that steadies you, the same time each day."),
    ),
    Practice(
        "say-both",
        "disorganized",
        N_(
            "Tell your partner when you feel two things at once: "
            "\u201cpart of me\u2026 and part of me\u2026\u201d"
        ),
    ),
    Practice(
        "gentle-self",
        "disorganized",
        N_("Be as patient with yourself this week as you'd be with a friend."),
    ),
    Practice(
        "keep-small", "secure", N_("Keep one small promise to your partner, on the day you said.")
    ),
    Practice(
        "notice-bids",
        "secure",
        N_("Notice three small reaches from your partner, and turn toward them."),
    ),
    Practice(
        "repair-fast",
        "secure",
        N_("After a rough moment, reach out first to make it right, the same day."),
    ),
)
PRACTICE_BY_KEY = {p.key: p for p in PRACTICES}
TRIED = ("yes", "partly", "not_yet")


def lean_of(answers: dict[str, int]) -> str:
    """The lean with the highest average; a tie goes to the lean listed first (a
    non-secure lean before "secure", so that a practice meets what is hardest)."""
    averages = {
        lean: sum(answers[s.key] for s in STATEMENTS if s.lean == lean) / 3 for lean in LEANS
    }
    return max(LEANS, key=lambda lean: (averages[lean], -LEANS.index(lean)))


def week_of(day: date) -> date:
    """The Monday a week starts on."""
    return day - timedelta(days=day.weekday())


def practice_for(lean: str, week: date) -> Practice:
    """This week's practice for a lean: the lean's practices in turn, week by week."""
    own = [p for p in PRACTICES if p.lean == lean]
    return own[(week.toordinal() // 7) % len(own)]
