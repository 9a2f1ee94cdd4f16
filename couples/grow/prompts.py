"""The reflection journal's prompts: one a day for each person, none twice within
``len(PROMPTS)`` days. Pure data, no Flask.

Most look inward (how I react, what settles me, where my habits come from, what I felt
today); the ``memory`` ones look back at good times together, and what is written to them
can become an appreciation for the partner."""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Prompt:
    key: str
    text: str
    memory: bool = False  # a good memory of us: it may be turned into an appreciation


PROMPTS: tuple[Prompt, ...] = (
    # How I react when we feel far apart.
    Prompt("distant-first", "When your partner feels far away, what is the first thing you do?"),
    Prompt("distant-story", "The last time you felt shut out, what story did you tell yourself?"),
    Prompt("distant-body", "Where in your body do you notice it when the two of you drift?"),
    Prompt("quiet-text", "A message goes unanswered for hours. What goes through your mind?"),
    Prompt("space-ask", "How do you usually ask for space, and how would you like to?"),
    Prompt("close-ask", "How do you usually ask for closeness, and how does it come out?"),
    Prompt("pull-away", "When did you last pull back? What were you protecting?"),
    Prompt("reach-out", "When did you last reach out first? What made it possible?"),
    # What helps me feel safe.
    Prompt("safe-moment", "Describe a moment this month when you felt completely at ease."),
    Prompt("safe-words", "Which words from your partner settle you most?"),
    Prompt("safe-small", "What small, ordinary thing makes you feel looked after?"),
    Prompt("safe-need", "What do you need more of right now, said plainly?"),
    Prompt("safe-trust", "What has your partner done that made trusting them easier?"),
    Prompt("safe-self", "What do you do for yourself that steadies you?"),
    # Patterns I repeat.
    Prompt("pattern-repeat", "Is there a way an argument usually goes for you? Sketch its steps."),
    Prompt("pattern-old", "Which of your reactions feels older than this relationship?"),
    Prompt("pattern-friends", "Do you act the same way with close friends? Where is it different?"),
    Prompt("pattern-start", "What usually starts your worst evenings together?"),
    Prompt("pattern-end", "What usually ends a hard moment between you? Who moves first?"),
    Prompt("pattern-avoid", "What subject do you steer around? What would happen if you didn't?"),
    # When I shut down or flare up.
    Prompt("shutdown-when", "When do you go quiet inside? What happens just before?"),
    Prompt("flare-when", "When do you get sharp? What were you feeling under it?"),
    Prompt("shutdown-sign", "What is an early sign, for you, that you are about to shut down?"),
    Prompt("flare-sign", "What is an early sign, for you, that you are about to snap?"),
    Prompt("regulate-what", "What brings you back to yourself after a heated moment?"),
    Prompt("regulate-pause", "How could you ask for a pause in a way your partner can hear?"),
    # What I learned about love growing up.
    Prompt("family-love", "How was love shown in the home you grew up in?"),
    Prompt("family-conflict", "How did the grown-ups around you handle disagreements?"),
    Prompt(
        "family-feelings", "Which feelings were welcome when you were young, and which were not?"
    ),
    Prompt("family-keep", "What from your family's way of loving do you want to keep?"),
    Prompt("family-leave", "What from your family's way of loving would you rather leave behind?"),
    Prompt("family-comfort", "Who comforted you as a child, and how?"),
    # Feelings and triggers today.
    Prompt("today-feel", "Name three feelings you had today, and when each arrived."),
    Prompt(
        "today-trigger",
        "Did something small sting today? Write what happened, and what it touched.",
    ),
    Prompt("today-proud", "What did you handle well today, even a little?"),
    Prompt("today-heavy", "What are you carrying tonight that your partner may not know about?"),
    Prompt("today-unsaid", "What did you want to say today and didn't?"),
    Prompt("today-glad", "What are you glad about tonight?"),
    Prompt("today-worry", "What worry keeps coming back? What would you tell a friend who had it?"),
    Prompt("today-body", "How is your body tonight: tired, tense, easy? What does it need?"),
    # Calm.
    Prompt("calm-place", "Picture a place where you feel calm. Describe it in detail."),
    Prompt("calm-breath", "Take a few slow breaths, then write what changed, if anything."),
    Prompt("calm-notice", "Write down five things you can see or hear right now."),
    Prompt("calm-kind", "Write yourself a few kind words, as a good friend would."),
    # Together and apart.
    Prompt("apart-own", "What is yours alone that you want to keep growing?"),
    Prompt("apart-support", "How could your partner back something that matters to you?"),
    Prompt(
        "apart-their", "What matters to your partner outside the two of you? How can you back it?"
    ),
    Prompt("together-help", "When did you last ask your partner for help? How did it feel?"),
    Prompt("together-decide", "Think of a recent decision you made together. How did it go?"),
    Prompt(
        "together-boundary", "Is there a boundary you want to say out loud? How might you say it?"
    ),
    # Growing.
    Prompt("grow-change", "What have you done differently in this relationship lately?"),
    Prompt("grow-repair", "Think of a time you two made up well. What helped?"),
    Prompt(
        "grow-sorry", "Is there something you could still own, gently, without blaming yourself?"
    ),
    Prompt("grow-patient", "Where could you be more patient with yourself this week?"),
    Prompt("grow-hope", "What do you hope the two of you will feel like a year from now?"),
    # Good memories of us.
    Prompt("memory-first", "What drew you to your partner at the very beginning?", memory=True),
    Prompt("memory-laugh", "Recall a time the two of you laughed until it hurt.", memory=True),
    Prompt("memory-proud", "When were you proud of your partner? Tell it as a story.", memory=True),
    Prompt("memory-care", "Remember a time your partner looked after you.", memory=True),
    Prompt(
        "memory-place",
        "Which place holds a good memory of you two? What happened there?",
        memory=True,
    ),
    Prompt("memory-ordinary", "Describe an ordinary day together that you loved.", memory=True),
    Prompt(
        "memory-quality",
        "Which of your partner's qualities do you admire most? When did you see it?",
        memory=True,
    ),
    Prompt(
        "memory-hard",
        "Think of a hard time you came through together. What did they give you?",
        memory=True,
    ),
)

BY_KEY: dict[str, Prompt] = {p.key: p for p in PROMPTS}


def of_the_day(day: date, user_id: int) -> Prompt:
    """The prompt for ``day`` for this person: consecutive days walk the list, so no prompt
    comes back within ``len(PROMPTS)`` days; each person starts at a place of their own, so
    partners are seldom given the same one."""
    return PROMPTS[(day.toordinal() + user_id * 17) % len(PROMPTS)]
