"""The apology check reads a draft written in Spanish: the same notes as in English, found
the way Spanish says them, and none on a sound apology (a note that a sound apology
names nothing would hurt). A draft in a language the check cannot read gets no notes."""

import pytest
from flask_babel import force_locale
from hypothesis import given
from hypothesis import strategies as st

from couples.extensions import db
from couples.i18n import translated
from couples.repair.apology import CODES, MESSAGES, check
from couples.repair.content import FEELINGS, said_feelings
from tests.factories import ApiClient, make_couple, make_user

ACK, EMP, RES = "acknowledgement", "empathy", "restitution"


def found(**draft):
    return [(w.code, w.part, w.match) for w in check(language="es", **draft)]


SOUND = [
    pytest.param(
        {
            ACK: "Siento mucho haber llegado tarde a la cena y no haberte avisado.",
            EMP: "Imagino que te sentiste sola y que no te importaba.",
            RES: "La próxima vez te escribo antes de salir.",
        },
        id="three-parts",
    ),
    pytest.param(
        {"text": "Perdóname. Llegué tarde a la cena y no te avisé. Entiendo que te sentiste sola."},
        id="whole-text",
    ),
    pytest.param(
        {"text": "perdon, llegue tarde y no te avise. se que te dolio mucho."},
        id="without-accents",
    ),
    pytest.param({ACK: "Perdón por gritarte delante de tus padres."}, id="por-infinitive"),
    pytest.param({ACK: "Siento no contestarte en todo el día."}, id="siento-infinitive"),
    pytest.param({ACK: "Lo siento por mi tono de anoche."}, id="por-mi-tono"),
    pytest.param({ACK: "Estuve distante toda la semana."}, id="estuve-distante"),
    pytest.param({ACK: "Te ignoraba cuando me hablabas."}, id="imperfect"),
    pytest.param({ACK: "Siempre llego tarde a todo lo nuestro."}, id="own-habit"),
    pytest.param({ACK: "He sido injusta contigo en la discusión."}, id="he-sido"),
    pytest.param({ACK: "Te dije cosas muy feas delante de tu hermana."}, id="dije-cosas"),
    pytest.param(
        {ACK: "Siento haberte gritado, pero sobre todo siento no haberte escuchado."},
        id="pero-sobre-todo",
    ),
    pytest.param(
        {ACK: "Perdón por gritarte; estaba agotada y eso no es excusa."}, id="excuse-owned"
    ),
    pytest.param(
        {"text": "Siento haberte gritado. Siempre me apoyas y sé que te dolió."},
        id="siempre-kind",
    ),
    pytest.param({RES: "Intentaré tu idea de hablar cada noche."}, id="try-your-idea"),
    pytest.param(
        {"text": "Siento haberte dicho que exagerabas. Te hice daño."}, id="reported-exageras"
    ),
    pytest.param(
        {"text": "Siento la broma que hice; no era solo una broma para ti. Te dolió."},
        id="not-just-a-joke",
    ),
    pytest.param({EMP: "Entiendo que estés enfadada conmigo."}, id="feeling-adjective"),
    pytest.param({EMP: "Sentiste que no te tomaba en serio."}, id="feeling-phrase"),
    pytest.param({EMP: "Te dejé de lado y te sentiste excluido."}, id="excluded"),
    pytest.param({RES: "Nunca más te dejaré esperando sin avisar."}, id="own-never"),
    pytest.param({RES: "Nunca jamás volveré a gritarte."}, id="nunca-jamas"),
    pytest.param(
        {"text": "Te grité y te dolió. Me siento fatal, pero quiero arreglarlo."},
        id="me-siento-is-a-feeling",
    ),
    pytest.param({EMP: "Tú nunca mientes y te dolió."}, id="never-lies"),
    pytest.param({ACK: "Te grité. Mi reacción fue exagerada."}, id="own-exaggeration"),
    pytest.param({ACK: "Perdóname si puedes: te grité."}, id="perdoname-si-puedes"),
    pytest.param({ACK: "Lo siento, si, te grité."}, id="si-without-its-accent"),
    pytest.param({EMP: "Sé que te asusté."}, id="te-asuste"),
    pytest.param({EMP: "Te sentiste invalidada."}, id="invalidada"),
]


@pytest.mark.parametrize("draft", SOUND)
def test_a_sound_spanish_apology_gets_no_notes(draft):
    assert found(**draft) == []


FLAGGED = [
    pytest.param(
        {ACK: "Siento que te sientas así."},
        [("sorry_you_feel", ACK, "Siento que te sientas"), ("no_action", ACK, None)],
        id="siento-que-te-sientas",
    ),
    pytest.param(
        {ACK: "Lamento que estés molesta por lo de la cena."},
        [("sorry_you_feel", ACK, "Lamento que estés molesta"), ("no_action", ACK, None)],
        id="lamento-que-estes",
    ),
    pytest.param(
        {ACK: "Perdón si te molestó lo que dije en la cena."},
        [("sorry_if", ACK, "Perdón si")],
        id="perdon-si",
    ),
    pytest.param(
        {RES: "Si te hice daño, lo siento de verdad."},
        [("sorry_if", RES, "Si te hice daño")],
        id="si-te-hice-dano",
    ),
    pytest.param(
        {ACK: "Siento haberte gritado, pero tú empezaste."},
        [
            ("sorry_but", ACK, "Siento haberte gritado, pero"),
            ("you_made_me", ACK, "tú empezaste"),
        ],
        id="pero-tu-empezaste",
    ),
    pytest.param(
        {ACK: "Perdón por gritarte, estaba muy estresado."},
        [("excuse", ACK, "estaba muy estresado")],
        id="excuse",
    ),
    pytest.param(
        {ACK: "Tuve un día horrible y te grité."},
        [("excuse", ACK, "Tuve un día horrible")],
        id="excuse-day",
    ),
    pytest.param(
        {ACK: "Me obligaste a hacerlo, no dejabas de presionarme."},
        [
            ("you_made_me", ACK, "Me obligaste"),
            ("you_made_me", ACK, "no dejabas de presionarme"),
        ],
        id="me-obligaste",
    ),
    pytest.param(
        {"text": "Siento haberte gritado. Siempre llegas tarde y nunca me escuchas. Te dolió."},
        [("always_never", None, "Siempre llegas"), ("always_never", None, "nunca me escuchas")],
        id="siempre-nunca",
    ),
    pytest.param(
        {RES: "Intentaré no volver a hacerlo."},
        [("will_try", RES, "Intentaré")],
        id="intentare",
    ),
    pytest.param(
        {RES: "Voy a intentar llamarte antes."},
        [("will_try", RES, "Voy a intentar")],
        id="voy-a-intentar",
    ),
    pytest.param(
        {"text": "Siento haberte gritado, pero exageras. Te dolió."},
        [("sorry_but", None, "Siento haberte gritado, pero"), ("minimizing", None, "exageras")],
        id="exageras",
    ),
    pytest.param(
        {"text": "Siento la broma que hice. Solo era una broma, no es para tanto. Te dolió."},
        [
            ("minimizing", None, "Solo era una broma"),
            ("minimizing", None, "no es para tanto"),
        ],
        id="solo-una-broma",
    ),
    pytest.param({ACK: "Lo siento."}, [("no_action", ACK, None)], id="bare-sorry"),
    pytest.param({ACK: "Lo hice y lo siento."}, [("no_action", ACK, None)], id="lo-hice"),
    pytest.param({ACK: "Me equivoqué."}, [("no_action", ACK, None)], id="verdict"),
    pytest.param(
        {ACK: "He estado muy estresado."},
        [("excuse", ACK, "He estado muy estresado"), ("no_action", ACK, None)],
        id="only-a-state",
    ),
    pytest.param(
        {EMP: "Debió de ser un día largo para ti."}, [("no_feeling", EMP, None)], id="no-feeling"
    ),
]


@pytest.mark.parametrize(("draft", "expected"), FLAGGED)
def test_a_spanish_draft_gets_the_notes_it_needs(draft, expected):
    assert found(**draft) == expected


def test_the_pickers_feelings_in_spanish_count_as_naming_a_feeling(make_app):
    app = make_app(LANGUAGES=["en", "es"])
    with app.test_request_context(), force_locale("es"):
        for word in said_feelings(FEELINGS):
            assert found(empathy=f"Sé que sentiste {word}.") == [], word


def test_a_feeling_they_picked_counts_in_their_words():
    draft = "Te dejé con la sensación de estar a la deriva."
    assert found(empathy=draft) == [("no_feeling", EMP, None)]
    assert [w.code for w in check(empathy=draft, feelings=["a la deriva"], language="es")] == []


def test_an_english_draft_is_still_read_in_english():
    assert [w.code for w in check(acknowledgement="I'm sorry if I upset you.")] == [
        "sorry_if",
        "no_action",
    ]


def test_a_draft_in_a_language_the_check_cannot_read_gets_no_notes():
    assert check(acknowledgement="Es tut mir leid.", language="de") == []


def test_the_api_reads_a_spanish_readers_draft_in_spanish(make_app):
    app = make_app(LANGUAGES=["en", "es"], RATELIMIT_ENABLED=False)
    with app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex")
        sam = make_user(email="sam@example.com", display_name="Sam")
        alex.language = "es"
        db.session.commit()
        make_couple(alex, sam)
    client = ApiClient(app).login("alex@example.com")
    sound = {
        "acknowledgement": "Perdón por gritarte delante de tus padres.",
        "empathy": "Sé que te sentiste humillada.",
        "restitution": "La próxima vez salgo a caminar antes de hablar.",
    }
    response = client.post("/api/v1/apology-check", json=sound)
    assert response.status_code == 200
    assert response.get_json()["warnings"] == []

    response = client.post(
        "/api/v1/apology-check", json={"acknowledgement": "Perdón si te molestó."}
    )
    warnings = response.get_json()["warnings"]
    assert [(w["code"], w.get("match")) for w in warnings] == [
        ("sorry_if", "Perdón si"),
        ("no_action", None),
    ]
    with app.test_request_context(), force_locale("es"):
        assert warnings[0]["message"] == translated(MESSAGES["sorry_if"]) != MESSAGES["sorry_if"]

    adrift = {"empathy": "Te dejé a la deriva."}
    response = client.post("/api/v1/apology-check", json=adrift)
    assert [w["code"] for w in response.get_json()["warnings"]] == ["no_feeling"]
    response = client.post("/api/v1/apology-check", json={**adrift, "feelings": ["a la deriva"]})
    assert response.get_json()["warnings"] == []


_SAMPLE = "siento lo perdón si pero te me hice dije llegué tarde siempre nunca estaba cansada"
_SAMPLE += " tú empezaste exageras broma que no haberte gritado por mi tono , . ; ¿ ? ¡ !"
SPANISH_WORDS = st.sampled_from([*_SAMPLE.split(" "), "\n"])


@given(st.one_of(st.text(), st.lists(SPANISH_WORDS, max_size=40).map(" ".join)))
def test_a_spanish_reading_never_raises_and_is_deterministic(text):
    first = check(text=text, language="es")
    assert check(text=text, language="es") == first
    for note in first:
        assert note.code in CODES
        assert note.match is None or note.match in text
