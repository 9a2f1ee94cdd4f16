"""The words of the repair pages: the feelings picker, what someone needs right now, the
I-statement builder, the STOP pause, the three parts of an apology, the plan, the
follow-up and ways to reconnect. Pure data and small pure helpers (their words marked
with ``N_``, translated where shown; ``views_differ_words``, ``join_words`` and
``i_statement`` write in the current language). A sentence only a template shows is
written in that template, not here.

Every example here is a starting point shown to be edited, never sent as it stands. Keys
(feelings, needs, reconnect suggestions, outcomes) are stored with a repair, so a key is
never renamed or reused."""

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import pgettext

from couples.i18n import N_, translated
from couples.lovelanguages.content import LANGUAGES


@dataclass(frozen=True)
class Choice:
    """One option on a page: what the button says and a line under it."""

    label: str
    help: str = ""


@dataclass(frozen=True)
class Prompt:
    """One field on a page: its label, a line of help, and a greyed example to replace."""

    label: str
    help: str
    placeholder: str


# ---------------------------------------------------------------------------- feelings

# Grouped so the picker reads calmly, the commonest first. Every word is lower case.
FEELING_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        N_("Hurt"),
        (N_("hurt"), N_("sad"), N_("disappointed"), N_("let down"), N_("rejected"), N_("betrayed")),
    ),
    (
        N_("Alone"),
        (
            N_("lonely"),
            N_("dismissed"),
            N_("unimportant"),
            N_("invisible"),
            N_("left out"),
            N_("forgotten"),
            N_("unheard"),
        ),
    ),
    (
        N_("Uneasy"),
        (N_("anxious"), N_("scared"), N_("worried"), N_("insecure"), N_("confused"), N_("unsure")),
    ),
    (
        N_("Angry"),
        (
            N_("angry"),
            N_("frustrated"),
            N_("resentful"),
            N_("annoyed"),
            N_("disrespected"),
            N_("taken for granted"),
        ),
    ),
    (
        N_("Exposed"),
        (
            N_("ashamed"),
            N_("embarrassed"),
            N_("humiliated"),
            N_("judged"),
            N_("criticized"),
            N_("small"),
        ),
    ),
    (
        N_("Worn out"),
        (N_("overwhelmed"), N_("exhausted"), N_("drained"), N_("stuck"), N_("numb"), N_("tired")),
    ),
)
FEELINGS: tuple[str, ...] = tuple(word for _group, words in FEELING_GROUPS for word in words)
FEELING_MAX = 30

_OWN_FEELING = re.compile(r"[^\W\d_]+(?:[ '-][^\W\d_]+)*")


def clean_feeling(word: object) -> str | None:
    """``word`` as a feeling to keep, or ``None`` when it cannot be one.

    A feeling is one of ``FEELINGS`` or the partner's own word: 1 to 30 characters of
    letters, with single spaces, hyphens or apostrophes between them. Outer spaces are
    trimmed, inner runs of spaces become one (a line break or tab inside is refused),
    curly apostrophes become straight ones and the result is lower case, so "Left  Out "
    and "left out" are the same feeling."""
    if not isinstance(word, str):
        return None
    text = word.replace("\u2019", "'").replace("\u2018", "'")
    text = unicodedata.normalize("NFC", re.sub(" {2,}", " ", text.strip()).lower())
    if not 1 <= len(text) <= FEELING_MAX:
        return None
    return text if _OWN_FEELING.fullmatch(text) else None


# A word that starts with an i sound ("inseguridad", "hijo"; not "hielo", whose "hi" opens
# a glide): before it some languages change "and" (Spanish writes "e" for "y").
_I_SOUND = re.compile(r"h?[ií](?![aeiouáéíóú])", re.IGNORECASE)


def said_feelings(feelings: Iterable[str]) -> list[str]:
    """``feelings`` as the current language says them: the picker's (``FEELINGS``, kept
    in English) translated, a person's own words as they wrote them."""
    return [translated(f) if f in FEELINGS else f for f in feelings]


def join_words(words: Sequence[str]) -> str:
    """``["hurt"]`` → "hurt", ``["hurt", "lonely"]`` → "hurt and lonely",
    ``["hurt", "lonely", "tired"]`` → "hurt, lonely and tired" (in the current
    language: "dolor y soledad", "miedo e inseguridad")."""
    words = [w for w in words if w]
    if len(words) < 2:
        return "".join(words)
    first, last = ", ".join(words[:-1]), words[-1]
    if _I_SOUND.match(last):
        return pgettext(
            "the last word starts with an i sound", "%(first)s and %(last)s", first=first, last=last
        )
    return _("%(first)s and %(last)s", first=first, last=last)


# --------------------------------------------------------------------------- need now

NEEDS_NOW: dict[str, Choice] = {
    "space": Choice(N_("Space"), N_("A little time on my own first. I'll come back to this.")),
    "talk": Choice(N_("Talk"), N_("To talk it through together, soon.")),
    "reassurance": Choice(
        N_("Reassurance"), N_("To hear that we're okay and that I matter to you.")
    ),
    "closeness": Choice(
        N_("Closeness"), N_("To be near you: a hug, sitting together, a hand to hold.")
    ),
}


# ------------------------------------------------------------------------ I-statement

# Keyed by the fields of the hearing step.
I_STATEMENT: dict[str, Prompt] = {
    "i_feel": Prompt(N_("I feel …"), N_("The feelings you picked, or others."), N_("lonely")),
    "when": Prompt(
        N_("when …"),
        N_("What happened, as a camera would have seen it."),
        N_("you scroll through your phone while we eat"),
    ),
    "because": Prompt(
        N_("because …"),
        N_("Why it matters to you."),
        N_("dinner is the one part of the day that's just ours"),
    ),
    "i_need": Prompt(
        N_("I need …"),
        N_("One thing you'd ask for. Small and clear is easier to give."),
        N_("us to leave our phones in the other room at dinner"),
    ),
}

_TRAILING = " \t\r\n.,;:!?"
# Leading words a partner may type into a field that the sentence already has, in each
# language the sentence is written in (static/js/repair.js has the same).
_LEADS = {
    "when": re.compile(r"^(?:when|cuando)(?:\s+|$)", re.IGNORECASE),
    "because": re.compile(r"^(?:because|porque)(?:\s+|$)", re.IGNORECASE),
    "need": re.compile(r"^(?:(?:and\s+)?i\s+need|(?:y\s+)?necesito)(?:\s+|$)", re.IGNORECASE),
    "feel": re.compile(
        r"^(?:i\s+(?:feel|felt|am|['\u2019]m)|(?:me\s+)?(?:siento|sent[ií]))(?:\s+|$)",
        re.IGNORECASE,
    ),
}
# Words that start a clause in lower case; names and "I" keep their capital.
_LOWER_FIRST = frozenset(
    {
        # Spanish
        "tú",
        "tu",
        "tus",
        "te",
        "yo",
        "me",
        "mi",
        "mis",
        "el",
        "él",
        "ella",
        "ellos",
        "la",
        "las",
        "los",
        "lo",
        "le",
        "les",
        "un",
        "una",
        "nosotros",
        "nuestro",
        "nuestra",
        "nuestros",
        "nuestras",
        "eso",
        "esto",
        "ese",
        "esa",
        "este",
        "esta",
        "se",
        "no",
        # English
        "you",
        "your",
        "you're",
        "we",
        "we're",
        "our",
        "my",
        "it",
        "it's",
        "the",
        "there",
        "they",
        "they're",
        "that",
        "this",
        "a",
        "an",
        "he",
        "she",
        "his",
        "her",
        "us",
    }
)


def _field(text: str | None, lead: str) -> str:
    text = " ".join((text or "").split()).strip(_TRAILING)
    text = _LEADS[lead].sub("", text)
    first, _, rest = text.partition(" ")
    if first.lower().replace("\u2019", "'") in _LOWER_FIRST:
        text = " ".join(filter(None, (first.lower(), rest)))
    return text


def _first_sentence(felt: str, when: str, because: str) -> str:
    """The sentence of the parts given, as a whole in the current language ("" for none)."""
    if felt and when and because:
        return _(
            "I feel %(feelings)s when %(when)s because %(because)s.",
            feelings=felt,
            when=when,
            because=because,
        )
    if felt and when:
        return _("I feel %(feelings)s when %(when)s.", feelings=felt, when=when)
    if felt and because:
        return _("I feel %(feelings)s because %(because)s.", feelings=felt, because=because)
    if felt:
        return _("I feel %(feelings)s.", feelings=felt)
    if when and because:
        return _("When %(when)s because %(because)s.", when=when, because=because)
    if when:
        return _("When %(when)s.", when=when)
    if because:
        return _("Because %(because)s.", because=because)
    return ""


def i_statement(
    feelings: str | Iterable[str], when: str | None, because: str | None, need: str | None
) -> str:
    """The I-statement the partner built, in the current language (theirs, as they write
    it; it is kept as they sent it): "I feel hurt and lonely when … because … . I need
    … ." ``feelings`` is what they wrote after "I feel", or a list of feelings, where the
    picker's (``FEELINGS``, kept in English) are said in the current language. Parts left
    empty are left out (and nothing at all gives ""); spaces are tidied, closing
    punctuation and a repeated lead word ("when …" typed into the when field) are
    dropped, and their words are never reworded otherwise. The sentence's own words are
    whole patterns per language (static/js/repair.js previews it with the same)."""
    feelings = [feelings] if isinstance(feelings, str) else said_feelings(feelings)
    felt = join_words([_field(f, "feel") for f in feelings])
    sentences = [_first_sentence(felt, _field(when, "when"), _field(because, "because"))]
    if need := _field(need, "need"):
        sentences.append(_("I need %(need)s.", need=need))
    return " ".join(s for s in sentences if s)


# ------------------------------------------------------------------------------ pause

PAUSE_MIN_MINUTES = 20
PAUSE_MAX_MINUTES = 24 * 60
# (minutes, label), shortest first. A page may add "tonight" from the user's own clock.
PAUSE_LENGTHS: tuple[tuple[int, str], ...] = (
    (20, N_("20 minutes")),
    (60, N_("An hour")),
    (120, N_("Two hours")),
    (240, N_("Four hours")),
    (24 * 60, N_("This time tomorrow")),
)


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    text: str


# The STOP technique, for the pause screen.
STOP: tuple[Step, ...] = (
    Step(
        "stop",
        N_("Stop"),
        N_("Set the conversation down for now. Nothing has to be settled in the next few minutes."),
    ),
    Step(
        "breathe",
        N_("Take a breath"),
        N_(
            "Breathe in slowly, then let it out a little longer than it took to come in. A few "
            "rounds of that are enough."
        ),
    ),
    Step(
        "observe",
        N_("Observe"),
        N_(
            "Notice what is going on inside you: the feeling, where it sits in your body, the "
            "story your head is telling. Just notice it; you don't have to act on it."
        ),
    ),
    Step(
        "proceed",
        N_("Proceed with intention"),
        N_(
            "When you go back, choose your next words on purpose. Ask what would help the two "
            "of you, rather than what would win the point."
        ),
    ),
)


# ----------------------------------------------------------------------- how I see it

# How a partner sees their part, asked of the one who did not open the repair before
# anything else (the opener chose theirs in opening it). Keys are machine.VIEWS.
VIEWS: dict[str, Choice] = {
    "hurt": Choice(N_("I'm the one who was hurt"), N_("I'd like to say how it felt for me.")),
    "apologizing": Choice(
        N_("I want to make it right"), N_("I'd like to listen and to apologize.")
    ),
    "both": Choice(
        N_("We both are"),
        N_(
            "Something hurt me too, and I have a part to mend. One of you goes first; the "
            "other side can have its own repair after."
        ),
    ),
}
# How a view reads in the history: "Sam was ready · hurt".
VIEW_SAID = {
    "hurt": N_("having been hurt"),
    "apologizing": N_("wanting to make it right"),
    "both": N_("seeing a part for both"),
}


def views_differ_words(view: str, partner: str) -> str:
    """What both read when they see their parts the same way (in the page's language)."""
    if view == "hurt":
        return _(
            "You and %(partner)s both feel hurt by this. That happens, and it can still be "
            "mended. This time, one of you shares first and the other listens and makes it "
            "right; the other side can have its own repair afterwards.",
            partner=partner,
        )
    return _(
        "You and %(partner)s both want to make this right, which is a kind place to start. "
        "One of you shares first how it felt, and the other listens.",
        partner=partner,
    )


# --------------------------------------------------------------------------- apology

APOLOGY_PARTS: dict[str, Prompt] = {
    "acknowledgement": Prompt(
        N_("What I did"),
        N_("Say it plainly, in a sentence or two: the thing you did, not the whole story."),
        N_("I'm sorry I kept checking work emails all through your birthday dinner."),
    ),
    "empathy": Prompt(
        N_("How it felt for you"),
        N_("Show you understand how it landed. The feelings they named can help."),
        N_(
            "When I do that, I think you end up feeling unimportant, like you come second to "
            "a screen on a night that was meant to be yours."
        ),
    ),
    "restitution": Prompt(
        N_("Making it right"),
        N_("That you care, why it happened, what will change, and what they need from you."),
        N_(
            "You matter far more to me than any email. I let a stressful week take over, and "
            "that's on me. From now on my phone stays in my bag when we go out. What would "
            "help you right now?"
        ),
    ),
}


# ------------------------------------------------------------------------------- plan

MY_PART_PROMPT = Prompt(
    N_("My part in it"),
    N_("Only your side: what you did, or didn't do, that added to this. Theirs is theirs to tell."),
    N_("I went quiet instead of saying I was upset, and let it build up until it spilled over."),
)
COMMITMENT_PROMPT = Prompt(
    N_("Next time …, I will …"),
    N_("Something specific enough that you'll both know whether it happened."),
    N_("Next time I'm running late, I will text you before we were meant to meet."),
)
COMMITMENT_EXAMPLES: tuple[str, ...] = (
    N_("Next time I'm running late, I will text you before we were meant to meet."),
    N_("Next time we're out with friends, I will keep any criticism for when we're alone."),
    N_("Next time you tell me something private, I will ask you before I share it with anyone."),
)


# -------------------------------------------------------------------------- follow-up

FOLLOW_UP_OUTCOMES: dict[str, Choice] = {
    "kept": Choice(N_("We did"), N_("It's been happening.")),
    "partly": Choice(N_("Partly"), N_("Some of the time, or some of it.")),
    "not": Choice(N_("Not yet"), N_("It hasn't happened yet. Worth talking about, gently.")),
}


# -------------------------------------------------------------------------- reconnect

# (key, text) per love language; the keys are stored with a repair's choice.
RECONNECT_IDEAS: dict[str, tuple[tuple[str, str], ...]] = {
    "words": (
        (
            "words_what_i_love",
            N_("Tell them one thing you love about them that has nothing to do with this."),
        ),
        (
            "words_note",
            N_(
                "Write them a short note about why this relationship matters to "
                "you, and leave it where they'll find it."
            ),
        ),
        ("words_message", N_("Send a message tomorrow afternoon saying you're glad you talked.")),
        ("words_thank", N_("Thank them for being willing to work through this with you.")),
    ),
    "acts": (
        (
            "acts_chore",
            N_("Take one of their jobs off their plate this week, without being asked."),
        ),
        ("acts_dinner", N_("Make their favourite dinner, or order it in, tonight or tomorrow.")),
        ("acts_morning", N_("Have their tea or coffee ready for them in the morning.")),
        ("acts_dreaded", N_("Deal with a task they've been dreading, and tell them it's done.")),
    ),
    "gifts": (
        ("gifts_treat", N_("Bring home a small treat you know they love.")),
        ("gifts_flowers", N_("Pick up a few flowers, nothing grand.")),
        ("gifts_photo", N_("Print a photo of a good day you had together and give it to them.")),
        ("gifts_playlist", N_("Put together a few songs that make you think of them.")),
    ),
    "time": (
        ("time_walk", N_("Go for a walk together, phones left at home.")),
        ("time_evening", N_("Keep one evening this week just for the two of you.")),
        ("time_breakfast", N_("Have a slow breakfast together with nowhere to rush to.")),
        (
            "time_favourite",
            N_("Do something they enjoy together, your choice of their favourites."),
        ),
    ),
    "touch": (
        ("touch_hug", N_("Offer a long hug, and let them decide when it ends.")),
        ("touch_hand", N_("Hold hands on your next walk.")),
        ("touch_sofa", N_("Sit close on the sofa tonight, leaning into each other.")),
        ("touch_shoulders", N_("Offer a shoulder rub at the end of the day.")),
    ),
}
RECONNECT_GENERAL: tuple[tuple[str, str], ...] = (
    ("general_hug", N_("Ask if they'd like a hug right now.")),
    ("general_cup", N_("Make two cups of something warm and sit together for ten minutes.")),
    ("general_plan", N_("Plan something small to look forward to together this weekend.")),
    ("general_laugh", N_("Watch something that makes you both laugh.")),
)
RECONNECT_TOP = 2  # how many of the hurt partner's languages to draw from
RECONNECT_DEFAULT_N = 6


def _suggestion(key: str, language: str | None, text: str) -> dict:
    return {"key": key, "language": language, "text": text}


RECONNECT_BY_KEY: dict[str, dict] = {
    key: _suggestion(key, language, text)
    for language, ideas in RECONNECT_IDEAS.items()
    for key, text in ideas
} | {key: _suggestion(key, None, text) for key, text in RECONNECT_GENERAL}


def reconnect_suggestions(
    profile_ranking: Sequence[str] | None, n: int = RECONNECT_DEFAULT_N
) -> list[dict]:
    """Up to ``n`` ways to reconnect, as ``{"key", "language", "text"}`` (``language`` is
    ``None`` for the general ones), the same for the same input.

    They come from the hurt partner's top two love languages (``profile_ranking`` is a
    ranking of language keys, most important first; unknown keys are skipped), taken in
    turn with a general idea of affection or time together: the first idea of each,
    then the second of each, and so on. With no usable ranking, all five languages take
    their turn."""
    seen: list[str] = []
    for key in profile_ranking or ():
        if key in RECONNECT_IDEAS and key not in seen:
            seen.append(key)
    languages = seen[:RECONNECT_TOP] or list(LANGUAGES)
    pools = [[_suggestion(k, lang, t) for k, t in RECONNECT_IDEAS[lang]] for lang in languages]
    pools.append([_suggestion(k, None, t) for k, t in RECONNECT_GENERAL])
    out: list[dict] = []
    for i in range(max(len(pool) for pool in pools)):
        for pool in pools:
            if i < len(pool):
                out.append(pool[i])
    return out[: max(n, 0)]
