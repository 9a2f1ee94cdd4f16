"""What reaches a person away from a page is in their language: the reset mail, the notice
that a link has ended, the tick's check-in and practice reminders, and the test push."""

import re
from datetime import UTC, datetime
from email.header import decode_header, make_header

import pytest
import time_machine
from flask_babel import force_locale

from couples.accounts import mail
from couples.accounts import services as accounts
from couples.extensions import db
from couples.grow.models import SelfCheck
from couples.notifications import reminders
from couples.notifications.models import Notification, PushSubscription
from couples.notifications.services import send_test
from couples.pairing import services as pairing
from tests.factories import make_couple, make_user, send_mail

SUNDAY_NOON = datetime(2026, 6, 14, 12, 0, tzinfo=UTC)
SUNDAY_EVENING = datetime(2026, 6, 14, 21, 0, tzinfo=UTC)  # the weekly check-in
MONDAY_EVENING = datetime(2026, 6, 15, 21, 0, tzinfo=UTC)  # a nightly one, a new week

# A Spanish reader: by their choice, or by the language their browser asked for.
SPANISH_READERS = pytest.mark.parametrize(
    "spanish", [{"language": "es"}, {"seen_language": "es"}], ids=["chosen", "browser"]
)


@pytest.fixture
def app(make_app):
    app = make_app(LANGUAGES=["en", "es"])
    with app.app_context():
        yield app


@pytest.fixture
def sent(monkeypatch):
    """The mail sent so far, as (to, subject, text)."""
    mails = []
    monkeypatch.setattr(mail, "send", lambda to, subject, text: mails.append((to, subject, text)))
    return mails


def _user(email: str, name: str, **language) -> object:
    user = make_user(email=email, display_name=name, timezone="UTC")
    for column, value in language.items():
        setattr(user, column, value)
    db.session.commit()
    return user


def _couple(spanish: dict):
    """Ana, who reads Spanish, linked with Ben, who reads English, on a Sunday."""
    with time_machine.travel(SUNDAY_NOON, tick=False):
        ana = _user("ana@example.com", "Ana", **spanish)
        ben = _user("ben@example.com", "Ben")
        make_couple(ana, ben, now=SUNDAY_NOON)
    return ana, ben


def _notes(user, kind: str) -> list[tuple[str, str]]:
    return [
        (n.title, n.body)
        for n in db.session.execute(
            db.select(Notification)
            .where(Notification.user_id == user.id, Notification.kind == kind)
            .order_by(Notification.id)
        ).scalars()
    ]


def _reset_mail(app, email: str, sent: list) -> tuple[str, str]:
    accounts.request_password_reset(email=email, now=SUNDAY_NOON)
    assert send_mail(app) == {"sent": 1, "failed": 0}
    to, subject, text = sent[-1]
    assert to == email
    link = re.search(r"http://localhost/reset/\S+", text).group(0)
    return subject, text.replace(link, "LINK")


# ---------------------------------------------------------------------------- the mail


@SPANISH_READERS
def test_the_reset_mail_is_in_spanish_for_a_spanish_reader(app, sent, spanish):
    _user("ana@example.com", "Ana", **spanish)
    subject, text = _reset_mail(app, "ana@example.com", sent)
    assert subject == "Cambia tu contraseña de Couples"
    assert text == (
        "Hola, Ana:\n\n"
        "Para elegir una contraseña nueva, abre este enlace durante la próxima hora:\n\n"
        "LINK\n\n"
        "Si no lo pediste, puedes ignorar este mensaje; tu contraseña seguirá igual.\n"
    )


def test_the_reset_mail_stays_english_for_an_english_reader(app, sent):
    _user("ben@example.com", "Ben")
    subject, text = _reset_mail(app, "ben@example.com", sent)
    assert subject == "Reset your Couples password"
    assert text == (
        "Hello Ben,\n\n"
        "To choose a new password, open this link within the hour:\n\n"
        "LINK\n\n"
        "If you did not ask for this, you can ignore this message; your password stays as"
        " it is.\n"
    )


def test_a_browsers_spanish_counts_only_where_spanish_is_offered(make_app, sent):
    app = make_app(LANGUAGES=["en"])  # English only
    with app.app_context():
        _user("ana@example.com", "Ana", seen_language="es")
        subject, _text = _reset_mail(app, "ana@example.com", sent)
    assert subject == "Reset your Couples password"


def test_a_spanish_reset_mail_arrives_whole_through_smtp(app, smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    _user("ana@example.com", "Ana", language="es")
    accounts.request_password_reset(email="ana@example.com", now=SUNDAY_NOON)
    assert send_mail(app) == {"sent": 1, "failed": 0}
    (message,) = smtp_server.messages
    assert str(make_header(decode_header(message["Subject"]))) == "Cambia tu contraseña de Couples"
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    body = body.replace("\r\n", "\n")  # the lines as SMTP carries them
    assert body.startswith("Hola, Ana:\n\nPara elegir una contraseña nueva")
    assert smtp_server.last_link().startswith("http://localhost/reset/")


# ------------------------------------------------------------------ the link has ended


@SPANISH_READERS
def test_the_link_ended_notice_is_in_the_language_of_the_one_left(app, spanish):
    ana, ben = _couple(spanish)
    pairing.unlink(user=ben, now=SUNDAY_EVENING)
    assert _notes(ana, "couple_ended") == [
        (
            "Tu vínculo ha terminado",
            "Ben terminó el vínculo contigo en Couples. Tu historia compartida queda fuera de"
            " la vista durante 30 días y luego se borra. Tus propias palabras se quedan"
            " contigo, en Cuenta, y puedes descargarlas cuando quieras.",
        )
    ]


def test_the_link_ended_notice_counts_a_single_day(make_app):
    app = make_app(LANGUAGES=["en", "es"], COUPLE_RESTORE_DAYS=1)
    with app.app_context():
        ana, ben = _couple({"language": "es"})
        pairing.unlink(user=ben, now=SUNDAY_EVENING)
        ((_title, body),) = _notes(ana, "couple_ended")
        assert "queda fuera de la vista durante 1 día y luego se borra." in body
        cleo, dan = _user("cleo@example.com", "Cleo"), _user("dan@example.com", "Dan")
        make_couple(cleo, dan, now=SUNDAY_EVENING)
        pairing.unlink(user=dan, now=MONDAY_EVENING)
        ((_title, body),) = _notes(cleo, "couple_ended")
        assert "is kept out of sight for 1 day, then erased." in body


def test_the_link_ended_notice_says_in_spanish_that_the_history_is_erased(app):
    ana, ben = _couple({"language": "es"})
    pairing.unlink(user=ben, now=SUNDAY_EVENING, erase=True)
    assert _notes(ana, "couple_ended") == [
        (
            "Tu vínculo ha terminado",
            "Ben terminó el vínculo contigo en Couples. Tu historia compartida se ha borrado."
            " Tus propias palabras se quedan contigo, en Cuenta, y puedes descargarlas cuando"
            " quieras.",
        )
    ]


def test_the_link_ended_notice_stays_english_for_an_english_reader(app):
    ana, ben = _couple({"language": "es"})
    with force_locale("es"):  # ended by someone reading Spanish
        pairing.unlink(user=ana, now=SUNDAY_EVENING)
    assert _notes(ben, "couple_ended") == [
        (
            "Your link has ended",
            "Ana ended your link in Couples. Your shared history is kept out of sight for"
            " 30 days, then erased. Your own words stay with you under Account, and you can"
            " download them at any time.",
        )
    ]


# ------------------------------------------------------------------- the tick's reminders


@SPANISH_READERS
def test_the_ticks_check_in_reminders_are_in_each_partners_language(app, spanish):
    ana, ben = _couple(spanish)
    reminders.tick(now=SUNDAY_EVENING)
    assert _notes(ana, "weekly_checkin") == [
        ("El check-in de esta semana", "Esta noche, un poco más: tu semana con Ben.")
    ]
    assert _notes(ben, "weekly_checkin") == [
        ("This week's check-in", "A little longer tonight: your week with Ana.")
    ]
    reminders.tick(now=MONDAY_EVENING)
    assert _notes(ana, "checkin_reminder") == [
        ("El check-in de esta noche", "Dos minutos tranquilos para ti y Ben.")
    ]
    assert _notes(ben, "checkin_reminder") == [
        ("Tonight's check-in", "Two quiet minutes for you and Ana.")
    ]


@SPANISH_READERS
def test_the_weeks_practice_reminder_is_in_each_ones_language(app, spanish):
    ana, ben = _couple(spanish)
    for user in (ana, ben):
        db.session.add(SelfCheck(user_id=user.id, answers={}, lean="secure"))
    db.session.commit()
    reminders.tick(now=SUNDAY_EVENING)
    reminders.tick(now=MONDAY_EVENING)
    assert _notes(ana, "practice_week") == [
        (
            "Una semana nueva, una pequeña práctica",
            "Algo pequeño que probar esta semana, para ti. Solo tú lo ves.",
        )
    ]
    assert _notes(ben, "practice_week") == [
        (
            "A new week, a small practice",
            "Something small to try for yourself this week. Only you see it.",
        )
    ]


# ------------------------------------------------------------------------- the test push


def _device(user, number: int) -> None:
    db.session.add(
        PushSubscription(
            user_id=user.id,
            endpoint=f"https://push.example/{number}",
            p256dh="key",
            auth="auth",
        )
    )
    db.session.commit()


@SPANISH_READERS
def test_the_test_push_is_in_the_readers_language(app, spanish):
    ana = _user("ana@example.com", "Ana", **spanish)
    ben = _user("ben@example.com", "Ben")
    _device(ana, 1)
    _device(ben, 2)
    assert send_test(user=ana, now=SUNDAY_NOON) == 1
    assert send_test(user=ben, now=SUNDAY_NOON) == 1
    assert _notes(ana, "test") == [("Couples", "Los recordatorios funcionan en este dispositivo.")]
    assert _notes(ben, "test") == [("Couples", "Reminders are working on this device.")]
