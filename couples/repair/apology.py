"""The apology check: gentle, specific notes on an apology draft (DESIGN section 4).

Pure: no Flask, no database. The notes never block sending. They point at phrases that
tend to undo an apology, and at a part that leaves out what it is there for.

Two ways in, as the API takes them:

- ``check(text=...)``: one whole draft. The phrase checks run on all of it. The
  no-action check reads the first sentence that says sorry (or apologizes) together with
  the sentence after it, since people often write "I'm sorry." and then say what for; a
  draft that never says sorry is not checked for it. The no-feeling check reads the whole
  draft. These notes carry no ``part``.
- ``check(acknowledgement=..., empathy=..., restitution=...)``: the three parts. The
  phrase checks run on every part; the no-action check on the acknowledgement only, the
  no-feeling check on the empathy only. Each note carries its ``part``.

Codes (stable; a page may key its own wording on them):

``sorry_you_feel``  "sorry you feel that way", "sorry you were upset"
``sorry_if``        "sorry if …", "if I hurt you"
``sorry_but``       a "but" after the sorry in the same sentence ("sorry I was late, but …")
``excuse``          a state given as the reason, next to the sorry: "I was stressed",
                    "I'd had a long day" (read in the acknowledgement, or in a whole
                    draft's first sentence that says sorry; "… and that's no excuse" owns it)
``you_made_me``     "you made me", "you forced me", "it was your fault", and the partner's
                    part offered as the cause: "you kept pushing", "you wouldn't stop"
``always_never``    "you always", "you never", "you constantly"
``will_try``        "I'll try", "I will try", "I'm going to try"
``minimizing``      "overreacting", "too sensitive", "no big deal", "just a joke"
``no_action``       the acknowledgement names nothing that was done. Verbs are judged by
                    their inflection (couples.repair.verbs): any past form counts ("I
                    said I'd …", "I agreed to …"), save those of feeling or thinking
                    ("I felt", "I meant"), a bare verdict ("I did that") and a state
                    ("I was stressed")
``no_feeling``      the empathy part names no feeling

A phrase note carries ``match``: the phrase exactly as the partner wrote it. A phrase the
partner is reporting rather than saying ("I'm sorry I said you were overreacting", or
anything inside quotation marks) is not flagged: owning what one said is the point.

Matching ignores case, takes straight and curly apostrophes alike and any run of spaces
or line breaks between words. Notes come in a fixed order: by part, then by where the
phrase starts, then by the order of the codes above."""

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from couples.i18n import N_, translated
from couples.repair import verbs
from couples.repair.content import FEELINGS

PARTS = ("acknowledgement", "empathy", "restitution")

MESSAGES: dict[str, str] = {
    "sorry_you_feel": N_(
        "This puts the weight on how they feel rather than on what you did. "
        "Try \u201cI'm sorry I \u2026\u201d and name it."
    ),
    "sorry_if": N_(
        "An \u201cif\u201d can sound as though you doubt it hurt. You can say it "
        "plainly: \u201cI'm sorry I \u2026\u201d"
    ),
    "sorry_but": N_(
        "What comes after \u201cbut\u201d can cancel the sorry. Let the sorry end "
        "there; the why can have its own sentence later."
    ),
    "excuse": N_(
        "Stress or tiredness can explain it, but next to the sorry it can sound like "
        "a reason. Say what you did; the why can come later."
    ),
    "you_made_me": N_(
        "This may sound as if the blame is theirs. Try telling it from your "
        "side: \u201cI \u2026\u201d"
    ),
    "always_never": N_(
        "\u201cAlways\u201d and \u201cnever\u201d can land like a verdict. "
        "Try speaking about this one time."
    ),
    "will_try": N_(
        "\u201cTry\u201d leaves a way out. If it's something you can promise, "
        "\u201cI will \u2026\u201d is easier to trust."
    ),
    "minimizing": N_(
        "This may make it sound smaller than it felt to them. It might read better without it."
    ),
    "no_action": N_(
        "Say what you did, in a few plain words, so they know you see it: "
        "\u201cI'm sorry I \u2026\u201d"
    ),
    "no_feeling": N_(
        "Try naming how it may have felt for them, in their words if they "
        "shared some: hurt, alone, unimportant \u2026"
    ),
}
CODES = tuple(MESSAGES)


@dataclass(frozen=True)
class ApologyWarning:
    code: str
    message: str
    part: str | None = None
    match: str | None = None


# ---------------------------------------------------------------------- building blocks

_APOS = "['\u2019\u2018\u02bc`]"
_FLAGS = re.IGNORECASE


def _rx(pattern: str) -> re.Pattern:
    """A phrase pattern: a space stands for any run of whitespace and ``'`` for any
    apostrophe. Write ``\\s`` where a space must not widen."""
    return re.compile(pattern.replace("'", _APOS).replace(" ", r"\s+"), _FLAGS)


_SORRY = r"(?:sorry|apologi[sz]e[ds]?|apologies)"
# Between "sorry" and the next word: spaces, a comma, a dash or an ellipsis.
_GAP = r"(?:\s*(?:,|\.\.\.|\u2026|\u2014|\u2013|-)\s*|\s+)"
# A sentence ends at ! ? a line break, or a full stop that is not part of an ellipsis.
_SENTENCE_END = re.compile(r"[!?\n]+|(?<!\.)\.(?!\.)")
_QUOTES = re.compile('["\u201c\u201d\u00ab\u00bb]')
# The partner reports what they said or did: "I told you that you always …".
_REPORTED = re.compile(
    r"(?:\bsaid|\btold you|\bcalled (?:you|it)|\bacted (?:like|as if|as though)|"
    r"\btreated (?:it|you) (?:like|as)|\bpretended|\bimplied|\bmade it sound like|"
    r"\bmade out|\bblamed you|\baccused you of|\bas if|\bas though|\bsaying|\btelling you)"
    r"(?:\W+(?!but\b|and\b|because\b|so\b|then\b)\w+){0,4}\W*$",
    _FLAGS,
)


@dataclass(frozen=True)
class _Phrase:
    code: str
    pattern: re.Pattern
    unless_after: re.Pattern | None = None  # tried on what follows, within the sentence
    unless_before: re.Pattern | None = None  # tried on what precedes, within the sentence


_KIND_AFTER_ALWAYS = _rx(
    r"^\s*(?:there for|been there|make time|put (?:me|us|the kids)|remember|support|"
    r"show up|listen|help|take care|look out|know how|have my back|forgive|make me laugh|"
    r"stand up for|stick up for|defend|back me up|believe in|find a way|"
    r"been (?:so )?(?:kind|patient|good|supportive|generous)|"
    r"so (?:kind|patient|good|supportive|generous))\b"
)
_KIND_AFTER_NEVER = _rx(
    r"^\s*(?:complain|let me down|give up|fail to|judge|hold (?:it|things|that) against|"
    r"stop (?:trying|caring|loving))\b"
)
_KIND_AFTER_MADE = _rx(
    r"^\s*(?:happy|happier|laugh|smile|proud|better|a better|want to be|so happy|"
    r"feel (?:loved|safe|seen|special|wanted|happy|cared for|at home|at ease|welcome|"
    r"valued|appreciated|calm|strong|beautiful|understood)|"
    r"a|an|the|some|this|that|dinner|breakfast|lunch|coffee|tea|food|something)\b"
)

_PHRASES: tuple[_Phrase, ...] = (
    _Phrase(
        "sorry_you_feel",
        _rx(
            rf"\b{_SORRY} (?:that )?(?:"
            r"you (?:feel|felt|are feeling|'re feeling|were feeling|took it|take it|"
            r"see it (?:that|this) way|"
            r"(?:are|'re|were|got|feel|felt) (?:upset|offended|hurt|annoyed|mad))"
            r"|(?:that's|that is|that was) how you (?:feel|felt|took it|see it|saw it))\b"
        ),
    ),
    _Phrase("sorry_if", _rx(rf"\b{_SORRY}{_GAP}if\b")),
    _Phrase(
        "sorry_if",
        _rx(
            r"\bif (?:I|anything I (?:said|did)|what I (?:said|did)|something I (?:said|did)"
            r"|that|it|this) (?:hurt|upset|offended|bothered|disappointed) you\b"
            r"|\bif you (?:were|felt|got) (?:hurt|upset|offended)\b"
        ),
        unless_after=_rx(r"\b(?:again|next time|in (?:the )?future|ever)\b"),
        unless_before=_rx(r"\b(?:tell me|let me know|ask me|promise me)\W*$"),
    ),
    _Phrase("you_made_me", _rx(r"\byou (?:made|make|makes) me\b"), unless_after=_KIND_AFTER_MADE),
    _Phrase(
        "you_made_me",
        _rx(
            r"\byou (?:forced|force) me\b"
            r"|\byou (?:drove|pushed) me to (?:it|this|that|the edge|my limit|breaking point)\b"
            r"|\byou (?:left|gave) me no (?:choice|option)\b"
            r"|\b(?:it's|it is|it was|that's|that is|that was|this is) "
            r"(?:all |partly |also |really |kind of )?your fault\b"
            # The partner's part offered as the cause: "you kept pushing".
            r"|\byou (?:kept|keep|were|just kept) (?:on )?(?:pushing|nagging|pressing|"
            r"provoking|needling|goading|poking|picking|going on|on at me|at me)\b"
            r"|\byou (?:wouldn't|would not|won't|didn't|did not) (?:stop|let (?:it go|up|"
            r"me be)|drop it|leave (?:it|me alone)|back off)\b"
            r"|\byou started it\b|\byou asked for it\b"
            r"|\byou (?:pushed|provoked|goaded|baited) me\b"
        ),
    ),
    _Phrase(
        "always_never", _rx(r"\byou(?:'re| are| were)? always\b"), unless_after=_KIND_AFTER_ALWAYS
    ),
    _Phrase(
        "always_never", _rx(r"\byou(?:'re| are| were)? never\b"), unless_after=_KIND_AFTER_NEVER
    ),
    _Phrase("always_never", _rx(r"\byou(?:'re| are| were)? constantly\b")),
    _Phrase(
        "will_try",
        _rx(
            r"\bI(?:'?ll| will| shall|'?m going to| am going to|'?m gonna| am gonna)"
            r"(?: really| honestly| truly| definitely| seriously| just)? try\b"
        ),
        # "I'll try your idea" is a plan to test something, not a hedge.
        unless_after=_rx(
            r"^\s*(?:the|your|this|that|these|those|it|out|a|an|some|"
            r"something)\b"
        ),
    ),
    _Phrase(
        "minimizing",
        _rx(
            r"\bover-?\s?react(?:ing|ed|s)?\b"
            r"|\b(?:too|so|overly|very|over)[\s-]*sensitive\b"
            r"|\b(?:no|not|wasn't|isn't|was not|is not) (?:such |really |that much of )?"
            r"a (?:big|huge) deal\b"
            r"|\bno big deal\b|\bnot that big (?:of )?a deal\b"
            r"|\byou (?:need to |should |could |can )?(?:just )?calm down\b"
            r"|\b(?:being|so|too) dramatic\b"
            r"|\bget over it\b"
            r"|\bmaking (?:a big deal|a fuss|a mountain)"
        ),
    ),
    # "I know it wasn't just a joke to you" owns it rather than shrinking it.
    _Phrase(
        "minimizing",
        _rx(r"\b(?:just|only) (?:a )?(?:joke|joking|kidding|teasing|banter)\b"),
        unless_before=_rx(r"\b(?:wasn't|isn't|was not|is not|not|never|weren't)\W*$"),
    ),
)

# --------------------------------------------------------------------- naming an action


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ADVERBS = (
    r"(?:just|really|completely|totally|also|then|even|actually|already|again|"
    r"basically|deliberately|accidentally|carelessly|thoughtlessly|stupidly|"
    r"rudely|literally|repeatedly|kind of|sort of|so)"
)
_HABIT = r"(?:always|constantly|often|keep|kept|still|never)"
# Besides past forms: a negated auxiliary ("I didn't call", "I don't listen") and a few
# habits said in the present ("I'm sorry I keep interrupting you").
_ACTION_WORDS = _words("""
    didn't wasn't weren't couldn't wouldn't don't doesn't haven't hadn't won't
    interrupt ignore forget keep
""")
# Verbs that say what someone felt or thought, or the impact, not what they did.
_NOT_ACTIONS = _words("""
    want mean hope think feel wish need love like guess believe realize realise notice
    know understand hurt upset disappoint offend cause worry fear regret use seem appear
""")
# Verbs that name nothing when all that follows is a verdict: "I did that", "I was wrong".
_VAGUE_VERBS = frozenset({"do", "say", "be", "make"})
# States given as the reason rather than something done: "I was stressed".
_STATES = (
    r"(?:stressed|stressed out|tired|exhausted|busy|overwhelmed|hungry|drunk|hungover|"
    r"worn out|burnt out|burned out|frazzled|overtired|knackered|"
    r"under (?:a lot of |so much )?(?:pressure|stress)|"
    r"in a (?:bad|foul|terrible|awful|horrible) mood|"
    r"having (?:a|such a) (?:bad|rough|hard|long|terrible|awful|stressful) (?:day|week|time))"
)
_STATE_AFTER_BE = _rx(rf"^(?:{_ADVERBS} |very |too |a bit |a little |pretty )*{_STATES}\b")
_VAGUE_OBJECTS = frozenset(  # never shown: looked for in what the person wrote
    {
        "",
        "that",
        "it",
        "this",
        "those things",
        "these things",
        "things",
        "what i did",
        "what i said",
        "the wrong thing",
        "something wrong",
        "something stupid",
        "wrong",
        "stupid",
        "an idiot",
        "a jerk",
        "an ass",
        "out of line",
        "horrible",
        "awful",
        "bad",
        "unfair",
        "thoughtless",
        "selfish",
        "a mistake",
        "mistakes",
        "a bad partner",
    }
)
_I_VERB = re.compile(
    rf"\bI(?P<aux>{_APOS}ve|{_APOS}d|\s+have|\s+had|{_APOS}m|\s+am)?"
    rf"(?P<adv>(?:\s+{_ADVERBS})*)"
    rf"(?P<habit>\s+{_HABIT})?"
    rf"\s+(?P<verb>[a-z]+(?:{_APOS}t)?)(?=(?P<rest>[^,.;:!?\n\u2026]{{0,120}}))",
    _FLAGS,
)
_NOT_GERUNDS = _words("""
    everything anything something nothing thing things king ring spring evening morning
    wedding meeting darling during sibling feeling feelings bring sing
""")
_IMPACT_GERUNDS = frozenset(
    {"hurting", "upsetting", "disappointing", "letting", "causing", "offending"}
)
_FOR_GERUND = re.compile(
    r"\b(?:for|about)\s+(?:(?:the|all\s+the|that|my)\s+)?(?:(?:not|never|always|constantly)"
    r"\s+)?(?P<ing>[a-z]+ing)\b(?=(?P<rest>[^,.;:!?\n\u2026]{0,120}))",
    _FLAGS,
)
_VAGUE_NOUNS = frozenset(
    {
        "part",
        "actions",
        "behaviour",
        "behavior",
        "mistake",
        "mistakes",
        "fault",
        "words",
        "attitude",
        "reaction",
        "role",
        "share",
    }
)
_FILLER = frozenset(
    {"in", "it", "this", "that", "all", "everything", "of", "the", "whole", "thing"}
)
_FOR_MY = re.compile(
    r"\b(?:for|about)\s+my\s+(?P<noun>[a-z]+)(?=(?P<rest>[^,.;:!?\n\u2026]{0,120}))", _FLAGS
)
_FOR_THE = re.compile(
    r"\b(?:for|about)\s+(?:the|that|those)\s+(?P<noun>[a-z]+)\s+"
    r"(?:about|at|in\s+front\s+of|during|to|on|with|in)\b",
    _FLAGS,
)
_VAGUE_THE = frozenset(
    {
        "way",
        "whole",
        "thing",
        "things",
        "mess",
        "situation",
        "stuff",
        "other",
        "fight",
        "argument",
        "trouble",
        "pain",
        "hurt",
    }
)


def _plain(words: str) -> str:
    return " ".join(words.lower().replace("\u2019", "'").split())


def _names_action(text: str) -> bool:
    """Whether ``text`` says what its writer did: "I snapped at you", "I've been
    distant", "for forgetting our dinner", "for my tone last night". Feelings ("I felt
    awful"), thoughts ("I thought …"), the impact alone ("I hurt you", "for upsetting
    you") and verdicts ("I was wrong", "I did that") do not count."""
    for m in _I_VERB.finditer(text):
        verb = _plain(m["verb"])
        rest = _plain(m["rest"])
        aux = _plain(m["aux"] or "")
        if aux in ("'m", "am"):
            if m["habit"]:  # "I'm always late"
                return True
            continue
        perfect = aux in ("'ve", "have", "had", "'d")
        lemmas = verbs.participle_lemmas(verb) if perfect else verbs.past_lemmas(verb)
        if m["habit"] and not (lemmas & _NOT_ACTIONS):
            return True
        if not lemmas and (perfect or verb not in _ACTION_WORDS):
            continue
        if lemmas & _NOT_ACTIONS:
            continue
        if lemmas & _VAGUE_VERBS and rest in _VAGUE_OBJECTS:
            continue
        if "be" in lemmas and _STATE_AFTER_BE.search(rest):
            continue  # "I was stressed": a state, not a deed
        if "make" in lemmas and rest.startswith(("you feel", "a mistake", "mistakes")):
            continue
        if "let" in lemmas and rest.startswith("you down"):
            continue
        return True
    for m in _FOR_GERUND.finditer(text):
        ing = _plain(m["ing"])
        rest = _plain(m["rest"])
        if ing in _NOT_GERUNDS or ing in _IMPACT_GERUNDS:
            continue
        if ing == "making" and rest.startswith(("you feel", "you cry")):
            continue
        return True
    for m in _FOR_MY.finditer(text):
        noun = _plain(m["noun"])
        if noun not in _VAGUE_NOUNS or set(_plain(m["rest"]).split()) - _FILLER:
            return True
    return any(_plain(m["noun"]) not in _VAGUE_THE for m in _FOR_THE.finditer(text))


# --------------------------------------------------------------------- naming a feeling

# Feelings and their common forms, beyond the picker's words.
FEELING_WORDS: frozenset[str] = (
    frozenset(FEELINGS)
    | _words("""
    hurts hurting hurtful lonely loneliness alone isolated sad sadness saddened angry
    anger angered mad furious livid upset upsetting scared scary afraid frightened fear
    fearful terrified anxious anxiety worried worry worrying nervous tense embarrassed
    embarrassing embarrassment humiliated humiliating humiliation ashamed shame shamed
    dismissed dismissive ignored invisible unimportant unseen unheard unloved unwanted
    unappreciated undervalued unvalued disrespected disrespectful rejected rejection
    abandoned betrayed betrayal disappointed disappointing disappointment frustrated
    frustrating frustration resentful resentment jealous insecure overwhelmed
    overwhelming exhausted tired drained stressed confused helpless hopeless powerless
    small foolish stupid exposed vulnerable neglected forgotten heartbroken crushed
    devastated miserable unhappy pain painful worthless excluded disconnected
    misunderstood judged criticized criticised belittled mocked attacked pressured
    trapped unsafe shaken shocked blindsided grief sorrow irritated annoyed distant
    uncared unsupported unwelcome cheated lied deceived
""")
    | frozenset(  # never shown: looked for in what the person wrote
        {
            "let down",
            "left out",
            "taken for granted",
            "second best",
            "on your own",
            "not important",
            "not heard",
            "not seen",
            "not a priority",
            "an afterthought",
            "didn't matter",
            "don't matter",
            "doesn't matter",
            "come second",
            "came second",
            "on edge",
            "brushed off",
            "pushed aside",
            "shut out",
            "don't care",
            "didn't care",
            "doesn't care",
            "not loved",
            "not wanted",
            "not valued",
            "not respected",
            "not listened to",
            "not cared for",
        }
    )
)


def _phrase_rx(words: Iterable[str]) -> re.Pattern | None:
    """One pattern for any of ``words`` as whole words, in any case, spacing or
    apostrophe; ``None`` when there are none."""
    parts = sorted(
        {" ".join(w.lower().replace("\u2019", "'").split()) for w in words} - {""},
        key=lambda w: (-len(w), w),
    )
    if not parts:
        return None
    body = "|".join(re.escape(p).replace("\\ ", " ") for p in parts)  # spaces widen below
    return re.compile(
        (r"(?<!\w)(?:" + body + r")(?!\w)").replace("'", _APOS).replace(" ", r"\s+"), _FLAGS
    )


_FEELING_RX = _phrase_rx(FEELING_WORDS)


# ------------------------------------------------------------------------------ checks


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return spans


# How far around a phrase its context is read: enough for a few words, and it keeps the
# check linear however long the draft.
_BEFORE, _AFTER = 80, 160


class _Draft:
    """One text with its sentences and where its quotation marks are, computed once."""

    def __init__(self, text: str, reported: re.Pattern):
        self.text = text
        self.reported = reported
        self.spans = _sentences(text)
        self.starts = [s for s, _ in self.spans]
        self.quotes = [0]  # quotes[i]: quotation marks in text[:i]
        for ch in text:
            self.quotes.append(self.quotes[-1] + bool(_QUOTES.match(ch)))

    def sentence(self, pos: int) -> tuple[int, int]:
        return self.spans[bisect_right(self.starts, pos) - 1]

    def before(self, pos: int) -> str:
        s, _ = self.sentence(pos)
        return self.text[max(s, pos - _BEFORE) : pos]

    def after(self, pos: int) -> str:
        _, e = self.sentence(pos)
        return self.text[pos : min(max(e, pos), pos + _AFTER)]

    def owned(self, pos: int) -> bool:
        """Whether the phrase at ``pos`` is quoted or reported: "I said you …"."""
        s, _ = self.sentence(pos)
        in_quotes = (self.quotes[pos] - self.quotes[s]) % 2 == 1
        return in_quotes or bool(self.reported.search(self.before(pos)))


_EXCUSE = _rx(
    rf"\bI(?:'m| am| was| were|'d been| had been|'ve been| have been) "
    rf"(?:{_ADVERBS} |very |too |a bit |a little |pretty )*{_STATES}\b"
    r"|\bI(?:'d| had|'ve| have)(?: had)? (?:a|such a) (?:long|bad|rough|hard|terrible|awful|"
    r"stressful|busy) (?:day|week|night)\b"
)


# "I was exhausted, and that's no excuse": the why, owned.
_OWNS_IT = _rx(
    r"\b(?:(?:that's|that is|it's|it is|which is) (?:no|not an) excuse|"
    r"(?:that|it) (?:doesn't|does not) excuse|(?:that's|that is) on me)\b"
)


def _excuses(draft: _Draft, span: tuple[int, int], reader: "Reader") -> list[tuple[int, int, str]]:
    """A state offered as the reason ("I was stressed", "I'd had a long day") within
    ``span``, unless a "but" after the sorry in the same sentence already says it."""
    hits = []
    for m in reader.excuse.finditer(draft.text, *span):
        if not draft.owned(m.start()) and not reader.owns_it.search(draft.after(m.end())):
            hits.append((m.start(), m.end(), "excuse"))
    return hits


def _phrase_hits(
    text: str, reader: "Reader", excuse_span: tuple[int, int] | None = None
) -> list[tuple[int, int, str]]:
    """(start, end, code) for every phrase, overlaps within one code merged; excuses are
    looked for within ``excuse_span`` only."""
    draft = _Draft(text, reader.reported)
    hits: list[tuple[int, int, str]] = []
    for phrase in reader.phrases:
        for m in phrase.pattern.finditer(text):
            if draft.owned(m.start()):
                continue
            if phrase.unless_before and phrase.unless_before.search(draft.before(m.start())):
                continue
            if phrase.unless_after and phrase.unless_after.search(draft.after(m.end())):
                continue
            hits.append((m.start(), m.end(), phrase.code))
    buts = _sorry_but(draft, reader)
    hits.extend(buts)
    if excuse_span is not None:
        but_sentences = {draft.sentence(start) for start, _, _ in buts}
        hits.extend(
            h
            for h in _excuses(draft, excuse_span, reader)
            if draft.sentence(h[0]) not in but_sentences
        )
    hits.sort(key=lambda h: (h[0], -h[1], CODES.index(h[2])))
    kept, reach = [], {}
    for start, end, code in hits:
        if start >= reach.get(code, -1):
            kept.append((start, end, code))
            reach[code] = end
    return kept


_SORRY_RX = re.compile(rf"\b{_SORRY}\b", _FLAGS)
_SORRY_FOR_SELF = _rx(r"^\s*for (?:myself|yourself|himself|herself|ourselves)\b")
_BUT = re.compile(r"\bbut\b", _FLAGS)
# A "but" that adds to the sorry rather than taking it back.
_BUT_ADDS = _rx(
    r"^\s*,?\s*(?:also|more|most|even more|especially|above all|mostly|"
    r"(?:I know )?(?:that's|that is|that was|it's|it is|it was|there's|there is) "
    r"(?:no|not an) excuse|"
    r"(?:that|it|this|none of that|none of it) (?:doesn't|does not|didn't|did not) excuse|"
    r"(?:that|it) (?:isn't|wasn't|is not|was not) an excuse)\b"
)
# "I'm sorry I not only forgot but also …": the "but" belongs to "not only".
_NOT_ONLY = _rx(r"\bnot (?:only|just)\b")


def _sorry_but(draft: _Draft, reader: "Reader") -> list[tuple[int, int, str]]:
    """A "but" later in the sentence that says sorry (an ellipsis does not end it)."""
    text, hits = draft.text, []
    for s, e in draft.spans:
        buts = [
            b
            for b in reader.but.finditer(text, s, e)
            if not reader.but_adds.search(draft.after(b.end()))
        ]
        if not buts:
            continue
        but_starts = [b.start() for b in buts]
        not_only = [m.start() for m in reader.not_only.finditer(text, s, e)]
        for sorry in reader.sorry.finditer(text, s, e):
            after = draft.after(sorry.end())
            if draft.owned(sorry.start()) or reader.sorry_for_self.search(after):
                continue
            i = bisect_right(but_starts, sorry.end())
            if i == len(buts):
                break  # no "but" after this sorry, nor after any later one
            j = bisect_right(not_only, sorry.end())
            if j < len(not_only) and not_only[j] < but_starts[i]:
                continue
            hits.append((sorry.start(), buts[i].end(), "sorry_but"))
    return hits


def _apology_segment(text: str, reader: "Reader") -> tuple[tuple[int, int], int] | None:
    """Where the first sentence that says sorry is, and where the one after it ends;
    ``None`` if none says sorry."""
    spans = [(s, e) for s, e in _sentences(text) if text[s:e].strip()]
    for i, (s, e) in enumerate(spans):
        if reader.sorry.search(text, s, e):
            end = spans[i + 1][1] if i + 1 < len(spans) else e
            return (s, e), end
    return None


@dataclass(frozen=True)
class Reader:
    """What the check looks for in drafts written in one language."""

    phrases: tuple[_Phrase, ...]
    sorry: re.Pattern  # a word that says sorry
    sorry_for_self: re.Pattern  # after it: "sorry for myself" is no apology
    but: re.Pattern
    but_adds: re.Pattern  # after a "but": it adds to the sorry ("but above all …")
    not_only: re.Pattern  # "not only … but": the "but" belongs to it
    excuse: re.Pattern
    owns_it: re.Pattern  # after an excuse: "and that's no excuse"
    reported: re.Pattern  # before a phrase: the writer reports it ("I said you …")
    names_action: Callable[[str], bool]
    names_feeling: re.Pattern


ENGLISH = Reader(
    phrases=_PHRASES,
    sorry=_SORRY_RX,
    sorry_for_self=_SORRY_FOR_SELF,
    but=_BUT,
    but_adds=_BUT_ADDS,
    not_only=_NOT_ONLY,
    excuse=_EXCUSE,
    owns_it=_OWNS_IT,
    reported=_REPORTED,
    names_action=_names_action,
    names_feeling=_FEELING_RX,
)


def reader_for(language: str) -> Reader | None:
    """The reader of drafts written in ``language``; ``None`` for a language the check
    cannot read (it then says nothing rather than miss what is there)."""
    if language == "en":
        return ENGLISH
    if language == "es":
        # Built on this module's blocks, so imported once they exist.
        from couples.repair.apology_es import SPANISH

        return SPANISH
    return None


def _check_one(
    text: str, part: str | None, feelings: re.Pattern | None, reader: Reader
) -> list[ApologyWarning]:
    if not text.strip():
        return []
    segment = _apology_segment(text, reader) if part is None else None
    excuse_span = (0, len(text)) if part == "acknowledgement" else segment and segment[0]
    out = [
        ApologyWarning(code, MESSAGES[code], part, text[start:end])
        for start, end, code in _phrase_hits(text, reader, excuse_span)
    ]

    def names_feeling(words: str) -> bool:
        return bool(reader.names_feeling.search(words) or (feelings and feelings.search(words)))

    if part is None:
        if segment is not None and not reader.names_action(text[segment[0][0] : segment[1]]):
            out.append(ApologyWarning("no_action", MESSAGES["no_action"]))
        if not names_feeling(text):
            out.append(ApologyWarning("no_feeling", MESSAGES["no_feeling"]))
    elif part == "acknowledgement" and not reader.names_action(text):
        out.append(ApologyWarning("no_action", MESSAGES["no_action"], part))
    elif part == "empathy" and not names_feeling(text):
        out.append(ApologyWarning("no_feeling", MESSAGES["no_feeling"], part))
    return out


def check(
    *,
    text: str | None = None,
    acknowledgement: str | None = None,
    empathy: str | None = None,
    restitution: str | None = None,
    feelings: Iterable[str] = (),
    language: str = "en",
) -> list[ApologyWarning]:
    """Gentle notes on an apology draft: a whole ``text``, or its three parts (a part
    left out or blank is not checked), written in ``language`` (English and Spanish are
    read; a draft in another language gets no notes). ``feelings`` are the words the
    hurt partner picked, in the draft's language: naming any of them, or any other
    feeling word, satisfies the empathy check. A sound apology gets no notes; nothing at
    all gets none. Giving ``text`` together with a part raises ``ValueError``. Never
    raises for any string."""
    parts = {"acknowledgement": acknowledgement, "empathy": empathy, "restitution": restitution}
    if text is not None and any(v is not None for v in parts.values()):
        raise ValueError("check a whole text or its parts, not both")
    reader = reader_for(language)
    if reader is None:
        return []
    if isinstance(feelings, str):
        feelings = [feelings]
    own = _phrase_rx(f for f in feelings if isinstance(f, str))
    if text is not None:
        return _check_one(text, None, own, reader)
    return [
        w
        for name in PARTS
        if parts[name] is not None
        for w in _check_one(parts[name], name, own, reader)
    ]


def as_dicts(warnings: Iterable[ApologyWarning]) -> list[dict]:
    """Warnings as the API sends them: ``{code, message}`` plus ``part`` and ``match``
    when they have one; the message in the current language."""
    out = []
    for w in warnings:
        item = {"code": w.code, "message": translated(w.message)}
        if w.part is not None:
            item["part"] = w.part
        if w.match is not None:
            item["match"] = w.match
        out.append(item)
    return out
