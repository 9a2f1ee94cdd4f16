"""A repair in two languages: what it tells each partner (started, your turn, the pause,
a nudge, a follow-up, closed) is in that partner's language, whoever acted; its
refusals are in the language of the request; and the I-statement is built in the
writer's language, by the server and by the page's preview alike."""

import json
import shutil
import subprocess
from contextlib import contextmanager
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from flask_babel import force_locale, gettext

from couples import ROOT
from couples.extensions import db
from couples.repair.content import i_statement, join_words
from tests.factories import ApiClient, make_couple, make_user
from tests.repair.helpers import (
    HEARING,
    START,
    assert_problem,
    call,
    follow_ups,
    open_repair,
    step,
    walk,
)
from tests.repair.test_notifications import nudges, outbox, tick, turns

ALEX, SAM = "alex@example.com", "sam@example.com"


def _said(app, language: str, english: str, **values) -> str:
    """``english`` as the catalogue says it in ``language``."""
    with app.test_request_context(), force_locale(language):
        return gettext(english, **values)


@pytest.fixture(params=[("en", "es"), ("es", None)], ids=["sam-reads-spanish", "alex-does"])
def pair(request, make_app):
    """Alex and Sam (both in London), linked, one reading Spanish and the other English
    (chosen, or the default); ``at(instant)`` yields both logged in there, ``said(who,
    english, **values)`` is the words of ``who``'s language."""
    alex_language, sam_language = request.param
    app = make_app(LANGUAGES=["en", "es"], RATELIMIT_ENABLED=False)
    with time_machine.travel(START - timedelta(hours=1), tick=False), app.app_context():
        alex = make_user(email=ALEX, display_name="Alex", timezone="Europe/London")
        sam = make_user(email=SAM, display_name="Sam", timezone="Europe/London")
        alex.language, sam.language = alex_language, sam_language
        db.session.commit()
        make_couple(alex, sam, now=START - timedelta(hours=1))
    language = {ALEX: alex_language or "en", SAM: sam_language or "en"}

    @contextmanager
    def at(instant):
        with time_machine.travel(instant, tick=False):
            yield ApiClient(app).login(ALEX), ApiClient(app).login(SAM)

    def said(email: str, english: str, **values) -> str:
        words = _said(app, language[email], english, **values)
        if language[email] == "es":
            assert words != english, f"not in the Spanish catalogue: {english!r}"
        return words

    return SimpleNamespace(app=app, at=at, said=said, language=language)


def _words(note) -> tuple[str, str]:
    return note.title, note.body


# ------------------------------------------------------------------- notifications


def test_the_partner_hears_a_repair_was_started_in_their_language(pair):
    with pair.at(START) as (alex, sam):
        open_repair(alex)
        open_repair(sam, "hurt", title="Another one")
    (to_sam,) = outbox(pair.app, SAM, "repair_started")
    (to_alex,) = outbox(pair.app, ALEX, "repair_started")
    body = "Open it when you have a calm moment, and say how you see it."
    assert _words(to_sam) == (
        pair.said(SAM, "%(name)s would like to talk something through", name="Alex"),
        pair.said(SAM, body),
    )
    assert _words(to_alex) == (
        pair.said(ALEX, "%(name)s would like to talk something through", name="Sam"),
        pair.said(ALEX, body),
    )
    spanish = to_sam if pair.language[SAM] == "es" else to_alex
    assert spanish.lang == "es" and spanish.title.startswith("A ")
    assert "le gustaría hablar algo" in spanish.title


def test_your_turn_is_in_the_language_of_the_one_whose_turn_it_is(pair):
    with pair.at(START) as (alex, sam):
        rid = open_repair(alex)  # Alex apologizing, Sam hurt
        walk(sam, alex, rid, "chosen")
    sams, alexs = turns(pair.app, SAM), turns(pair.app, ALEX)
    their_part = "They have added their part. Take your time."
    # Sam is told it is theirs to begin (the hearing), and at last to reconnect.
    assert _words(sams[0]) == (
        pair.said(SAM, "Your turn, with %(name)s", name="Alex"),
        pair.said(SAM, their_part),
    )
    assert _words(sams[-1]) == (
        pair.said(SAM, "Time to reconnect with %(name)s", name="Alex"),
        pair.said(SAM, "One small, warm step together."),
    )
    # Alex, after Sam's words
    assert _words(alexs[0]) == (
        pair.said(ALEX, "Your turn, with %(name)s", name="Sam"),
        pair.said(ALEX, their_part),
    )
    spanish = sams[0] if pair.language[SAM] == "es" else alexs[0]
    english = alexs[0] if pair.language[SAM] == "es" else sams[0]
    name = "Alex" if spanish is sams[0] else "Sam"
    assert _words(spanish) == (f"Tu turno, con {name}", "Ya añadió su parte. Tómate tu tiempo.")
    assert english.title.startswith("Your turn, with ")
    assert (spanish.lang, english.lang) == ("es", "en")


def test_seeing_it_differently_is_told_in_the_openers_language(pair):
    with pair.at(START) as (alex, sam):
        rid = open_repair(alex)
        step(alex, rid, "ready")
        step(sam, rid, "ready", {"view": "apologizing"})  # both want to make it right
    (told,) = turns(pair.app, ALEX)
    assert _words(told) == (
        pair.said(ALEX, "%(name)s sees it a little differently", name="Sam"),
        pair.said(ALEX, "Open your repair to settle, gently, who goes first."),
    )


def test_the_pause_is_over_for_both_each_in_their_language(pair):
    with pair.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "hearing")
        call(alex, f"{rid}/pause", {"minutes": 60})
    tick(pair.app, START + timedelta(minutes=60))
    (to_alex,) = outbox(pair.app, ALEX, "repair_timeout_over")
    (to_sam,) = outbox(pair.app, SAM, "repair_timeout_over")
    back = "Come back to your repair with %(name)s when you feel ready."
    assert _words(to_alex) == (
        pair.said(ALEX, "Your pause is over"),
        pair.said(ALEX, back, name="Sam"),
    )
    assert _words(to_sam) == (
        pair.said(SAM, "The pause is over"),
        pair.said(SAM, back, name="Alex"),
    )
    if pair.language[SAM] == "es":
        assert _words(to_sam) == (
            "La pausa terminó",
            "Vuelve a tu reparación con Alex cuando te sientas con ánimo.",
        )
        assert _words(to_alex) == (
            "Your pause is over",
            "Come back to your repair with Sam when you feel ready.",
        )


def test_coming_back_early_is_told_in_the_partners_language(pair):
    with pair.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "hearing")
        call(alex, f"{rid}/pause", {"minutes": 120})
        call(alex, f"{rid}/resume")
        call(sam, f"{rid}/pause", {"minutes": 120})
        call(sam, f"{rid}/resume")
    for email, partner in ((SAM, "Alex"), (ALEX, "Sam")):
        (back,) = [
            n
            for n in outbox(pair.app, email, "repair_your_turn")
            if n.title == pair.said(email, "%(name)s is back", name=partner)
        ]
        assert back.body == pair.said(email, "Come back to your repair when you feel ready.")


def test_a_nudge_is_in_the_language_of_the_one_who_waits(pair):
    with pair.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "hearing")  # Sam's turn
    tick(pair.app, START + timedelta(hours=24))
    (nudge,) = nudges(pair.app, SAM)
    assert _words(nudge) == (
        pair.said(SAM, "Your repair with %(name)s", name="Alex"),
        pair.said(SAM, "It will keep. When you have a calm moment, your part is waiting."),
    )
    if pair.language[SAM] == "es":
        assert nudge.title == "Tu reparación con Alex"


def test_the_follow_up_reminder_is_in_each_ones_language(pair):
    with pair.at(START) as (alex, sam):
        rid = open_repair(alex)
        data = walk(sam, alex, rid, "following_through")
    due = min(f["due_at"] for f in follow_ups(data))
    tick(pair.app, datetime.fromisoformat(due))
    for email, partner in ((ALEX, "Sam"), (SAM, "Alex")):
        (reminder,) = outbox(pair.app, email, "repair_follow_up")
        assert _words(reminder) == (
            pair.said(email, "A follow-up with %(name)s", name=partner),
            pair.said(email, "How has it gone since your repair? A minute together."),
        )
        assert reminder.lang == pair.language[email]


def test_a_closed_repair_is_told_in_the_partners_language(pair):
    with pair.at(START) as (alex, sam):
        call(alex, f"{open_repair(alex)}/close", {"note": "Later."})
        call(sam, f"{open_repair(sam, 'hurt')}/close")
    for email, partner in ((SAM, "Alex"), (ALEX, "Sam")):
        (closed,) = outbox(pair.app, email, "repair_closed")
        assert _words(closed) == (
            pair.said(email, "%(name)s closed a repair", name=partner),
            pair.said(email, "You can always open a new one."),
        )
    spanish = SAM if pair.language[SAM] == "es" else ALEX
    (closed,) = outbox(pair.app, spanish, "repair_closed")
    assert closed.body == "Siempre puedes abrir otra."


def test_a_partners_name_is_their_own_words_in_any_language(make_app):
    app = make_app(LANGUAGES=["en", "es"], RATELIMIT_ENABLED=False)
    with time_machine.travel(START - timedelta(hours=1), tick=False), app.app_context():
        alex = make_user(email=ALEX, display_name="100% %(name)s Ana", timezone="UTC")
        sam = make_user(email=SAM, display_name="Sam", timezone="UTC")
        sam.language = "es"
        db.session.commit()
        make_couple(alex, sam, now=START - timedelta(hours=1))
    with time_machine.travel(START, tick=False):
        open_repair(ApiClient(app).login(ALEX))
    (started,) = outbox(app, SAM, "repair_started")
    assert started.title == "A 100% %(name)s Ana le gustaría hablar algo con calma"


# ------------------------------------------------------------------------ refusals


def test_not_your_turn_is_said_in_the_language_of_the_request(pair):
    with pair.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "hearing")  # Sam's turn
        refused = alex.post(f"/api/v1/repairs/{rid}/steps/hearing", json=HEARING)
    body = assert_problem(refused, 403, "not-your-turn")
    assert (body["title"], body["detail"]) == (
        pair.said(ALEX, "Not your turn yet"),
        pair.said(ALEX, "This step is your partner's."),
    )
    if pair.language[ALEX] == "es":
        assert body["title"] == "Todavía no es tu turno"
    else:
        assert body["title"] == "Not your turn yet"


def test_a_step_out_of_place_is_said_in_the_language_of_the_request(pair):
    with pair.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(sam, alex, rid, "hearing")
        for who, email in ((alex, ALEX), (sam, SAM)):
            refused = who.post(f"/api/v1/repairs/{rid}/steps/plan", json={})
            body = assert_problem(refused, 409, "repair-state")
            assert body["title"] == pair.said(email, "Not at this step")
            assert body["detail"] == pair.said(
                email,
                "This repair is at %(state)s, not %(step)s.",
                state="'hearing'",
                step="'plan'",
            )
        call(alex, f"{rid}/close")
        refused = sam.post(f"/api/v1/repairs/{rid}/steps/hearing", json=HEARING)
        body = assert_problem(refused, 409, "repair-ended")
        assert body["title"] == pair.said(SAM, "This repair has ended")
        missing = sam.post(f"/api/v1/repairs/{rid}/steps/nonsense", json={})
        assert assert_problem(missing, 404)["detail"] == pair.said(SAM, "There is no such step.")


def test_a_follow_up_before_its_date_is_refused_in_the_language_of_the_request(pair):
    with pair.at(START) as (alex, sam):
        rid = open_repair(alex)
        data = walk(sam, alex, rid, "following_through")
        first = follow_ups(data)[0]["id"]
        for who, email in ((alex, ALEX), (sam, SAM)):
            refused = who.post(
                f"/api/v1/repairs/{rid}/follow-ups/{first}", json={"outcome": "kept"}
            )
            body = assert_problem(refused, 409)
            assert body["detail"] == pair.said(email, "This follow-up opens on its date.")


def test_an_english_refusal_is_unchanged(make_app):
    app = make_app(RATELIMIT_ENABLED=False, LANGUAGES=["en"])  # English only
    with time_machine.travel(START - timedelta(hours=1), tick=False), app.app_context():
        alex = make_user(email=ALEX, display_name="Alex", timezone="UTC")
        sam = make_user(email=SAM, display_name="Sam", timezone="UTC")
        make_couple(alex, sam, now=START - timedelta(hours=1))
    with time_machine.travel(START, tick=False):
        alex_client, sam_client = ApiClient(app).login(ALEX), ApiClient(app).login(SAM)
        rid = open_repair(alex_client)
        walk(sam_client, alex_client, rid, "hearing")
        refused = alex_client.post(
            f"/api/v1/repairs/{rid}/steps/hearing", json=HEARING, headers={"Accept-Language": "es"}
        )
    body = assert_problem(refused, 403, "not-your-turn")
    assert (body["title"], body["detail"]) == ("Not your turn yet", "This step is your partner's.")


# --------------------------------------------------------------------- I-statement

SPANISH_HEARING = {
    "feelings": ["hurt", "lonely"],
    "i_feel": "Me siento dolor y soledad",
    "when": "Cuando miraste el teléfono toda la cena.",
    "because": "porque la cena es nuestro momento",
    "i_need": "Necesito que dejemos los teléfonos lejos de la mesa.",
    "need_now": "talk",
}


def test_the_i_statement_is_kept_in_the_writers_language(pair):
    spanish_writer = pair.language[SAM] == "es"
    with pair.at(START) as (alex, sam):
        rid = open_repair(alex)  # Sam is the one who was hurt: Sam writes it
        walk(sam, alex, rid, "hearing")
        data = step(sam, rid, "hearing", SPANISH_HEARING if spanish_writer else HEARING)
        (hearing,) = [s for s in data["steps"] if s["action"] == "hearing"]
        assert hearing["written"]["feelings"] == ["hurt", "lonely"]  # kept as keys
        # Alex reads Sam's words as Sam wrote them, in whichever language Alex reads
        shown = alex.get(f"/api/v1/repairs/{rid}").get_json()
    (seen,) = [s for s in shown["steps"] if s["action"] == "hearing"]
    assert seen["written"]["statement"] == hearing["written"]["statement"]
    if spanish_writer:
        assert hearing["written"]["statement"] == (
            "Siento dolor y soledad cuando miraste el teléfono toda la cena porque la cena "
            "es nuestro momento. Necesito que dejemos los teléfonos lejos de la mesa."
        )
    else:
        assert hearing["written"]["statement"] == (
            "I feel hurt and lonely when you read your phone all through dinner because "
            "dinner is our time. I need phones away at the table."
        )


def test_the_i_statement_says_the_pickers_feelings_in_the_writers_language(make_app):
    app = make_app(LANGUAGES=["en", "es"])
    parts = ["hurt", "lonely", "anxious"], "Tú cancelaste otra vez", "", "un mensaje antes"
    with app.test_request_context(), force_locale("es"):
        assert i_statement(*parts) == (
            "Siento dolor, soledad y ansiedad cuando tú cancelaste otra vez. "
            "Necesito un mensaje antes."
        )
        assert i_statement("dolor", "", "me importa", "") == "Siento dolor porque me importa."
        assert i_statement("", "cuando llegas tarde", "", "") == "Cuando llegas tarde."
    with app.test_request_context():
        assert i_statement(["hurt", "lonely"], "You cancelled again", "", "a text first") == (
            "I feel hurt and lonely when you cancelled again. I need a text first."
        )


# The preview a page shows as the person types (static/js/repair.js) says what the server
# will keep: (feelings as written, when, because, need).
PREVIEWS = [
    ("dolor y soledad", "Cuando tú llegaste tarde", "porque me importa", "Necesito un abrazo"),
    ("Me siento dolor", "cuando cancelaste", "", ""),
    ("", "cuando cancelaste.", "porque sí", ""),
    ("", "", "Because it matters", "and I need a hug!"),
    ("hurt and lonely", "When You read your phone", "because dinner is ours.", "I need time"),
    ("I feel tired", "", "", ""),
    ("", "", "", "un abrazo"),
    ("  ", " . ", "", ""),
]


def _in_the_page(tmp_path, words: dict, language: str, function: str, cases: list) -> list:
    """``function`` of static/js/repair.js called with each case's arguments, by node,
    as a page in ``language`` carrying ``words`` (its script catalogue) runs it."""
    node = shutil.which("node")
    assert node, "node is needed to run the page's script"
    for name in ("repair.js", "words.js"):
        shutil.copy(ROOT / "static" / "js" / name, tmp_path / name)
    (tmp_path / "package.json").write_text('{"type": "module"}')
    (tmp_path / "run.js").write_text(
        """
        const [words, lang, name, cases] = process.argv.slice(2).map((a) => JSON.parse(a));
        globalThis.document = {
          querySelectorAll: () => [],
          getElementById: (id) =>
            (id === "script-words" ? { textContent: JSON.stringify(words) } : null),
          documentElement: { lang },
        };
        const script = await import("./repair.js");
        console.log(JSON.stringify(cases.map((args) => script[name](...args))));
        """
    )
    result = subprocess.run(
        [node, "run.js", *(json.dumps(v) for v in (words, language, function, cases))],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_pages_preview_builds_the_same_sentence_as_the_server(make_app, tmp_path, language):
    from couples.i18n import script_words

    app = make_app(LANGUAGES=["en", "es"])
    with app.test_request_context(headers={"Accept-Language": language}):
        words = script_words()
        expected = [i_statement(*parts) for parts in PREVIEWS]
    if language == "es":
        assert expected[0] == (
            "Siento dolor y soledad cuando tú llegaste tarde porque me importa. Necesito un abrazo."
        )
    assert _in_the_page(tmp_path, words, language, "iStatement", PREVIEWS) == expected


# Feelings to join, and how Spanish joins them: "e" before an i sound, "y" otherwise
# (before "hielo" the "hi" opens a glide, and a word's own "y" is never touched).
JOINS = [
    (["miedo", "inseguridad"], "miedo e inseguridad"),
    (["dolor", "miedo", "Ira"], "dolor, miedo e Ira"),
    (["cansancio", "hijo"], "cansancio e hijo"),
    (["tristeza", "ídolo"], "tristeza e ídolo"),
    (["tristeza", "hielo"], "tristeza y hielo"),
    (["dolor", "soledad"], "dolor y soledad"),
    (["miedo y ira", "soledad"], "miedo y ira y soledad"),
    (["inseguridad", "dolor"], "inseguridad y dolor"),
]


def test_spanish_joins_feelings_with_e_before_an_i_sound(make_app):
    app = make_app(LANGUAGES=["en", "es"])
    with app.test_request_context(), force_locale("es"):
        assert [join_words(words) for words, _joined in JOINS] == [j for _w, j in JOINS]


def test_the_repair_page_joins_the_picked_feelings_the_same_way(make_app):
    from couples.repair.views import _join_feelings

    app = make_app(LANGUAGES=["en", "es"])
    with app.test_request_context(), force_locale("es"):
        assert _join_feelings(["scared", "insecure"]) == "miedo e inseguridad"
        assert _join_feelings(["hurt", "lonely", "ira"]) == "dolor, soledad e ira"


def test_english_joins_with_and_whatever_the_sound(make_app):
    app = make_app(LANGUAGES=["en", "es"])
    with app.test_request_context(), force_locale("en"):
        assert join_words(["anxious", "insecure"]) == "anxious and insecure"
        assert join_words(["sad", "ignored", "hurt"]) == "sad, ignored and hurt"


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_pages_picker_joins_feelings_as_the_server_does(make_app, tmp_path, language):
    from couples.i18n import script_words

    app = make_app(LANGUAGES=["en", "es"])
    cases = [words for words, _joined in JOINS] + [["sad"], []]
    with app.test_request_context(headers={"Accept-Language": language}):
        words = script_words()
        expected = [join_words(case) for case in cases]
    if language == "es":
        assert expected[: len(JOINS)] == [joined for _words, joined in JOINS]
    assert _in_the_page(tmp_path, words, language, "joinWords", [[c] for c in cases]) == expected
