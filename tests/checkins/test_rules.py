"""The pure check-in rules: dates, kinds, questions, answer checks, next steps."""

from datetime import UTC, date, datetime

import pytest

from couples.checkins import rules

NIGHTLY = rules.questions_for("nightly", question_of_the_day="What made you laugh?")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


@pytest.mark.parametrize(
    ("instant", "tz", "expected"),
    [
        ("2026-03-10T11:59:59-10:00", "Pacific/Honolulu", ["2026-03-10", "2026-03-09"]),
        ("2026-03-10T12:00:00-10:00", "Pacific/Honolulu", ["2026-03-10"]),
        ("2026-03-10T23:59:00+13:00", "Pacific/Tongatapu", ["2026-03-10"]),
        ("2026-03-11T00:00:00+13:00", "Pacific/Tongatapu", ["2026-03-11", "2026-03-10"]),
    ],
)
def test_open_dates_are_today_and_yesterday_until_noon_local(instant, tz, expected):
    assert [d.isoformat() for d in rules.open_dates(at(instant), tz)] == expected


def test_one_instant_is_two_different_tonights_far_apart():
    instant = at("2026-03-10T08:30:00+00:00")  # 22:30 the 9th in Honolulu, 21:30 the 10th in Tonga
    assert rules.open_dates(instant, "Pacific/Honolulu")[0] == date(2026, 3, 9)
    assert rules.open_dates(instant, "Pacific/Tongatapu")[0] == date(2026, 3, 10)


def test_grace_window_on_a_spring_forward_morning():
    # 2026-03-08 02:00 does not exist in New York; noon is still noon local.
    tz = "America/New_York"
    assert len(rules.open_dates(at("2026-03-08T11:59:00-04:00"), tz)) == 2
    assert len(rules.open_dates(at("2026-03-08T12:00:00-04:00"), tz)) == 1


def test_kind_follows_the_schedule():
    schedule = rules.Schedule(nightly_days=frozenset({0, 2}), weekly_day=6)
    assert rules.kind_for(date(2026, 11, 16), schedule) == "nightly"  # Monday
    assert rules.kind_for(date(2026, 11, 17), schedule) is None  # Tuesday
    assert rules.kind_for(date(2026, 11, 22), schedule) == "weekly"  # Sunday
    assert rules.kind_for(date(2026, 11, 22), rules.Schedule(weekly_day=None)) == "nightly"


def test_questions_follow_modules_and_kind():
    keys = [q["key"] for q in NIGHTLY]
    # The nightly core first, then what goes deeper.
    assert keys[:5] == ["needs_met", "appreciation", "mood", "on_my_mind", "on_my_mind_text"]
    assert keys.index("needs_help") > keys.index("on_my_mind_text")
    assert "question_of_the_day" in keys and "week_needs_met" not in keys
    weekly = [q["key"] for q in rules.questions_for("weekly", question_of_the_day="Q?")]
    assert weekly[-6:] == [
        "week_went_well",
        "week_appreciations",
        "week_talk_about",
        "week_needs_met",
        "week_more_for_you",
        "week_together",
    ]
    fewer = [
        q["key"]
        for q in rules.questions_for(
            "nightly", modules_off={"mood", "question"}, question_of_the_day="Q?"
        )
    ]
    assert "mood" not in fewer and "question_of_the_day" not in fewer
    custom = rules.questions_for(
        "nightly", custom=[rules.custom_question(7, "choice", "Tea?", ["yes", "no"])]
    )
    assert custom[-1] == {
        "key": "custom_7",
        "type": "choice",
        "prompt": "Tea?",
        "required": False,
        "options": ["yes", "no"],
    }


def test_valid_answers_are_cleaned_and_skipped_ones_are_none():
    clean, errors = rules.check_answers(
        NIGHTLY,
        {
            "needs_met": 4,
            "mood": 3,
            "needs_help": "  a walk  ",
            "appreciation": "",
            "love_languages_felt": ["touch", "words"],
            "on_my_mind": False,
        },
    )
    assert errors == {}
    assert clean["needs_help"] == "a walk"
    assert clean["appreciation"] is None
    assert clean["love_languages_felt"] == ["words", "touch"]  # in the options' order
    assert clean["felt_seen"] is None and set(clean) == {q["key"] for q in NIGHTLY}


@pytest.mark.parametrize(
    ("answers", "field", "message"),
    [
        ({"mood": 3}, "answers.needs_met", "Please answer this one."),
        ({"needs_met": 0, "mood": 3}, "answers.needs_met", "Choose a number from 1 to 5."),
        ({"needs_met": 6, "mood": 3}, "answers.needs_met", "Choose a number from 1 to 5."),
        ({"needs_met": True, "mood": 3}, "answers.needs_met", "Choose a number from 1 to 5."),
        ({"needs_met": "4", "mood": 3}, "answers.needs_met", "Choose a number from 1 to 5."),
        ({"needs_met": 4.5, "mood": 3}, "answers.needs_met", "Choose a number from 1 to 5."),
        (
            {"needs_met": 4, "mood": 3, "turned_toward": "always"},
            "answers.turned_toward",
            "Choose one of the options.",
        ),
        (
            {"needs_met": 4, "mood": 3, "love_languages_felt": ["hugs"]},
            "answers.love_languages_felt",
            "Choose from the options.",
        ),
        (
            {"needs_met": 4, "mood": 3, "love_languages_felt": ["time", "time"]},
            "answers.love_languages_felt",
            "Choose each option once.",
        ),
        (
            {"needs_met": 4, "mood": 3, "on_my_mind": "yes"},
            "answers.on_my_mind",
            "Answer yes or no.",
        ),
        (
            {"needs_met": 4, "mood": 3, "felt_seen": "x" * 2001},
            "answers.felt_seen",
            "Keep it under 2,000 characters.",
        ),
        (
            {"needs_met": 4, "mood": 3, "felt_seen": "a\x00b"},
            "answers.felt_seen",
            "This contains characters that can't be saved.",
        ),
        ({"needs_met": 4, "mood": 3, "felt_seen": 5}, "answers.felt_seen", "Write this as text."),
        (
            {"needs_met": 4, "mood": 3, "shoe_size": 9},
            "answers.shoe_size",
            "This is not a question of this check-in.",
        ),
    ],
)
def test_each_wrong_answer_gets_its_own_message(answers, field, message):
    _, errors = rules.check_answers(NIGHTLY, answers)
    assert errors == {field: [message]}


@pytest.mark.parametrize(
    ("on_my_mind", "kept"),
    [(True, "the trip"), (False, None), (None, None)],
)
def test_what_is_on_my_mind_counts_only_after_a_yes(on_my_mind, kept):
    """The words field is asked only after "yes": words left in it after a "no" (or no
    answer) are not stored, so the partner never sees them."""
    answers = {"needs_met": 4, "mood": 3, "on_my_mind_text": "the trip"}
    if on_my_mind is not None:
        answers["on_my_mind"] = on_my_mind
    clean, errors = rules.check_answers(NIGHTLY, answers)
    assert errors == {}
    assert clean["on_my_mind_text"] == kept
    [follow_up] = [q for q in NIGHTLY if q["key"] == "on_my_mind_text"]
    assert follow_up["follows"] == "on_my_mind"


def test_weekly_scale_runs_to_ten():
    weekly = rules.questions_for("weekly")
    _, errors = rules.check_answers(weekly, {"needs_met": 3, "mood": 3, "week_needs_met": 10})
    assert errors == {}
    _, errors = rules.check_answers(weekly, {"needs_met": 3, "mood": 3, "week_needs_met": 11})
    assert errors == {"answers.week_needs_met": ["Choose a number from 1 to 10."]}


def test_multiline_text_keeps_its_lines():
    clean, errors = rules.check_answers(
        NIGHTLY, {"needs_met": 4, "mood": 3, "felt_seen": "one\r\ntwo\tthree"}
    )
    assert errors == {} and clean["felt_seen"] == "one\ntwo\tthree"


@pytest.mark.parametrize(
    ("mine", "theirs", "expected"),
    [
        ({"needs_met": 4}, {"needs_met": 5}, []),
        ({"needs_met": 2}, {"needs_met": 3}, ["needs_low"]),
        ({"needs_met": 5}, {"needs_met": 3}, ["needs_apart"]),
        ({"needs_met": 1}, {"needs_met": 5}, ["needs_low", "needs_apart"]),
        ({"needs_met": 4, "on_my_mind": True}, {"needs_met": 4}, ["on_my_mind"]),
        ({}, {"needs_met": None}, []),
    ],
)
def test_a_reveal_offers_a_next_step_only_for_a_reason(mine, theirs, expected):
    assert rules.next_step_reasons(mine, theirs) == expected


def test_the_nightly_core_is_four_questions_and_the_rest_goes_deeper():
    questions = rules.questions_for(
        "weekly",
        question_of_the_day="Q?",
        custom=[rules.custom_question(7, "scale", "Sleep?")],
    )
    parts = rules.parts(questions)
    core = [q["key"] for q in parts.core if not q.get("follows")]
    assert core == ["needs_met", "appreciation", "mood", "on_my_mind"]
    assert [q["key"] for q in parts.deeper] == [
        "needs_help",
        "love_languages_felt",
        "love_language_wish",
        "turned_toward",
        "felt_seen",
        "question_of_the_day",
        "custom_7",
    ]
    assert [q["key"] for q in parts.week][0] == "week_went_well"
    assert not any(q["required"] for q in parts.deeper)


def test_the_deeper_modules_can_each_be_turned_off():
    keys = {
        q["key"]
        for q in rules.questions_for(
            "nightly", modules_off=set(rules.DEEPER_MODULES), question_of_the_day="Q?"
        )
    }
    assert keys == {"needs_met", "appreciation", "mood", "on_my_mind", "on_my_mind_text"}
