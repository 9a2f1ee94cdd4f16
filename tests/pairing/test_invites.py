"""An invite links only while its author is free: linking ends every other invite of
both people, and a refusal never says who made the invite."""

from datetime import timedelta

from couples.clock import utcnow
from couples.extensions import db
from couples.pairing.models import Invite
from couples.pairing.services import CODE_LENGTH
from tests.factories import ApiClient, make_user, post_form


def _people(app, *names):
    with app.app_context():
        for name in names:
            make_user(email=f"{name.lower()}@example.com", display_name=name)
    return [ApiClient(app).login(f"{name.lower()}@example.com") for name in names]


def _invite(who) -> str:
    response = who.post("/api/v1/invites")
    assert response.status_code == 201
    return response.get_json()["code"]


def _accept(who, code):
    return who.post(f"/api/v1/invites/{code}/accept")


def _open_invite_of(app, email: str, code: str) -> None:
    """An invite of someone linked that is still open, however it came to be (made at
    the very moment they linked, or before invites ended on linking)."""
    from couples.accounts.models import User

    with app.app_context():
        user = db.session.execute(db.select(User).filter_by(email=email)).scalar_one()
        now = utcnow()
        db.session.add(
            Invite(
                code=code, inviter_id=user.id, created_at=now, expires_at=now + timedelta(hours=1)
            )
        )
        db.session.commit()


def test_linking_ends_every_open_invite_of_both_so_none_returns_after_unlinking(app):
    kim, lee, max_ = _people(app, "Kim", "Lee", "Max")
    kims = _invite(kim)
    lees_first, lees_second = _invite(lee), _invite(lee)
    assert _accept(kim, lees_second).status_code == 200
    assert kim.delete("/api/v1/couple").status_code == 204
    # Both are free again, and no invite either made before linking works any more.
    for code in (kims, lees_first):
        response = _accept(max_, code)
        assert response.status_code == 410, response.get_json()
        assert response.get_json()["type"] == "/problems/invite-gone"
    assert 'name="code"' in kim.get("/pair").get_data(as_text=True)
    assert kims not in kim.get("/pair").get_data(as_text=True)
    assert max_.get("/api/v1/couple").status_code == 404


def test_unlinking_ends_an_invite_made_while_linked(app):
    kim, lee, max_ = _people(app, "Kim", "Lee", "Max")
    assert _accept(kim, _invite(lee)).status_code == 200
    code = "7K2M9QX4TB"
    assert len(code) == CODE_LENGTH
    _open_invite_of(app, "kim@example.com", code)
    assert kim.delete("/api/v1/couple").status_code == 204
    assert _accept(max_, code).status_code == 410
    assert max_.get("/api/v1/couple").status_code == 404


def test_refusing_the_invite_of_someone_linked_never_names_them(app):
    kim, lee, max_ = _people(app, "Kim", "Lee", "Max")
    assert _accept(kim, _invite(lee)).status_code == 200
    code = "7K2M9QX4TB"
    _open_invite_of(app, "kim@example.com", code)

    response = _accept(max_, code)
    assert response.status_code == 410, response.get_json()
    assert "Kim" not in response.get_data(as_text=True)
    # The join page neither shows who made it nor names them when refusing.
    shown = max_.get(f"/join/{code}")
    assert shown.status_code == 410 and "Kim" not in shown.get_data(as_text=True)
    refused = post_form(max_, f"/join/{code}", {})
    assert refused.status_code == 410 and "Kim" not in refused.get_data(as_text=True)
    assert max_.get("/api/v1/couple").status_code == 404


def test_the_join_page_names_the_author_of_an_invite_that_can_link(app):
    kim, max_ = _people(app, "Kim", "Max")
    code = _invite(kim)
    page = max_.get(f"/join/{code}")
    assert page.status_code == 200 and "Kim invited you" in page.get_data(as_text=True)
