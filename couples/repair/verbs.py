"""English verb forms, judged by inflection: is a word a verb's past form, and of which
verb? Pure: no Flask, no database, no data files.

Regular verbs are read by rule ("asked", "agreed", "cried", "stopped"); irregular ones
("said", "went", "kept", "forgotten") come from the table below, which holds the
irregular verbs of everyday English, their compounds included ("forgot", "overslept",
"misunderstood")."""

from functools import lru_cache

# base past participle (a form written a/b has two spellings)
_IRREGULAR = """
arise arose arisen; awake awoke awoken; be was/were been; bear bore borne/born;
beat beat beaten; become became become; begin began begun; bend bent bent;
bet bet bet; bid bid bid; bind bound bound; bite bit bitten; bleed bled bled;
blow blew blown; break broke broken; breed bred bred; bring brought brought;
broadcast broadcast broadcast; build built built; burn burnt/burned burnt/burned;
burst burst burst; buy bought bought; cast cast cast; catch caught caught;
choose chose chosen; cling clung clung; come came come; cost cost cost;
creep crept crept; cut cut cut; deal dealt dealt; dig dug dug; do did done;
draw drew drawn; dream dreamt/dreamed dreamt/dreamed; drink drank drunk;
drive drove driven; eat ate eaten; fall fell fallen; feed fed fed; feel felt felt;
fight fought fought; find found found; flee fled fled; fling flung flung; fly flew flown;
forbid forbade forbidden; forecast forecast forecast; foresee foresaw foreseen;
forget forgot forgotten; forgive forgave forgiven; forsake forsook forsaken;
freeze froze frozen; get got got/gotten; give gave given; go went gone;
grind ground ground; grow grew grown; hang hung hung; have had had; hear heard heard;
hide hid hidden; hit hit hit; hold held held; hurt hurt hurt; keep kept kept;
kneel knelt knelt; know knew known; lay laid laid; lead led led; lean leant/leaned
leant/leaned; leap leapt/leaped leapt/leaped; learn learnt/learned learnt/learned;
leave left left; lend lent lent; let let let; lie lay lain; light lit lit; lose lost lost;
make made made; mean meant meant; meet met met; mislead misled misled;
mistake mistook mistaken; misunderstand misunderstood misunderstood;
overhear overheard overheard; oversleep overslept overslept; overtake overtook overtaken;
overthink overthought overthought; pay paid paid; prove proved proven/proved; put put put;
quit quit quit; read read read; rethink rethought rethought; rid rid rid;
ride rode ridden; ring rang rung; rise rose risen; run ran run; say said said;
see saw seen; seek sought sought; sell sold sold; send sent sent; set set set;
sew sewed sewn; shake shook shaken; shed shed shed; shine shone shone; shoot shot shot;
show showed shown; shrink shrank shrunk; shut shut shut; sing sang sung; sink sank sunk;
sit sat sat; sleep slept slept; slide slid slid; sling slung slung; slit slit slit;
smell smelt/smelled smelt/smelled; sneak snuck/sneaked snuck/sneaked; speak spoke spoken;
speed sped sped; spell spelt/spelled spelt/spelled; spend spent spent;
spill spilt/spilled spilt/spilled; spin spun spun; spit spat spat; split split split;
spoil spoilt/spoiled spoilt/spoiled; spread spread spread; spring sprang sprung;
stand stood stood; steal stole stolen; stick stuck stuck; sting stung stung;
stink stank stunk; stride strode stridden; strike struck struck; string strung strung;
swear swore sworn; sweep swept swept; swim swam swum; swing swung swung;
take took taken; teach taught taught; tear tore torn; tell told told; think thought thought;
throw threw thrown; thrust thrust thrust; tread trod trodden; undergo underwent undergone;
understand understood understood; undertake undertook undertaken; undo undid undone;
upset upset upset; wake woke woken; wear wore worn; weep wept wept; wet wet wet;
win won won; wind wound wound; withdraw withdrew withdrawn; withhold withheld withheld;
wring wrung wrung; write wrote written
"""

# Words ending in -ed that are not a verb's past form, -eed words above all
# ("need", "proceed") and the nouns and adjectives people write after "I".
_NOT_PAST_ED_WORDS = """
    need feed seed speed breed bleed heed weed deed reed greed creed steed tweed proceed
    succeed exceed indeed misdeed bed red shed sled wed hundred sacred kindred naked
    wicked rugged crooked ragged jagged
"""
_NOT_PAST_ED = frozenset(_NOT_PAST_ED_WORDS.split())


def _forms(spec: str) -> tuple[str, ...]:
    return tuple(spec.split("/"))


def _table() -> tuple[dict[str, str], dict[str, str]]:
    past: dict[str, str] = {}
    participle: dict[str, str] = {}
    for entry in _IRREGULAR.split(";"):
        base, past_spec, part_spec = entry.split()
        for form in _forms(past_spec):
            past.setdefault(form, base)
        for form in _forms(part_spec):
            participle.setdefault(form, base)
    return past, participle


IRREGULAR_PAST, IRREGULAR_PARTICIPLE = _table()
IRREGULAR_BASES = frozenset(IRREGULAR_PAST.values()) | frozenset(IRREGULAR_PARTICIPLE.values())


def _regular_bases(word: str) -> frozenset[str]:
    """The verbs a regular past form may come from: "asked" → ask, "agreed" → agree,
    "cried" → cry, "stopped" → stop, "hoped" → hope (or hop); none when ``word`` is not
    a regular past form."""
    if len(word) < 4 or not word.endswith("ed") or word in _NOT_PAST_ED:
        return frozenset()
    if word.endswith("eed"):
        return frozenset({word[:-1]})  # agreed, freed, guaranteed
    if word.endswith("ied") and len(word) > 4:
        return frozenset({word[:-3] + "y"})  # cried, worried
    stem = word[:-2]
    bases = {stem, stem + "e"}  # asked, hoped
    if len(stem) >= 3 and stem[-1] == stem[-2]:
        bases.add(stem[:-1])  # stopped, planned
    return frozenset(bases)


@lru_cache(maxsize=4096)
def past_lemmas(word: str) -> frozenset[str]:
    """The verbs that ``word`` may be the simple past of ("said" → say, "agreed" →
    agree, "snapped" → snap), none when it is not a simple past ("gone", "go",
    "need", "bed"). Case aside, the word is taken as written."""
    word = word.lower()
    if word in IRREGULAR_PAST:
        return frozenset({IRREGULAR_PAST[word]})
    if word in IRREGULAR_PARTICIPLE or word in IRREGULAR_BASES:
        return frozenset()
    return _regular_bases(word)


@lru_cache(maxsize=4096)
def participle_lemmas(word: str) -> frozenset[str]:
    """The verbs that ``word`` may be the past participle of ("been" → be,
    "forgotten" → forget, "ignored" → ignore); none when it is not one ("went")."""
    word = word.lower()
    if word in IRREGULAR_PARTICIPLE:
        return frozenset({IRREGULAR_PARTICIPLE[word]})
    if word in IRREGULAR_PAST or word in IRREGULAR_BASES:
        return frozenset()
    return _regular_bases(word)
