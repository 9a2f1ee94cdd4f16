"""A reset link works once, even when it is used twice at the same moment, and every
outstanding link of an account dies when its password changes."""

import threading

import pytest

from couples.accounts import mail
from couples.accounts import services as accounts
from couples.clock import utcnow
from couples.errors import DomainError, ResetGone
from couples.extensions import db
from tests.conftest import PG_URL
from tests.factories import PASSWORD, make_user, send_mail

ROUNDS = 20 if PG_URL else 5
NEW = ["velvet hamster orbit lamp", "copper meadow violin 7"]


@pytest.fixture
def links(monkeypatch):
    """The reset links mailed so far, newest last."""
    sent = []
    monkeypatch.setattr(
        mail,
        "send",
        lambda to, subject, text: sent.append(
            next(line for line in text.splitlines() if "/reset/" in line)
        ),
    )
    return sent


def _ask(app, email: str, links: list) -> str:
    with app.app_context():
        accounts.request_password_reset(email=email, now=utcnow())
    send_mail(app)
    return links[-1].rsplit("/", 1)[1]


class _MeetingHasher:
    """The app's hasher, except that ``hash`` (called by a reset after it has read its
    token, before it writes) waits until every racer got there: all of them have seen
    the token unused before any of them writes."""

    def __init__(self, hasher, barrier):
        self._hasher, self._barrier = hasher, barrier

    def hash(self, password):
        self._barrier.wait(timeout=30)
        return self._hasher.hash(password)

    def __getattr__(self, name):
        return getattr(self._hasher, name)


def _race(app, tokens: list[str]) -> list[str]:
    """Use each token in its own thread with a different new password, all at once."""
    outcomes = [None] * len(tokens)
    real = app.extensions["couples.password_hasher"]
    app.extensions["couples.password_hasher"] = _MeetingHasher(real, threading.Barrier(len(tokens)))

    def run(index):
        with app.app_context():
            try:
                accounts.reset_password(token=tokens[index], new_password=NEW[index], now=utcnow())
                outcomes[index] = "ok"
            except DomainError as error:
                outcomes[index] = str(error.status)
            except Exception as error:  # noqa: BLE001 (any other error fails the test)
                outcomes[index] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(tokens))]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        app.extensions["couples.password_hasher"] = real
    return outcomes


def _password_is(app, email: str, password: str) -> bool:
    with app.app_context():
        try:
            accounts.authenticate(email=email, password=password)
        except DomainError:
            return False
        return True


@pytest.mark.parametrize("same_link", [True, False], ids=["one link", "two links"])
def test_two_resets_of_one_account_at_once_change_the_password_once(make_app, links, same_link):
    app = make_app(RATELIMIT_ENABLED=False)
    for n in range(ROUNDS):
        email = f"r{n}@example.com"
        with app.app_context():
            make_user(email=email)
        first = _ask(app, email, links)
        second = first if same_link else _ask(app, email, links)
        outcomes = _race(app, [first, second])
        assert sorted(outcomes) == ["410", "ok"], outcomes
        winner = NEW[outcomes.index("ok")]
        assert _password_is(app, email, winner)
        assert not _password_is(app, email, NEW[1 - outcomes.index("ok")])


def test_a_reset_ends_every_other_link_of_the_account(app, links):
    with app.app_context():
        make_user(email="alex@example.com")
    used, other = _ask(app, "alex@example.com", links), _ask(app, "alex@example.com", links)
    with app.app_context():
        accounts.reset_password(token=used, new_password=NEW[0], now=utcnow())
        with pytest.raises(ResetGone):
            accounts.check_reset_token(token=other, now=utcnow())
        with pytest.raises(ResetGone):
            accounts.reset_password(token=other, new_password=NEW[1], now=utcnow())
    assert _password_is(app, "alex@example.com", NEW[0])


def test_a_password_change_ends_every_outstanding_link(app, links):
    with app.app_context():
        user = make_user(email="alex@example.com")
    token = _ask(app, "alex@example.com", links)
    with app.app_context():
        user = db.session.merge(user)
        accounts.change_password(user=user, current_password=PASSWORD, new_password=NEW[0])
        with pytest.raises(ResetGone):
            accounts.reset_password(token=token, new_password=NEW[1], now=utcnow())
    assert _password_is(app, "alex@example.com", NEW[0])
