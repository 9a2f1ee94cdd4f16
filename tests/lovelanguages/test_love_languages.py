"""Love languages through the API and the pages: the quiz, ordering by hand, what a
partner sees, and the small move offered while waiting for a partner's check-in."""

import re
from datetime import UTC, datetime

import pytest
from markupsafe import escape

from couples.extensions import db
from couples.lovelanguages import content, quiz
from couples.lovelanguages.models import LoveProfile
from tests.factories import page, post_form

LANGUAGES = list(content.LANGUAGES)
EVENING = datetime(2026, 11, 18, 20, 0, tzinfo=UTC)  # Wednesday; 15:00 New York, 20:00 London


def preferring(*order: str) -> dict[str, str]:
    """Quiz answers of someone who always picks the language earlier in ``order``."""
    rank = {language: n for n, language in enumerate(order)}
    return {
        pair.key: "a" if rank[pair.a.language] < rank[pair.b.language] else "b"
        for pair in content.QUIZ
    }


TOUCH_FIRST = preferring("touch", "time", "words", "acts", "gifts")


def stored(app) -> dict[int, LoveProfile]:
    with app.app_context():
        profiles = db.session.execute(db.select(LoveProfile)).scalars().all()
        return {p.user_id: (list(p.ranking), p.source, p.quiz_choices) for p in profiles}


def html(text: str) -> str:
    return str(escape(text))


@pytest.fixture
def couple(couple):
    """Alex (New York) and Sam (London), linked; ``couple(instant)`` logs both in there."""
    return couple.link().at


# --------------------------------------------------------------------------------- API


def test_profiles_are_empty_until_the_quiz_then_both_partners_see_them(two_partners, app):
    alex, sam = two_partners
    before = alex.get("/api/v1/love-languages")
    assert before.status_code == 200
    body = before.get_json()
    assert body["me"] is None and body["partner"] is None
    assert body["labels"] == content.LANGUAGE_LABELS
    assert set(body["ideas"]) == set(LANGUAGES)
    assert all(len(ideas) >= 8 for ideas in body["ideas"].values())

    response = alex.post("/api/v1/love-languages/quiz", json={"choices": TOUCH_FIRST})
    assert response.status_code == 200, response.get_json()
    result = quiz.score(TOUCH_FIRST)
    profile = response.get_json()
    assert profile["ranking"] == list(result.ranking) == ["touch", "time", "words", "acts", "gifts"]
    assert profile["top"] == "touch" and profile["source"] == "quiz"
    assert profile["counts"] == result.counts
    assert sum(profile["counts"].values()) == len(content.QUIZ)
    assert profile["tied"] == [list(group) for group in result.tied]
    assert profile["updated_at"].endswith("+00:00")

    mine = alex.get("/api/v1/love-languages").get_json()
    assert mine["me"]["ranking"] == list(result.ranking) and mine["partner"] is None
    theirs = sam.get("/api/v1/love-languages").get_json()
    assert theirs["me"] is None
    assert theirs["partner"] == {
        "ranking": list(result.ranking),
        "top": "touch",
        "source": "quiz",
        "updated_at": profile["updated_at"],
    }


@pytest.mark.parametrize(
    "choices",
    [
        {pair.key: "a" for pair in content.QUIZ},
        {pair.key: "b" for pair in content.QUIZ},
        preferring("gifts", "acts", "words", "time", "touch"),
        {pair.key: "ab"[n % 2] for n, pair in enumerate(content.QUIZ)},
        {pair.key: "ab"[(n // 3) % 2] for n, pair in enumerate(content.QUIZ)},
    ],
    ids=["all-a", "all-b", "gifts-first", "alternating", "blocks-of-three"],
)
def test_the_api_ranking_is_the_scored_ranking(two_partners, choices):
    alex, _ = two_partners
    response = alex.post("/api/v1/love-languages/quiz", json={"choices": choices})
    assert response.status_code == 200, response.get_json()
    result = quiz.score(choices)
    body = response.get_json()
    assert body["ranking"] == list(result.ranking)
    assert sorted(body["ranking"]) == sorted(LANGUAGES)
    assert body["top"] == result.top
    assert body["counts"] == result.counts
    assert body["tied"] == [list(group) for group in result.tied]


def test_an_outsider_sees_only_their_own_profile(two_partners, outsider):
    alex, sam = two_partners
    alex.post("/api/v1/love-languages/quiz", json={"choices": TOUCH_FIRST})
    assert outsider.get("/api/v1/love-languages").get_json()["me"] is None
    response = outsider.put(
        "/api/v1/love-languages", json={"ranking": ["acts", "words", "time", "touch", "gifts"]}
    )
    assert response.status_code == 200
    body = outsider.get("/api/v1/love-languages").get_json()
    assert body["me"]["ranking"] == ["acts", "words", "time", "touch", "gifts"]
    assert body["partner"] is None
    # Nobody else picks up the outsider's profile, and theirs stay their own.
    assert sam.get("/api/v1/love-languages").get_json()["partner"]["top"] == "touch"
    assert alex.get("/api/v1/love-languages").get_json()["partner"] is None


def test_the_quiz_has_twenty_pairs_of_two_different_languages(two_partners):
    alex, _ = two_partners
    response = alex.get("/api/v1/love-languages/quiz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["prompt"] == content.QUIZ_PROMPT
    pairs = body["pairs"]
    assert len(pairs) == 20
    assert len({p["key"] for p in pairs}) == 20
    for pair, expected in zip(pairs, content.QUIZ, strict=True):
        assert pair["key"] == expected.key
        assert pair["a"] == {"language": expected.a.language, "text": expected.a.text}
        assert pair["b"] == {"language": expected.b.language, "text": expected.b.text}
        assert pair["a"]["language"] in LANGUAGES and pair["b"]["language"] in LANGUAGES
        assert pair["a"]["language"] != pair["b"]["language"]
        assert pair["a"]["text"] and pair["b"]["text"]


def _missing(key):
    return {k: v for k, v in TOUCH_FIRST.items() if k != key}


@pytest.mark.parametrize(
    ("choices", "keys"),
    [
        (_missing("p07"), {"choices.p07"}),
        ({}, {f"choices.{pair.key}" for pair in content.QUIZ}),
        ({**TOUCH_FIRST, "p99": "a"}, {"choices.p99"}),
        ({**TOUCH_FIRST, "p03": "c"}, {"choices.p03"}),
        ({**TOUCH_FIRST, "p03": "A"}, {"choices.p03"}),
        ({**TOUCH_FIRST, "p04": 1}, {"choices.p04"}),
        ({**TOUCH_FIRST, "p05": None}, {"choices.p05"}),
        ({**TOUCH_FIRST, "p06": ["a"]}, {"choices.p06"}),
        ({**_missing("p01"), "p02": "b ", "zz": "a"}, {"choices.p01", "choices.p02", "choices.zz"}),
    ],
    ids=[
        "one-missing",
        "none",
        "unknown-key",
        "bad-side",
        "capital-side",
        "number",
        "null",
        "list",
        "several",
    ],
)
def test_quiz_answers_that_cannot_be_scored_are_422_per_pair_and_store_nothing(
    two_partners, app, choices, keys
):
    alex, sam = two_partners
    response = alex.post("/api/v1/love-languages/quiz", json={"choices": choices})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["type"] == "/problems/validation" and problem["status"] == 422
    assert set(problem["errors"]) == keys
    assert all(problem["errors"][key] for key in keys)
    assert stored(app) == {}
    assert alex.get("/api/v1/love-languages").get_json()["me"] is None
    assert sam.get("/api/v1/love-languages").get_json()["partner"] is None


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"choices": "abc"},
        {"choices": ["a"] * 20},
        {"choices": None},
        {"choices": TOUCH_FIRST, "extra": True},
    ],
    ids=["no-choices", "string", "list", "null", "unknown-field"],
)
def test_malformed_quiz_bodies_are_422_and_keep_the_old_profile(two_partners, app, body):
    alex, _ = two_partners
    alex.put(
        "/api/v1/love-languages", json={"ranking": ["time", "acts", "words", "gifts", "touch"]}
    )
    before = stored(app)
    response = alex.post("/api/v1/love-languages/quiz", json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"]
    assert stored(app) == before
    assert alex.get("/api/v1/love-languages").get_json()["me"]["source"] == "manual"


def test_a_refused_quiz_leaves_an_earlier_result_alone(two_partners, app):
    alex, _ = two_partners
    assert (
        alex.post("/api/v1/love-languages/quiz", json={"choices": TOUCH_FIRST}).status_code == 200
    )
    before = stored(app)
    response = alex.post(
        "/api/v1/love-languages/quiz",
        json={"choices": {**preferring("gifts", "acts", "words", "time", "touch"), "p20": "c"}},
    )
    assert response.status_code == 422
    assert stored(app) == before


def test_setting_the_ranking_by_hand(two_partners, app):
    alex, sam = two_partners
    order = ["time", "words", "touch", "gifts", "acts"]
    response = alex.put("/api/v1/love-languages", json={"ranking": order})
    assert response.status_code == 200
    body = response.get_json()
    assert body["ranking"] == order and body["top"] == "time" and body["source"] == "manual"
    assert sam.get("/api/v1/love-languages").get_json()["partner"]["ranking"] == order
    [(ranking, source, choices)] = stored(app).values()
    assert (ranking, source, choices) == (order, "manual", None)
    # The quiz replaces a ranking set by hand, and the hand replaces the quiz.
    alex.post("/api/v1/love-languages/quiz", json={"choices": TOUCH_FIRST})
    assert alex.get("/api/v1/love-languages").get_json()["me"]["source"] == "quiz"
    alex.put("/api/v1/love-languages", json={"ranking": order})
    [(ranking, source, choices)] = stored(app).values()
    assert (ranking, source, choices) == (order, "manual", None)


@pytest.mark.parametrize(
    ("ranking", "field"),
    [
        (["words", "words", "acts", "gifts", "time"], "ranking"),
        (["words", "acts", "gifts", "time"], "ranking"),
        (["words", "acts", "gifts", "time", "touch", "words"], "ranking"),
        (["words", "acts", "gifts", "time", "hugs"], "ranking.4"),
        (["Words", "acts", "gifts", "time", "touch"], "ranking.0"),
        ([], "ranking"),
        ("words,acts,gifts,time,touch", "ranking"),
        (None, "ranking"),
    ],
    ids=["duplicate", "four", "six", "unknown", "capitalised", "empty", "string", "null"],
)
def test_a_bad_ranking_is_422_and_stores_nothing(two_partners, app, ranking, field):
    alex, _ = two_partners
    response = alex.put("/api/v1/love-languages", json={"ranking": ranking})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]
    assert stored(app) == {}
    # ... and an existing ranking stays as it was.
    good = ["acts", "gifts", "time", "touch", "words"]
    assert alex.put("/api/v1/love-languages", json={"ranking": good}).status_code == 200
    assert alex.put("/api/v1/love-languages", json={"ranking": ranking}).status_code == 422
    assert alex.get("/api/v1/love-languages").get_json()["me"]["ranking"] == good


def test_ranking_body_refusals(two_partners, app):
    alex, _ = two_partners
    assert alex.put("/api/v1/love-languages", json={}).status_code == 422
    response = alex.put("/api/v1/love-languages", json={"ranking": LANGUAGES, "source": "quiz"})
    assert response.status_code == 422 and "source" in response.get_json()["errors"]
    assert (
        alex.put(
            "/api/v1/love-languages", data="not json", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert (
        alex.put(
            "/api/v1/love-languages", data="ranking=words", headers={"Content-Type": "text/plain"}
        ).status_code
        == 415
    )
    assert stored(app) == {}


def test_anonymous_callers_get_401(api):
    assert api.get("/api/v1/love-languages").status_code == 401
    assert api.get("/api/v1/love-languages/quiz").status_code == 401
    assert api.post("/api/v1/love-languages/quiz", json={"choices": TOUCH_FIRST}).status_code == 401
    assert api.put("/api/v1/love-languages", json={"ranking": LANGUAGES}).status_code == 401


# ------------------------------------------------------------------------------- pages


def test_profiles_page_shows_mine_and_my_partners_with_ideas(two_partners):
    alex, sam = two_partners
    first = page(alex, "/love-languages")
    assert "Take the quiz" in first and "/love-languages/quiz" in first
    assert "/love-languages/order" in first
    assert "Sam hasn't chosen yet." in first
    sam.put("/api/v1/love-languages", json={"ranking": ["acts", "touch", "time", "words", "gifts"]})
    shown = page(alex, "/love-languages")
    assert "Sam's</h2>" in shown
    for n, language in enumerate(["acts", "touch", "time", "words", "gifts"]):
        assert f"<li>{content.LANGUAGE_LABELS[language]}</li>" in shown, language
        if n < 2:  # ideas for the partner's top two languages
            assert all(html(idea) in shown for idea in content.IDEAS[language])
    assert not any(html(idea) in shown for idea in content.IDEAS["gifts"])
    mine = page(sam, "/love-languages")
    assert "Set by hand" in mine and "Alex can see this." in mine


def test_quiz_page_lists_every_pair_as_two_radios(two_partners):
    alex, _ = two_partners
    form = page(alex, "/love-languages/quiz")
    for pair in content.QUIZ:
        assert f'name="{pair.key}" value="a"' in form and f'name="{pair.key}" value="b"' in form
        assert html(pair.a.text) in form and html(pair.b.text) in form
    assert "1 of 20" in form and "20 of 20" in form
    assert " checked" not in form


def test_a_full_quiz_form_saves_the_ranking_and_goes_to_the_profiles(two_partners, app):
    alex, sam = two_partners
    response = post_form(alex, "/love-languages/quiz", TOUCH_FIRST)
    assert response.status_code == 302
    assert response.headers["Location"] == "/love-languages"
    [(ranking, source, choices)] = stored(app).values()
    assert ranking == list(quiz.score(TOUCH_FIRST).ranking)
    assert source == "quiz" and choices == TOUCH_FIRST
    assert sam.get("/api/v1/love-languages").get_json()["partner"]["top"] == "touch"


def test_a_partial_quiz_form_goes_back_to_the_quiz_with_the_chosen_radios_kept(two_partners, app):
    alex, sam = two_partners
    answered = dict(list(TOUCH_FIRST.items())[:12])
    response = post_form(alex, "/love-languages/quiz", answered)
    assert response.status_code == 303
    assert response.headers["Location"] == "/love-languages/quiz"
    for _ in range(2):  # the quiz, then reloaded
        form = page(alex, "/love-languages/quiz")
        assert "A few pairs still need a choice." in form
        for key, side in answered.items():
            assert f'name="{key}" value="{side}" checked' in form, key
            other = "b" if side == "a" else "a"
            assert f'name="{key}" value="{other}" checked' not in form
        assert form.count(" checked") == len(answered)
        for pair in content.QUIZ[12:]:
            assert f'id="{pair.key}-error"' in form and "Pick one of the two." in form
        for key in answered:
            assert f'id="{key}-error"' not in form
    assert " checked" not in page(sam, "/love-languages/quiz")  # Alex's browser only
    assert stored(app) == {}


def test_a_quiz_form_with_a_made_up_side_is_refused_for_that_pair(two_partners, app):
    alex, _ = two_partners
    response = post_form(alex, "/love-languages/quiz", {**TOUCH_FIRST, "p09": "c"})
    assert response.status_code == 303
    assert 'id="p09-error"' in page(alex, response.headers["Location"])
    assert stored(app) == {}


def _selected(form: str) -> list[str]:
    chosen = []
    for n in range(5):
        block = re.search(rf'<select id="place-{n}".*?</select>', form, re.S).group(0)
        chosen.append(re.findall(r'<option value="(\w+)" selected>', block))
    return [c[0] if len(c) == 1 else c for c in chosen]


def test_order_page_saves_a_ranking_and_keeps_a_refused_one(two_partners, app):
    alex, _ = two_partners
    assert _selected(page(alex, "/love-languages/order")) == LANGUAGES
    order = ["gifts", "touch", "words", "time", "acts"]
    response = post_form(
        alex, "/love-languages/order", {f"place-{n}": lang for n, lang in enumerate(order)}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/love-languages"
    assert alex.get("/api/v1/love-languages").get_json()["me"]["ranking"] == order
    assert _selected(page(alex, "/love-languages/order")) == order

    twice = ["time", "time", "words", "gifts", "acts"]
    response = post_form(
        alex, "/love-languages/order", {f"place-{n}": lang for n, lang in enumerate(twice)}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/love-languages/order"
    for _ in range(2):  # the page, then reloaded
        form = page(alex, "/love-languages/order")
        assert "Put all five love languages in order, each once." in form
        assert _selected(form) == twice
    response = post_form(alex, "/love-languages/order", {"place-0": "hugs", "place-1": "acts"})
    assert response.status_code == 303
    assert "Put all five" in page(alex, "/love-languages/order")
    assert alex.get("/api/v1/love-languages").get_json()["me"]["ranking"] == order
    # Once a ranking is saved, the page shows it again, not the refused one.
    post_form(alex, "/love-languages/order", {f"place-{n}": lang for n, lang in enumerate(order)})
    form = page(alex, "/love-languages/order")
    assert _selected(form) == order and "Put all five" not in form


def test_pages_need_a_login(app):
    client = app.test_client()
    for path in ("/love-languages", "/love-languages/quiz", "/love-languages/order"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"], path


# -------------------------------------------------------------------------- small move


def _today_item(who, day="2026-11-18"):
    response = who.get("/api/v1/checkins/today")
    assert response.status_code == 200
    [item] = [i for i in response.get_json()["items"] if i["date"] == day]
    return item


def test_the_small_move_while_waiting_comes_from_the_partners_top_language(couple):
    with couple(EVENING) as (alex, sam):
        assert (
            sam.put(
                "/api/v1/love-languages",
                json={"ranking": ["touch", "time", "acts", "words", "gifts"]},
            ).status_code
            == 200
        )
        assert _today_item(alex)["small_move"] is None  # nothing answered yet
        response = alex.put(
            "/api/v1/checkins/2026-11-18/answers", json={"answers": {"needs_met": 4, "mood": 4}}
        )
        assert response.status_code == 200, response.get_json()

        move = _today_item(alex)["small_move"]
        assert move["language"] == "touch"
        assert move["idea"] in content.IDEAS["touch"]
        waiting = page(alex, "/checkin/2026-11-18")
        assert "Waiting for Sam" in waiting and "A small move, if you like" in waiting
        assert html(move["idea"]) in waiting
        assert "Sam's love language: physical touch" in waiting
        assert _today_item(sam)["small_move"] is None  # Sam has not answered

        sam.post(
            "/api/v1/love-languages/quiz",
            json={"choices": preferring("acts", "gifts", "words", "time", "touch")},
        )
        move = _today_item(alex)["small_move"]
        assert move["language"] == "acts" and move["idea"] in content.IDEAS["acts"]
        waiting = page(alex, "/checkin/2026-11-18")
        assert html(move["idea"]) in waiting
        assert "Sam's love language: acts of service" in waiting


def test_without_a_partner_profile_the_small_move_names_no_language(couple):
    with couple(EVENING) as (alex, _):
        alex.put(
            "/api/v1/checkins/2026-11-18/answers", json={"answers": {"needs_met": 4, "mood": 4}}
        )
        move = _today_item(alex)["small_move"]
        assert move["language"] is None
        assert any(move["idea"] in ideas for ideas in content.IDEAS.values())
        waiting = page(alex, "/checkin/2026-11-18")
        assert html(move["idea"]) in waiting
        assert "love language:" not in waiting
