"""Languages: which one a page is in, the person's choice, and the catalogues."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from couples import ROOT
from couples.accounts.models import User
from couples.extensions import db
from couples.i18n import NAMES
from tests.factories import ApiClient, make_user
from tests.i18n.unmarked import unmarked, unmarked_python, unmarked_script

TRANSLATIONS = ROOT / "couples" / "translations"
SPANISH = {"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}


@pytest.fixture
def bilingual(make_app):
    return make_app(LANGUAGES=["en", "es"])


def _account_page(client):
    page = client.get("/account")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_a_browser_that_asks_for_spanish_gets_it_where_spanish_is_offered(bilingual):
    page = bilingual.test_client().get("/login", headers=SPANISH).get_data(as_text=True)
    assert '<html lang="es">' in page


def test_english_is_the_answer_while_spanish_is_not_offered(make_app):
    page = (
        make_app(LANGUAGES=["en"])
        .test_client()
        .get("/login", headers=SPANISH)
        .get_data(as_text=True)
    )
    assert '<html lang="en">' in page


def test_an_unknown_language_falls_back_to_english(bilingual):
    headers = {"Accept-Language": "de-DE,fr;q=0.8"}
    page = bilingual.test_client().get("/login", headers=headers).get_data(as_text=True)
    assert '<html lang="en">' in page


def test_the_language_chosen_in_the_account_wins_over_the_browser(bilingual):
    with bilingual.app_context():
        make_user(email="alex@example.com")
    alex = ApiClient(bilingual).login("alex@example.com")
    assert 'lang="es">Español</option>' in _account_page(alex.client)
    answer = alex.patch("/api/v1/me", json={"language": "es"})
    assert answer.status_code == 200 and answer.get_json()["user"]["language"] == "es"
    page = alex.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="es">' in page and ">Idioma</label>" in page
    # null: follow the browser again
    assert alex.patch("/api/v1/me", json={"language": None}).get_json()["user"]["language"] is None
    page = alex.get("/account", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="en">' in page and ">Language</label>" in page


def test_the_account_page_saves_the_language(bilingual):
    with bilingual.app_context():
        make_user(email="alex@example.com")
    alex = ApiClient(bilingual).login("alex@example.com")
    saved = alex.post("/account/profile", data={"csrf_token": alex.csrf(), "language": "es"})
    assert saved.status_code == 302
    with bilingual.app_context():
        assert db.session.query(User).one().language == "es"
    alex.post("/account/profile", data={"csrf_token": alex.csrf(), "language": ""})
    with bilingual.app_context():
        assert db.session.query(User).one().language is None


@pytest.mark.parametrize("language", ["de", "ES", "xx-yy", 5, True])
def test_a_language_that_is_not_there_is_refused_and_changes_nothing(bilingual, language):
    with bilingual.app_context():
        make_user(email="alex@example.com")
    alex = ApiClient(bilingual).login("alex@example.com")
    answer = alex.patch("/api/v1/me", json={"language": language})
    assert answer.status_code == 422 and "language" in answer.get_json()["errors"]
    assert alex.get("/api/v1/me").get_json()["user"]["language"] is None


def test_the_language_picker_is_not_shown_while_english_is_the_only_one(make_app):
    app = make_app(LANGUAGES=["en"])
    with app.app_context():
        make_user(email="alex@example.com")
    alex = ApiClient(app).login("alex@example.com")
    assert 'name="language"' not in _account_page(alex.client)


def test_logging_in_notes_the_browsers_language_for_pushes(bilingual):
    from couples.i18n import language_of

    with bilingual.app_context():
        make_user(email="alex@example.com")
    client = ApiClient(bilingual)
    client.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es"
    client.login("alex@example.com")
    with bilingual.app_context():
        alex = db.session.query(User).one()
        assert alex.seen_language == "es" and language_of(alex) == "es"
        alex.language = "en"
        assert language_of(alex) == "en"  # a choice wins over the browser


# ------------------------------------------------------------------------ catalogues
def _extract(tmp_path: Path, config: str = "babel.cfg") -> Path:
    """A fresh extraction with ``config``, as `make translations` makes it."""
    pot = tmp_path / f"{config}.pot"
    command = ["extract", "-F", config, "-o", str(pot), "--no-location", "."]
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", *command],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return pot


def _ids(catalog) -> set:
    return {
        message.id if isinstance(message.id, str) else tuple(message.id)
        for message in catalog
        if message.id
    }


def test_the_catalogue_template_holds_every_marked_string(tmp_path):
    fresh = read_po(_extract(tmp_path).open("rb"))
    kept = read_po((TRANSLATIONS / "messages.pot").open("rb"))
    assert _ids(fresh) - _ids(kept) == set(), "run `make translations`"
    assert _ids(kept) - _ids(fresh) == set(), "run `make translations`"


@pytest.mark.parametrize("code", sorted(set(NAMES) - {"en"}))
def test_each_language_has_every_string_and_its_compiled_catalogues_match(code):
    folder = TRANSLATIONS / code / "LC_MESSAGES"
    po = read_po((folder / "messages.po").open("rb"), locale=code)
    template = read_po((TRANSLATIONS / "messages.pot").open("rb"))
    assert _ids(template) - _ids(po) == set(), "run `make translations`"
    untranslated = [
        m.id
        for m in po
        if m.id and (m.fuzzy or not all(m.string if m.pluralizable else [m.string]))
    ]
    assert untranslated == []
    compiled = read_mo((folder / "messages.mo").open("rb"))

    def pairs(catalog):
        return {
            (m.context, m.id if isinstance(m.id, str) else tuple(m.id)): (
                m.string if isinstance(m.string, str) else tuple(m.string)
            )
            for m in catalog
            if m.id
        }

    assert pairs(compiled) == pairs(po), "run `make translations`"


def test_the_scripts_catalogue_is_up_to_date_and_complete(tmp_path):
    pot = _extract(tmp_path, "babel-js.cfg")
    fresh = _ids(read_po(pot.open("rb")))
    assert fresh == _ids(read_po((TRANSLATIONS / "js.pot").open("rb"))), "make translations"
    for code in sorted(set(NAMES) - {"en"}):
        folder = TRANSLATIONS / code / "LC_MESSAGES"
        po = read_po((folder / "js.po").open("rb"), locale=code)
        assert fresh - _ids(po) == set()
        assert [
            m.id for m in po if m.id and not all(m.string if m.pluralizable else [m.string])
        ] == []
        compiled = read_mo((folder / "js.mo").open("rb"))
        assert _ids(compiled) == _ids(po), "make translations"


# The templates whose every word goes through gettext. (The rest are being marked.)
TRANSLATED_TEMPLATES = sorted(
    path.relative_to(ROOT).as_posix() for path in (ROOT / "templates").rglob("*.html")
)


@pytest.mark.parametrize("template", TRANSLATED_TEMPLATES)
def test_no_words_in_a_template_escape_translation(template):
    assert unmarked((ROOT / template).read_text()) == []


def test_the_unmarked_words_check_finds_them():
    page = """<h1>Hello</h1><p title="A tip">{{ _('Marked') }} · {{ name }}</p>
    {% trans n=1 %}Also marked {{ n }}{% endtrans %}<input type="submit" value="Send">
    <button name="go" value="yes">{{ _('Go') }}</button><!-- a note -->
    <script>let a = "b";</script>"""
    assert unmarked(page) == ['title="A tip"', 'value="Send"', "Hello"]


@pytest.mark.parametrize(
    ("pattern", "english", "spanish"),
    [
        ("%-d %b, %H:%M", "5 Dec, 21:30", "5 dic, 21:30"),
        ("%-d %B %Y", "5 December 2026", "5 de diciembre de 2026"),
        ("%A %-d %B", "Saturday 5 December", "sábado 5 de diciembre"),
        ("%a %-d %b", "Sat 5 Dec", "sáb 5 dic"),
    ],
)
def test_dates_are_written_in_the_pages_language_on_the_readers_clock(
    bilingual, pattern, english, spanish
):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from couples.i18n import format_moment

    # 20:30 UTC is 21:30 in Madrid: the instant keeps the clock it was put on
    moment = datetime(2026, 12, 5, 20, 30, tzinfo=ZoneInfo("UTC")).astimezone(
        ZoneInfo("Europe/Madrid")
    )
    for headers, expected in (({"Accept-Language": "en"}, english), (SPANISH, spanish)):
        with bilingual.test_request_context(headers=headers):
            assert format_moment(moment, pattern) == expected


# Scripts whose words cannot come from the page: the service worker's (it has no page).
SCRIPTS_WITHOUT_A_PAGE = {"static/js/push-target.js", "static/js/sw.js"}
SCRIPTS = sorted(
    path.relative_to(ROOT).as_posix()
    for path in (ROOT / "static").rglob("*.js")
    if path.relative_to(ROOT).as_posix() not in SCRIPTS_WITHOUT_A_PAGE
)


@pytest.mark.parametrize("script", SCRIPTS)
def test_no_words_in_a_script_escape_translation(script):
    assert unmarked_script((ROOT / script).read_text()) == []


def test_the_unmarked_script_words_check_finds_them():
    source = """const a = _("Marked words.");
    say(root, "Not marked here.", "problem");
    el.className = "card notice";
    const b = ngettext("%(num)s bid", "%(num)s bids", n);
    const c = pgettext("a love language", "The Language");
    const d = pgettext("a context", "Said here.") + " " + show("Not this one.", "Or this.");
    throw new Error("internal reason");"""
    assert unmarked_script(source) == ["Not marked here.", "Not this one.", "Or this."]


# Modules whose words are not for partners: the operator's settings, commands, logs and
# metrics, the OpenAPI document, the date patterns, and the demo couple's own words.
MODULES_NOT_FOR_PARTNERS = {
    "couples/config.py",
    "couples/cli.py",
    "couples/logs.py",
    "couples/metrics.py",
    "couples/api/spec.py",
    "couples/i18n.py",
    "couples/demo.py",
}
MODULES = sorted(
    path.relative_to(ROOT).as_posix()
    for path in (ROOT / "couples").rglob("*.py")
    if path.relative_to(ROOT).as_posix() not in MODULES_NOT_FOR_PARTNERS
)


@pytest.mark.parametrize("module", MODULES)
def test_no_words_in_python_escape_translation(module):
    assert unmarked_python((ROOT / module).read_text()) == []


def test_the_unmarked_python_words_check_finds_them():
    source = '''"""A module's docstring, for developers."""
from flask_babel import gettext as _

TITLE = N_("Marked for later.")
PLAIN = "Not marked here."


def f(name):
    log.info("For the people who run it.")
    flash(_("Marked now, %(name)s.", name=name))
    if name == "x":
        raise RuntimeError("An internal reason.")
    notify(title=f"Your turn, with {name}", body="a_key")
    blp.route("/x", description="For developers reading the API.")
    return {"description": "Also for developers.", "text": "Read by a partner."}


FALLBACK = "your partner"
TEMPLATE = "{name} ended your link."
LOOKED_FOR = frozenset({"let down", "left out"})  # never shown: looked for
if "sign count" in reason or reason.startswith("not a deed"):
    pass
'''
    assert unmarked_python(source) == [
        "5: 'Not marked here.'",
        "13: f'Your turn, with {}'",
        "15: 'Read by a partner.'",
        "18: 'your partner'",
        "19: '{name} ended your link.'",
    ]


def test_a_page_in_spanish_carries_the_scripts_words(bilingual):
    from couples.i18n import script_words

    with bilingual.test_request_context(headers=SPANISH):
        words = script_words()
    assert words and all(isinstance(key, str) and key for key in words)
    page = bilingual.test_client().get("/login", headers=SPANISH).get_data(as_text=True)
    assert '<script type="application/json" id="script-words">' in page
    english = bilingual.test_client().get("/login").get_data(as_text=True)
    assert 'id="script-words"' not in english
