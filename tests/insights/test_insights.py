"""Insights: only revealed check-ins count, each partner's own series side by side, the
charts carry words for screen readers, and the period is 7, 30 or 90 days."""

from datetime import UTC, datetime

from couples.insights import charts

EVENING = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)  # Wednesday


def _answer(client, day, **answers):
    response = client.put(
        f"/api/v1/checkins/{day}/answers", json={"answers": {"needs_met": 4, "mood": 4, **answers}}
    )
    assert response.status_code == 200, response.get_json()


def test_only_revealed_checkins_count_for_either_partner(couple):
    couple.link()
    with couple.at(datetime(2026, 11, 17, 20, 0, tzinfo=UTC)) as (alex, sam):
        _answer(alex, "2026-11-17", needs_met=2, mood=1, love_languages_felt=["gifts"])
        _answer(sam, "2026-11-17", needs_met=5, mood=5)
    with couple.at(EVENING) as (alex, sam):
        _answer(
            alex, "2026-11-18", needs_met=1, mood=2, on_my_mind=True, love_languages_felt=["touch"]
        )  # Sam has not answered the 18th
        seen_by_sam = sam.get("/api/v1/insights?days=7").get_json()
        seen_by_alex = alex.get("/api/v1/insights?days=7").get_json()
    assert seen_by_sam["dates"][-2:] == ["2026-11-17", "2026-11-18"]
    assert seen_by_sam["needs_met"] == {
        "me": [None] * 5 + [5, None],
        "partner": [None] * 5 + [2, None],
    }
    assert seen_by_sam["love_languages_felt"]["partner"]["touch"] == 0
    assert seen_by_sam["love_languages_felt"]["partner"]["gifts"] == 1
    assert seen_by_sam["negatives"] == 0  # Alex's "on my mind" of the 18th is not counted
    assert seen_by_sam["days_both_checked_in"] == 1
    assert seen_by_alex["needs_met"]["me"][-2:] == [2, None]
    assert seen_by_alex["mood"]["partner"][-2:] == [5, None]


def test_appreciations_and_bids_make_the_good_moments(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        assert alex.post("/api/v1/appreciations", json={"text": "Thanks!"}).status_code == 201
        bid = sam.post("/api/v1/bids", json={"preset": "hug"}).get_json()
        assert (
            alex.post(f"/api/v1/bids/{bid['id']}/response", json={"response": "toward"}).status_code
            == 200
        )
        away = alex.post("/api/v1/bids", json={"text": "tea?"}).get_json()
        assert (
            sam.post(f"/api/v1/bids/{away['id']}/response", json={"response": "away"}).status_code
            == 200
        )
        data = alex.get("/api/v1/insights?days=30").get_json()
    assert data["appreciations"] == {"total": 1, "mine": 1}  # no partner-vs-partner count
    assert data["bids"]["toward"] == 1 and data["bids"]["away"] == 1
    assert data["turned_toward_share"] == 0.5
    assert data["positives"] == 2 and data["negatives"] == 1


def test_period_must_be_7_30_or_90(couple):
    couple.link()
    with couple.at(EVENING) as (alex, _):
        for days in ("7", "30", "90"):
            assert len(alex.get(f"/api/v1/insights?days={days}").get_json()["dates"]) == int(days)
        for days in ("10", "0", "-7", "abc", "99999999999"):
            response = alex.get(f"/api/v1/insights?days={days}")
            assert response.status_code == 422, days
            assert "days" in response.get_json()["errors"]
        assert alex.client.get("/insights?days=10").status_code == 200  # the page falls back


def test_the_page_draws_charts_with_words(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        _answer(alex, "2026-11-18")
        _answer(sam, "2026-11-18", needs_met=5)
        html = alex.client.get("/insights?days=7").get_data(as_text=True)
    assert html.count('<svg class="chart"') == 2 and html.count('<svg class="bars"') == 5
    assert 'role="img"' in html and "<desc" in html
    assert "You: 4.0 out of 5 on average, over 1 day." in html
    assert "Sam: 5.0 out of 5 on average, over 1 day." in html


def test_outsider_has_no_insights(outsider):
    assert outsider.get("/api/v1/insights").status_code == 404
    assert outsider.client.get("/insights").status_code == 404


def test_bar_rows_scale_to_the_largest_value_and_carry_no_words():
    svg = charts.bar_row([("me", "You", 2), ("partner", "Sam", 4)], top=4)
    assert 'width="100.0"' in svg and 'width="200.0"' in svg
    assert 'aria-hidden="true"' in svg and "<text" not in svg


def test_line_chart_breaks_at_gaps_and_escapes_names():
    svg = charts.line_chart("x", "T <1>", "D & d", [("me", "<b>", [1, None, 3, 4])], 1, 5)
    assert svg.count(" M") + svg.count('"M') == 2  # two segments around the gap
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "T &lt;1&gt;" in svg
