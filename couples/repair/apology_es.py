"""The apology check's reader of drafts written in Spanish (``apology.reader_for("es")``).

The same notes, codes and rules as the English reader (couples.repair.apology), found
the way Spanish says them: "siento que te sientas así", "perdón si te molestó", a "pero"
after the sorry, "estaba agotado" next to it, "me obligaste", "siempre llegas tarde",
"intentaré", "exageras". Accents are optional in every phrase (phones and tired thumbs
leave them out).

Naming what was done is read leniently, since a note that a sound apology names nothing
would hurt more than a missed one helps: a first-person past ("llegué", "te grité",
"dije", "hice"), a perfect ("he sido", "haberte dejado"), an infinitive after the sorry
("perdón por gritarte", "siento no avisarte"), "por mi/el … " with something said about
it, a habit ("siempre llego tarde", "sigo interrumpiéndote") or a first-person
imperfect ("te ignoraba") all count; feelings and thoughts ("sentí", "pensé"), a bare
verdict ("lo hice", "me equivoqué") and a state ("estaba cansado") do not. A feeling is
any of the picker's words as the Spanish catalogue says them, a common feeling word in
any gender and number, or a phrase such as "no te tomaba en serio"."""

import re

from couples.repair.apology import Reader, _Phrase

_FLAGS = re.IGNORECASE
_ACCENTS = {"á": "[aá]", "é": "[eé]", "í": "[ií]", "ó": "[oó]", "ú": "[uú]"}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _rx(pattern: str) -> re.Pattern:
    """A phrase pattern: a space stands for any run of whitespace, and an accented vowel
    (written outside a character class) for itself or the plain one."""
    for accented, either in _ACCENTS.items():
        pattern = pattern.replace(accented, either)
    return re.compile(pattern.replace(" ", r"\s+"), _FLAGS)


_CLITIC = r"(?:me|te|se|nos|os|lo|la|los|las|le|les)"
_TU_VERB = r"(?:\w{3,}(?:as|es|ás|és)|eres|vas|das)"  # said to "tú": llegas, haces, eres
_NOT_TU_VERBS = (
    r"(?:veces|antes|después|además|demás|pues|meses|noches|tardes|más|menos|jamás|"
    r"juntas|juntos)"
)

# ------------------------------------------------------------------------------ phrases

_SORRY_WORDS = (
    # "siento" after "me" is "I feel", not an apology
    r"(?:lo siento|(?<!\bme\s)siento|lamento|perdón|perdóname|perdona|perdoname|disculpa|"
    r"disculpame|discúlpame|disculpas|me disculpo|pido perdón)"
)

_PHRASES: tuple[_Phrase, ...] = (
    _Phrase(
        "sorry_you_feel",
        _rx(
            r"\b(?:siento|lamento)(?: mucho| muchísimo| tanto)? que (?:"
            r"te (?:sientas|sintieras|sintieses|hayas sentido|sentiste)"
            r"|te (?:hayas )?(?:molestad[oa]|enfadad[oa]|enojad[oa]|ofendid[oa]|disgustad[oa])"
            r"|te (?:molestes|enfades|enojes|ofendas|molestara|enfadaras|enojaras|ofendieras)"
            r"|(?:estés|estuvieras|te pongas|te pusieras|te hayas puesto) "
            r"(?:así|mal|molest[oa]|enfadad[oa]|enojad[oa]|ofendid[oa]|dolid[oa]|triste)"
            r"|lo (?:veas|vieras|hayas visto|tomes|tomaras|hayas tomado|sientas|vivas) así"
            r"|(?:eso |esto )?(?:sea|fuera|haya sido) lo que sientes)\b"
        ),
    ),
    # "Perdóname si puedes" asks; "lo siento, si, te grité" is a "sí" without its accent.
    _Phrase(
        "sorry_if",
        _rx(rf"\b{_SORRY_WORDS}[,\s]+si\b"),
        unless_after=_rx(r"^\s*(?:,|puedes|quieres|me dejas|no es mucho pedir)"),
    ),
    _Phrase(
        "sorry_if",
        _rx(
            r"\bsi (?:te |algo (?:de lo )?que (?:dije|hice) te |lo que (?:dije|hice) te |"
            r"eso te |esto te |en algo te )"
            r"(?:dolió|molestó|ofendió|hirió|hice daño|hizo daño|hice sentir mal|"
            r"decepcioné|decepcionó|sentó mal|lastimé|lastimó|molesté|ofendí|herí)\b"
            r"|\bsi te (?:sentiste|has sentido) (?:herid[oa]|mal|ofendid[oa]|molest[oa]|"
            r"dolid[oa])\b"
        ),
        unless_after=_rx(r"\b(?:otra vez|de nuevo|en el futuro|alguna vez|nuevamente)\b"),
        unless_before=_rx(r"\b(?:dime|dímelo|avísame|pregúntame|prométeme)\W*$"),
    ),
    _Phrase(
        "you_made_me",
        _rx(
            r"\bme (?:obligaste|obligas|obligabas|forzaste|fuerzas|provocaste|provocas|"
            r"llevaste al límite|sacaste de quicio|sacas de quicio)\b"
            r"|\bno me (?:dejaste|dejabas|das|diste) (?:otra |más )?(?:opción|alternativa|"
            r"elección|salida)\b"
            r"|\b(?:es|fue|era|ha sido) (?:toda |en parte |también |realmente )?"
            r"(?:culpa tuya|tu culpa)\b"
            r"|\btú empezaste\b|\bempezaste tú\b|\bte lo buscaste\b"
            r"|\bno (?:parabas|paraste|dejabas|dejaste) de (?:presionar|insistir|provocar|"
            r"molestar|pinchar|atacar|criticar)\w*"
            r"|\bme (?:hiciste|haces|hacías) (?:enfadar|enojar|gritar|perder|explotar|"
            r"reaccionar)\w*"
        ),
    ),
    _Phrase(
        "always_never",
        _rx(
            rf"\b(?:tú )?(?:siempre|constantemente|todo el tiempo) "
            r"(?!(?:me |te )?(?:apoyas|ayudas|escuchas|cuidas|entiendes|perdonas|proteges|"
            r"defiendes|animas|consigues|encuentras|sabes|estás ahí|estás para|"
            r"haces reír|haces sentir|tienes razón|mientes)\b)"
            rf"(?:{_CLITIC} )?(?!{_NOT_TU_VERBS}\b){_TU_VERB}\b"
        ),
    ),
    _Phrase(
        "always_never",
        _rx(
            rf"\b(?:tú )?(?:nunca|jamás) "
            r"(?!(?:me |te )?(?:quejas|fallas|juzgas|rindes|reprochas|dejas sol[oa]|mientes)\b)"
            rf"(?:{_CLITIC} )?(?!{_NOT_TU_VERBS}\b){_TU_VERB}\b"
        ),
    ),
    _Phrase(
        "will_try",
        _rx(
            r"\b(?:lo )?(?:intentaré|trataré|procuraré)\b"
            r"|\b(?:lo )?voy a (?:intentar(?:lo)?|tratar|procurar)\b"
            r"|\bharé lo (?:posible|que pueda)\b"
        ),
        # "Intentaré tu idea" is a plan to test something, not a hedge.
        unless_after=_rx(r"^\s*(?:tu|tus|esa|ese|esta|este|esto|eso|la idea|lo que)\b"),
    ),
    _Phrase(
        "minimizing",
        _rx(
            # "Mi reacción fue exagerada" owns it: only the partner's exaggerating counts.
            r"\bexager(?:as|aste|abas|ando|ar|a)\b"
            r"|\b(?:muy|tan|demasiado|hiper|súper|super)[\s-]*(?:sensible|susceptible|"
            r"delicad[oa]|dramátic[oa])s?\b"
            r"|\bno (?:es|fue|era|ha sido) (?:para tanto|nada del otro mundo|gran cosa|"
            r"tan grave|un gran problema|un drama)\b"
            r"|\b(?:cálmate|tranquilízate|relájate|supéralo)\b"
            r"|\bte lo tomas (?:muy |tan |demasiado )?(?:a pecho|personal)\b"
            r"|\b(?:haces|montas|armas) un drama\b"
        ),
    ),
    # "No era solo una broma para ti" owns it rather than shrinking it.
    _Phrase(
        "minimizing",
        _rx(
            r"\b(?:solo|solamente|nada más) (?:era |fue |es )?(?:una )?(?:broma|bromeaba|"
            r"bromeando|un chiste|jugando|jugaba)\b"
            r"|\b(?:era|fue) (?:una )?broma\b|\bestaba (?:de )?bromeando\b"
        ),
        unless_before=_rx(r"\b(?:no|nunca)(?: (?:era|es|fue))?\W*$"),
    ),
)

_SORRY = _rx(rf"\b{_SORRY_WORDS}\b")
_SORRY_FOR_SELF = _rx(r"^\s*por (?:mí|nosotros|nosotras)\b")
_BUT = _rx(r"\bpero\b")
_BUT_ADDS = _rx(
    r"^\s*,?\s*(?:también|sobre todo|más que nada|aún más|más aún|especialmente|"
    r"(?:eso |esto )?no (?:es|fue|era) (?:una )?excusa|no (?:hay|tengo) excusa|"
    r"(?:eso|esto|nada de eso) no (?:me )?(?:excusa|justifica))\b"
)
_NOT_ONLY = _rx(r"\bno (?:solo|solamente)\b")
_STATES = (
    r"(?:estresad[oa]s?|cansad[oa]s?|agotad[oa]s?|ocupad[oa]s?|agobiad[oa]s?|"
    r"borrach[oa]s?|hambrient[oa]s?|quemad[oa]s?|reventad[oa]s?|nervios[oa]s?|"
    r"saturad[oa]s?|desbordad[oa]s?|de mal humor|de malas|con resaca|de resaca|"
    r"con (?:mucho |tanto )?estrés|bajo (?:mucha |tanta )?presión)"
)
_EXCUSE = _rx(
    r"\b(?:estaba|estoy|estuve|he estado|había estado|andaba|ando|me sentía|llegué|venía)"
    rf" (?:(?:muy|tan|un poco|bastante|demasiado|súper|realmente) )*{_STATES}"
    r"|\b(?:tuve|había tenido|he tenido|tenía|llevaba|venía de) (?:un|una) "
    r"(?:(?:día|semana|noche|jornada) (?:muy |tan |bastante )?(?:larg[oa]|mal[oa]|horrible|"
    r"terrible|difícil|dur[oa]|pesad[oa]|estresante|complicad[oa]|fatal)|"
    r"(?:mal|mala|pésim[oa]) (?:día|semana|noche))\b"
)
_OWNS_IT = _rx(
    r"\b(?:(?:eso|esto|lo cual) no (?:es|fue|era) (?:una )?excusa|no (?:es|hay|tengo) excusa|"
    r"(?:eso|esto) no (?:me )?(?:excusa|justifica)|(?:es|fue) culpa mía|(?:es|fue) mi culpa)\b"
)
_REPORTED = _rx(
    r"(?:\bdije|\bdecir(?:te|le)?|\bdiciendo|\bdicho|\bte llamé|\bllamarte|\bcomo si|"
    r"\bfingí|\bfingir|\bte culpé|\bculparte|\bte acusé|\bacusarte|\binsinué|\binsinuar|"
    r"\bdi a entender|\bdar a entender|\bte traté como|\btratarte como|\bactué como)"
    r"(?:\W+(?!pero\b|y\b|porque\b|luego\b)\w+){0,4}\W*$"
)

# --------------------------------------------------------------------- naming an action

# Past forms that say what someone felt or thought, a verdict, or an apology itself.
_NOT_ACTIONS = _words(  # never shown: looked for in what the person wrote
    """
    sentí pensé creí supe quise imaginé entendí comprendí noté esperé deseé preocupé
    equivoqué arrepentí lamenté disculpé
    qué también aquí allí ahí así porqué café bebé
    """
)
_NOT_PARTICIPLES = _words(  # never shown: looked for in what the person wrote
    "sentido pensado creído querido sabido imaginado entendido comprendido notado "
    "esperado deseado equivocado arrepentido lamentado"
)
# Habits and imperfects that say a state, a wish or a thought.
_NOT_HABITS = _words(  # never shown: looked for in what the person wrote
    """
    estaba pensaba esperaba deseaba imaginaba intentaba trataba andaba
    quiero puedo creo pienso siento entiendo espero sabía quería pensaba creía podía
    entendía sentía
    """
)
_IRREGULAR_PAST = _words(  # never shown: looked for in what the person wrote
    """
    dije hice fui estuve tuve puse vine traje anduve conduje di vi dejé
    """
)
# Verbs that name nothing when all that follows is a verdict: "lo hice", "dije eso".
_VAGUE_AFTER = frozenset(  # never shown: looked for in what the person wrote
    {
        "",
        "eso",
        "esto",
        "lo",
        "mal",
        "algo mal",
        "una tontería",
        "tonterías",
        "lo que hice",
        "injusto",
        "injusta",
        "egoísta",
        "un idiota",
        "una idiota",
        "un tonto",
        "una tonta",
        "grosero",
        "grosera",
        "cruel",
        "horrible",
        "un desastre",
    }
)
_WORD = re.compile(r"\w+", _FLAGS)
_PERFECT = _rx(
    r"\b(?:he|había|hube|haber(?:te|le|me|lo|la|les|nos|telo|tela|selo)?)"
    r"(?:(?P<be> (?:sido|estado) )| (?:\w+ )?(?P<participle>\w+(?:ado|ido|cho|to)))\b"
)
_STATE_AFTER_BE = _rx(rf"^(?:(?:muy|tan|un poco|bastante|demasiado) )*{_STATES}\b")
_AFTER_SORRY = _rx(
    rf"\b(?:por|{_SORRY_WORDS}) (?:(?:mucho|tanto|de verdad|no|nunca) )*"
    r"(?P<verb>\w{2,}(?:ar|er|ir|ír))(?:me|te|se|nos|lo|la|los|las|le|les|telo|tela|selo)?\b"
)
_NOT_INFINITIVES = _words(  # never shown: looked for in what the person wrote
    "ser estar sentir pensar querer creer saber tener hacer decir haber pedir"
)
_FOR_MY = _rx(
    r"\bpor (?:mi|mis|el|la|los|las|aquel|aquella|ese|esa|esos|esas) "
    r"(?P<noun>\w+)(?P<rest>[^,.;:!?\n\u2026]{0,120})"
)
_VAGUE_NOUNS = _words(  # never shown: looked for in what the person wrote
    """
    parte culpa error errores comportamiento actitud manera forma reacción todo cosa
    cosas lío situación pelea discusión tema asunto problema palabras
    """
)
_FILLER = _words("en de eso esto todo lo que la el")  # never shown
_HABIT = _rx(
    rf"\b(?:siempre|a menudo|todo el tiempo|constantemente|sigo|seguía|no) (?:{_CLITIC} )?"
    r"(?P<verb>\w{3,}(?:o|aba|ía|ando|iendo))\b"
)
# A first-person preterite: written with its accent ("llegué", "perdí"), or without it
# after a word that leaves no doubt whose it is ("no te llame", "yo grite").
_FIRST_PAST = re.compile(
    r"\b(?P<verb>\w{2,}[éí])(?!\w)"
    rf"|\b(?:yo|no|{_CLITIC})\s+(?P<bare>\w{{2,}}[ei])(?!\w)",
    _FLAGS,
)
_IMPERFECT = _rx(rf"\b(?:{_CLITIC} )(?P<verb>\w{{3,}}aba)\b")
_DONE_OBJECT = re.compile(r"[^,.;:!?\n\u2026]{0,120}")
# What was done, named before the verb: "la broma que hice", "esas cosas que dije".
_NAMED_BEFORE = _rx(
    r"\b(?:el|la|los|las|un|una|esa|ese|esas|esos|aquel|aquella|aquello) "
    r"(?!(?:cosa|cosas|tontería|tonterías)\b)\w+(?: \w+)? que\s*$"
)
# Where what was done ends and another clause starts: "lo hice y lo siento".
_THEN = re.compile(r"\s*\b(?:y|e|pero|porque|aunque|cuando|que)\b\s*")


def _plain(words: str) -> str:
    return " ".join(words.lower().split())


def _unaccented(word: str) -> str:
    return word.translate(str.maketrans("áéíóú", "aeiou"))


# Words that end as an unaccented preterite would but are none: "no te quiere", "yo se".
_NOT_BARE = frozenset(  # never shown: looked for in what the person wrote
    {_unaccented(w) for w in _NOT_ACTIONS}
    | _words("que se te me le de fue este ese esa siempre nunca tarde noche parte")
)


def names_action(text: str) -> bool:
    """Whether a Spanish ``text`` says what its writer did: "llegué tarde", "te grité",
    "perdón por no avisarte", "por mi tono de anoche", "he estado distante". Feelings
    ("me sentí fatal"), thoughts ("pensé que …"), verdicts ("lo hice", "me equivoqué")
    and a state ("estaba agotado") do not count."""
    for m in _FIRST_PAST.finditer(text):
        verb = _plain(m["verb"] or m["bare"])
        if verb in _IRREGULAR_PAST:
            continue  # read below, with what follows it
        if verb not in _NOT_ACTIONS and _unaccented(verb) not in _NOT_BARE:
            return True
    for m in _WORD.finditer(text):
        word = _plain(m.group())
        if word not in _IRREGULAR_PAST or _EXCUSE.match(text, m.start()):
            continue
        if _NAMED_BEFORE.search(text[max(0, m.start() - 60) : m.start()]):
            return True  # "la broma que hice"
        rest = _THEN.split(_plain(_DONE_OBJECT.match(text, m.end()).group()), maxsplit=1)[0]
        if rest in _VAGUE_AFTER or _STATE_AFTER_BE.search(rest):
            continue  # "lo hice", "fui injusta", "estuve agotada"
        return True
    for m in _PERFECT.finditer(text):
        if m["be"] is not None:
            rest = text[m.end("be") : m.end("be") + 120]
            if not _STATE_AFTER_BE.search(rest):
                return True  # "he estado distante", "he sido injusta con vos"
            continue
        if _plain(m["participle"]) not in _NOT_PARTICIPLES:
            return True
    for m in _AFTER_SORRY.finditer(text):
        if _plain(m["verb"]) not in _NOT_INFINITIVES:
            return True
    for m in _FOR_MY.finditer(text):
        noun, rest = _plain(m["noun"]), set(_plain(m["rest"]).split())
        if noun not in _VAGUE_NOUNS or rest - _FILLER:
            return True
    for m in _HABIT.finditer(text):
        if _plain(m["verb"]) not in _NOT_HABITS:
            return True
    return any(_plain(m["verb"]) not in _NOT_HABITS for m in _IMPERFECT.finditer(text))


# --------------------------------------------------------------------- naming a feeling

_NOUNS = _words(
    "dolor tristeza decepción desilusión rechazo traición soledad exclusión ansiedad "
    "miedo miedos preocupación inseguridad confusión duda dudas enojo enfado rabia ira "
    "frustración resentimiento fastidio vergüenza bochorno humillación agobio "
    "agotamiento vacío estancamiento bloqueo cansancio angustia celos desprecio "
    "menosprecio abandono impotencia desamparo nervios pena herida daño susto temor "
    "desconfianza desesperación indefensión susto sustos"
)
# Adjectives by stem, said in any gender and number (dolido, dolida, dolidos, dolidas).
_STEMS = _words(
    "dolid herid decepcionad desilusionad rechazad traicionad excluid ansios asustad "
    "preocupad insegur confundid enojad enfadad furios molest frustrad resentid "
    "fastidiad irritad avergonzad humillad agobiad abrumad agotad cansad vací estancad "
    "bloquead ignorad olvidad abandonad despreciad menospreciad ningunead juzgad "
    "criticad invalidad atacad presionad atrapad lastimad desplazad apartad expuest pequeñ "
    "ridícul desvalorizad infravalorad desatendid descuidad desanimad deprimid "
    "nervios tens incómod engañad utilizad desamparad desprotegid celos"
)
_ADJECTIVES = _words(
    "triste tristes invisible invisibles insignificante insignificantes vulnerable "
    "vulnerables impotente impotentes inferior inútil"
)
_FEELING_PHRASES = (
    r"falta de (?:respeto|reconocimiento|cariño|apoyo)"
    r"|poco (?:importante|valorad[oa]|querid[oa]|respetad[oa]|escuchad[oa])s?"
    r"|no (?:me |te |le )?(?:tom\w+|tenía\w*|tuv\w+) en (?:serio|cuenta)"
    r"|no (?:me |te |le )?importa\w*|no importo|no importas"
    r"|no (?:me |te |le )?(?:ve|veía|vi|veo|viste|ves|ven|veían|escuch\w+|valor\w+|"
    r"respet\w+|reconoc\w+|apoy\w+|cuid\w+|quer\w+)"
    r"|(?:me|te|le) (?:olvid|juzg|critic|menosprec|desprec|ignor|lastim|asust|preocup|"
    r"invalid|humill|decepcion|dej\w* de lado)\w*"
    r"|(?:me|te|le) (?:dol\w+|duele|duelen|herí|hirió|hiere|hice daño|hizo daño)"
    r"|(?:me|te|le) (?:sentiste|sentías|sientes|sentí|sentía|sintió) (?:mal|fatal)"
    r"|en segundo (?:plano|lugar)|de lado|solas?"
    r"|(?:sentiste|sentías|sientes|sentirte|sintiéndote|estabas|estuviste|quedaste|dejé)"
    r" (?:muy |tan |un poco )?solos?"
)
_FEELING = _rx(
    r"(?<!\w)(?:"
    + "|".join(sorted(_NOUNS | _ADJECTIVES, key=lambda w: (-len(w), w)))
    + "|(?:"
    + "|".join(sorted(_STEMS))
    + ")(?:o|a|os|as)"
    + "|"
    + _FEELING_PHRASES
    + r")(?!\w)"
)

SPANISH = Reader(
    phrases=_PHRASES,
    sorry=_SORRY,
    sorry_for_self=_SORRY_FOR_SELF,
    but=_BUT,
    but_adds=_BUT_ADDS,
    not_only=_NOT_ONLY,
    excuse=_EXCUSE,
    owns_it=_OWNS_IT,
    reported=_REPORTED,
    names_action=names_action,
    names_feeling=_FEELING,
)
