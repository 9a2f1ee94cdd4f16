"""Each push is in its recipient's language, and says so: the payload's ``lang``."""

import json
from datetime import UTC, date, datetime

import pytest
from flask_babel import force_locale

from couples.bids import services as bids
from couples.extensions import db
from couples.i18n import format_moment, writing_to
from couples.notifications import delivery, payload
from couples.notifications.models import Notification
from couples.pairing.services import active_pairing
from tests.factories import make_couple, make_user, push_device

NOON = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def app(push_app):
    with push_app.app_context():
        yield push_app


def _couple(alex_language=None, sam_language="es", **sam_settings):
    alex = make_user(email="alex@example.com", display_name="Alex", timezone="UTC")
    sam = make_user(email="sam@example.com", display_name="Sam", timezone="UTC")
    alex.language, sam.language = alex_language, sam_language
    for name, value in sam_settings.items():
        setattr(sam, name, value)
    db.session.commit()
    make_couple(alex, sam)
    return alex, sam


def _bid(sender, now=NOON):
    return bids.send(pairing=active_pairing(sender), preset=None, text="Tea?", now=now)


def _pushed(fake_push, endpoint) -> dict:
    assert delivery.deliver_due(now_fn=lambda: NOON)["sent"] == 1
    (received,) = fake_push.for_endpoint(endpoint)
    return received.message["notification"]


def test_a_push_to_a_spanish_reader_is_in_spanish_and_says_so(app, fake_push):
    alex, sam = _couple()
    _, endpoint = push_device(sam, fake_push)
    _bid(alex)
    pushed = _pushed(fake_push, endpoint)
    assert pushed["lang"] == "es"
    assert (pushed["title"], pushed["body"]) == ("Alex se acerca a ti", "Unas palabras para ti.")
    row = db.session.execute(db.select(Notification)).scalar_one()
    assert row.lang == "es" and row.title == pushed["title"]


def test_a_push_to_an_english_reader_stays_english_beside_a_spanish_partner(app, fake_push):
    alex, sam = _couple(alex_language="es", sam_language=None)
    _, endpoint = push_device(sam, fake_push)
    with force_locale("es"):  # written by someone reading Spanish, to someone who does not
        _bid(alex)
    pushed = _pushed(fake_push, endpoint)
    assert pushed["lang"] == "en"
    assert (pushed["title"], pushed["body"]) == ("Alex is reaching out", "A few words for you.")


def test_the_language_a_browser_asked_for_reaches_the_push(app, fake_push):
    alex, sam = _couple(sam_language=None, seen_language="es")
    _, endpoint = push_device(sam, fake_push)
    _bid(alex)
    assert _pushed(fake_push, endpoint)["lang"] == "es"


def test_a_discreet_push_hides_who_and_what_in_the_readers_language(app, fake_push):
    alex, sam = _couple(discreet=True)
    _, endpoint = push_device(sam, fake_push)
    _bid(alex)
    pushed = _pushed(fake_push, endpoint)
    assert (pushed["title"], pushed["body"], pushed["lang"]) == (
        "Couples",
        "Algo nuevo para ti",
        "es",
    )
    assert "Alex" not in str(pushed)


def test_a_language_no_longer_offered_writes_the_push_in_english(
    make_app, push_settings, fake_push
):
    english_only = make_app(LANGUAGES=["en"], **push_settings)
    with english_only.app_context():
        alex, sam = _couple(sam_language=None, seen_language="es")
        _, endpoint = push_device(sam, fake_push)
        _bid(alex)
        pushed = _pushed(fake_push, endpoint)
    assert (pushed["lang"], pushed["title"]) == ("en", "Alex is reaching out")


def test_dates_written_away_from_a_request_follow_the_reader(app):
    _, sam = _couple()
    with writing_to(sam):
        assert format_moment(date(2026, 12, 5), "%A %-d %B") == "sábado 5 de diciembre"
    assert format_moment(date(2026, 12, 5), "%A %-d %B") == "Saturday 5 December"


@pytest.fixture
def served(make_app):
    """An app answering requests (each in an application context of its own)."""
    return make_app(LANGUAGES=["en", "es"])


def test_the_worker_knows_the_generic_words_of_every_offered_language(served):
    source = served.test_client().get("/sw.js").get_data(as_text=True)
    shell = json.loads(source.split("\n", 1)[0].removeprefix("self.SHELL = ").rstrip(";"))
    assert shell["generic"] == {"en": "Something new for you", "es": "Algo nuevo para ti"}


def test_the_manifest_is_in_the_language_the_browser_asks_for(served):
    client = served.test_client()
    spanish = client.get("/manifest.webmanifest", headers={"Accept-Language": "es"}).get_json()
    english = client.get("/manifest.webmanifest", headers={"Accept-Language": "en"}).get_json()
    assert (spanish["lang"], english["lang"]) == ("es", "en")
    assert spanish["shortcuts"][0]["name"] == "El check-in de esta noche"
    assert english["shortcuts"][0]["name"] == "Tonight's check-in"
    assert spanish["description"].startswith("Check-ins cada noche")
    assert spanish["name"] == english["name"] == "Couples"


def test_a_deleted_partners_name_gives_way_in_each_notifications_language(app):
    from couples.notifications.services import forget_name, notify

    alex = make_user(email="alex@example.com", display_name="Alex", timezone="UTC")
    for number, language in enumerate(["es", "en"]):
        alex.language = language
        db.session.commit()
        with writing_to(alex):
            notify(
                user=alex,
                kind="bid_received",
                dedupe_key=f"n{number}",
                title="Sam",
                body="Sam, again.",
                now=NOON,
            )
    assert forget_name(user_id=alex.id, name="Sam", since=NOON, until=NOON) == 2
    db.session.commit()
    rows = db.session.execute(db.select(Notification).order_by(Notification.id)).scalars()
    assert [(row.lang, row.title, row.body) for row in rows] == [
        ("es", "Tu expareja", "Tu expareja, again."),
        ("en", "Your former partner", "Your former partner, again."),
    ]


def test_a_language_the_app_has_no_words_for_is_pushed_in_english(app, fake_push):
    alex, sam = _couple(discreet=True)
    _, endpoint = push_device(sam, fake_push)
    _bid(alex)
    db.session.execute(db.update(Notification).values(lang="xx"))
    db.session.commit()
    pushed = _pushed(fake_push, endpoint)
    assert pushed["body"] == payload.DISCREET_BODY
    assert forget_name_of(sam, "Alex") == 1


def forget_name_of(user, name) -> int:
    from couples.notifications.services import forget_name

    return forget_name(user_id=user.id, name=name, since=NOON, until=NOON)
