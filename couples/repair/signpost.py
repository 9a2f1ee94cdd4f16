"""When to look for help outside the app (DESIGN section 4, signposting): calm guidance on
seeing a couples or individual therapist, resources for when someone is not safe, and
the two tests that decide when to show them. Pure, no Flask.

What is shown here is shown only to the person it concerns, never to the partner; the
services see to that. Nothing here diagnoses: the guidance says what can help, not what
is wrong."""

import re
from dataclasses import dataclass

from couples import safety
from couples.i18n import N_

SIGNPOST_REPAIRS = 3  # repairs opened ...
SIGNPOST_WINDOW_DAYS = 30  # ... within this many days


@dataclass(frozen=True)
class Line:
    """A number to call: who answers, where, the number as shown and its digits for a
    ``tel:`` link."""

    name: str
    region: str
    number: str
    dial: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    items: tuple[str, ...] = ()
    lines: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Guidance:
    title: str
    intro: str
    sections: tuple[Section, ...]
    note: str = ""


ONLY_YOU = N_("Only you can see this. Your partner can't.")

THERAPY_GUIDANCE = Guidance(
    title=N_("When a therapist could help"),
    intro=(
        N_(
            "Many couples see a therapist at some point, and plenty of people go on their "
            "own. It isn't a last resort or a sign that something is broken; it's one more "
            "way to look after what you have."
        )
    ),
    sections=(
        Section(
            N_("It may be worth it if"),
            (
                N_(
                    "The same painful argument keeps coming back, and you can't find your way out "
                    "of it together."
                ),
                N_(
                    "Something hard from the past keeps shaping how the two of you are with each "
                    "other."
                ),
                N_("Talking things through often ends in shouting, silence, or both."),
                N_(
                    "Trust has been badly shaken, and mending it feels too big for the two of you "
                    "alone."
                ),
                N_("Your feelings often grow bigger than you can carry by yourself."),
                N_("Or simply: you'd like someone skilled to help you both grow."),
            ),
        ),
        Section(
            N_("Finding someone"),
            (
                N_(
                    "Your doctor or local health service can often refer you, or suggest someone "
                    "nearby."
                ),
                N_(
                    "National associations of counsellors and psychotherapists keep searchable "
                    "lists of registered members. Look for someone trained in couples work, or in "
                    "what you'd like help with."
                ),
                N_("Some workplaces, universities and health insurers offer a few free sessions."),
                N_(
                    "It's fine to talk to two or three before you choose. Feeling at ease with the "
                    "person matters a great deal."
                ),
                N_("If your partner isn't ready to come, you can still go on your own."),
            ),
        ),
    ),
    note=ONLY_YOU,
)

EMERGENCY = Guidance(
    title=N_("If you're not safe"),
    intro=(
        N_(
            "If you are in danger now, call your local emergency number: 112 in Europe, "
            "911 in the US and Canada, 999 in the UK."
        )
    ),
    sections=(
        Section(
            N_("Emergency numbers"),
            lines=(
                Line(N_("Emergency services"), N_("Europe"), "112", "112"),
                Line(N_("Emergency services"), N_("US and Canada"), "911", "911"),
                Line(N_("Emergency services"), N_("UK"), "999", "999"),
            ),
        ),
        Section(
            N_("Talk to someone who knows about abuse"),
            (
                N_(
                    "Anywhere else, search for the domestic abuse helpline in your country. Most "
                    "are free and confidential, and they can help you plan how to stay safe."
                ),
            ),
            (
                Line(
                    "National Domestic Violence Hotline",  # same in every language
                    N_("US"),
                    "1-800-799-7233",
                    "+18007997233",
                    N_("Free, day and night. You can also text START to 88788."),
                ),
                Line(
                    "National Domestic Abuse Helpline",  # same in every language
                    N_("UK"),
                    "0808 2000 247",
                    "+448082000247",
                    N_("Free, day and night."),
                ),
                Line(
                    N_("Gender violence line"),
                    N_("Spain"),
                    "016",
                    "016",
                    N_("Free, day and night. It does not show on the phone bill."),
                ),
            ),
        ),
        Section(
            N_("If you're thinking of harming yourself"),
            (
                N_(
                    "Wherever you are, your local emergency number can help right now. You don't "
                    "have to be sure it's serious enough to call."
                ),
            ),
            (
                Line(
                    "988 Suicide & Crisis Lifeline",
                    N_("US"),
                    "988",
                    "988",
                    N_("Call or text, day and night."),
                ),
                Line(
                    "Samaritans",
                    N_("UK and Ireland"),
                    "116 123",
                    "116123",
                    N_("Free, day and night."),
                ),
                Line(
                    N_("Suicide crisis line"),
                    N_("Spain"),
                    "024",
                    "024",
                    N_("Free, day and night."),
                ),
            ),
        ),
        Section(
            N_("Using this phone safely"),
            (
                N_("The Quick exit button leaves this page straight away for an ordinary one."),
                N_(
                    "Your browser remembers the pages you visit. A private window leaves less "
                    "behind, and you can clear your history afterwards."
                ),
                N_(
                    "If someone else looks at your phone, you can turn off this app's "
                    "notifications in your settings."
                ),
            ),
        ),
    ),
    note=ONLY_YOU,
)


def should_signpost(repairs_opened_last_30_days: int) -> bool:
    """Whether a couple who opened this many repairs in the last 30 days should be shown
    the therapy guidance: three or more."""
    return repairs_opened_last_30_days >= SIGNPOST_REPAIRS


# --------------------------------------------------------------------------- danger

_APOS = "['\u2019\u2018\u02bc`]"


def _rx(pattern: str) -> re.Pattern:
    """A phrase pattern: a space stands for any run of whitespace, ``'`` for any
    apostrophe."""
    return re.compile(pattern.replace("'", _APOS).replace(" ", r"\s+"), re.IGNORECASE)


@dataclass(frozen=True)
class _Sign:
    kind: str  # violence, threat, fear, self_harm
    pattern: re.Pattern
    unless_after: re.Pattern | None = None  # tried on the text right after the phrase
    unless_before: re.Pattern | None = None  # tried on the text right before it


_WHO = (
    r"(?:me|us|him|her|the kids|the children|the baby|"
    r"my (?:son|daughter|child|children|kids|baby|mum|mom|sister|brother)|"
    r"our (?:kids|children|son|daughter|baby))"
)
_PERSON = (
    r"(?:he|she|you|they|"
    r"my (?:partner|husband|wife|boyfriend|girlfriend|ex|fianc[e\u00e9]e?)|"
    r"(?:his|her) (?:brother|father|dad|friend))"
)
_BODY = r"(?:arm|arms|wrist|wrists|neck|throat|hair|face|shoulder|shoulders|head|jaw)"

_SIGNS: tuple[_Sign, ...] = (
    # Physical harm. "Hit" also means "struck me emotionally" ("it really hit me"), so it
    # counts only with a person doing it or a part of the body.
    _Sign(
        "violence",
        _rx(
            rf"\b{_PERSON}(?: has| had| have| just| once| then| even| actually| also| nearly| "
            rf"almost)* (?:hit|hits|hitting) {_WHO}\b"
            r"|\bhit (?:me|her|him|us) (?:in|across|on) (?:the|my|her|his) "
            r"(?:face|head|stomach|chest|back|mouth|eye)\b"
        ),
        unless_after=_rx(r"^ up\b"),
    ),
    _Sign(
        "violence",
        _rx(
            rf"\b(?:punch(?:ed|es|ing)?|slap(?:ped|s|ping)?|smack(?:ed|s|ing)?|"
            rf"strangl(?:ed|es|ing|e)|shov(?:ed|es|ing|e)|headbutt(?:ed|s)?|"
            rf"kick(?:ed|s|ing)?|chok(?:ed|es|ing|e)) {_WHO}\b"
        ),
        unless_after=_rx(r"^ (?:out|up|off)\b"),
    ),
    _Sign(
        "violence",
        _rx(
            rf"\b(?:beat|beats|beating|beaten) (?:{_WHO} )?up\b"
            rf"|\b{_PERSON} (?:beat|beats|has beaten) {_WHO}\b"
        ),
        unless_after=_rx(r"^ (?:at|in|to|by|on)\b|^ (?:why|how|what|where)\b"),
    ),
    _Sign(
        "violence",
        _rx(
            r"\bpushed (?:me|her|him|us) (?:down|over|against|onto|off|out of|hard|"
            r"to the (?:ground|floor)|into (?:the |a )?(?:wall|door|table|car|furniture))\b"
            rf"|\bgrabbed (?:me (?:by|hard|and shook)|(?:my|her|his) {_BODY})"
            r"|\bpulled (?:my|her|his) hair\b"
            r"|\bspat (?:on|at) (?:me|her|him)\b"
            r"|\b(?:held|pinned) (?:me|her|him) (?:down|against|to the)\b"
            r"|\blocked (?:me|us|her|him) (?:in|inside) (?:the|a|my|our)\b"
            r"|\b(?:won't|wouldn't|doesn't|didn't|will not|would not|does not|did not) let me "
            r"leave\b"
            r"|\bthrew (?:\w+ ){0,3}at (?:me|her|him|us|the kids)\b"
            r"|\bbroke my (?:arm|nose|rib|ribs|jaw|finger|wrist)\b"
            r"|\bbruises? (?:on|all over) my\b|\bleft (?:a )?bruises?\b|\bblack eye\b"
            r"|\bphysically (?:hurt|attacked|abused|assaulted|hurts|hurting)\b"
            r"|\bhurt (?:me|her|him) physically\b"
            r"|\b(?:gets|got|getting|became|becomes|turns|turned) physical\b"
            r"|\b(?:gets|got|getting|became|becomes|turns|turned|is|was|can be) violent\b"
            r"|\bviolent (?:with|towards?) (?:me|us|her|him|the kids)\b"
            r"|\babusive\b|\babus(?:es|ed|ing) (?:me|us|her|him|the kids)\b"
            r"|\bdomestic (?:violence|abuse)\b"
            r"|\brap(?:e|ed)\b|\bsexually (?:assaulted|abused)\b"
            r"|\bforced (?:me to have sex|himself on me|herself on me)\b"
        ),
    ),
    # Threats of harm (not "threatened to leave", and not "I felt threatened", which is
    # most often said of jealousy or insecurity).
    _Sign(
        "threat",
        _rx(
            r"\bthreat(?:ened|ens|ening) (?:to )?(?:kill|hurt|harm|hit|beat|strangle|"
            r"take (?:the|my|our) (?:kids|children|son|daughter|baby))\b"
            rf"|\b(?:said|says|told me|tells me) {_PERSON}(?:'d| would|'ll| will| is going to|"
            r"'s going to| was going to| are going to|'re going to) (?:kill|hurt|hit|beat)\b"
            r"|\b(?:pulled|held|had|grabbed|waved|pointed|came at me with) (?:a|his|her|the) "
            r"(?:knife|gun|weapon)\b"
            r"|\b(?:knife|gun) (?:to|at) my (?:throat|head|neck|chest)\b"
        ),
    ),
    _Sign(
        "threat",
        _rx(r"\bthreat(?:ened|ens|ening) (?:me|us|my life|the kids)\b"),
        unless_after=_rx(r"^ with (?:divorce|leaving|a break[\s-]?up|breaking up|ending it)\b"),
    ),
    # Fear for one's safety. "Afraid of you leaving" is a fear of losing someone, so a
    # word ending in -ing right after does not count.
    _Sign(
        "fear",
        _rx(
            r"\b(?:afraid|scared|frightened|terrified) of (?:you|him|her|them|"
            r"my (?:partner|husband|wife|boyfriend|girlfriend))\b"
        ),
        unless_after=_rx(r"^ (?:\w+ing|not|and|or|ever|too|all)\b"),
    ),
    _Sign(
        "fear",
        _rx(
            r"\b(?:afraid|scared|frightened|terrified) of what (?:he|she|you|they)"
            r"(?:'ll| will| might| could| would| may)? (?:do|does|did)\b"
            r"|\b(?:afraid|scared|frightened|terrified|fear|fearing|worried) for my "
            r"(?:life|safety)\b"
            r"|\bfear for (?:my|our|the kids'|my kids'|my children's) (?:life|lives|safety)\b"
            r"|\b(?:don't|do not|didn't|did not|never|no longer|can't|cannot) feel safe "
            r"(?:at home|in (?:my|our|this) (?:own )?(?:home|house|flat|apartment|bed)|"
            r"around (?:you|him|her)|with (?:you|him|her))\b"
            r"|\b(?:not|isn't|wasn't|never) safe (?:at home|in (?:my|our) (?:own )?(?:home|house)|"
            r"around (?:you|him|her)|with (?:you|him|her))\b"
            r"|\bunsafe (?:at home|around (?:you|him|her)|with (?:you|him|her))\b"
            r"|\b(?:afraid|scared|frightened|terrified) to (?:go|come) home\b"
            rf"|\b(?:afraid|scared|frightened|terrified|worried) {_PERSON}(?:'ll| will| might| "
            r"could| would| is going to|'s going to)? (?:hit|kill|beat|strangle|choke|attack)\b"
            r"|\b(?:I am|I'm|we are|we're|the kids are|my life is|I feel) in danger\b"
        ),
    ),
    # Harming oneself.
    _Sign(
        "self_harm",
        _rx(
            r"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting) myself\b"
            r"|\bself[- ]?harm(?:ing)?\b|\bsuicid(?:e|al)\b"
            r"|\bend(?:ing)? (?:my life|it all)\b|\btake my (?:own )?life\b"
            r"|\bwish I (?:was|were|had been) dead\b|\bbetter off dead\b"
            r"|\bbetter off without me\b"
            r"|\bno (?:reason|point) (?:to|in) (?:live|living|go on|going on)\b"
            r"|\b(?:don't|do not) want to (?:be alive|wake up|exist)\b"
        ),
    ),
    _Sign(
        "self_harm",
        _rx(r"\b(?:want|wanted|wanting|wanna) to die\b"),
        unless_after=_rx(r"^ (?:of|laughing|from)\b"),
    ),
    _Sign(
        "self_harm",
        _rx(r"\b(?:don't|do not) want to live\b"),
        unless_after=_rx(r"^ (?:like|with|this way|that way|in|here|there)\b"),
    ),
)
KINDS = ("violence", "threat", "fear", "self_harm")
# The topics of couples.safety (the check before words reach the partner) as these kinds:
# being controlled or trapped is met with the same resources as violence.
_KIND_OF_TOPIC = {
    safety.HARM: "violence",
    safety.CONTROL: "violence",
    safety.THREAT: "threat",
    safety.FEAR: "fear",
    safety.SELF_HARM: "self_harm",
}


def _scan(text: str) -> list[tuple[int, int, str]]:
    hits = []
    for sign in _SIGNS:
        for m in sign.pattern.finditer(text):
            if sign.unless_after and sign.unless_after.search(text[m.end() : m.end() + 40]):
                continue
            if sign.unless_before and sign.unless_before.search(
                text[max(0, m.start() - 40) : m.start()]
            ):
                continue
            hits.append((m.start(), 0, m.end(), sign.kind))
    # What the check before sending found counts here too, so that words sent after the
    # help was shown keep the safety card on the writer's repair page.
    # Where both find a phrase at the same place, this module's own wording is kept.
    hits.extend((f.start, 1, f.end, _KIND_OF_TOPIC[f.topic]) for f in safety.scan(text))
    hits.sort(key=lambda h: (h[0], h[1], -h[2], KINDS.index(h[3])))
    return [(start, end, kind) for start, _, end, kind in hits]


def danger_words(text: str) -> list[str]:
    """The phrases in ``text`` that suggest someone may be in danger: physical harm
    ("he hit me", "pushed me against the wall"), threats ("threatened to kill me"), fear
    for one's safety ("I'm afraid of him", "I don't feel safe at home") and harming
    oneself ("kill myself", "want to die"). Each phrase is returned as written, in the
    order found, once.

    Besides its own signs it reads the phrase table of ``couples.safety`` (the check
    before words reach the partner), so that both agree. Neither raises an alarm over
    ordinary hurt: the feelings of a
    repair ("I feel hurt", "you hurt me when you said …", "I felt attacked", "you pushed
    me away", "I'm afraid of losing you", "it really hit me") do not count. An empty list
    means nothing was found, not that all is well."""
    if not isinstance(text, str):
        return []
    out, seen, reach = [], set(), -1
    for start, end, _ in _scan(text):
        if start < reach:
            continue
        reach = end
        phrase = text[start:end]
        key = " ".join(phrase.lower().split())
        if key not in seen:
            seen.add(key)
            out.append(phrase)
    return out


def danger_kinds(text: str) -> frozenset[str]:
    """Which of ``KINDS`` the danger phrases in ``text`` belong to, so a page can put the
    most fitting resources first (a crisis line for ``self_harm``)."""
    if not isinstance(text, str):
        return frozenset()
    return frozenset(kind for _, _, kind in _scan(text))
