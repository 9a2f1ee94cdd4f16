"""The safety check reads Spanish: what may mean someone is not safe is found in Spanish
as in English, with or without accents, in any writer's text, and the help answers
with lines for Spain too; everyday Spanish stays calm."""

import pytest

from couples.safety import CONTROL, FEAR, HARM, SELF_HARM, THREAT, TOPICS, scan, topics
from tests.api.test_api_language import ENGLISH, SPANISH, reader
from tests.factories import make_couple, make_user

COUNTS = [
    ("Anoche me pegó cuando llegué tarde.", HARM),
    ("me empujo contra la pared", HARM),
    ("Me dio una bofetada delante de los niños.", HARM),
    ("Le dio una paliza a su hermano.", HARM),
    ("Me agarró del cuello.", HARM),
    ("Me tiró del pelo hasta que lloré.", HARM),
    ("Rompió mi móvil y golpeó la puerta.", HARM),
    ("Tengo moratones en el brazo.", HARM),
    ("Me tiró un plato a la cabeza.", HARM),
    ("Me maltrata desde hace meses.", HARM),
    ("Me amenazó con un cuchillo.", THREAT),
    ("Me dijo que me iba a matar.", THREAT),
    ("Dice que va a matarme si me voy.", THREAT),
    ("Sacó una navaja en la cocina.", THREAT),
    ("Me amenaza cada vez que bebe.", THREAT),
    ("Te vas a arrepentir, me dijo.", THREAT),
    ("Me las vas a pagar.", THREAT),
    ("Tenía una pistola en el cajón y la sacó.", THREAT),
    ("No me deja salir con mis amigas.", CONTROL),
    ("Me quitó el pasaporte.", CONTROL),
    ("Revisa mi móvil cada noche.", CONTROL),
    ("Me siento atrapada.", CONTROL),
    ("Me encerró en el baño.", CONTROL),
    ("Controla mis gastos y mi ubicación.", CONTROL),
    ("Me prohíbe ver a mi familia.", CONTROL),
    ("No me dejaba trabajar.", CONTROL),
    ("Le tengo miedo.", FEAR),
    ("No me siento segura en casa.", FEAR),
    ("Me da miedo volver a casa.", FEAR),
    ("Tengo miedo de lo que pueda hacer.", FEAR),
    ("Me das miedo.", FEAR),
    ("No estoy segura en mi casa.", FEAR),
    ("Me da miedo cuando bebe.", FEAR),
    ("Tengo miedo de que me pegue.", FEAR),
    ("A veces quiero morirme.", SELF_HARM),
    ("He pensado en suicidarme.", SELF_HARM),
    ("Estarían mejor sin mí.", SELF_HARM),
    ("No quiero despertar mañana.", SELF_HARM),
    ("Tengo ganas de desaparecer para siempre.", SELF_HARM),
    ("Me quiero morir.", SELF_HARM),
    ("No vale la pena vivir así.", SELF_HARM),
    ("Me he cortado otra vez.", SELF_HARM),
    # Found by a second reading: Latin American and everyday forms.
    ("Me levantó la mano.", HARM),
    ("Nunca me había puesto la mano encima.", HARM),
    ("Me dio una golpiza.", HARM),
    ("Me jaloneó del brazo.", HARM),
    ("Me aventó contra la cama.", HARM),
    ("Me estrelló contra la pared.", HARM),
    ("Me corrió de la casa a medianoche.", HARM),
    ("La golpeó delante de mí.", HARM),
    ("Me puso un cuchillo en el cuello.", THREAT),
    ("Tengo miedo de mi esposo.", FEAR),
    ("Te tengo miedo a veces.", FEAR),
    ("Me revisa el celular.", CONTROL),
    ("Me tiene encerrada.", CONTROL),
    ("Me quiero matar.", SELF_HARM),
    ("Me hago daño a mí misma.", SELF_HARM),
    ("Ojalá estuviera muerta.", SELF_HARM),
    # Without accents, as a tired thumb writes them.
    ("me pego y me amenazo con un cuchillo", HARM),
    ("me quito el telefono", CONTROL),
    ("no me siento segura en casa", FEAR),
    ("he pensado en quitarme la vida", SELF_HARM),
]

CALM = [
    "Me muero de risa con tus chistes.",
    "Me pegó un susto al entrar.",
    "Me empujó a estudiar más.",
    "Tengo miedo de perderte.",
    "Me da miedo perderte.",
    "Me da miedo que te canses de mí.",
    "Me amenazó con dejarme si seguía así.",
    "La noticia me sacudió.",
    "Me corto el pelo mañana.",
    "Quiero morirme de la vergüenza.",
    "Me dejó un mensaje precioso.",
    "Siempre me apoyas.",
    "Me quitaste un peso de encima.",
    "Me encanta cuando me abrazas.",
    "No me deja ir sin un beso.",
    "Me siento segura contigo.",
    "Gracias por cuidarme cuando estaba enferma.",
    "Hoy me sentí sola y necesitaba un abrazo.",
    "Discutimos por los platos y me sentí ignorada.",
    "Me da miedo hablar en público mañana.",
    "La pega es que llueve.",
    "Ese vestido te pega mucho.",
    "Lo pega en la pared con celo.",
    "Me pegó la gripe.",
    "Me quemó el sol en la playa.",
    "El perro me mordió jugando.",
    "Me dio un golpe de calor.",
    "Me coge la mano en el cine.",
    "Le tengo miedo a las arañas.",
    "Estoy atrapado en el tráfico.",
    "Me empujó a ser mejor.",
    "Me arrastró a la fiesta.",
    "Te voy a matar a besos.",
]


@pytest.mark.parametrize(("text", "topic"), COUNTS)
def test_spanish_words_that_may_mean_danger_are_found(text, topic):
    assert topic in topics(text), scan(text)


@pytest.mark.parametrize("text", CALM)
def test_everyday_spanish_stays_calm(text):
    assert topics(text) == frozenset(), scan(text)


def test_every_topic_has_spanish_cases():
    for topic in TOPICS:
        assert sum(1 for _, t in COUNTS if t == topic) >= 6, topic


def test_spanish_is_read_in_an_english_writers_text_too(make_app):
    app = make_app(LANGUAGES=["en", "es"], RATELIMIT_ENABLED=False)
    with app.app_context():
        make_couple(
            make_user(email="alex@example.com", display_name="Alex"),
            make_user(email="sam@example.com", display_name="Sam"),
        )
    for who, language in (("alex@example.com", SPANISH), ("sam@example.com", ENGLISH)):
        client = reader(app, who, language)
        answer = client.post("/api/v1/appreciations", json={"text": "Anoche me pegó."})
        assert answer.status_code == 409
        problem = answer.get_json()
        assert problem["type"] == "/problems/safety-check"
        assert problem["fields"] == {"text": [HARM]}
        numbers = {
            line["number"]
            for section in problem["resources"]["sections"]
            for line in section["lines"]
        }
        assert {"016", "024", "112"} <= numbers
        assert client.get("/api/v1/appreciations").get_json()["items"] == []
