"""Both partners submitting the same date at the same moment reveal it exactly once: both
answers kept, no error on either side, and at most one ``partner_checked_in`` per partner
and date. The same person submitting twice at once (two tabs) keeps one answer; two tabs
and the partner at once still reveal once, and a tab that comes after the reveal changes
nothing (409).

Many rounds on PostgreSQL (``COUPLES_TEST_DATABASE_URL``), a few on SQLite, which
serialises writers anyway. Each round answers a fresh date."""

import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from sqlalchemy import func

from couples.accounts.models import User
from couples.checkins import services
from couples.checkins.models import Checkin, CheckinAnswer
from couples.extensions import db
from couples.notifications.models import Notification
from couples.pairing.services import active_pairing
from tests.conftest import PG_URL
from tests.factories import ApiClient, make_couple, make_user

ROUNDS = 50 if PG_URL else 10
LINKED = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
FIRST_DAY = date(2026, 1, 5)


def evening(day: date) -> datetime:
    """15:00 in New York (Alex), 20:00 in London (Sam): ``day`` is tonight for both."""
    return datetime.combine(day, time(20), tzinfo=UTC)


def answers(day: date, words: str, needs: int = 4) -> dict:
    extra = {"week_needs_met": 7} if day.weekday() == 6 else {}  # Sunday: the weekly one
    return {"needs_met": needs, "mood": 3, "needs_help": words, **extra}


@pytest.fixture
def people(make_app):
    """Alex (New York) and Sam (London), linked: (app, alex id, sam id)."""
    app = make_app(RATELIMIT_ENABLED=False)
    with time_machine.travel(LINKED, tick=False), app.app_context():
        alex = make_user(email="alex@example.com", display_name="Alex", timezone="America/New_York")
        sam = make_user(email="sam@example.com", display_name="Sam", timezone="Europe/London")
        make_couple(alex, sam, now=LINKED)
        return app, alex.id, sam.id


@pytest.fixture
def reveals(monkeypatch):
    """Every time a submit tells the partner: [(date, who submitted, revealed?)]."""
    told = []
    lock = threading.Lock()
    original = services._tell_partner

    def spy(pairing, day, *, revealed, now):
        with lock:
            told.append((day, pairing.me.id, revealed))
        return original(pairing, day, revealed=revealed, now=now)

    monkeypatch.setattr(services, "_tell_partner", spy)
    return told


def race(app, jobs):
    """Run each job in its own thread with its own app context. A job is (prepare, act):
    ``prepare()`` runs first (and ends its transaction), then all threads are released
    at once into ``act(prepared)``. Returns each job's (outcome, result): the outcome is
    "ok" or the exception raised."""
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def run(index, prepare, act):
        with app.app_context():
            try:
                prepared = prepare()
                db.session.commit()  # hold no lock while waiting for the others
            except BaseException:
                barrier.abort()
                raise
            barrier.wait(timeout=30)
            try:
                results[index] = ("ok", act(prepared))
            except Exception as error:  # noqa: BLE001 (the test says which are fine)
                results[index] = (error, None)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a submit hung"
    return results


def submitting(user_id: int, day: date, given: dict):
    """A job: the user's pairing is looked up first, then ``services.submit`` races."""

    def prepare():
        return active_pairing(db.session.get(User, user_id))

    def act(pairing):
        view = services.submit(pairing=pairing, day=day, answers=given, now=evening(day))
        return {
            "revealed": view.revealed,
            "my_answers": view.my_answers,
            "partner_answers": view.partner_answers,
        }

    return prepare, act


def putting(client, day: date, given: dict):
    """A job: one PUT of ``given`` for ``day`` through the API."""

    def act(_):
        return client.put(f"/api/v1/checkins/{day.isoformat()}/answers", json={"answers": given})

    return (lambda: None), act


def stored(day: date) -> tuple[list[Checkin], dict[int, dict]]:
    """The check-ins of ``day`` and the answers kept, per person, as they were given
    (the questions left out dropped: they are kept as None)."""
    checkins = list(db.session.execute(db.select(Checkin).filter_by(day=day)).scalars())
    rows = db.session.execute(
        db.select(CheckinAnswer.user_id, CheckinAnswer.answers)
        .join(Checkin, Checkin.id == CheckinAnswer.checkin_id)
        .where(Checkin.day == day)
    ).all()
    assert len(rows) == len({user_id for user_id, _ in rows}), rows  # one row per person
    for _, kept in rows:
        assert set(kept) == {q["key"] for q in checkins[0].questions}
    return checkins, {
        user_id: {k: v for k, v in kept.items() if v is not None} for user_id, kept in rows
    }


def told_per_partner(day: date) -> dict[int, int]:
    """``partner_checked_in`` notifications about ``day``, per recipient."""
    return dict(
        db.session.execute(
            db.select(Notification.user_id, func.count())
            .where(
                Notification.kind == "partner_checked_in",
                Notification.dedupe_key == f"checkin:{day.isoformat()}",
                Notification.url == f"/checkin/{day.isoformat()}",
            )
            .group_by(Notification.user_id)
        ).all()
    )


def check_one_reveal(app, day: date, alex_id: int, sam_id: int, given: dict, reveals: list) -> None:
    with app.app_context():
        checkins, kept = stored(day)
        assert len(checkins) == 1
        assert checkins[0].revealed_at == evening(day)
        assert kept == given  # both answers, each as given
        told = told_per_partner(day)
        assert set(told) <= {alex_id, sam_id} and all(n == 1 for n in told.values()), told
        db.session.remove()
    flags = [revealed for told_day, _, revealed in reveals if told_day == day]
    assert sorted(flags) == [False, True], flags  # exactly one submit revealed it


# ----------------------------------------------------------------------------- tests
def test_both_partners_submitting_at_once_reveal_exactly_once(people, reveals):
    app, alex_id, sam_id = people
    for n in range(ROUNDS):
        day = FIRST_DAY + timedelta(days=n)
        given = {
            alex_id: answers(day, f"alex {n}", needs=2),
            sam_id: answers(day, f"sam {n}", needs=5),
        }
        results = race(
            app, [submitting(alex_id, day, given[alex_id]), submitting(sam_id, day, given[sam_id])]
        )
        assert [outcome for outcome, _ in results] == ["ok", "ok"], (day, results)
        for (_, view), mine in zip(results, (given[alex_id], given[sam_id]), strict=True):
            assert {k: v for k, v in view["my_answers"].items() if v is not None} == mine
        # The one who revealed it sees the other's answers at once.
        assert any(view["revealed"] and view["partner_answers"] for _, view in results)
        check_one_reveal(app, day, alex_id, sam_id, given, reveals)


def test_both_partners_submitting_at_once_through_the_api(people, reveals):
    app, alex_id, sam_id = people
    for n in range(ROUNDS):
        day = FIRST_DAY + timedelta(days=n)
        given = {alex_id: answers(day, f"alex {n}"), sam_id: answers(day, f"sam {n}")}
        with time_machine.travel(evening(day), tick=False):
            alex = ApiClient(app).login("alex@example.com")
            sam = ApiClient(app).login("sam@example.com")
            alex.csrf(), sam.csrf()
            results = race(
                app, [putting(alex, day, given[alex_id]), putting(sam, day, given[sam_id])]
            )
        assert [outcome for outcome, _ in results] == ["ok", "ok"], (day, results)
        statuses = [response.status_code for _, response in results]
        assert statuses == [200, 200], (day, [r.get_data(as_text=True) for _, r in results])
        bodies = [response.get_json() for _, response in results]
        assert any(b["revealed"] and "partner_answers" in b for b in bodies), bodies
        check_one_reveal(app, day, alex_id, sam_id, given, reveals)


def test_one_person_submitting_twice_at_once_keeps_one_answer(people, reveals):
    app, alex_id, sam_id = people
    for n in range(ROUNDS):
        day = FIRST_DAY + timedelta(days=n)
        tabs = [answers(day, f"first tab {n}"), answers(day, f"second tab {n}", needs=1)]
        results = race(app, [submitting(alex_id, day, tab) for tab in tabs])
        assert [outcome for outcome, _ in results] == ["ok", "ok"], (day, results)
        with app.app_context():
            checkins, kept = stored(day)
            assert len(checkins) == 1 and checkins[0].revealed_at is None
            assert list(kept) == [alex_id] and kept[alex_id] in tabs
            assert set(told_per_partner(day).items()) <= {(sam_id, 1)}
            db.session.remove()
        assert all(not revealed for told_day, _, revealed in reveals if told_day == day)


def test_one_person_submitting_from_two_tabs_through_the_api(people):
    app, alex_id, sam_id = people
    for n in range(ROUNDS):
        day = FIRST_DAY + timedelta(days=n)
        tabs = [answers(day, f"first tab {n}"), answers(day, f"second tab {n}", needs=1)]
        with time_machine.travel(evening(day), tick=False):
            clients = [ApiClient(app).login("alex@example.com") for _ in tabs]
            for client in clients:
                client.csrf()
            results = race(
                app, [putting(client, day, tab) for client, tab in zip(clients, tabs, strict=True)]
            )
        assert [r.status_code for _, r in results] == [200, 200], (
            day,
            [r.get_data(as_text=True) for _, r in results],
        )
        with app.app_context():
            checkins, kept = stored(day)
            assert len(checkins) == 1 and checkins[0].revealed_at is None
            assert list(kept) == [alex_id] and kept[alex_id] in tabs
            assert set(told_per_partner(day).items()) <= {(sam_id, 1)}
            db.session.remove()


def test_two_tabs_and_the_partner_at_once_reveal_once(people, reveals):
    """Alex's two tabs and Sam at the same moment: one reveal, both people's answers kept;
    a tab that arrives after the reveal is refused calmly (409), never an error."""
    app, alex_id, sam_id = people
    for n in range(ROUNDS):
        day = FIRST_DAY + timedelta(days=n)
        tabs = [answers(day, f"first tab {n}"), answers(day, f"second tab {n}", needs=1)]
        sams = answers(day, f"sam {n}")
        results = race(
            app,
            [
                submitting(alex_id, day, tabs[0]),
                submitting(alex_id, day, tabs[1]),
                submitting(sam_id, day, sams),
            ],
        )
        outcomes = [outcome for outcome, _ in results]
        assert outcomes[2] == "ok", results
        assert "ok" in outcomes[:2], results
        for outcome in outcomes[:2]:
            assert outcome == "ok" or isinstance(outcome, services.AlreadyRevealed), results
        with app.app_context():
            checkins, kept = stored(day)
            assert len(checkins) == 1 and checkins[0].revealed_at == evening(day)
            assert set(kept) == {alex_id, sam_id}
            assert kept[sam_id] == sams and kept[alex_id] in tabs
            told = told_per_partner(day)
            assert all(count == 1 for count in told.values()), told
            db.session.remove()
        flags = [revealed for told_day, _, revealed in reveals if told_day == day]
        assert flags.count(True) == 1, (
            f"{day}: {flags.count(True)} submits revealed it (tell-partner flags {flags}): "
            "a submit that came after the reveal replaced answers instead of a 409"
        )


def test_two_tabs_and_the_partner_at_once_through_the_api(people, reveals):
    """The same through PUT /api/v1/checkins/<date>/answers: each request 200, or 409 for
    a tab that arrives after the reveal; exactly one reveal."""
    app, alex_id, sam_id = people
    for n in range(ROUNDS):
        day = FIRST_DAY + timedelta(days=n)
        tabs = [answers(day, f"first tab {n}"), answers(day, f"second tab {n}", needs=1)]
        sams = answers(day, f"sam {n}")
        with time_machine.travel(evening(day), tick=False):
            clients = [
                ApiClient(app).login(email)
                for email in ("alex@example.com", "alex@example.com", "sam@example.com")
            ]
            for client in clients:
                client.csrf()
            results = race(
                app,
                [
                    putting(client, day, given)
                    for client, given in zip(clients, [*tabs, sams], strict=True)
                ],
            )
        statuses = [response.status_code for _, response in results]
        assert statuses[2] == 200 and 200 in statuses[:2], statuses
        assert set(statuses[:2]) <= {200, 409}, statuses
        with app.app_context():
            checkins, kept = stored(day)
            assert len(checkins) == 1 and checkins[0].revealed_at == evening(day)
            assert kept[sam_id] == sams and kept[alex_id] in tabs
            db.session.remove()
        flags = [revealed for told_day, _, revealed in reveals if told_day == day]
        assert flags.count(True) == 1, (
            f"{day}: statuses {statuses}, {flags.count(True)} submits revealed it: a PUT "
            "that came after the reveal replaced answers instead of a 409"
        )


# ------------------------------------------- an edit of my answers against the reveal
def test_an_edit_racing_the_partners_reveal_lands_before_it_or_not_at_all(people, reveals):
    """Alex has answered; Alex's edit and Sam's first answer arrive together. Either the
    edit lands first, and Sam's reveal shows the edit, or it comes after the reveal and is
    refused (409): what Sam saw at the reveal is always what is kept."""
    app, alex_id, sam_id = people
    for n in range(ROUNDS):
        day = FIRST_DAY + timedelta(days=n)
        first, edit = answers(day, f"alex first {n}"), answers(day, f"alex edit {n}", needs=1)
        sams = answers(day, f"sam {n}")
        with time_machine.travel(evening(day), tick=False):
            alex = ApiClient(app).login("alex@example.com")
            sam = ApiClient(app).login("sam@example.com")
            alex.csrf(), sam.csrf()
            put = f"/api/v1/checkins/{day.isoformat()}/answers"
            assert alex.put(put, json={"answers": first}).status_code == 200
            results = race(app, [putting(alex, day, edit), putting(sam, day, sams)])
        edited, revealed = (response for _, response in results)
        assert revealed.status_code == 200, revealed.get_data(as_text=True)
        assert edited.status_code in (200, 409), edited.get_data(as_text=True)
        shown = {k: v for k, v in revealed.get_json()["partner_answers"].items() if v is not None}
        with app.app_context():
            checkins, kept = stored(day)
            assert len(checkins) == 1 and checkins[0].revealed_at == evening(day)
            db.session.remove()
        assert kept == {alex_id: edit if edited.status_code == 200 else first, sam_id: sams}
        assert shown == kept[alex_id], (day, edited.status_code, shown)
        assert [revealed for told_day, _, revealed in reveals if told_day == day] == [
            False,
            True,
        ]  # Alex's first answer told Sam; the edit told nobody


def test_an_edit_waiting_for_the_reveals_lock_is_refused_after_it(people, monkeypatch):
    """Sam's reveal holds the check-in (on PostgreSQL its row lock, on SQLite the write
    lock) when Alex's edit arrives, having read the check-in as not revealed: the edit
    waits, then sees the reveal and is refused (409). Alex's answers stay the ones Sam
    saw."""
    app, alex_id, sam_id = people
    day = FIRST_DAY
    first, edit, sams = (
        answers(day, "alex first"),
        answers(day, "alex edit", needs=1),
        answers(day, "sam"),
    )
    holding, release = threading.Event(), threading.Event()
    original_tell = services._tell_partner

    def tell_then_hold(pairing, told_day, *, revealed, now):
        original_tell(pairing, told_day, revealed=revealed, now=now)
        if revealed:  # inside the reveal's transaction, before its commit
            holding.set()
            assert release.wait(30)

    outcome = {}
    with time_machine.travel(evening(day), tick=False):
        alex = ApiClient(app).login("alex@example.com")
        alex.csrf()
        put = f"/api/v1/checkins/{day.isoformat()}/answers"
        assert alex.put(put, json={"answers": first}).status_code == 200
        monkeypatch.setattr(services, "_tell_partner", tell_then_hold)

        def alex_edits():
            outcome["alex"] = alex.put(put, json={"answers": edit})

        _hold_then_wait(
            app,
            _submitting_thread(app, sam_id, day, sams, outcome, "sam", holding),
            threading.Thread(target=alex_edits),
            holding,
            release,
        )
    assert outcome["sam"]["revealed"] is True
    assert outcome["alex"].status_code == 409, outcome["alex"].get_data(as_text=True)
    shown = {k: v for k, v in outcome["sam"]["partner_answers"].items() if v is not None}
    assert shown == first
    with app.app_context():
        _, kept = stored(day)
        db.session.remove()
    assert kept == {alex_id: first, sam_id: sams}


def _submitting_thread(
    app, user_id: int, day: date, given: dict, outcome: dict, name: str, holding: threading.Event
) -> threading.Thread:
    """A thread that submits ``given`` as ``submitting`` does, and keeps the view's
    flags (or the error) in ``outcome[name]``. It sets ``holding`` when it ends, so that
    a test waiting for it to hold a lock never waits on one that failed."""

    def run():
        with app.app_context():
            try:
                prepare, act = submitting(user_id, day, given)
                prepared = prepare()
                db.session.commit()
                outcome[name] = act(prepared)
            except Exception as error:  # noqa: BLE001 (the test's asserts report it)
                outcome[name] = error
            finally:
                holding.set()
                db.session.remove()

    return threading.Thread(target=run)


def _hold_then_wait(
    app,
    holder: threading.Thread,
    waiter: threading.Thread,
    holding: threading.Event,
    release: threading.Event,
) -> None:
    """Start ``holder``; once it holds the check-in (``holding``), start ``waiter`` and
    check that it comes to wait for the lock; then let the holder go on (``release``)
    and wait for both to end."""
    holder.start()
    assert holding.wait(30)
    waiter.start()
    try:
        assert _waits_for_a_lock(app, waiter), "the second never waited for the first"
    finally:
        release.set()
        waiter.join(30)
        holder.join(30)
    assert not waiter.is_alive() and not holder.is_alive()


def _waits_for_a_lock(app, thread: threading.Thread, timeout: float = 10) -> bool:
    """Whether ``thread`` comes to wait for a lock: on PostgreSQL a session of this
    database waiting on one (``pg_stat_activity``); on SQLite, still running half a
    second on (it can only be waiting for the write lock by then)."""
    import time as clock

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        thread.join(0.5)
        return thread.is_alive()
    deadline = clock.monotonic() + timeout
    while clock.monotonic() < deadline:
        with engine.connect() as conn:
            waiting = conn.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            ).scalar_one()
        if waiting:
            return True
        if not thread.is_alive():
            return False
        clock.sleep(0.02)
    return False


def test_a_reveal_waiting_for_an_edits_lock_shows_the_edit(people, monkeypatch):
    """Alex's edit holds the check-in when Sam's first answer comes: Sam waits, then sees the edit,
    not the answers from before it (on PostgreSQL the answers are read after the lock
    is had, by a statement of their own)."""
    app, alex_id, sam_id = people
    day = FIRST_DAY
    first, edit, sams = (
        answers(day, "alex first"),
        answers(day, "alex edit", needs=1),
        answers(day, "sam"),
    )
    holding, release = threading.Event(), threading.Event()
    original_view = services._view

    def view_then_hold(pairing, *args, **kwargs):
        view = original_view(pairing, *args, **kwargs)
        mine = {k: v for k, v in (view.my_answers or {}).items() if v is not None}
        if pairing.me.id == alex_id and mine == edit:  # before the commit
            holding.set()
            assert release.wait(30)
        return view

    outcome = {}
    with time_machine.travel(evening(day), tick=False):
        with app.app_context():
            pairing = active_pairing(db.session.get(User, alex_id))
            services.submit(pairing=pairing, day=day, answers=first, now=evening(day))
            db.session.remove()
        monkeypatch.setattr(services, "_view", view_then_hold)
        _hold_then_wait(
            app,
            _submitting_thread(app, alex_id, day, edit, outcome, "alex", holding),
            _submitting_thread(app, sam_id, day, sams, outcome, "sam", holding),
            holding,
            release,
        )
    assert not outcome["alex"]["revealed"], outcome["alex"]
    assert outcome["sam"]["revealed"] is True, outcome["sam"]
    shown = {k: v for k, v in outcome["sam"]["partner_answers"].items() if v is not None}
    assert shown == edit
    with app.app_context():
        _, kept = stored(day)
        db.session.remove()
    assert kept == {alex_id: edit, sam_id: sams}


def test_an_invalid_edit_of_a_check_in_revealed_meanwhile_is_a_409(people, monkeypatch):
    """Sam reveals the check-in after Alex's PUT has read it and before Alex's edit is
    written; Alex's answers are also invalid. As for any PUT, "revealed" is said first
    (409), not the invalid fields (422)."""
    app, alex_id, sam_id = people
    day = FIRST_DAY
    put = f"/api/v1/checkins/{day.isoformat()}/answers"
    original = services.ensure_answerable
    revealed = []

    def then_sam_reveals(**kwargs):
        read = original(**kwargs)
        if not revealed:
            prepare, act = submitting(sam_id, day, answers(day, "sam"))

            def run():
                with app.app_context():
                    revealed.append(act(prepare()))
                    db.session.remove()

            thread = threading.Thread(target=run)
            thread.start()
            thread.join(30)
        return read

    with time_machine.travel(evening(day), tick=False):
        alex = ApiClient(app).login("alex@example.com")
        assert alex.put(put, json={"answers": answers(day, "alex first")}).status_code == 200
        monkeypatch.setattr(services, "ensure_answerable", then_sam_reveals)
        response = alex.put(put, json={"answers": {**answers(day, "alex edit"), "mood": 99}})
    assert revealed and revealed[0]["revealed"] is True
    assert response.status_code == 409, response.get_data(as_text=True)
    with app.app_context():
        _, kept = stored(day)
        db.session.remove()
    assert kept[alex_id] == answers(day, "alex first")
