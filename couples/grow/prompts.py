"""The reflection journal's prompts: one a day for each person, none twice within
``len(PROMPTS)`` days. Pure data, no Flask.

Most look inward (how I react, what settles me, where my habits come from, what I felt
today); the ``memory`` ones look back at good times together, and what is written to them
can become an appreciation for the partner."""

from dataclasses import dataclass
from datetime import date

from couples.i18n import N_


@dataclass(frozen=True)
class Prompt:
    key: str
    text: str
    memory: bool = False  # a good memory of us: it may be turned into an appreciation


PROMPTS: tuple[Prompt, ...] = (
    # How I react when we feel far apart.
    Prompt(
        "distant-first", N_("When your partner feels far away, what is the first thing you do?")
    ),
    Prompt(
        "distant-story", N_("The last time you felt shut out, what story did you tell yourself?")
    ),
    Prompt("distant-body", N_("Where in your body do you notice it when the two of you drift?")),
    Prompt("quiet-text", N_("A message goes unanswered for hours. What goes through your mind?")),
    Prompt("space-ask", N_("How do you usually ask for space, and how would you like to?")),
    Prompt("close-ask", N_("How do you usually ask for closeness, and how does it come out?")),
    Prompt("pull-away", N_("When did you last pull back? What were you protecting?")),
    Prompt("reach-out", N_("When did you last reach out first? What made it possible?")),
    # What helps me feel safe.
    Prompt("safe-moment", N_("Describe a moment this month when you felt completely at ease.")),
    Prompt("safe-words", N_("Which words from your partner settle you most?")),
    Prompt("safe-small", N_("What small, ordinary thing makes you feel looked after?")),
    Prompt("safe-need", N_("What do you need more of right now, said plainly?")),
    Prompt("safe-trust", N_("What has your partner done that made trusting them easier?")),
    Prompt("safe-self", N_("What do you do for yourself that steadies you?")),
    # Patterns I repeat.
    Prompt(
        "pattern-repeat", N_("Is there a way an argument usually goes for you? Sketch its steps.")
    ),
    Prompt("pattern-old", N_("Which of your reactions feels older than this relationship?")),
    Prompt(
        "pattern-friends", N_("Do you act the same way with close friends? Where is it different?")
    ),
    Prompt("pattern-start", N_("What usually starts your worst evenings together?")),
    Prompt("pattern-end", N_("What usually ends a hard moment between you? Who moves first?")),
    Prompt(
        "pattern-avoid", N_("What subject do you steer around? What would happen if you didn't?")
    ),
    # When I shut down or flare up.
    Prompt("shutdown-when", N_("When do you go quiet inside? What happens just before?")),
    Prompt("flare-when", N_("When do you get sharp? What were you feeling under it?")),
    Prompt("shutdown-sign", N_("What is an early sign, for you, that you are about to shut down?")),
    Prompt("flare-sign", N_("What is an early sign, for you, that you are about to snap?")),
    Prompt("regulate-what", N_("What brings you back to yourself after a heated moment?")),
    Prompt("regulate-pause", N_("How could you ask for a pause in a way your partner can hear?")),
    # What I learned about love growing up.
    Prompt("family-love", N_("How was love shown in the home you grew up in?")),
    Prompt("family-conflict", N_("How did the grown-ups around you handle disagreements?")),
    Prompt(
        "family-feelings",
        N_("Which feelings were welcome when you were young, and which were not?"),
    ),
    Prompt("family-keep", N_("What from your family's way of loving do you want to keep?")),
    Prompt(
        "family-leave", N_("What from your family's way of loving would you rather leave behind?")
    ),
    Prompt("family-comfort", N_("Who comforted you as a child, and how?")),
    # Feelings and triggers today.
    Prompt("today-feel", N_("Name three feelings you had today, and when each arrived.")),
    Prompt(
        "today-trigger",
        N_("Did something small sting today? Write what happened, and what it touched."),
    ),
    Prompt("today-proud", N_("What did you handle well today, even a little?")),
    Prompt(
        "today-heavy", N_("What are you carrying tonight that your partner may not know about?")
    ),
    Prompt("today-unsaid", N_("What did you want to say today and didn't?")),
    Prompt("today-glad", N_("What are you glad about tonight?")),
    Prompt(
        "today-worry", N_("What worry keeps coming back? What would you tell a friend who had it?")
    ),
    Prompt("today-body", N_("How is your body tonight: tired, tense, easy? What does it need?")),
    # Calm.
    Prompt("calm-place", N_("Picture a place where you feel calm. Describe it in detail.")),
    Prompt("calm-breath", N_("Take a few slow breaths, then write what changed, if anything.")),
    Prompt("calm-notice", N_("Write down five things you can see or hear right now.")),
    Prompt("calm-kind", N_("Write yourself a few kind words, as a good friend would.")),
    # Together and apart.
    Prompt("apart-own", N_("What is yours alone that you want to keep growing?")),
    Prompt("apart-support", N_("How could your partner back something that matters to you?")),
    Prompt(
        "apart-their",
        N_("What matters to your partner outside the two of you? How can you back it?"),
    ),
    Prompt("together-help", N_("When did you last ask your partner for help? How did it feel?")),
    Prompt("together-decide", N_("Think of a recent decision you made together. How did it go?")),
    Prompt(
        "together-boundary",
        N_("Is there a boundary you want to say out loud? How might you say it?"),
    ),
    # Growing.
    Prompt("grow-change", N_("What have you done differently in this relationship lately?")),
    Prompt("grow-repair", N_("Think of a time you two made up well. What helped?")),
    Prompt(
        "grow-sorry",
        N_("Is there something you could still own, gently, without blaming yourself?"),
    ),
    Prompt("grow-patient", N_("Where could you be more patient with yourself this week?")),
    Prompt("grow-hope", N_("What do you hope the two of you will feel like a year from now?")),
    # Good memories of us.
    Prompt("memory-first", N_("What drew you to your partner at the very beginning?"), memory=True),
    Prompt("memory-laugh", N_("Recall a time the two of you laughed until it hurt."), memory=True),
    Prompt(
        "memory-proud", N_("When were you proud of your partner? Tell it as a story."), memory=True
    ),
    Prompt("memory-care", N_("Remember a time your partner looked after you."), memory=True),
    Prompt(
        "memory-place",
        N_("Which place holds a good memory of you two? What happened there?"),
        memory=True,
    ),
    Prompt("memory-ordinary", N_("Describe an ordinary day together that you loved."), memory=True),
    Prompt(
        "memory-quality",
        N_("Which of your partner's qualities do you admire most? When did you see it?"),
        memory=True,
    ),
    Prompt(
        "memory-hard",
        N_("Think of a hard time you came through together. What did they give you?"),
        memory=True,
    ),
)

BY_KEY: dict[str, Prompt] = {p.key: p for p in PROMPTS}


def of_the_day(day: date, user_id: int) -> Prompt:
    """The prompt for ``day`` for this person: consecutive days walk the list, so no prompt
    comes back within ``len(PROMPTS)`` days; each person starts at a place of their own, so
    partners are seldom given the same one."""
    return PROMPTS[(day.toordinal() + user_id * 17) % len(PROMPTS)]
