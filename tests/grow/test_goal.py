"""My goal this month, outside the relationship, and how my partner can back me: mine
alone until I share it, by my own calendar."""

from datetime import UTC, datetime

from tests.factories import page, post_form, post_refused

EVENING = datetime(2026, 12, 5, 21, 0, tzinfo=UTC)


def test_a_goal_is_mine_until_i_share_it(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        assert alex.get("/api/v1/me/goal").status_code == 404
        body = {"goal": "Run 5 km without stopping", "support": "Keep Sunday mornings free"}
        made = alex.put("/api/v1/me/goal", json=body)
        assert made.status_code == 200, made.get_json()
        assert made.get_json() == {**body, "month": "2026-12", "shared": False}
        assert sam.get("/api/v1/couple/goal").status_code == 404
        for path in ("/", "/grow"):
            assert "Run 5 km" not in page(sam, path)
        assert "Run 5 km" not in sam.export().get_data(as_text=True)

        assert alex.put("/api/v1/me/goal", json={**body, "shared": True}).status_code == 200
        assert sam.get("/api/v1/couple/goal").get_json()["goal"] == "Run 5 km without stopping"
        hub = page(sam, "/grow")
        assert "Alex's goal this month" in hub and "Keep Sunday mornings free" in hub
        # Changed on the page, the box unticked: hidden again.
        post_form(alex, "/grow/goal", {"goal": "Finish the quilt", "support": ""})
        assert sam.get("/api/v1/couple/goal").status_code == 404
        mine = alex.get("/api/v1/me/goal").get_json()
        assert (mine["goal"], mine["support"], mine["shared"]) == ("Finish the quilt", None, False)
        assert [g["goal"] for g in alex.export().get_json()["grow"]["month_goals"]] == [
            "Finish the quilt"
        ]


def test_a_new_month_by_my_own_clock_starts_without_a_goal(couple):
    couple.link(alex_tz="Pacific/Auckland")
    with couple.at(datetime(2026, 11, 30, 10, 0, tzinfo=UTC)) as (alex, _sam):
        alex.put("/api/v1/me/goal", json={"goal": "Call Gran weekly"})  # 30 Nov, 23:00 there
        assert alex.get("/api/v1/me/goal").get_json()["month"] == "2026-11"
    with couple.at(datetime(2026, 11, 30, 12, 0, tzinfo=UTC)) as (alex, _sam):
        assert alex.get("/api/v1/me/goal").status_code == 404  # 1 December in Auckland


def test_an_empty_goal_is_refused_and_kept(couple):
    couple.link()
    with couple.at(EVENING) as (alex, _sam):
        for bad in ({}, {"goal": "   "}, {"goal": "x" * 301}, {"goal": "ok", "shared": "yes"}):
            response = alex.put("/api/v1/me/goal", json=bad)
            assert response.status_code == 422 and response.get_json()["errors"], bad
        html = post_refused(
            alex, "/grow/goal", {"goal": " ", "support": "Remind me"}, to="/grow"
        ).get_data(as_text=True)
        assert "Write your goal in a few words." in html and 'value="Remind me"' in html
        assert alex.get("/api/v1/me/goal").status_code == 404
