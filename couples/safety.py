"""Words that may mean someone is not safe, read before they reach the partner (DESIGN
section 4, signposting). Pure, no Flask.

Every free text a person sends their partner (repair steps, check-in answers, bids,
appreciations) is read here first. When it touches one of the ``TOPICS`` (physical harm,
threats, being controlled or trapped, fear, harming oneself), the writer is shown, only
to them and before anything is stored for the partner, where to find help; then they
choose to send, to edit, or to keep the words to themselves. It informs and never
blocks; the partner is never told a check happened.

How it reads:
- In English and in Spanish, every text in both (whatever the writer's language: a
  word of help costs a tap), Spanish with its accents optional.
- A table of phrase patterns per topic (``_PHRASES``). A space in a pattern stands for
  any run of whitespace, ``'`` for any apostrophe; verbs are written with their
  inflections (push, pushes, pushed, pushing; throw, threw, thrown...).
- Negation does not hide a topic: "he never hit me" or "he didn't push me" is still a
  subject worth a gentle word, so nothing here looks for "not" or "never" (except where
  the negation *is* the sign: "I don't feel safe at home").
- A pattern may carry a guard: words right after (or right before) the phrase that make
  an everyday meaning of it ("hit me up", "pushed me away", "afraid of losing you").
- It errs on the side of showing help: the cost of a gentle screen the writer did not
  need is one tap; the cost of missing someone in danger is far higher.

Treated as ordinary, on purpose (see tests/test_safety.py for the full list): figures of
speech that name no one doing harm to someone ("hit the gym", "this song kills me", "my
feet are killing me", "dying to see you", "the news hit me hard"), the hurt of a quarrel
("you hurt me when you said...", "you pushed me away", "I felt attacked"), fear of losing
someone ("I'm afraid of losing you"), threats to leave rather than to harm ("you
threatened to leave"), and feeling safe ("I feel safe with you")."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

HARM = "harm"
THREAT = "threat"
CONTROL = "control"
FEAR = "fear"
SELF_HARM = "self_harm"
TOPICS = (HARM, THREAT, CONTROL, FEAR, SELF_HARM)

_APOS = "['\u2019\u2018\u02bc`]"


def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern.replace("'", _APOS).replace(" ", r"\s+"), re.IGNORECASE)


# Who harm is done to, and who does it.
_TARGET = (
    r"(?:me|us|him|her|them|you|myself|"
    r"the (?:kids|children|baby|dog|cat)|"
    r"(?:my|our|his|her) (?:son|daughter|child|children|kids|baby|mum|mom|mother|sister|"
    r"brother|friend|dog|cat|partner|husband|wife|boyfriend|girlfriend))"
)
_ME = (
    r"(?:me|us|you|her|him|the kids|the children|the baby|"
    r"my (?:son|daughter|child|children|kids))"
)
_PERSON = (
    r"(?:he|she|you|they|"
    r"my (?:partner|husband|wife|boyfriend|girlfriend|ex|fianc[e\u00e9]e?))"
)
_BODY = (
    r"(?:arm|arms|wrist|wrists|neck|throat|hair|face|shoulder|shoulders|head|jaw|hand|hands|"
    r"leg|legs|chest|back|ribs?|nose|eye|eyes|mouth|lip|finger|fingers)"
)
_THINGS = (
    r"(?:phone|keys|car keys|passport|money|wallet|purse|bank card|cards?|laptop|"
    r"id|documents|papers)"
)
# "did not", "won't", "never"... : written once, used where the negation is the sign.
_NOT = (
    r"(?:don't|do not|didn't|did not|doesn't|does not|won't|will not|wouldn't|would not|"
    r"can't|cannot|can not|couldn't|could not|never|not|no longer|isn't|wasn't)"
)
_NOT_LET = rf"(?:{_NOT}|never) (?:even )?lets?"

# Figures of speech that come before a verb of harm: "it hit me", "the news hit me".
_FIGURE_BEFORE = _rx(
    r"(?:\bit|\bthat|\bthis|\bwhich|\bwhat|\breality|\bnews|\bcomment|\bwords?|\bsong|"
    r"\bmovie|\bfilm|\bthought|\bidea|\bmemory|\bsilence|\bwave|\bsadness|\bgrief|"
    r"\btiredness|\bexhaustion|\bit all|\bcry|\bcrying)"
    r"(?: \w+ly| just| suddenly| finally| only| then| really)* $"
)


@dataclass(frozen=True)
class _Phrase:
    topic: str
    pattern: re.Pattern
    unless_after: re.Pattern | None = None  # tried on the 40 characters right after
    unless_before: re.Pattern | None = None  # tried on the 40 characters right before


def _p(topic, pattern, *, after=None, before=None) -> _Phrase:
    return _Phrase(topic, _rx(pattern), _rx(after) if after else None, before)


def _verb(*forms: str) -> str:
    return "(?:" + "|".join(forms) + ")"


_PHRASES: tuple[_Phrase, ...] = (
    # ------------------------------------------------------------------ physical harm
    _p(
        HARM,
        rf"\b{_verb('hit', 'hits', 'hitting')} {_ME}\b",
        after=r"^ (?:up|with (?:the|a|this|that) (?:news|question|idea|bill|truth))\b",
        before=_FIGURE_BEFORE,
    ),
    _p(
        HARM,
        rf"\b{_verb('push', 'pushes', 'pushed', 'pushing', 'shove', 'shoves', 'shoved', 'shoving')}"
        rf" {_ME}\b",
        # "pushed me away", "pushed me to apply", "pushing me for an answer"
        after=r"^ (?:away|aside emotionally|too (?:far|much)|to (?!the\b|a\b|my\b|the ground)\w+|"
        r"into (?:\w+ing|it|a decision|this)|for\b|about\b|harder to\b)",
    ),
    _p(
        HARM,
        r"\b"
        + _verb(
            "punch",
            "punches",
            "punched",
            "punching",
            "slap",
            "slaps",
            "slapped",
            "slapping",
            "smack",
            "smacks",
            "smacked",
            "smacking",
            "kick",
            "kicks",
            "kicked",
            "kicking",
            "choke",
            "chokes",
            "choked",
            "choking",
            "strangle",
            "strangles",
            "strangled",
            "strangling",
            "headbutt",
            "headbutts",
            "headbutted",
            "strike",
            "strikes",
            "struck",
            "striking",
            "shake",
            "shakes",
            "shook",
            "shaking",
            "burn",
            "burns",
            "burned",
            "burnt",
            "drag",
            "drags",
            "dragged",
            "dragging",
            "pin",
            "pins",
            "pinned",
            "pinning",
            "restrain",
            "restrains",
            "restrained",
            "scratch",
            "scratched",
            "trip",
            "tripped",
            "beat",
            "beats",
            "beating",
            "beaten",
        )
        + rf" {_ME}\b",
        # "kicked me out of the conversation", "beat me at chess", "beat me to it",
        # "the news shook me", "I felt attacked" (no object) is not matched at all.
        after=r"^ (?:out of (?:the|this|our) (?:conversation|chat|group|game|discussion)|"
        r"at (?:cards|chess|tennis|pool|darts|scrabble|games?|\w+ing)|to it|to the (?:punch|"
        r"finish|door first)|by\b|off the (?:list|team)|up about|with (?:words|questions)|"
        r"verbally|emotionally|as\b|awake)\b",
        before=_FIGURE_BEFORE,
    ),
    _p(
        HARM,
        rf"\b{_verb('grab', 'grabs', 'grabbed', 'grabbing')} (?:me|her|him|"
        rf"(?:my|her|his) {_BODY})\b",
        after=r"^ (?:a|an|some|the|something|lunch|dinner|coffee|food|drinks?)\b",
    ),
    _p(
        HARM,
        rf"\b(?:attack|attacks|attacked|attacking|assault|assaults|assaulted) {_ME}\b",
        # "you attacked me for my cooking": words, not blows
        after=r"^ (?:for|about|over|in front of|with (?:words|questions)|verbally|when you said)\b",
        before=_FIGURE_BEFORE,
    ),
    _p(HARM, rf"\b(?:pulled|pulls|pulling|yanked|twisted) (?:my|her|his) {_BODY}\b"),
    _p(HARM, r"\b(?:spat|spit|spits|spitting) (?:on|at|in) (?:me|her|him|my face)\b"),
    _p(HARM, r"\b(?:held|holds|holding|pinned|pushed) (?:me|her|him) (?:down|against)\b"),
    _p(
        HARM,
        r"\b(?:hands?|fingers) (?:around|round|on|at) (?:my|her|his) (?:neck|throat)\b",
    ),
    # Things thrown, broken or hit close by: intimidation is harm too.
    _p(
        HARM,
        r"\b(?:throw|throws|threw|thrown|throwing|hurl|hurled|hurls|fling|flung) "
        r"(?:\S+ ){0,4}?(?:at|against|across|into|toward|towards) "
        r"(?:me|us|her|him|the kids|the wall|the door|the room|the window|my head|my face)\b",
    ),
    _p(
        HARM,
        rf"\b(?:threw|throws|throw|thrown|smashed|smashes|smash|broke|breaks|broken|"
        rf"destroyed|stamped on) (?:my|our|her|his) {_THINGS}\b",
        after=r"^ (?:by accident|accidentally)\b",
    ),
    _p(
        HARM,
        r"\b(?:punch|punches|punched|punching|kick|kicks|kicked|kicking|smash|smashed|"
        r"smashing) (?:a |the |my |our )?(?:wall|walls|door|doors|table|window|car|hole in)\b",
    ),
    _p(HARM, r"\b(?:next to|beside|inches from|near) my (?:head|face)\b"),
    _p(HARM, r"\bbroke my (?:arm|nose|rib|ribs|jaw|finger|wrist|tooth|teeth)\b"),
    _p(
        HARM,
        rf"\bbruis(?:es|ed) (?:on|all over) (?:my|her|his)\b|\bleft (?:me with )?(?:a )?bruises?\b"
        rf"|\bbruised (?:my|her|his) {_BODY}\b|\bblack eye\b|\bsplit lip\b",
    ),
    _p(
        HARM,
        r"\bphysically (?:hurt|hurts|hurting|harmed|attacked|abused|assaulted|forced|"
        r"violent|aggressive|threatening)\b|\bhurt (?:me|her|him) physically\b",
    ),
    _p(
        HARM,
        r"\b(?:gets|got|getting|became|becomes|become|turns|turned|turning) "
        r"(?:really |so |very )?(?:physical|violent|rough)\b",
        after=r"^ (?:with (?:the|a) (?:ball|dough|game))\b",
    ),
    _p(
        HARM,
        r"\bviolen(?:t|ce)\b",
        after=r"^ (?:films?|movies?|games?|video|tv|shows?)\b",
        before=_rx(r"non-?$"),
    ),
    _p(
        HARM,
        r"\babus(?:e|es|ed|ing|ive|er)\b",
        after=r"^ of (?:power|trust|the system|alcohol|drugs)\b",
        before=_rx(r"(?:alcohol|substance|drug|drugs) $"),
    ),
    _p(HARM, r"\brap(?:e|ed|ing)\b|\bsexual(?:ly)? (?:assault|assaulted|abused|abuse)\b"),
    _p(
        HARM,
        r"\bforc(?:ed|es|ing) (?:me|her|him) (?:to have sex|into sex|to do things)\b"
        r"|\bforced (?:himself|herself) on\b",
    ),
    # --------------------------------------------------------------------- threats
    _p(
        THREAT,
        r"\bthreat(?:en|ened|ens|ening)? (?:to |that (?:he|she|they|you)(?:'d|'ll| would| will)"
        r" )?(?:kill|hurt|harm|hit|beat|strangle|burn|punch|attack|"
        r"take (?:the|my|our) (?:kids|children|son|daughter|baby)|"
        r"(?:tell|show) (?:everyone|my|your))\b",
    ),
    _p(
        THREAT,
        r"\bthreat(?:ened|ens|ening) (?:me|us|my life|the kids|her|him)\b",
        after=r"^ with (?:divorce|leaving|a break[\s-]?up|breaking up|ending it|moving out|"
        r"counselling|therapy)\b",
    ),
    _p(
        THREAT,
        r"\b(?:would|will|'ll|'d|going to|gonna|wants? to|wanted to|tried to|try to|"
        r"could|might|threatened to|said (?:he|she|you|they)(?:'d|'ll| would| will)) "
        r"(?:really |actually |just )?(?:kill|murder|strangle|beat up|beat|hit|punch|choke|"
        r"stab|shoot) " + _TARGET + r"\b",
        after=r"^ (?:for (?:a|some|one)|feelings|if (?:i|you) (?:eat|forget|spoil|tell))\b",
    ),
    _p(
        THREAT,
        r"\b(?:knife|knives|gun|guns|weapon|weapons|bat|hammer|scissors)\b"
        r"(?: \w+){0,3} (?:at|to|against|on|toward|towards) (?:me|my|us|her|him|the kids)\b"
        r"|\b(?:pulled|held|had|grabbed|waved|pointed|came at me with|picked up|keeps) "
        r"(?:a|his|her|the|their) (?:knife|gun|weapon)\b",
    ),
    _p(
        THREAT,
        r"\b(?:threatened|said) (?:to |that )?(?:he|she|you|they)(?:'d|'ll| would| will) "
        r"(?:hurt|harm) (?:me|us|her|him|the kids|myself|himself|herself)\b"
        r"|\byou'll be sorry\b|\b(?:watch|look) (?:your|my) back\b",
    ),
    # ----------------------------------------------------- controlled or trapped
    _p(
        CONTROL,
        r"\b(?:block|blocks|blocked|blocking|stood in|stands in|standing in|stood at|"
        r"barred|barring) (?:my way|the way|(?:the |my |our )?(?:front |bedroom |bathroom )?"
        r"(?:door|doors|doorway|exit|hallway|stairs))\b",
    ),
    _p(
        CONTROL,
        r"\b(?:couldn't|could not|can't|cannot|can not|wasn't able to|not able to|unable to|"
        r"wasn't allowed to|not allowed to|am not allowed to|isn't allowed to) "
        r"(?:get out|leave|go out|get away|escape)\b",
        after=r"^ (?:you\b|it\b|this alone|work|the office|early|on time|the party|"
        r"things|well alone|bed|the house before \d|yet|from work)",
    ),
    _p(
        CONTROL,
        rf"\b{_NOT_LET} (?:me|us|her|him) (?:leave|go|out|get out|get away|out of|see|"
        r"call|talk to|speak to|have (?:my|any)|use|keep|sleep|eat|work|drive|"
        r"touch (?:my|the) (?:money|phone|account))\b",
        after=r"^ (?:without (?:a|saying) (?:hug|goodbye|kiss))\b",
    ),
    _p(CONTROL, r"\bnot allowed to (?:see|have|call|talk|work|drive|spend|use)\b"),
    _p(
        CONTROL,
        r"\block(?:s|ed|ing)? (?:me|us|her|him) (?:in|out|inside|up)\b"
        r"|\block(?:s|ed|ing)? (?:me|us|her|him) in the\b",
        after=r"^ (?:of the (?:conversation|chat|account|app|group))\b",
    ),
    _p(
        CONTROL,
        rf"\b(?:took|takes|take|taking|taken|hid|hides|hide|hiding|kept|keeps|keeping|"
        rf"confiscated|stole|steals) (?:away )?my {_THINGS}\b",
        after=r"^ (?:by (?:mistake|accident)|to (?:work|the shop|school|fix|repair|charge))\b",
    ),
    _p(
        CONTROL,
        r"\b(?:check|checks|checked|checking|goes through|went through|go through|"
        r"track|tracks|tracked|tracking|monitor|monitors|monitored|monitoring) "
        r"(?:all )?my (?:phone|messages|texts|emails|email|location|calls|bank|spending|"
        r"whereabouts)\b",
    ),
    _p(
        CONTROL,
        r"\b(?:controls?|controlled|controlling) (?:all )?(?:my|our|the) (?:money|finances|"
        r"accounts?|phone|life|every move|friends)\b|\bcontrolling\b",
        after=r"^ (?:the (?:remote|tv|thermostat|heating))\b",
    ),
    _p(
        CONTROL,
        r"\b(?:forbid|forbids|forbade|forbidden|forbidding) (?:me|us|her|him)\b"
        r"|\b(?:isolat(?:e|es|ed|ing)|cut(?:s|ting)? me off) (?:me )?(?:from|off)\b"
        r"|\bkeeps? me (?:away )?from (?:seeing|leaving|my (?:friends|family))\b"
        r"|\b(?:trapped|imprisoned|held captive|a prisoner)\b",
        after=r"^ (?:in (?:traffic|a meeting|the lift|the elevator|a loop|this argument|"
        r"an argument|the rain))\b",
    ),
    # ------------------------------------------------------------------------ fear
    _p(
        FEAR,
        r"\b(?:afraid|scared|frightened|terrified|fearful) of (?:you|him|her|them|"
        r"my (?:partner|husband|wife|boyfriend|girlfriend|ex))\b",
        # "afraid of you leaving", "scared of him not liking me"; but not "afraid of him
        # hurting me"
        after=r"^ (?!(?:hurting|hitting|killing|beating|getting (?:angry|violent|physical|"
        r"drunk)|losing (?:it|control|his temper|her temper)|drinking|shouting|yelling|"
        r"screaming|coming home)\b)(?:\w+ing|not|ever leaving|too much)\b",
    ),
    _p(
        FEAR,
        r"\b(?:afraid|scared|frightened|terrified|fear|fearing|worried) (?:of|about) what "
        r"(?:he|she|you|they)(?:'ll| will| might| could| would| may| is going to| are going to"
        r"|'s going to|'re going to)? (?:do|does|did)\b",
        after=r"^ (?:for (?:dinner|the weekend|work|a living|christmas|the holidays))\b",
    ),
    _p(
        FEAR,
        rf"\b(?:afraid|scared|frightened|terrified|worried|fear) (?:that )?{_PERSON}"
        r"(?:'ll| will| might| could| would| is going to|'s going to| are going to"
        r"|'re going to| may)? (?:hit|hurt|kill|beat|strangle|choke|attack|harm|push|snap|"
        r"lose (?:it|control|his temper|her temper))\b",
        after=r"^ (?:(?:my|your|his|her|their) feelings)\b",
    ),
    _p(
        FEAR,
        r"\b(?:afraid|scared|frightened|terrified|fear|fearing|worried|fearful) for my "
        r"(?:life|safety|kids|children|son|daughter)\b"
        r"|\bfear for (?:my|our|the kids'|my kids'|my children's) (?:life|lives|safety)\b",
    ),
    _p(
        FEAR,
        r"\b(?:need|needs|needed|want|wants|wanted|wish|like|deserve) to (?:be able to )?"
        r"(?:feel|be) (?:safe|secure) (?:again )?(?:at home|in (?:my|our|this|the) (?:own )?"
        r"(?:home|house|flat|apartment|bed|room|bedroom)|around (?:you|him|her)|"
        r"with (?:you|him|her)|near (?:you|him|her))\b",
    ),
    _p(
        FEAR,
        rf"\b{_NOT}(?: \w+)? (?:feel|feeling|felt|be|being|am|are|is|was) (?:safe|secure) "
        r"(?:at home|in (?:my|our|this|the) (?:own )?(?:home|house|flat|apartment|bed|room|"
        r"bedroom)|around (?:you|him|her)|with (?:you|him|her)|near (?:you|him|her)|"
        r"alone with (?:you|him|her))\b",
    ),
    _p(
        FEAR,
        r"\b(?:feel|feels|felt|feeling|am|i'm|was|is|are) (?:so |really |very )?unsafe\b"
        r"|\bunsafe (?:at home|around|with)\b|\bnot safe (?:at home|here|around|with)\b",
    ),
    _p(
        FEAR,
        r"\b(?:afraid|scared|frightened|terrified) (?:to|of) (?:go|going|come|coming) "
        r"(?:back )?home\b"
        r"|\b(?:afraid|scared|frightened|terrified) (?:to|of) (?:be|being) alone with\b"
        r"|\b(?:i am|i'm|we are|we're|the kids are|my life is|i feel|i was) in danger\b"
        r"|\bwalk(?:ing|ed|s)? on eggshells\b|\bflinch(?:ed|es|ing)?\b"
        r"|\b(?:hid|hide|hiding) from (?:you|him|her)\b",
    ),
    # -------------------------------------------------------------------- self-harm
    _p(
        SELF_HARM,
        r"\b(?:kill|killing|kills|hurt|hurting|hurts|harm|harming|harms|cut|cutting|cuts|"
        r"burn|burning|starve|starving) myself\b",
        after=r"^ (?:laughing|with (?:work|exercise|laughter))\b",
    ),
    _p(
        SELF_HARM,
        r"\bself[- ]?harm(?:ing|ed)?\b|\bsuicid(?:e|al)\b|\boverdos(?:e|ed|ing)\b"
        r"|\bend(?:ing|ed)? (?:my (?:own )?life|it all|things for good)\b"
        r"|\btake my (?:own )?life\b"
        r"|\bwish(?:ed)? (?:i|that i) (?:was|were|had been|could be) dead\b"
        r"|\bwish(?:ed)? (?:i|that i) (?:had never been born|could disappear|wasn't here"
        r"|wasn't alive|didn't exist|could just disappear)\b"
        r"|\bbetter off (?:dead|without me|if i (?:was|were)n't here|if i (?:was|were) gone)\b"
        r"|\bno (?:reason|point) (?:to|in) (?:live|living|go on|going on|being alive)\b"
        r"|\bcan't go on living\b|\bnot worth living\b",
    ),
    _p(
        SELF_HARM,
        r"\b(?:want|wanted|wanting|wanna|going) to die\b",
        after=r"^ (?:of|laughing|from|when (?:i|you) (?:see|saw|heard)|a little inside)\b",
    ),
    _p(
        SELF_HARM,
        rf"\b{_NOT} (?:want|wanna|wish) to (?:be alive|wake up|exist|be here|live|"
        r"keep going|be around)\b",
        after=r"^ (?:like|with|this way|that way|in|there|near|without|when|for|on)\b"
        r"|^ (?:tonight|at (?:the|this|your|his|her))\b",
    ),
    _p(SELF_HARM, r"\b(?:disappear|vanish) (?:forever|for good)\b"),
)


# ---------------------------------------------------------------------------- Spanish
# The same topics as Spanish says them, read in every text whatever the writer's
# language (a word of help costs a tap). Accents are optional: phones leave them out.

_ACCENTED = {"á": "[aá]", "é": "[eé]", "í": "[ií]", "ó": "[oó]", "ú": "[uú]"}


def _es(topic, pattern, *, after=None, before=None) -> _Phrase:
    def rx(text: str) -> re.Pattern:
        for accented, either in _ACCENTED.items():
            text = text.replace(accented, either)
        return _rx(text)

    return _Phrase(topic, rx(pattern), rx(after) if after else None, rx(before) if before else None)


_A = r"(?:me|nos)"  # to whom: "me pegó", "nos empujaba"
# To someone else, only with verbs that say nothing else: "la golpeó" ("la pega" is a snag).
_OTHER = r"(?:te|la|lo|le|les|los|las)"
_CUERPO = (
    r"(?:cuello|garganta|brazo|brazos|muñeca|muñecas|pelo|pelos|cabello|cara|hombro|"
    r"hombros|cabeza|mandíbula|pierna|piernas|pecho)"
)
_COSAS = (
    r"(?:teléfono|móvil|celular|llaves|pasaporte|dinero|cartera|tarjeta|tarjetas|"
    r"documentos|papeles|coche|carro|ordenador|computadora)"
)
_FIGURA_ES = r"(?:eso|esto|la noticia|la idea|la canción|la película|el recuerdo|la tristeza)\s*$"

_PHRASES += (
    # ------------------------------------------------------------------ physical harm
    _es(
        HARM,
        rf"\b{_A} (?:pega|pegó|pegaba|pegaste|pegas|golpea|golpeó|golpeaba|golpeaste|"
        r"empuja|empujó|empujaba|empujaste|empujón|abofetea|abofeteó|cachetea|cacheteó|"
        r"patea|pateó|pateaba|ahorca|ahorcó|ahorcaba|estrangula|estranguló|arrastra|"
        r"arrastró|arrastraba|zarandea|zarandeó|sacude|sacudió|quemó|muerde|mordió|"
        r"escupe|escupió|escupía|apuñaló|ahogó|asfixió|asfixiaba|jaloneó|jalonea|jaloneaba|"
        r"aventó|avienta|aventaba|estrelló)\b",
        # "me pegó un susto", "me empujó a estudiar", "la noticia me sacudió", "me pegó la
        # gripe", "me quemó el sol", "me arrastró a la fiesta"
        after=r"^ (?:un (?:susto|grito|resfriado|catarro|virus)|una (?:gripe|canción|manía)|"
        r"(?:el|la) (?:resfriado|virus|catarro|gripe|sol|nostalgia|noticia|idea|recuerdo)|"
        r"bien|mal|a (?:\w+(?:ar|er|ir)|la (?:fiesta|cena|boda|playa|reunión))|la comida|"
        r"el arroz)\b",
        before=_FIGURA_ES + r"|\b(?:perro|perrito|gato|gatito|mosquito|bicho|araña|abeja)\b.*$",
    ),
    _es(
        HARM,
        rf"\b{_OTHER} (?:golpeó|golpea|golpeaba|abofeteó|abofetea|pateó|pateaba|ahorcó|"
        r"estranguló|zarandeó|apuñaló|asfixió|maltrata|maltrataba|maltrató)\b",
        before=_FIGURA_ES,
    ),
    _es(
        HARM,
        r"\bme (?:levantó|levanta|levantaba) la mano\b"
        r"|\bme (?:puso|pone|ponía|ha puesto|había puesto) (?:la|una) mano encima\b"
        r"|\bme (?:echó|echa|corrió|corre) de (?:la |mi )?casa\b",
    ),
    _es(
        HARM,
        rf"\b(?:{_A}|{_OTHER}) (?:dio|da|daba|diste|das|dieron) (?:una |un )?(?:bofetada|cachetada|"
        r"puñetazo|puñetazos|patada|patadas|golpe|golpes|paliza|golpiza|empujón|cabezazo|"
        r"tortazo|guantazo|hostia|hostias|manotazo|bofetón)\b",
        after=r"^ (?:de (?:calor|suerte|sol|tos|efecto|timón))\b",
    ),
    _es(
        HARM,
        rf"\b{_A} (?:agarró|agarra|agarraba|cogió|coge|sujetó|sujeta|apretó|aprieta|jaló|"
        rf"jala|tiró|tira|tiraba) (?:del|de la|de los|de las|por el|por la|el|la|los|las) "
        rf"{_CUERPO}\b",
    ),
    _es(
        HARM,
        rf"\b{_A} (?:tiró|tira|tiraba|lanzó|empujó|estampó|aventó|estrelló) (?:al suelo|al piso|"
        r"contra la pared|contra el suelo|contra la puerta|por las escaleras)\b",
    ),
    _es(
        HARM,
        r"\b(?:me |nos )?(?:tiró|tira|tiraba|lanzó|arrojó|aventó) (?:un|una|el|la|los|las) "
        r"\w+ (?:a la cabeza|contra mí|hacia mí|a la cara)\b"
        rf"|\b(?:rompió|rompe|destrozó|destroza|estrelló) (?:mi|mis|nuestro|nuestra) {_COSAS}\b"
        r"|\b(?:golpeó|golpea|golpeaba|pateó|patea) (?:la pared|la puerta|la mesa)\b"
        r"|\bpuñetazos? (?:a|en|contra) la (?:pared|puerta|mesa)\b",
    ),
    _es(
        HARM,
        r"\b(?:moratones|moretones|cardenales|ojo morado|labio partido)\b"
        r"|\bviolencia (?:doméstica|de género|física|machista|sexual)\b"
        r"|\b(?:me |la |lo |nos )?maltrat(?:a|aba|ó|an|aban|ado|ada|os|o)\b"
        r"|\babus(?:ó|a|aba|aron) de mí\b|\babuso sexual\b"
        r"|\b(?:me|la) (?:violó|viola|violaba)\b|\bviolación\b"
        r"|\b(?:me|la) (?:forzó|obligó|obliga|obligaba) a (?:tener sexo|acostarme|"
        r"acostarse|hacerlo)\b",
    ),
    # --------------------------------------------------------------------- threats
    _es(
        THREAT,
        r"\b(?:me|nos|la|lo|te|les) (?:amenazó|amenaza|amenazaba|amenazaste|amenazas|"
        r"amenazan)\b",
        after=r"^ con (?:dejarme|dejarte|irse|irme|el divorcio|divorciarse|romper|"
        r"separarnos|mudarse|terminar|cortar)\b",
    ),
    _es(
        THREAT,
        r"\b(?:va|voy|iba|vas|van) a (?:matar(?:me|te|la|lo|nos|los)?|pegar(?:me|te|le|nos)|"
        r"hacer(?:me|te|le|nos) daño|lastimar(?:me|te|la|lo|nos)|golpear(?:me|te|la|lo|nos))\b"
        r"|\b(?:me|te|la|lo|nos) (?:va|iba|vas) a (?:matar|pegar|hacer daño|lastimar|golpear)\b"
        r"|\b(?:te|la|lo|os|los) mato\b|\b(?:me|te|la|nos) mataría\b"
        r"|\bte vas a arrepentir\b|\bme las vas a pagar\b|\bme las va a pagar\b",
        after=r"^ (?:de (?:risa|hambre|la risa)|con (?:tus|sus) (?:chistes|bromas)|"
        r"a (?:besos|abrazos|cosquillas))\b",
    ),
    _es(
        THREAT,
        r"\b(?:sacó|saca|agarró|cogió|tenía|tiene|llevaba) (?:un|una|el|la|su) "
        r"(?:cuchillo|arma|pistola|navaja|escopeta)\b"
        r"|\b(?:me|le|la|lo) (?:puso|pone|ponía|apuntó con|apunta con) (?:un|una|el|la|su) "
        r"(?:cuchillo|arma|pistola|navaja|escopeta)\b",
    ),
    # ----------------------------------------------------- controlled or trapped
    _es(
        CONTROL,
        r"\bno (?:me|nos|la|le) (?:deja|dejaba|dejó|dejas|dejaste|dejan) (?:salir|irme|"
        r"ir(?:me)? a|ver a|hablar con|trabajar|tener|usar|estudiar|llamar|dormir|comer|"
        r"conducir|tocar el dinero)\b",
        after=r"^ (?:sin (?:un beso|despedirme|despedirnos|un abrazo))\b",
    ),
    _es(
        CONTROL,
        r"\b(?:me|nos|la) (?:encierra|encerró|encerraba|encerraste|encierras)\b"
        r"|\b(?:me|nos|la) (?:tiene|tenía) encerrad[oa]s?\b"
        r"|\b(?:no puedo|no me atrevo a) (?:escapar|irme de casa|salir de casa|dejarl[oa])\b"
        r"|\b(?:me siento|estoy|me sentía|estaba) atrapad[oa](?! en (?:el|un) (?:tráfico|"
        r"atasco|trabajo|aeropuerto|ascensor))\b"
        r"|\b(?:me|la) (?:aísla|aisló|aislaba) de\b"
        r"|\bme (?:prohíbe|prohibió|prohibía) (?:ver|salir|hablar|trabajar|tener|usar)\b",
    ),
    _es(
        CONTROL,
        rf"\b(?:me|le) (?:quitó|quita|quitaba|escondió|esconde|escondía) (?:el|la|los|las|"
        rf"mi|mis) {_COSAS}\b"
        r"|\b(?:me )?(?:revisa|revisaba|controla|controlaba|vigila|vigilaba|lee|leía) "
        r"(?:mi|mis|el|los) "
        r"(?:teléfono|móvil|celular|mensajes|correos|cuentas|gastos|ubicación)\b",
        after=r"^ (?:sin querer|por error|para (?:arreglarlo|cargarlo))\b",
    ),
    # ----------------------------------------------------------------------- fear
    _es(
        FEAR,
        r"\b(?:le|te|les) tengo miedo(?! a (?!él\b|ella\b|mi |su |ti\b|veces\b))\b|\bme das miedo\b"
        r"|\bme da miedo (?:él|ella|mi pareja|lo que (?:me )?(?:haga|pueda hacer|hace)|"
        r"cuando (?:bebe|se enfada|se enoja|grita))\b"
        r"|\btengo miedo (?:de|a) (?:él|ella|ti|mi pareja|mi marido|mi mujer|mi novio|"
        r"mi novia|mi esposo|mi esposa|mi ex|lo que (?:me )?(?:haga|pueda hacer)|"
        r"que me (?:pegue|haga daño|mate|"
        r"lastime))\b"
        r"|\bno me siento segur[oa] (?:en casa|contigo|con él|con ella|a su lado)\b"
        r"|\bno estoy segur[oa] en (?:casa|mi casa)\b"
        r"|\bme da miedo (?:volver|ir|llegar) a casa\b",
        # "me da miedo perderte", "me da miedo que te vayas": fear of losing someone
        after=r"^ (?:perder\w*|que (?:te|se) (?:vayas|vaya|canses|aburras)|la idea de perder|"
        r"las arañas|los perros|volar|conducir)\b",
    ),
    # ---------------------------------------------------------------- harming oneself
    _es(
        SELF_HARM,
        r"\b(?:quiero|quería|quisiera|ganas de|pienso en|pensando en|he pensado en|"
        r"voy a) (?:morir(?:me)?|matarme|suicidarme|quitarme la vida|hacerme daño|"
        r"no despertar|desaparecer para siempre)\b"
        r"|\bme quiero morir\b|\bsuicid\w*\b|\bquitarme la vida\b|\bautolesi\w*\b"
        r"|\b(?:cortarme|me corto|me cortaba|me he cortado)\b"
        r"|\bno quiero (?:vivir|seguir viviendo|estar viv[oa]|despertar(?:me)?|existir)\b"
        r"|\b(?:estarían|estarías|estaría|estaríais) mejor sin mí\b"
        r"|\bno vale la pena (?:vivir|seguir viviendo)\b|\bacabar con mi vida\b"
        r"|\bme (?:quiero|voy a|quisiera) (?:matar|morir|quitar la vida|suicidar)\b"
        r"|\bme (?:hago|hacía|he hecho) daño(?: a mí mism[oa])?\b"
        r"|\bojalá (?:estuviera|estuviese) muert[oa]\b"
        r"|\bojalá no (?:despertara|despertase|hubiera nacido|existiera)\b",
        # "me muero de risa", "quiero morirme de la vergüenza"
        after=r"^ (?:de (?:risa|ganas|hambre|sueño|vergüenza|la risa|la vergüenza|amor|frío|"
        r"calor|envidia)|el pelo|las uñas|el flequillo)\b",
    ),
)


@dataclass(frozen=True)
class Found:
    """One phrase found: its topic, and where it stands in the text."""

    topic: str
    phrase: str
    start: int
    end: int


def scan(text: object) -> list[Found]:
    """Every phrase in ``text`` that touches a topic, in the order written (a phrase
    found under two topics comes once for each). Nothing but a ``str`` is read."""
    if not isinstance(text, str) or not text:
        return []
    found = []
    for entry in _PHRASES:
        for m in entry.pattern.finditer(text):
            if entry.unless_after and entry.unless_after.search(text[m.end() : m.end() + 40]):
                continue
            if entry.unless_before and entry.unless_before.search(
                text[max(0, m.start() - 40) : m.start()]
            ):
                continue
            found.append(Found(entry.topic, m.group(0), m.start(), m.end()))
    found.sort(key=lambda f: (f.start, -f.end, TOPICS.index(f.topic)))
    return found


def topics(text: object) -> frozenset[str]:
    """Which of ``TOPICS`` the words touch; empty when none (which says nothing about
    whether all is well)."""
    return frozenset(f.topic for f in scan(text))


def _texts(value: object):
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _texts(item)


def check(fields: Mapping[str, object]) -> dict[str, list[str]]:
    """For a body about to be sent to the partner: the fields whose words touch a topic,
    each with its topics in ``TOPICS`` order. A field may hold a string, or lists and
    objects of them (the commitments of a repair plan). Empty when nothing was found.

    What this returns is for the writer's eyes only: it must never reach the partner,
    a log, or a notification."""
    out: dict[str, list[str]] = {}
    for name, value in fields.items():
        hit: set[str] = set()
        for text in _texts(value):
            hit |= topics(text)
        if hit:
            out[str(name)] = [t for t in TOPICS if t in hit]
    return out
