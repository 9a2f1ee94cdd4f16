"""The deeper question of the day: a bank of prompts and the rotation that picks one.

Pure: no Flask, no database. A couple's question for a date follows from the couple and
the date alone.

Keys are stored with each check-in, so a key is never renumbered or reused: retire a
question by deleting it, add one under a new number."""

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from couples.i18n import N_

NO_REPEAT_DAYS = 60
THEMES = ("fears", "struggles", "hopes", "needs", "expectations", "childhood", "future")


@dataclass(frozen=True)
class Question:
    key: str
    theme: str
    prompt: str


def _theme(theme: str, *prompts: str) -> tuple[Question, ...]:
    return tuple(
        Question(f"{theme}-{n:02d}", theme, prompt) for n, prompt in enumerate(prompts, start=1)
    )


QUESTIONS: tuple[Question, ...] = (
    *_theme(
        "fears",
        N_("What's a small worry that has been following you around this week?"),
        N_("What scared you as a child that you can smile about now?"),
        N_("What's one thing you'd find hard to ask me for?"),
        N_("When you feel far from me, what's the first thing you tend to do?"),
        N_("What would you try if you knew it couldn't go wrong?"),
        N_("What's a fear you've outgrown? What helped?"),
        N_(
            "Is there something you've held back from telling me because you weren't sure how "
            "I'd take it?"
        ),
        N_("What's one thing about getting older that crosses your mind?"),
        N_("When you're anxious, what's the most helpful thing I can do?"),
        N_("If bad news came tomorrow, how would you want me to be there for you?"),
        N_("What's a risk you're glad you took, even though you were scared?"),
    ),
    *_theme(
        "struggles",
        N_("What has been the hardest part of your week so far?"),
        N_("What are you carrying right now that I might not see?"),
        N_("Where do you feel stretched thin at the moment?"),
        N_("What's a habit you're trying to change, and how is it going?"),
        N_("When did you last feel out of your depth? What got you through?"),
        N_("What's one thing on your list that you keep putting off?"),
        N_("What's something you find harder than people think?"),
        N_("What has been draining your energy lately?"),
        N_("What's a mistake you keep replaying in your head?"),
        N_("What do you wish you could ask for help with more easily?"),
        N_("When things get tough, do you want advice, company or a bit of space?"),
    ),
    *_theme(
        "hopes",
        N_("What are you quietly looking forward to?"),
        N_("What's a small dream you haven't said out loud yet?"),
        N_("What would a perfect, ordinary Sunday look like for you?"),
        N_("What's one skill you'd love to learn this year?"),
        N_("If money were no object, where would you take me?"),
        N_("What do you hope people will say about you one day?"),
        N_("What do you hope we'll still be doing together when we're old?"),
        N_("What would make the coming month feel like a good one?"),
        N_("What's one thing you'd like to be a little braver about?"),
        N_("What are you hoping for from your work, or your days, right now?"),
        N_("What's a tradition you'd love for the two of us to start?"),
    ),
    *_theme(
        "needs",
        N_("What's one thing that would make tomorrow a little easier for you?"),
        N_("How do you most like to be comforted after a rough day?"),
        N_("When do you feel most looked after by me?"),
        N_("How much time on your own feels right to you these days?"),
        N_("What's something small I do that matters more than I might realise?"),
        N_("When you're stressed, how can I tell, and what helps?"),
        N_("What do you need more of from us right now: fun, rest, talk or closeness?"),
        N_("What's a compliment that would really land with you?"),
        N_("Is there something you need that's hard to put into words?"),
        N_("What makes you feel properly heard when we talk?"),
        N_("What helps you feel close to me again after a day apart?"),
    ),
    *_theme(
        "expectations",
        N_("Which chore do you think we should share differently?"),
        N_("Before we met, what did you picture being a couple would look like?"),
        N_("When we see money differently, how would you like us to sort it out?"),
        N_("How often would you like a proper date, just the two of us?"),
        N_("What does a good weekend together look like to you?"),
        N_("What do you hope I'll do when you've had a bad day?"),
        N_("How much time with friends and family feels right for us?"),
        N_("What's an unspoken rule you have about how couples should argue?"),
        N_("How do you like birthdays and holidays to be marked?"),
        N_("What do you expect of yourself with me that might be too much?"),
        N_("When one of us is busy, how would you like us to stay in touch?"),
    ),
    *_theme(
        "childhood",
        N_("What smell or sound takes you straight back to being a kid?"),
        N_("How did your family show love when you were growing up?"),
        N_("What did arguments look like in your home as a child?"),
        N_("Which grown-up did you feel safest with as a kid, and why?"),
        N_("What's a family saying or joke you still think of?"),
        N_("What did you get praised for as a child?"),
        N_("Where was your favourite place to hide or play?"),
        N_("What did you learn growing up about asking for help?"),
        N_("What's one thing from your childhood you'd like to pass on?"),
        N_("When you were upset as a child, who or what comforted you?"),
        N_("What did you want to be when you grew up, and where did that dream go?"),
    ),
    *_theme(
        "future",
        N_("Where do you picture us living in ten years?"),
        N_("What's one thing you'd like us to do together before the year is out?"),
        N_("How would you like our home to feel when you walk in?"),
        N_("What's an adventure you'd like us to plan?"),
        N_("What does a slow morning look like when we're both retired?"),
        N_("What's one thing about us you'd like to keep exactly as it is?"),
        N_("What's something you'd like the two of us to get better at?"),
        N_("What would you like next year to bring you?"),
        N_("If we had a free week next month, how would you want to spend it?"),
        N_("What would you change about how we spend our evenings?"),
        N_("What kind of old couple do you think we'll be?"),
    ),
)

BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}


def _mix(seed: int, salt: str) -> int:
    """A number from ``seed`` and ``salt`` that is the same on every run and every Python
    (unlike ``hash()``), so a couple's question of a date never changes."""
    digest = hashlib.blake2b(f"{seed}:{salt}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


@lru_cache(maxsize=4096)
def cycle(couple_id: int) -> tuple[Question, ...]:
    """The couple's own order of the whole bank: themes take turns (in an order of the
    couple's own), and within a theme the questions come in an order of the couple's own.
    Every question comes once a cycle, so none repeats within ``len(QUESTIONS)`` days."""
    themes = sorted(THEMES, key=lambda t: _mix(couple_id, t))
    queues = {
        t: sorted((q for q in QUESTIONS if q.theme == t), key=lambda q: _mix(couple_id, q.key))
        for t in themes
    }
    order: list[Question] = []
    while any(queues.values()):
        for theme in themes:
            if queues[theme]:
                order.append(queues[theme].pop(0))
    return tuple(order)


def question_of_the_day(couple_id: int, day: date) -> Question:
    """The couple's deeper question for ``day``: the same on every call, with no repeat
    within ``NO_REPEAT_DAYS`` (the bank is longer than that). Nothing is stored to decide
    it, so both partners, far apart in time zones, see the same question for a date.
    Adding questions to the bank reshuffles the cycle from then on; each check-in keeps
    the question it asked."""
    order = cycle(couple_id)
    return order[day.toordinal() % len(order)]
