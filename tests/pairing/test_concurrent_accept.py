"""Two accepts at the same moment never leave anyone in two couples (database rule)."""

import threading

from sqlalchemy import func

from couples.clock import utcnow
from couples.errors import DomainError
from couples.extensions import db
from couples.pairing import services
from couples.pairing.models import CoupleMember
from tests.factories import make_user

ROUNDS = 50


def _race(app, jobs):
    """Run each job in its own thread with its own app context, all released at once."""
    barrier = threading.Barrier(len(jobs))
    outcomes = [None] * len(jobs)

    def run(index, job):
        with app.app_context():
            barrier.wait()
            try:
                job()
                outcomes[index] = "ok"
            except DomainError as error:
                outcomes[index] = error.status
            except Exception as error:  # noqa: BLE001 (any other error fails the test)
                outcomes[index] = repr(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def _accept(user_id, code):
    from couples.accounts.models import User

    def job():
        services.accept_invite(user=db.session.get(User, user_id), code=code, now=utcnow())

    return job


def _active_memberships_per_user():
    return dict(
        db.session.execute(
            db.select(CoupleMember.user_id, func.count())
            .where(CoupleMember.left_at.is_(None))
            .group_by(CoupleMember.user_id)
        ).all()
    )


def _rounds(app, people: int, inviters: int, accepts):
    """ROUNDS times: make ``people`` users, invites from the first ``inviters`` of them,
    race the accepts that ``accepts(ids, codes)`` names, and check the database rule
    (nobody in two couples). Yields (ids, outcomes, memberships) for the test's checks."""
    for n in range(ROUNDS):
        with app.app_context():
            users = [make_user(email=f"r{n}-{i}@example.com") for i in range(people)]
            codes = [services.create_invite(user=u, now=utcnow()).code for u in users[:inviters]]
            ids = [u.id for u in users]
        outcomes = _race(app, [_accept(user_id, code) for user_id, code in accepts(ids, codes)])
        with app.app_context():
            counts = _active_memberships_per_user()
        assert all(count == 1 for count in counts.values()), counts
        yield ids, sorted(map(str, outcomes)), counts


def test_one_person_accepting_two_invites_at_once_joins_one_couple(app):
    for (_, _, c), outcomes, counts in _rounds(
        app, 3, 2, lambda ids, codes: [(ids[2], codes[0]), (ids[2], codes[1])]
    ):
        assert outcomes == ["409", "ok"]
        assert counts[c] == 1


def test_two_partners_accepting_each_others_invites_at_once_make_one_couple(app):
    for (a, b), outcomes, counts in _rounds(
        app, 2, 2, lambda ids, codes: [(ids[1], codes[0]), (ids[0], codes[1])]
    ):
        assert outcomes == ["409", "ok"]
        assert counts[a] == counts[b] == 1


def test_two_people_accepting_one_invite_at_once_link_only_one(app):
    for (a, b, c), outcomes, counts in _rounds(
        app, 3, 1, lambda ids, codes: [(ids[1], codes[0]), (ids[2], codes[0])]
    ):
        assert outcomes in (["410", "ok"], ["409", "ok"])
        assert counts[a] == 1
        assert counts.get(b, 0) + counts.get(c, 0) == 1


def _former_partners(app, n):
    """Two people whose couple ended just now (not erased): (ids, couple id, invites)."""
    from couples.pairing.models import Couple

    with app.app_context():
        a, b = make_user(email=f"f{n}-a@example.com"), make_user(email=f"f{n}-b@example.com")
        pairing = services.accept_invite(
            user=b, code=services.create_invite(user=a, now=utcnow()).code, now=utcnow()
        )
        couple_id = pairing.couple.id
        services.unlink(user=a, now=utcnow())
        codes = [services.create_invite(user=u, now=utcnow()).code for u in (a, b)]
        assert db.session.get(Couple, couple_id).ended_at is not None
        return (a.id, b.id), couple_id, codes


def test_former_partners_accepting_each_others_invites_at_once_reopen_one_couple(app):
    from couples.pairing.models import Couple

    for n in range(10):
        (a, b), couple_id, codes = _former_partners(app, n)
        outcomes = _race(app, [_accept(b, codes[0]), _accept(a, codes[1])])
        assert sorted(map(str, outcomes)) == ["409", "ok"]
        with app.app_context():
            counts = _active_memberships_per_user()
            assert counts[a] == counts[b] == 1
            assert db.session.get(Couple, couple_id).ended_at is None  # the same couple


def test_a_reopening_and_the_clock_erasing_at_once_never_both_happen(app):
    """Just before the days of grace run out, one accepts; the clock, just after, erases:
    either the couple is reopened (and stays whole) or it is erased and a new one made."""
    from datetime import timedelta

    from couples.pairing import history
    from couples.pairing.models import Couple

    for n in range(10):
        (a, b), couple_id, codes = _former_partners(app, n)
        grace = timedelta(days=app.config["COUPLE_RESTORE_DAYS"])
        with app.app_context():
            from couples.accounts.models import User

            ended = db.session.get(Couple, couple_id).ended_at
            late = services.create_invite(
                user=db.session.get(User, a), now=ended + grace - timedelta(hours=1)
            ).code

        def accept(b=b, code=late, at=ended + grace - timedelta(seconds=1)):
            from couples.accounts.models import User

            services.accept_invite(user=db.session.get(User, b), code=code, now=at)

        def erase(at=ended + grace):
            history.erase_expired(now=at)

        outcomes = _race(app, [accept, erase])
        assert outcomes == ["ok", "ok"], outcomes
        with app.app_context():
            couple = db.session.get(Couple, couple_id)
            reopened = couple.ended_at is None
            assert reopened != (couple.history_erased_at is not None)
            assert _active_memberships_per_user()[a] == 1
