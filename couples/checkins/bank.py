"""The deeper question of the day: a bank of prompts and the rotation that picks one.

Pure: no Flask, no database. A couple's question for a date follows from the couple and
the date alone.

Keys are stored with each check-in, so a key is never renumbered or reused: retire a
question by deleting it, add one under a new number."""

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

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
        "What's a small worry that has been following you around this week?",
        "What scared you as a child that you can smile about now?",
        "What's one thing you'd find hard to ask me for?",
        "When you feel far from me, what's the first thing you tend to do?",
        "What would you try if you knew it couldn't go wrong?",
        "What's a fear you've outgrown? What helped?",
        "Is there something you've held back from telling me because you weren't sure how "
        "I'd take it?",
        "What's one thing about getting older that crosses your mind?",
        "When you're anxious, what's the most helpful thing I can do?",
        "If bad news came tomorrow, how would you want me to be there for you?",
        "What's a risk you're glad you took, even though you were scared?",
    ),
    *_theme(
        "struggles",
        "What has been the hardest part of your week so far?",
        "What are you carrying right now that I might not see?",
        "Where do you feel stretched thin at the moment?",
        "What's a habit you're trying to change, and how is it going?",
        "When did you last feel out of your depth? What got you through?",
        "What's one thing on your list that you keep putting off?",
        "What's something you find harder than people think?",
        "What has been draining your energy lately?",
        "What's a mistake you keep replaying in your head?",
        "What do you wish you could ask for help with more easily?",
        "When things get tough, do you want advice, company or a bit of space?",
    ),
    *_theme(
        "hopes",
        "What are you quietly looking forward to?",
        "What's a small dream you haven't said out loud yet?",
        "What would a perfect, ordinary Sunday look like for you?",
        "What's one skill you'd love to learn this year?",
        "If money were no object, where would you take me?",
        "What do you hope people will say about you one day?",
        "What do you hope we'll still be doing together when we're old?",
        "What would make the coming month feel like a good one?",
        "What's one thing you'd like to be a little braver about?",
        "What are you hoping for from your work, or your days, right now?",
        "What's a tradition you'd love for the two of us to start?",
    ),
    *_theme(
        "needs",
        "What's one thing that would make tomorrow a little easier for you?",
        "How do you most like to be comforted after a rough day?",
        "When do you feel most looked after by me?",
        "How much time on your own feels right to you these days?",
        "What's something small I do that matters more than I might realise?",
        "When you're stressed, how can I tell, and what helps?",
        "What do you need more of from us right now: fun, rest, talk or closeness?",
        "What's a compliment that would really land with you?",
        "Is there something you need that's hard to put into words?",
        "What makes you feel properly heard when we talk?",
        "What helps you feel close to me again after a day apart?",
    ),
    *_theme(
        "expectations",
        "Which chore do you think we should share differently?",
        "Before we met, what did you picture being a couple would look like?",
        "When we see money differently, how would you like us to sort it out?",
        "How often would you like a proper date, just the two of us?",
        "What does a good weekend together look like to you?",
        "What do you hope I'll do when you've had a bad day?",
        "How much time with friends and family feels right for us?",
        "What's an unspoken rule you have about how couples should argue?",
        "How do you like birthdays and holidays to be marked?",
        "What do you expect of yourself with me that might be too much?",
        "When one of us is busy, how would you like us to stay in touch?",
    ),
    *_theme(
        "childhood",
        "What smell or sound takes you straight back to being a kid?",
        "How did your family show love when you were growing up?",
        "What did arguments look like in your home as a child?",
        "Which grown-up did you feel safest with as a kid, and why?",
        "What's a family saying or joke you still think of?",
        "What did you get praised for as a child?",
        "Where was your favourite place to hide or play?",
        "What did you learn growing up about asking for help?",
        "What's one thing from your childhood you'd like to pass on?",
        "When you were upset as a child, who or what comforted you?",
        "What did you want to be when you grew up, and where did that dream go?",
    ),
    *_theme(
        "future",
        "Where do you picture us living in ten years?",
        "What's one thing you'd like us to do together before the year is out?",
        "How would you like our home to feel when you walk in?",
        "What's an adventure you'd like us to plan?",
        "What does a slow morning look like when we're both retired?",
        "What's one thing about us you'd like to keep exactly as it is?",
        "What's something you'd like the two of us to get better at?",
        "What would you like next year to bring you?",
        "If we had a free week next month, how would you want to spend it?",
        "What would you change about how we spend our evenings?",
        "What kind of old couple do you think we'll be?",
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
