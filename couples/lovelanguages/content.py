"""The words of the love-language features: languages, the quiz, small-move ideas and bid
presets. Pure data, no Flask.

Quiz pair keys are stored with a partner's answers, so a key is never renumbered or
reused."""

from dataclasses import dataclass

from couples.i18n import N_

LANGUAGES = ("words", "acts", "gifts", "time", "touch")
LANGUAGE_LABELS = {
    "words": N_("Words of affirmation"),
    "acts": N_("Acts of service"),
    "gifts": N_("Receiving gifts"),
    "time": N_("Quality time"),
    "touch": N_("Physical touch"),
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


QUIZ_PROMPT = N_("Which would mean more to you?")

# Each of the ten pairings of languages comes twice, once on each side, so every language
# is offered 8 times and stands as "a" 4 times. No language is asked about twice running.
QUIZ: tuple[QuizPair, ...] = (
    QuizPair(
        "p01",
        Option("gifts", N_("They bring home a little something that made them think of me.")),
        Option("touch", N_("They hug me the moment they walk through the door.")),
    ),
    QuizPair(
        "p02",
        Option("time", N_("They ask about my day and listen to the whole answer.")),
        Option("acts", N_("They take a chore off my list without being asked.")),
    ),
    QuizPair(
        "p03",
        Option("words", N_("My partner tells me, in so many words, what they admire in me.")),
        Option("touch", N_("They hold my hand when we're out together.")),
    ),
    QuizPair(
        "p04",
        Option("gifts", N_("They remember something I wanted months ago and turn up with it.")),
        Option("acts", N_("On a night I'm worn out, dinner is already made.")),
    ),
    QuizPair(
        "p05",
        Option("time", N_("We spend an evening together with our phones in another room.")),
        Option("words", N_("A message lands mid-afternoon saying they're proud of me.")),
    ),
    QuizPair(
        "p06",
        Option("acts", N_("They deal with the call or form I've been dreading.")),
        Option("touch", N_("They rub my shoulders after a long day.")),
    ),
    QuizPair(
        "p07",
        Option("words", N_("They notice the effort I put in, and say so.")),
        Option("gifts", N_("My favourite snack turns up in the cupboard, bought just for me.")),
    ),
    QuizPair(
        "p08",
        Option("touch", N_("We sit close on the sofa, leaning into each other.")),
        Option("time", N_("We go for a long walk, just the two of us.")),
    ),
    QuizPair(
        "p09",
        Option("acts", N_("They fix the thing that's been broken for weeks.")),
        Option("words", N_('They say "I love you" for no particular reason.')),
    ),
    QuizPair(
        "p10",
        Option("gifts", N_("They bring me back a small souvenir from a trip.")),
        Option("time", N_("We cook a meal together, side by side.")),
    ),
    QuizPair(
        "p11",
        Option("touch", N_("They kiss me goodbye, even when we're running late.")),
        Option("words", N_("They thank me for something small I thought nobody noticed.")),
    ),
    QuizPair(
        "p12",
        Option("acts", N_("My coffee or tea is ready when I get up.")),
        Option("time", N_("We linger over breakfast with nowhere to rush to.")),
    ),
    QuizPair(
        "p13",
        Option("touch", N_("They rest a hand on my back as they pass by.")),
        Option("gifts", N_("They give me something they made with their own hands.")),
    ),
    QuizPair(
        "p14",
        Option("words", N_("They tell friends what I'm good at while I'm in the room.")),
        Option("time", N_("They join me in something I love, even if it isn't their thing.")),
    ),
    QuizPair(
        "p15",
        Option("acts", N_("They take the early shift so I can sleep in.")),
        Option("gifts", N_("Flowers arrive, for no occasion at all.")),
    ),
    QuizPair(
        "p16",
        Option("time", N_("We talk late into the night about nothing in particular.")),
        Option("touch", N_("We fall asleep wrapped up in each other.")),
    ),
    QuizPair(
        "p17",
        Option("words", N_("I find a few kind words from them on a note by the mirror.")),
        Option("acts", N_("They run an errand for me on their way home.")),
    ),
    QuizPair(
        "p18",
        Option("time", N_("We have a date night that stays in the calendar, no matter what.")),
        Option("gifts", N_("They frame a photo or ticket from a day we loved, just for me.")),
    ),
    QuizPair(
        "p19",
        Option("touch", N_("When I've had bad news, they simply hold me.")),
        Option("acts", N_("I come home to a tidy kitchen I didn't have to clean.")),
    ),
    QuizPair(
        "p20",
        Option("gifts", N_("A small wrapped surprise is waiting on my pillow.")),
        Option("words", N_("Before something hard, they tell me they believe in me.")),
    ),
)

QUIZ_BY_KEY: dict[str, QuizPair] = {pair.key: pair for pair in QUIZ}

# Starting points for a small move in each language, shown to be edited, never sent as is.
IDEAS: dict[str, tuple[str, ...]] = {
    "words": (
        N_("Text them one thing you admired about them today."),
        N_("Leave a note where they'll find it in the morning."),
        N_("Tell them out loud what they did well this week."),
        N_("Thank them for something they usually do without thanks."),
        N_("Send a message this afternoon saying you're thinking of them."),
        N_("Tell them about a way they've grown that you've noticed."),
        N_("Say something kind about them to a friend while they can hear."),
        N_("Before their big moment, tell them you believe in them."),
        N_("Write down three things you love about them and hand it over."),
    ),
    "acts": (
        N_("Do one of their usual chores tonight, without mentioning it."),
        N_("Have their coffee or tea ready when they wake up."),
        N_("Take on a task they've been putting off."),
        N_("Cook tonight, or order their favourite."),
        N_("Run an errand for them on your way home."),
        N_("Fix the small thing that's been broken for a while."),
        N_("Pack their bag or lunch for tomorrow."),
        N_("Do the dishes tonight so they can put their feet up."),
        N_("Ask what you could take off their plate this week, then do it."),
    ),
    "gifts": (
        N_("Pick up their favourite snack on the way home."),
        N_("Bring them a flower, even one picked on your walk."),
        N_("Keep an eye out today for something small that says them."),
        N_("Print a photo of the two of you and leave it out for them."),
        N_("Make them a playlist of songs that remind you of them."),
        N_("Order the book they mentioned wanting."),
        N_("Bring back a postcard or a little treat from your day out."),
        N_("Write them a card for no occasion at all."),
        N_("Make them something by hand, however small."),
    ),
    "time": (
        N_("Put both phones in another room for the first half hour of the evening."),
        N_("Ask about their day, then ask a second question."),
        N_("Go for a twenty-minute walk together after dinner."),
        N_("Cook something together tonight."),
        N_("Plan a date this week and put it in both calendars."),
        N_("Sit down to breakfast together, no screens."),
        N_("Join them in something they love, even if it's not your thing."),
        N_("Sit outside together for ten minutes as the day ends."),
        N_("Call them on your break just to hear how they're doing."),
    ),
    "touch": (
        N_("Give them a long hug, the kind that lasts twenty seconds."),
        N_("Hold their hand on your next walk."),
        N_("Offer a shoulder rub while you talk about your day."),
        N_("Sit close on the sofa tonight."),
        N_("Kiss them goodbye, even if you're in a hurry."),
        N_("Rest a hand on their back as you pass."),
        N_("Play with their hair while you watch something."),
        N_("Greet them at the door with a hug."),
        N_("Fall asleep close tonight."),
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
    "thinking_of_you": N_("Thinking of you"),
    "talk_tonight": N_("Can we talk tonight?"),
    "hug": N_("Hug?"),
    "look_at_this": N_("Look at this"),
    "good_news": N_("I have good news"),
    "hard_day": N_("I'm having a hard day"),
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
        N_("Share the joy"),
        (
            N_("Ask for the whole story: what happened, and how it felt."),
            N_("Say how glad you are, in your own words, and mean it out loud."),
            N_("Make a small moment of it: a hug, a toast, a call on your break."),
        ),
    ),
    "hard_day": Guide(
        N_("Be with them"),
        (
            N_("Listen first. You don't need to fix anything."),
            N_(
                "Don't make it smaller; say back what you hear: \u201cThat sounds exhausting.\u201d"
            ),
            N_("Ask what would help: company, quiet, or something taken off their plate."),
        ),
    ),
    "talk_tonight": Guide(
        N_("Listen before you answer"),
        (
            N_("Say back in your own words what you heard, and check you got it."),
            N_("Ask about what you're unsure of, instead of guessing."),
            N_("Let their feeling make sense to you, even where you see it differently."),
        ),
    ),
}
