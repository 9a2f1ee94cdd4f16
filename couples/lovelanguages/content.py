"""The words of the love-language features: languages, the quiz, small-move ideas and bid
presets. Pure data, no Flask.

Quiz pair keys are stored with a partner's answers, so a key is never renumbered or
reused."""

from dataclasses import dataclass

LANGUAGES = ("words", "acts", "gifts", "time", "touch")
LANGUAGE_LABELS = {
    "words": "Words of affirmation",
    "acts": "Acts of service",
    "gifts": "Receiving gifts",
    "time": "Quality time",
    "touch": "Physical touch",
}


@dataclass(frozen=True)
class Option:
    language: str
    text: str


@dataclass(frozen=True)
class QuizPair:
    key: str
    a: Option
    b: Option


QUIZ_PROMPT = "Which would mean more to you?"

# Each of the ten pairings of languages comes twice, once on each side, so every language
# is offered 8 times and stands as "a" 4 times. No language is asked about twice running.
QUIZ: tuple[QuizPair, ...] = (
    QuizPair(
        "p01",
        Option("gifts", "They bring home a little something that made them think of me."),
        Option("touch", "They hug me the moment they walk through the door."),
    ),
    QuizPair(
        "p02",
        Option("time", "They ask about my day and listen to the whole answer."),
        Option("acts", "They take a chore off my list without being asked."),
    ),
    QuizPair(
        "p03",
        Option("words", "My partner tells me, in so many words, what they admire in me."),
        Option("touch", "They hold my hand when we're out together."),
    ),
    QuizPair(
        "p04",
        Option("gifts", "They remember something I wanted months ago and turn up with it."),
        Option("acts", "On a night I'm worn out, dinner is already made."),
    ),
    QuizPair(
        "p05",
        Option("time", "We spend an evening together with our phones in another room."),
        Option("words", "A message lands mid-afternoon saying they're proud of me."),
    ),
    QuizPair(
        "p06",
        Option("acts", "They deal with the call or form I've been dreading."),
        Option("touch", "They rub my shoulders after a long day."),
    ),
    QuizPair(
        "p07",
        Option("words", "They notice the effort I put in, and say so."),
        Option("gifts", "My favourite snack turns up in the cupboard, bought just for me."),
    ),
    QuizPair(
        "p08",
        Option("touch", "We sit close on the sofa, leaning into each other."),
        Option("time", "We go for a long walk, just the two of us."),
    ),
    QuizPair(
        "p09",
        Option("acts", "They fix the thing that's been broken for weeks."),
        Option("words", 'They say "I love you" for no particular reason.'),
    ),
    QuizPair(
        "p10",
        Option("gifts", "They bring me back a small souvenir from a trip."),
        Option("time", "We cook a meal together, side by side."),
    ),
    QuizPair(
        "p11",
        Option("touch", "They kiss me goodbye, even when we're running late."),
        Option("words", "They thank me for something small I thought nobody noticed."),
    ),
    QuizPair(
        "p12",
        Option("acts", "My coffee or tea is ready when I get up."),
        Option("time", "We linger over breakfast with nowhere to rush to."),
    ),
    QuizPair(
        "p13",
        Option("touch", "They rest a hand on my back as they pass by."),
        Option("gifts", "They give me something they made with their own hands."),
    ),
    QuizPair(
        "p14",
        Option("words", "They tell friends what I'm good at while I'm in the room."),
        Option("time", "They join me in something I love, even if it isn't their thing."),
    ),
    QuizPair(
        "p15",
        Option("acts", "They take the early shift so I can sleep in."),
        Option("gifts", "Flowers arrive, for no occasion at all."),
    ),
    QuizPair(
        "p16",
        Option("time", "We talk late into the night about nothing in particular."),
        Option("touch", "We fall asleep wrapped up in each other."),
    ),
    QuizPair(
        "p17",
        Option("words", "I find a few kind words from them on a note by the mirror."),
        Option("acts", "They run an errand for me on their way home."),
    ),
    QuizPair(
        "p18",
        Option("time", "We have a date night that stays in the calendar, no matter what."),
        Option("gifts", "They frame a photo or ticket from a day we loved, just for me."),
    ),
    QuizPair(
        "p19",
        Option("touch", "When I've had bad news, they simply hold me."),
        Option("acts", "I come home to a tidy kitchen I didn't have to clean."),
    ),
    QuizPair(
        "p20",
        Option("gifts", "A small wrapped surprise is waiting on my pillow."),
        Option("words", "Before something hard, they tell me they believe in me."),
    ),
)

QUIZ_BY_KEY: dict[str, QuizPair] = {pair.key: pair for pair in QUIZ}

# Starting points for a small move in each language, shown to be edited, never sent as is.
IDEAS: dict[str, tuple[str, ...]] = {
    "words": (
        "Text them one thing you admired about them today.",
        "Leave a note where they'll find it in the morning.",
        "Tell them out loud what they did well this week.",
        "Thank them for something they usually do without thanks.",
        "Send a message this afternoon saying you're thinking of them.",
        "Tell them about a way they've grown that you've noticed.",
        "Say something kind about them to a friend while they can hear.",
        "Before their big moment, tell them you believe in them.",
        "Write down three things you love about them and hand it over.",
    ),
    "acts": (
        "Do one of their usual chores tonight, without mentioning it.",
        "Have their coffee or tea ready when they wake up.",
        "Take on a task they've been putting off.",
        "Cook tonight, or order their favourite.",
        "Run an errand for them on your way home.",
        "Fix the small thing that's been broken for a while.",
        "Pack their bag or lunch for tomorrow.",
        "Do the dishes tonight so they can put their feet up.",
        "Ask what you could take off their plate this week, then do it.",
    ),
    "gifts": (
        "Pick up their favourite snack on the way home.",
        "Bring them a flower, even one picked on your walk.",
        "Keep an eye out today for something small that says them.",
        "Print a photo of the two of you and leave it out for them.",
        "Make them a playlist of songs that remind you of them.",
        "Order the book they mentioned wanting.",
        "Bring back a postcard or a little treat from your day out.",
        "Write them a card for no occasion at all.",
        "Make them something by hand, however small.",
    ),
    "time": (
        "Put both phones in another room for the first half hour of the evening.",
        "Ask about their day, then ask a second question.",
        "Go for a twenty-minute walk together after dinner.",
        "Cook something together tonight.",
        "Plan a date this week and put it in both calendars.",
        "Sit down to breakfast together, no screens.",
        "Join them in something they love, even if it's not your thing.",
        "Sit outside together for ten minutes as the day ends.",
        "Call them on your break just to hear how they're doing.",
    ),
    "touch": (
        "Give them a long hug, the kind that lasts twenty seconds.",
        "Hold their hand on your next walk.",
        "Offer a shoulder rub while you talk about your day.",
        "Sit close on the sofa tonight.",
        "Kiss them goodbye, even if you're in a hurry.",
        "Rest a hand on their back as you pass.",
        "Play with their hair while you watch something.",
        "Greet them at the door with a hug.",
        "Fall asleep close tonight.",
    ),
}


def small_move(language: str, seed: int) -> str:
    """One idea for a small move in ``language``, the same for the same seed. Consecutive
    seeds (a day's ordinal, say) go through every idea of the language before one
    repeats. An unknown language raises ``ValueError``."""
    if language not in IDEAS:
        raise ValueError(f"unknown love language: {language!r}")
    ideas = IDEAS[language]
    return ideas[seed % len(ideas)]


# Bids a partner can send with one tap, or replace with their own words.
BID_PRESETS: dict[str, str] = {
    "thinking_of_you": "Thinking of you",
    "talk_tonight": "Can we talk tonight?",
    "hug": "Hug?",
    "look_at_this": "Look at this",
    "good_news": "I have good news",
    "hard_day": "I'm having a hard day",
}
# The presets of the demo's history (its random walk is kept as it was).
EVERYDAY_PRESETS = ("thinking_of_you", "talk_tonight", "hug", "look_at_this")


@dataclass(frozen=True)
class Guide:
    """A few words for whoever receives a bid that asks for a particular kind of answer:
    suggestions, never a script."""

    title: str
    steps: tuple[str, ...]


# Shown to the partner who receives these bids, beside the ways to answer.
BID_GUIDES: dict[str, Guide] = {
    "good_news": Guide(
        "Share the joy",
        (
            "Ask for the whole story: what happened, and how it felt.",
            "Say how glad you are, in your own words, and mean it out loud.",
            "Make a small moment of it: a hug, a toast, a call on your break.",
        ),
    ),
    "hard_day": Guide(
        "Be with them",
        (
            "Listen first. You don't need to fix anything.",
            "Don't make it smaller; say back what you hear: \u201cThat sounds exhausting.\u201d",
            "Ask what would help: company, quiet, or something taken off their plate.",
        ),
    ),
    "talk_tonight": Guide(
        "Listen before you answer",
        (
            "Say back in your own words what you heard, and check you got it.",
            "Ask about what you're unsure of, instead of guessing.",
            "Let their feeling make sense to you, even where you see it differently.",
        ),
    ),
}
