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


def test_line_chart_runs_through_answered_days_and_escapes_names():
    svg = charts.line_chart("x", "T <1>", "D & d", [("me", "<b>", [1, None, 3, 4])], 1, 5)
    # One line through the three answers; the day without one has no point.
    assert svg.count('d="M') == 1 and svg.count("L") == 2
    assert svg.count('<circle class="dot me"') == 3
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "T &lt;1&gt;" in svg


def test_line_chart_tells_the_two_apart_without_colour():
    svg = charts.line_chart(
        "n", "Needs met", "words", [("me", "You", [2, 4]), ("partner", "Sam", [5, 3])], 1, 5
    )
    # Round markers for the first, square ones for the second (its line is dashed in CSS).
    assert svg.count('<circle class="dot me"') == 2 and svg.count('<rect class="dot partner"') == 2


def test_weekly_averages_count_back_from_the_last_date():
    from datetime import date, timedelta

    dates = [date(2026, 9, 1) + timedelta(days=n) for n in range(10)]
    values = [1, None, 3, None, None, None, None, None, 4, 5]
    weeks = charts.weekly(dates, values)
    # Ten dates: a first week of three, then a full one ending on the last date.
    assert weeks == [
        (date(2026, 9, 1), date(2026, 9, 3), 2.0),
        (date(2026, 9, 4), date(2026, 9, 10), 4.5),
    ]
    assert charts.weekly(dates[:7], [None] * 7) == [(dates[0], dates[6], None)]


def test_ninety_days_are_drawn_as_weeks_and_thirty_as_days(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        _answer(alex, "2026-11-18")
        _answer(sam, "2026-11-18")
        ninety = alex.client.get("/insights?days=90").get_data(as_text=True)
        thirty = alex.client.get("/insights?days=30").get_data(as_text=True)
    assert "Needs met, weekly average" in ninety and "Each point is a week's average" in ninety
    assert "Needs met, day by day" in thirty and "Each point is a day you both answered" in thirty
    # The ends of the scale and of the period in words, around each chart.
    for words in ("1 · Not at all", "5 · Fully", "1 · Low", "5 · Bright", "20 Oct", "18 Nov"):
        assert f">{words}<" in thirty


def test_on_my_mind_is_not_a_harder_moment_and_few_bids_get_no_percentage(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        _answer(alex, "2026-11-18", on_my_mind=True)
        _answer(sam, "2026-11-18")
        for response in ("toward", "away", "toward"):
            bid = sam.post("/api/v1/bids", json={"text": "tea?"}).get_json()
            alex.post(f"/api/v1/bids/{bid['id']}/response", json={"response": response})
        data = alex.get("/api/v1/insights?days=7").get_json()
        html = alex.client.get("/insights?days=7").get_data(as_text=True)
    assert data["negatives"] == 1  # the bid left, not what was on Alex's mind
    assert "1 harder one (bids missed or turned away)" in html
    assert "Once, one of you said something was on your mind." in html
    assert "2 of 3 bids were turned toward, now or later." in html
    assert "%" not in html.split('id="bids-h"')[1]


def test_ten_answered_bids_or_more_may_be_a_percentage(couple):
    couple.link()
    with couple.at(EVENING) as (alex, sam):
        for n in range(10):
            bid = sam.post("/api/v1/bids", json={"text": f"tea {n}?"}).get_json()
            response = "toward" if n < 7 else "away"
            alex.post(f"/api/v1/bids/{bid['id']}/response", json={"response": response})
        html = alex.client.get("/insights?days=7").get_data(as_text=True)
    assert "70% of 10 bids were turned toward, now or later." in html


def test_repairs_made_together_are_good_moments(couple):
    from datetime import timedelta

    from couples.extensions import db
    from couples.pairing.models import Couple
    from couples.repair.models import Repair

    couple.link()
    with couple.app.app_context():
        couple_id = db.session.scalars(db.select(Couple.id)).one()
        for days_ago, title in ((3, "Inside the week"), (20, "Outside the week")):
            db.session.add(
                Repair(
                    couple_id=couple_id,
                    title=title,
                    state="following_through",
                    plan_done_at=EVENING - timedelta(days=days_ago),
                )
            )
        db.session.add(Repair(couple_id=couple_id, title="Under way", state="apology"))
        db.session.commit()
    with couple.at(EVENING) as (alex, _sam):
        week = alex.get("/api/v1/insights?days=7").get_json()
        month = alex.get("/api/v1/insights?days=30").get_json()
        html = alex.client.get("/insights?days=7").get_data(as_text=True)
    assert (week["repairs_made"], week["positives"]) == (1, 1)
    assert (month["repairs_made"], month["positives"]) == (2, 2)
    assert "repairs made together" in html and "about five for each" in html
    assert "isn't a score" in html.replace("&#39;", "'")


def test_the_top_language_is_set_beside_the_evenings_it_was_felt_over_time(couple):
    from datetime import timedelta

    couple.link(when=EVENING - timedelta(days=95))
    with couple.at(EVENING - timedelta(days=95)) as (alex, sam):
        ranking = ["time", "acts", "words", "touch", "gifts"]
        assert alex.put("/api/v1/love-languages", json={"ranking": ranking}).status_code == 200
    # Wednesdays (nightly check-ins): quality time felt once in the oldest month, twice in
    # the newest; acts of service felt more.
    felt = {84: ["acts"], 77: ["time", "acts"], 42: ["acts"], 14: ["time"], 7: ["time", "acts"]}
    for days_ago, languages in felt.items():
        day = EVENING - timedelta(days=days_ago)
        with couple.at(day) as (alex, sam):
            _answer(alex, day.date().isoformat(), love_languages_felt=languages)
            _answer(sam, day.date().isoformat())
    with couple.at(EVENING) as (alex, sam):
        data = alex.get("/api/v1/insights?days=90").get_json()
        html = alex.client.get("/insights?days=90").get_data(as_text=True)
        sams = sam.get("/api/v1/insights?days=90").get_json()
    assert data["top_language_felt"]["me"] == [
        {"felt": 1, "of": 2},
        {"felt": 0, "of": 1},
        {"felt": 2, "of": 2},
    ]
    assert data["top_language_felt"]["partner"] == [{"felt": 0, "of": 0}] * 3  # no ranking
    assert (
        "Your top language, quality time: felt on 1 of 2, then 0 of 1, then 2 of 2 evenings. "
        "Acts of service came up more often (4)."
    ) in html
    assert sams["top_language_felt"]["partner"] == data["top_language_felt"]["me"]
