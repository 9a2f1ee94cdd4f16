"""Roles are not handed out: the partner who did not open a repair says how they see it
(hurt, wanting to make it right, or both) in their ``ready`` step before the walk goes
on, and nothing tells them a role before that: no page, no notification, no API field."""

import re

import pytest

from tests.factories import page
from tests.factories import post_form as post
from tests.repair.helpers import (
    HEARING,
    START,
    assert_problem,
    counts,
    open_repair,
    step,
    view,
)
from tests.repair.test_notifications import ALEX, SAM, outbox
from tests.repair.test_pages import refused_step, text

ROLE_WORDS = re.compile(r"make (this|something) right|hurt|apologi", re.IGNORECASE)


@pytest.fixture
def couple(couple):
    return couple.link()


def test_the_partner_must_say_how_they_see_it_before_going_on(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex, "apologizing")
        step(alex, rid, "ready")
        before = counts(couple.app)
        problem = assert_problem(sam.post(f"/api/v1/repairs/{rid}/steps/ready", json={}), 422)
        assert "view" in problem["errors"]
        assert counts(couple.app) == before
        data = step(sam, rid, "ready", {"view": "hurt"})
        assert data["state"] == "hearing" and data["my_role"] == "hurt"
        assert data["views"] == {"settled": True, "mine": "hurt", "partner": "apologizing"}
        assert view(alex, rid)["views"] == {
            "settled": True,
            "mine": "apologizing",
            "partner": "hurt",
        }


def test_nothing_tells_the_partner_a_role_before_they_have_said_theirs(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex, "hurt")
        step(alex, rid, "ready", {"view": "hurt"})
        data = view(sam, rid)
        assert data["my_role"] is None
        assert data["views"] == {"settled": False, "mine": None, "partner": None}
        assert all("role" not in s["written"] and "view" not in s["written"] for s in data["steps"])
        listed = sam.get("/api/v1/repairs").get_json()["items"]
        assert [i["my_role"] for i in listed] == [None]
        for notification in outbox(couple.app, SAM):
            assert not ROLE_WORDS.search(notification.title + " " + notification.body)
        shown = text(page(sam, f"/repairs/{rid}"))
        assert "How do you see it?" in shown
        assert "you'd like to make this right" not in shown
        assert "mending it together" not in shown
        history = text(page(sam, f"/repairs/{rid}/history"))
        assert "having been hurt" not in history and "make it right" not in history
        # Once Sam has said, Sam is told, and the history shows both views.
        step(sam, rid, "ready", {"view": "apologizing"})
        assert view(sam, rid)["my_role"] == "apologizing"
        assert "having been hurt" in text(page(sam, f"/repairs/{rid}/history"))


@pytest.mark.parametrize(
    ("opener_view", "partner_view", "alex_role"),
    [
        ("apologizing", "hurt", "apologizing"),
        ("hurt", "apologizing", "hurt"),
        ("apologizing", "both", "apologizing"),  # the opener's choice stands
        ("hurt", "both", "hurt"),
    ],
)
def test_views_that_fit_settle_the_roles(couple, opener_view, partner_view, alex_role):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex, opener_view)
        step(alex, rid, "ready")
        data = step(sam, rid, "ready", {"view": partner_view})
        assert data["state"] == "hearing"
        assert view(alex, rid)["my_role"] == alex_role
        assert data["my_role"] == ("hurt" if alex_role == "apologizing" else "apologizing")


@pytest.mark.parametrize("same", ["hurt", "apologizing"])
def test_views_that_differ_wait_kindly_until_either_changes_theirs(couple, same):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex, same)
        step(alex, rid, "ready")
        data = step(sam, rid, "ready", {"view": same})
        # Nobody goes on, nobody is given a role, and either may change their view.
        assert data["state"] == "ready" and data["next_actor"] == "both"
        assert data["my_role"] is None
        assert data["views"] == {"settled": False, "mine": same, "partner": same}
        for who in (alex, sam):
            shown = text(page(who, f"/repairs/{rid}"))
            assert "You see this a little differently" in shown
            assert "How do you see it now?" in shown
        assert any("sees it a little differently" in n.title for n in outbox(couple.app, ALEX))
        # Sending the same view again changes nothing.
        assert step(sam, rid, "ready", {"view": same})["state"] == "ready"
        # Alex, the opener, changes theirs through the page: the roles follow.
        other = "apologizing" if same == "hurt" else "hurt"
        assert post(alex, f"/repairs/{rid}/steps/ready", {"view": other}).status_code == 302
        data = view(alex, rid)
        assert data["state"] == "hearing" and data["my_role"] == other
        hurt = sam if other == "apologizing" else alex
        assert step(hurt, rid, "hearing", HEARING)["state"] == "reflect"


def test_the_ready_page_asks_for_a_view_and_keeps_the_choice_when_refused(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex, "apologizing")
        url = f"/repairs/{rid}"
        markup = page(sam, url)
        for key in ("hurt", "apologizing", "both"):
            assert f'name="view" value="{key}"' in markup
        for words in ("I'm the one who was hurt", "I want to make it right", "We both are"):
            assert words in text(markup)
        refused = refused_step(sam, f"{url}/steps/ready", {})
        assert refused.status_code == 200
        shown = refused.get_data(as_text=True)
        assert "Say how you see it, so you can begin." in text(shown)
        assert 'aria-invalid="true"' in shown
        assert post(sam, f"{url}/steps/ready", {"view": "both"}).status_code == 302
        shown = text(page(sam, url))
        assert "You see a part for both of you." in shown
        assert "you share first how it felt" in shown
        assert "Sam sees a part for both of you." in text(page(alex, url))
