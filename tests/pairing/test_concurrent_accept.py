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
