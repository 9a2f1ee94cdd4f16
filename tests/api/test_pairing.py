"""Invites, accepting them, the couple, unlinking — through the API."""

from datetime import timedelta

import time_machine

from couples.extensions import db
from couples.notifications.models import Notification
from couples.pairing.models import Couple, CoupleMember
from tests.factories import ApiClient, make_user


def _users(app, *emails):
    with app.app_context():
        for email in emails:
            make_user(email=email, display_name=email.split("@")[0].title())
    return [ApiClient(app).login(email) for email in emails]


def test_invite_then_accept_links_the_two(app):
    alex, sam = _users(app, "alex@example.com", "sam@example.com")
    invite = alex.post("/api/v1/invites")
    assert invite.status_code == 201
    body = invite.get_json()
    assert body["url"] == f"http://localhost/join/{body['code']}"
    accepted = sam.post(f"/api/v1/invites/{body['code']}/accept")
    assert accepted.status_code == 200
    assert accepted.get_json()["partner"] == {"display_name": "Alex", "timezone": "UTC"}
    assert alex.get("/api/v1/couple").get_json()["partner"]["display_name"] == "Sam"
    assert sam.get("/api/v1/couple").get_json()["id"] == accepted.get_json()["couple"]["id"]


def test_a_typed_code_with_dashes_and_lower_case_works(app):
    alex, sam = _users(app, "alex@example.com", "sam@example.com")
    code = alex.post("/api/v1/invites").get_json()["code"]
    typed = f"{code[:5]}-{code[5:]}".lower()
    assert sam.post(f"/api/v1/invites/{typed}/accept").status_code == 200


def test_unknown_code_is_404(app):
    (sam,) = _users(app, "sam@example.com")
    response = sam.post("/api/v1/invites/ZZZZZZZZZZ/accept")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_own_invite_is_refused_with_409(app):
    (alex,) = _users(app, "alex@example.com")
    code = alex.post("/api/v1/invites").get_json()["code"]
    response = alex.post(f"/api/v1/invites/{code}/accept")
    assert response.status_code == 409
    assert response.get_json()["type"] == "/problems/own-invite"


def test_a_used_invite_is_gone(app):
    alex, sam, kim = _users(app, "alex@example.com", "sam@example.com", "kim@example.com")
    code = alex.post("/api/v1/invites").get_json()["code"]
    assert sam.post(f"/api/v1/invites/{code}/accept").status_code == 200
    assert kim.post(f"/api/v1/invites/{code}/accept").status_code == 410


def test_an_invite_expires_after_48_hours(app):
    with time_machine.travel("2026-05-01 12:00:00+00:00", tick=False) as traveller:
        alex, sam = _users(app, "alex@example.com", "sam@example.com")
        code = alex.post("/api/v1/invites").get_json()["code"]
        traveller.shift(timedelta(hours=47, minutes=59))
        still = sam.post(f"/api/v1/invites/{code}/accept")
    assert still.status_code == 200

    with time_machine.travel("2026-06-01 12:00:00+00:00", tick=False) as traveller:
        kim, lee = _users(app, "kim@example.com", "lee@example.com")
        code = kim.post("/api/v1/invites").get_json()["code"]
        traveller.shift(timedelta(hours=48))
        late = lee.post(f"/api/v1/invites/{code}/accept")
    assert late.status_code == 410
    assert late.get_json()["type"] == "/problems/invite-gone"


def test_accepting_while_either_side_is_linked_is_409(app):
    alex, sam, kim, lee = _users(
        app, "alex@example.com", "sam@example.com", "kim@example.com", "lee@example.com"
    )
    kim_code = kim.post("/api/v1/invites").get_json()["code"]
    lee_code = lee.post("/api/v1/invites").get_json()["code"]
    alex_code = alex.post("/api/v1/invites").get_json()["code"]
    assert sam.post(f"/api/v1/invites/{alex_code}/accept").status_code == 200
    # the accepting side is linked
    assert sam.post(f"/api/v1/invites/{kim_code}/accept").status_code == 409
    # the inviting side is linked (its invite was made before it linked)
    kim_code_2 = kim_code
    assert alex.post(f"/api/v1/invites/{lee_code}/accept").status_code == 409
    assert kim.post(f"/api/v1/invites/{lee_code}/accept").status_code == 200
    assert lee.post(f"/api/v1/invites/{kim_code_2}/accept").status_code in (409, 410)
    with app.app_context():
        assert db.session.query(Couple).count() == 2


def test_creating_an_invite_while_linked_is_409(two_partners):
    alex, _ = two_partners
    response = alex.post("/api/v1/invites")
    assert response.status_code == 409
    assert response.get_json()["type"] == "/problems/already-linked"


def test_couple_is_404_when_not_linked(app):
    (alex,) = _users(app, "alex@example.com")
    assert alex.get("/api/v1/couple").status_code == 404
    assert alex.delete("/api/v1/couple").status_code == 404


def test_either_partner_can_unlink_and_the_other_gets_a_quiet_notice(app, two_partners):
    alex, sam = two_partners
    assert sam.delete("/api/v1/couple").status_code == 204
    assert alex.get("/api/v1/couple").status_code == 404
    assert sam.get("/api/v1/couple").status_code == 404
    assert alex.get("/api/v1/me").get_json()["partner"] is None
    with app.app_context():
        notices = db.session.query(Notification).all()
        assert [(n.kind, n.push, n.status) for n in notices] == [("couple_ended", False, "inbox")]
        alex_id = int(alex.get("/api/v1/me").get_json()["user"]["id"])
        assert notices[0].user_id == alex_id
        assert "Sam" in notices[0].body
    # both may link again, with each other or anyone
    code = alex.post("/api/v1/invites").get_json()["code"]
    assert sam.post(f"/api/v1/invites/{code}/accept").status_code == 200


def test_after_unlinking_the_old_couple_keeps_its_history(app, two_partners):
    alex, sam = two_partners
    sam.delete("/api/v1/couple")
    with app.app_context():
        couple = db.session.query(Couple).one()
        assert couple.ended_at is not None
        assert all(m.left_at is not None for m in db.session.query(CoupleMember))
