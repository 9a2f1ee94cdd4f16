"""The repair pages, used as two partners would on their phones (forms with their CSRF
token): each state for the one whose turn it is and for the one who waits, refused forms
that keep every word, the plan kept private until both parts are in, pauses, closing,
the history, the follow-through on its dates, signposting seen only by the one it
concerns, the help page, 404 for anyone outside the couple, and a fixed number of
queries per page."""

import html
import re
from datetime import timedelta

import pytest

from couples.repair import content, signpost
from tests.factories import ApiClient, make_couple, make_user, page, post_refused
from tests.factories import post_form as post
from tests.repair.helpers import APOLOGY, HEARING, START, statements

SAMS_PART = {
    "my_part": "I went quiet instead of saying it hurt.",
    "commitments": [{"text": "Next time it hurts, I will say so that evening.", "owner": "me"}],
}
ALEXS_PART = {
    "my_part": "I let work spill into our evening.",
    "commitments": [
        {"text": "Next time we eat, I will leave my phone in the hall.", "owner": "me"}
    ],
}
CHOICE = "A walk together, phones at home."

# The order a repair moves in; Alex is apologizing, Sam was hurt.
WALK = [
    ("alex", "ready", {}),
    ("sam", "ready", {"view": "hurt"}),
    ("sam", "hearing", HEARING),
    ("alex", "reflect", {"what_i_heard": "You felt lonely at our own dinner."}),
    ("sam", "reflect", {"thats_it": True}),
    ("alex", "apology", APOLOGY),
    ("sam", "response", {"heard": True}),
    ("sam", "plan", SAMS_PART),
    ("alex", "plan", ALEXS_PART),
    ("alex", "reconnect", {"choice": CHOICE}),
    ("sam", "reconnect", {"confirmed": True}),
]


def refused_step(who, path, data):
    """Post a step (or a follow-up) that is refused: the browser goes back to the
    repair's own page (303), whose GET shows the words kept and the messages."""
    response = post(who, path, data)
    assert response.status_code == 303, response.status_code
    location = response.headers["Location"]
    assert location == re.split(r"/(?:steps|follow-ups)/", path)[0], location
    return who.client.get(location)


@pytest.fixture
def couple(couple):
    """Alex (New York) and Sam (London), linked the day before ``START``."""
    return couple.link(when=START - timedelta(days=1))


# ---------------------------------------------------------------------------- helpers


def text(markup: str) -> str:
    """What a person reads: no tags, entities decoded, runs of spaces made one."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", markup)).split())


def open_repair(who, title="Saturday's dinner", role="apologizing") -> str:
    response = post(who, "/repairs/new", {"title": title, "role": role})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def step(who, rid, name, body=None, status=200) -> dict:
    response = who.post(f"/api/v1/repairs/{rid}/steps/{name}", json=body or {})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def walker(alex, sam, rid):
    """``go(until)`` takes the steps of ``WALK`` not taken yet, up to ``until``, through
    the API."""
    people, done = {"alex": alex, "sam": sam}, 0

    def go(until: int = len(WALK)) -> None:
        nonlocal done
        for who, name, body in WALK[done:until]:
            step(people[who], rid, name, body)
        done = max(done, until)

    return go


def walk(alex, sam, rid, until: int = len(WALK)) -> None:
    """Take the first ``until`` steps of ``WALK``."""
    walker(alex, sam, rid)(until)


def steps_to(name: str, who: str = "") -> int:
    """How many steps of ``WALK`` come before ``who``'s ``name`` step."""
    return next(
        i
        for i, (person, step_name, _) in enumerate(WALK)
        if step_name == name and who in ("", person)
    )


def form_of(rid: str, name: str) -> str:
    return f'action="/repairs/{rid}/steps/{name}"'


def textarea(markup: str, name: str) -> str:
    """The words inside the textarea ``name``."""
    found = re.search(
        rf'<textarea[^>]* name="{re.escape(name)}"[^>]*>(.*?)</textarea>', markup, re.DOTALL
    )
    assert found, f"no textarea {name}"
    return html.unescape(found.group(1))


def checked(markup: str, name: str, value: str) -> bool:
    found = re.search(
        rf'<input [^>]*name="{re.escape(name)}" value="{re.escape(value)}"'
        r"([^>]*)>",
        markup,
    )
    assert found, f"no input {name}={value}"
    return " checked" in found.group(1)


def error_of(markup: str, field: str) -> str:
    found = re.search(
        rf'<p class="field-error" id="{re.escape(field)}-error">(.*?)</p>', markup, re.DOTALL
    )
    return text(found.group(1)) if found else ""


def follow_up_forms(markup: str) -> list[str]:
    return re.findall(r'action="/repairs/[\w-]+/follow-ups/([\w-]+)"', markup)


# ------------------------------------------------------------------- each state, both


def test_each_state_gives_the_form_to_whoever_is_next_and_a_calm_page_to_the_other(couple):
    with couple.at(START) as (alex, sam):
        assert "No repairs yet" in page(alex, "/repairs")
        rid = open_repair(alex)
        url = f"/repairs/{rid}"
        go = walker(alex, sam, rid)

        # ready: both may say they are calm enough.
        for who in (alex, sam):
            shown = text(page(who, url))
            assert form_of(rid, "ready") in page(who, url)
            assert "I'm calm enough to begin" in shown and "Saturday's dinner" in shown
        assert "you'd like to make this right" in text(page(alex, url))
        # Sam is given no role: Sam says how Sam sees it first.
        sams = text(page(sam, url))
        assert "How do you see it?" in sams
        assert "something hurt, and you're mending it together" not in sams
        assert "Your turn" in text(page(sam, "/repairs"))
        go(1)
        mine, theirs = page(alex, url), page(sam, url)
        assert form_of(rid, "ready") not in mine
        assert "You're ready. Sam will join when they feel calm too" in text(mine)
        assert form_of(rid, "ready") in theirs
        assert "Alex is ready when you are." in text(theirs)
        assert "Sam's turn" in text(page(alex, "/repairs"))

        # hearing: Sam was hurt and writes; Alex waits.
        go(2)
        sams, alexs = page(sam, url), page(alex, url)
        assert form_of(rid, "hearing") in sams and 'name="feelings"' in sams
        assert "data-i-statement" in sams and "What hurt, in your words" in sams
        for word in (
            "hurt",
            "lonely",
            "angry",
            "sad",
            "scared",
            "ashamed",
            "dismissed",
            "overwhelmed",
            "disappointed",
            "anxious",
        ):
            assert f'value="{word}"' in sams
        assert form_of(rid, "hearing") not in alexs and 'name="feelings"' not in alexs
        assert "Sam is putting it into words" in text(alexs)

        # reflect: before any apology, Alex says back what Alex heard; Sam waits, then
        # says whether that's it, or adds what was missed (then Alex says it again).
        go(steps_to("reflect"))
        alexs, sams = page(alex, url), page(sam, url)
        assert form_of(rid, "reflect") in alexs and 'name="what_i_heard"' in alexs
        assert "Listen before you answer" in text(alexs) and "I feel hurt and lonely" in alexs
        assert form_of(rid, "reflect") not in sams
        assert "Alex is putting into words what they heard" in text(sams)
        step(alex, rid, "reflect", {"what_i_heard": "You felt lonely at dinner."})
        alexs, sams = page(alex, url), page(sam, url)
        assert form_of(rid, "reflect") in sams and "You felt lonely at dinner." in text(sams)
        assert "Yes, that's it" in text(sams) and 'name="missed"' in sams
        assert form_of(rid, "reflect") not in alexs
        assert "Sam will say whether that's it" in text(alexs)
        refused = refused_step(sam, f"{url}/steps/reflect", {"thats_it": "no", "missed": " "})
        assert "Say what was missed, in a few words." in text(refused.get_data(as_text=True))
        post(sam, f"{url}/steps/reflect", {"thats_it": "no", "missed": "That it was our time."})
        alexs = page(alex, url)
        assert "Sam added what was missed" in text(alexs) and "That it was our time." in alexs
        # Alex's earlier words are there to build on.
        assert textarea(alexs, "what_i_heard") == "You felt lonely at dinner."

        # apology: Alex writes it, having read Sam's words; Sam waits.
        go(steps_to("apology"))
        alexs, sams = page(alex, url), page(sam, url)
        statement = (
            "I feel hurt and lonely when you read your phone all through dinner "
            "because dinner is our time. I need phones away at the table."
        )
        assert statement in text(alexs) and statement in text(sams)
        assert "What Sam shared" in alexs and "What you shared" in sams
        assert "What would help now: Talk." in text(alexs)
        assert form_of(rid, "apology") in alexs and "data-apology-check" in alexs
        assert form_of(rid, "apology") not in sams and "data-apology-check" not in sams
        assert "Alex is writing their apology" in text(sams)

        # response: Sam answers; Alex waits. Both read the apology.
        go(steps_to("response"))
        sams, alexs = page(sam, url), page(alex, url)
        assert form_of(rid, "response") in sams and 'name="heard"' in sams
        assert "Yes, I feel heard" in text(sams)
        assert "Not yet, something is still missing" in text(sams)
        # Forgiving is offered, never asked for.
        assert "I forgive you Only if you want to say it." in text(sams)
        assert APOLOGY["acknowledgement"] in text(sams) and "Alex's apology" in text(sams)
        assert form_of(rid, "response") not in alexs
        assert "Sam is reading your apology" in text(alexs)
        assert "Your apology" in alexs and APOLOGY["empathy"] in text(alexs)

        # plan: each writes their own part.
        go(steps_to("plan"))
        for who in (alex, sam):
            shown = page(who, url)
            assert form_of(rid, "plan") in shown and 'name="my_part"' in shown
            assert "What you've both said so far" in text(shown)  # tucked away, one tap

        # reconnect: Alex chooses a way back, Sam waits, then confirms.
        go(steps_to("reconnect"))
        alexs, sams = page(alex, url), page(sam, url)
        assert form_of(rid, "reconnect") in alexs and 'name="choice"' in alexs
        assert form_of(rid, "reconnect") not in sams
        assert "Alex is choosing a way to reconnect" in text(sams)
        go(steps_to("reconnect", "sam"))
        alexs, sams = page(alex, url), page(sam, url)
        assert form_of(rid, "reconnect") in sams and 'name="confirmed" value="yes"' in sams
        assert "Alex would like to reconnect" in text(sams) and CHOICE in text(sams)
        assert form_of(rid, "reconnect") not in alexs
        assert "You suggested a way to reconnect" in text(alexs) and CHOICE in text(alexs)

        # "Something else, please" sends the choice back to Alex.
        assert post(sam, f"{url}/steps/reconnect", {"confirmed": "no"}).status_code == 302
        alexs, sams = page(alex, url), page(sam, url)
        assert 'name="choice"' in alexs and form_of(rid, "reconnect") not in sams
        step(alex, rid, "reconnect", {"choice": CHOICE})
        step(alex, rid, "reconnect", {"choice": CHOICE}, status=403)  # Sam's to answer now
        assert post(sam, f"{url}/steps/reconnect", {"confirmed": "yes"}).status_code == 302

        # following through: nothing to do until the first follow-up's date.
        for who in (alex, sam):
            shown = page(who, url)
            assert "Following through" in shown and "/steps/" not in shown
            assert follow_up_forms(shown) == []
            assert "You'll both get a reminder on the day." in text(shown)
            assert "I need a pause" not in shown  # the follow-through is not a conversation
        assert "Following through" in text(page(alex, "/repairs"))


def test_opening_a_repair_through_the_form_keeps_what_was_typed(couple):
    with couple.at(START) as (alex, sam):
        form = page(alex, "/repairs/new")
        assert 'name="title"' in form and 'value="apologizing"' in form
        assert "Sam will see it" in text(form)

        refused = post_refused(alex, "/repairs/new", {"title": "", "role": ""}, to="/repairs/new")
        assert refused.status_code == 200
        shown = refused.get_data(as_text=True)
        assert error_of(shown, "title") == "Please fill this in."
        assert error_of(shown, "role") == "Choose the one closest to where you are."
        assert 'aria-invalid="true"' in shown

        refused = post_refused(
            alex, "/repairs/new", {"title": "The missed call", "role": "soup"}, to="/repairs/new"
        )
        assert refused.status_code == 200
        assert 'value="The missed call"' in refused.get_data(as_text=True)

        refused = post_refused(
            alex, "/repairs/new", {"title": "   ", "role": "hurt"}, to="/repairs/new"
        )
        shown = refused.get_data(as_text=True)
        assert refused.status_code == 200 and checked(shown, "role", "hurt")
        assert error_of(shown, "title") == "Please fill this in." and not error_of(shown, "role")

        rid = open_repair(alex, "The missed call", "hurt")
        assert "The missed call" in page(alex, f"/repairs/{rid}")
        listed = text(page(sam, "/repairs"))
        assert "The missed call" in listed and "Your turn" in listed
        # Sam is told no role until Sam has said how Sam sees it.
        assert "you'd like to make this right" not in text(page(sam, f"/repairs/{rid}"))
        assert post(sam, f"/repairs/{rid}/steps/ready", {"view": "apologizing"}).status_code == 302
        assert "you'd like to make this right" in text(page(sam, f"/repairs/{rid}"))


# --------------------------------------------------------------- refused step forms


def test_a_refused_hearing_keeps_every_feeling_and_word_and_says_what_is_missing(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(alex, sam, rid, 2)
        typed = {
            "feelings": ["hurt", "lonely"],
            "own_feeling": "unseen",
            "i_feel": "",
            "when": "you read your phone",
            "because": "dinner is ours",
            "i_need": "phones away",
        }
        refused = refused_step(sam, f"/repairs/{rid}/steps/hearing", typed)
        assert refused.status_code == 200
        shown = refused.get_data(as_text=True)
        assert checked(shown, "feelings", "hurt") and checked(shown, "feelings", "lonely")
        assert not checked(shown, "feelings", "sad")
        assert 'name="own_feeling" type="text" maxlength="30" value="unseen"' in shown
        for name in ("when", "because", "i_need"):
            assert textarea(shown, name) == typed[name]
        assert error_of(shown, "i_feel") == "Please fill this in."
        assert error_of(shown, "need_now") == "Choose space, talk, reassurance or closeness."
        assert not error_of(shown, "when") and not error_of(shown, "feelings")
        assert 'id="i_feel"' in shown and 'aria-invalid="true"' in shown

        # A word of one's own that cannot be a feeling is said under the picker.
        refused = refused_step(
            sam,
            f"/repairs/{rid}/steps/hearing",
            {**typed, "i_feel": "hurt", "own_feeling": "4ever", "need_now": "space"},
        )
        shown = refused.get_data(as_text=True)
        assert refused.status_code == 200
        assert error_of(shown, "feelings") == "Use a feeling word: letters only, up to 30."
        assert 'value="4ever"' in shown and checked(shown, "need_now", "space")
        assert textarea(shown, "i_feel") == "hurt"

        # Nothing picked at all.
        refused = refused_step(
            sam,
            f"/repairs/{rid}/steps/hearing",
            {**typed, "feelings": [], "own_feeling": "", "i_feel": "hurt", "need_now": "talk"},
        )
        assert refused.status_code == 200
        assert error_of(refused.get_data(as_text=True), "feelings") == (
            "Pick between one and ten feelings."
        )

        sent = post(
            sam,
            f"/repairs/{rid}/steps/hearing",
            {**typed, "i_feel": "hurt, lonely and unseen", "need_now": "talk"},
        )
        assert sent.status_code == 302
        # The sentence says what Sam wrote after "I feel".
        assert (
            "I feel hurt, lonely and unseen when you read your phone because dinner "
            "is ours. I need phones away."
        ) in text(page(alex, f"/repairs/{rid}"))


def test_a_refused_apology_keeps_its_parts(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(alex, sam, rid, steps_to("apology"))
        typed = {
            "acknowledgement": "I'm sorry I was on my phone all evening.",
            "empathy": "  ",
            "restitution": "I will leave it in the hall.",
        }
        refused = refused_step(alex, f"/repairs/{rid}/steps/apology", typed)
        assert refused.status_code == 200
        shown = refused.get_data(as_text=True)
        assert textarea(shown, "acknowledgement") == typed["acknowledgement"]
        assert textarea(shown, "restitution") == typed["restitution"]
        assert error_of(shown, "empathy") == "Please fill this in."
        assert not error_of(shown, "acknowledgement")
        assert 'data-apology-check="/api/v1/apology-check"' in shown
        assert 'data-feelings="hurt,lonely"' in shown


def test_a_refused_plan_keeps_every_row_where_it_was_typed(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(alex, sam, rid, steps_to("plan"))
        typed = {
            "my_part": "",
            "commitments-0-text": "",
            "commitments-0-owner": "me",
            "commitments-1-text": "Next time I will ask before I share it.",
            "commitments-1-owner": "partner",
            "commitments-1-days": ["7", "14"],
            "commitments-2-text": "x" * 501,
            "commitments-2-owner": "me",
            "commitments-2-days": ["3", "7", "14", "30"],
        }
        refused = refused_step(alex, f"/repairs/{rid}/steps/plan", typed)
        assert refused.status_code == 200
        shown = refused.get_data(as_text=True)
        assert error_of(shown, "my_part") == "Please fill this in."
        # The third row was the second filled in: its messages stay with it.
        assert error_of(shown, "commitments-2-text") == "Use at most 500 characters."
        assert error_of(shown, "commitments-2-days") == "Pick one to three follow-up days."
        assert not error_of(shown, "commitments-1-text")
        assert not error_of(shown, "commitments-1-days")
        assert textarea(shown, "commitments-1-text") == typed["commitments-1-text"]
        assert textarea(shown, "commitments-2-text") == "x" * 501
        assert checked(shown, "commitments-1-owner", "partner")
        assert not checked(shown, "commitments-1-owner", "me")
        assert checked(shown, "commitments-1-days", "7")
        assert checked(shown, "commitments-1-days", "14")
        assert not checked(shown, "commitments-1-days", "3")
        assert all(checked(shown, "commitments-2-days", d) for d in ("3", "7", "14", "30"))

        # The second part of a plan that would hold no commitment at all.
        assert (
            post(sam, f"/repairs/{rid}/steps/plan", {"my_part": "I went quiet."}).status_code == 302
        )
        refused = refused_step(alex, f"/repairs/{rid}/steps/plan", {"my_part": "I kept scrolling."})
        assert refused.status_code == 200
        shown = refused.get_data(as_text=True)
        assert "Add at least one commitment" in error_of(shown, "commitments")
        assert textarea(shown, "my_part") == "I kept scrolling."


def test_a_refused_response_keeps_the_words_and_asks_for_what_is_missing(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(alex, sam, rid, steps_to("response"))
        refused = refused_step(
            sam, f"/repairs/{rid}/steps/response", {"heard": "no", "missing": ""}
        )
        assert refused.status_code == 200
        shown = refused.get_data(as_text=True)
        assert error_of(shown, "missing") == "Say what is still missing, in a few words."
        assert checked(shown, "heard", "no") and not checked(shown, "heard", "yes")

        refused = refused_step(
            sam,
            f"/repairs/{rid}/steps/response",
            {"missing": "Why it keeps happening.", "forgive": "yes"},
        )
        assert refused.status_code == 200
        shown = refused.get_data(as_text=True)
        assert error_of(shown, "heard") == "Say whether you feel heard."
        assert textarea(shown, "missing") == "Why it keeps happening."
        assert checked(shown, "forgive", "yes")

        # "Not yet" sends Alex back to the apology, with Sam's words and the first draft.
        assert (
            post(
                sam,
                f"/repairs/{rid}/steps/response",
                {"heard": "no", "missing": "Why it keeps happening."},
            ).status_code
            == 302
        )
        shown = page(alex, f"/repairs/{rid}")
        assert "Sam needs a little more" in text(shown)
        assert "Why it keeps happening." in text(shown)
        assert textarea(shown, "acknowledgement") == APOLOGY["acknowledgement"]
        assert "Alex is writing their apology" in text(page(sam, f"/repairs/{rid}"))


# ---------------------------------------------------------------------------- the plan


def test_the_partners_part_shows_only_once_i_have_sent_mine(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        url = f"/repairs/{rid}"
        walk(alex, sam, rid, steps_to("plan"))
        sent = post(
            sam,
            f"{url}/steps/plan",
            {
                "my_part": "I went quiet instead of saying it hurt.",
                "commitments-0-text": "Next time it hurts, I will say so that evening.",
                "commitments-0-owner": "me",
                "commitments-0-days": ["3", "7"],
            },
        )
        assert sent.status_code == 302
        sams = page(sam, url)
        assert "Your part is sent." in text(sams)
        assert textarea(sams, "my_part") == "I went quiet instead of saying it hurt."
        assert "Update my part" in sams
        for shown in (page(alex, url), page(alex, f"{url}/history")):
            assert "I went quiet" not in shown and "Next time it hurts" not in shown
        assert "Sam has sent their part. You'll see it once you send yours." in text(
            page(alex, url)
        )
        assert "Sam sent their part · you'll see it once you send yours" in text(
            page(alex, f"{url}/history")
        )

        sent = post(
            alex,
            f"{url}/steps/plan",
            {
                "my_part": "I let work spill into our evening.",
                "commitments-0-text": "Next time we eat, I will leave my phone in the hall.",
                "commitments-0-owner": "me",
            },
        )
        assert sent.status_code == 302
        for who in (alex, sam):  # the plan is complete: both read both parts
            shown = text(page(who, url))
            assert "I went quiet instead of saying it hurt." in shown
            assert "I let work spill into our evening." in shown
            assert "Next time it hurts, I will say so that evening." in shown
            assert "Next time we eat, I will leave my phone in the hall." in shown
        assert "I went quiet" in page(alex, f"{url}/history")


# ---------------------------------------------------------------------------- pausing


def test_the_pause_page_pausing_and_resuming(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        url = f"/repairs/{rid}"
        walk(alex, sam, rid, 2)
        shown = page(sam, f"{url}/pause")
        for stop in content.STOP:
            assert stop.title in text(shown)
        assert 'name="minutes"' in shown and "Take a pause" in shown
        for minutes, _ in content.PAUSE_LENGTHS:
            assert f'value="{minutes}"' in shown

        refused = post_refused(sam, f"{url}/pause", {"minutes": "5"}, to=f"{url}/pause")
        assert refused.status_code == 200
        assert error_of(refused.get_data(as_text=True), "minutes") == (
            "Choose between 20 minutes and 24 hours."
        )
        assert post(sam, f"{url}/pause", {"minutes": "60"}).status_code == 302

        sams, alexs = page(sam, url), page(alex, url)
        assert "Paused until 19:00" in text(sams)  # London
        assert "Paused until 14:00" in text(alexs)  # New York
        assert "Take the time you need." in text(sams)
        assert "Sam asked for a little space and will come back." in text(alexs)
        assert f"{url}/resume" in sams and f"{url}/resume" not in alexs
        assert 'name="feelings"' not in sams  # no step while paused
        assert "I need a pause" not in sams
        assert "Paused" in text(page(alex, "/repairs"))
        paused_page = page(sam, f"{url}/pause")
        assert 'name="minutes"' not in paused_page and "A minute to settle" in paused_page

        # A form sent during the pause is held, every word kept for later.
        held = post(sam, f"{url}/steps/hearing", {**HEARING, "feelings": ["hurt"]})
        assert held.status_code == 409
        shown = held.get_data(as_text=True)
        assert "Your words are kept below." in text(shown)
        assert textarea(shown, "when") == HEARING["when"]
        assert checked(shown, "feelings", "hurt") and checked(shown, "need_now", "talk")

        assert post(sam, f"{url}/resume", {}).status_code == 302
        sams = page(sam, url)
        assert "Paused until" not in sams and 'name="feelings"' in sams
        assert "I need a pause" in sams

        assert post(alex, f"{url}/pause", {"minutes": "20"}).status_code == 302
    with couple.at(START + timedelta(minutes=21)) as (alex, sam):
        assert "Paused until" not in page(sam, url)  # the time is up
        assert 'name="feelings"' in page(sam, url)


# ------------------------------------------------------------------- closing, history


def test_closing_a_repair_with_a_note(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        url = f"/repairs/{rid}"
        walk(alex, sam, rid, 3)
        shown = page(sam, f"{url}/close")
        assert 'name="note"' in shown and "A note for Alex" in shown
        refused = post_refused(sam, f"{url}/close", {"note": "x" * 1001}, to=f"{url}/close")
        assert refused.status_code == 200
        assert error_of(refused.get_data(as_text=True), "note") == "Use at most 1000 characters."
        assert textarea(refused.get_data(as_text=True), "note") == "x" * 1001

        assert post(sam, f"{url}/close", {"note": "Let's talk tomorrow."}).status_code == 302
        sams, alexs = page(sam, url), page(alex, url)
        assert "You closed this repair" in sams
        assert "Sam closed this repair" in alexs and "Let's talk tomorrow." in text(alexs)
        for shown in (sams, alexs):
            assert "/steps/" not in shown and "/close" not in shown and "/pause" not in shown
        assert "Closed" in text(page(alex, "/repairs"))
        assert "Sam closed the repair" in text(page(alex, f"{url}/history"))


def test_the_history_lists_every_step_and_every_version_of_the_apology(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        url = f"/repairs/{rid}"
        walk(alex, sam, rid, steps_to("response"))
        post(alex, f"{url}/pause", {"minutes": "20"})
        post(alex, f"{url}/resume", {})
        step(sam, rid, "response", {"heard": False, "missing": "Why it kept happening."})
        second = {
            **APOLOGY,
            "restitution": "Work was heavy and I hid in my phone. "
            "I will tell you instead, next time.",
        }
        step(alex, rid, "apology", second)
        step(sam, rid, "response", {"heard": True, "forgive": True})
        steps = alex.get(f"/api/v1/repairs/{rid}").get_json()["steps"]
        for who in (alex, sam):
            shown = page(who, f"{url}/history")
            assert shown.count('<li class="card">') == len(steps) == 12
            read = text(shown)
            assert "started the repair" in read and read.count(" ready") >= 2
            assert "shared what hurt" in read and "I feel hurt and lonely" in read
            assert "You felt lonely at our own dinner." in read
            assert "said: yes, that's it" in read
            assert "apologized · version 2" in read
            assert APOLOGY["restitution"] in read and second["restitution"] in read
            assert "needed a little more" in read and "Why it kept happening." in read
            assert "took a pause · 20 minutes" in read and "came back" in read
            assert "felt heard and forgave" in read
        assert "You apologized" in text(page(alex, f"{url}/history"))
        assert "Alex apologized" in text(page(sam, f"{url}/history"))


# -------------------------------------------------------------------- following through


def test_follow_ups_ask_on_their_date_and_keep_each_answer_private_until_both(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        url = f"/repairs/{rid}"
        walk(alex, sam, rid)
    with couple.at(START + timedelta(days=2, hours=23)) as (alex, sam):
        for who in (alex, sam):
            assert follow_up_forms(page(who, url)) == []
    with couple.at(START + timedelta(days=3, minutes=1)) as (alex, sam):
        alexs = page(alex, url)
        forms = follow_up_forms(alexs)
        assert len(forms) == 2  # the 3-day follow-up of each commitment, not the 7-day
        assert "Did we follow through on this?" in alexs
        assert "Your turn" in text(page(alex, "/repairs"))

        refused = refused_step(alex, f"{url}/follow-ups/{forms[0]}", {"note": "Mostly, yes."})
        assert refused.status_code == 200
        shown = refused.get_data(as_text=True)
        assert error_of(shown, f"{forms[0]}-outcome") == "Choose the one closest to how it went."
        assert textarea(shown, "note") == "Mostly, yes."

        assert (
            post(
                alex, f"{url}/follow-ups/{forms[0]}", {"outcome": "kept", "note": "Mostly, yes."}
            ).status_code
            == 302
        )
        alexs, sams = page(alex, url), page(sam, url)
        assert "You said: We did. Mostly, yes." in text(alexs)
        assert "Sam hasn't answered yet." in text(alexs)
        assert follow_up_forms(alexs) == [forms[1]]
        assert forms[0] in follow_up_forms(sams)
        assert "Alex has answered. You'll see what they said once you answer too." in text(sams)
        assert "Mostly, yes." not in sams and "Mostly, yes." not in page(sam, f"{url}/history")

        assert post(sam, f"{url}/follow-ups/{forms[0]}", {"outcome": "partly"}).status_code == 302
        sams = text(page(sam, url))
        assert "Alex said: We did. Mostly, yes." in sams and "You said: Partly" in sams
        assert (
            post(sam, f"{url}/follow-ups/{forms[0]}", {"outcome": "kept"}).status_code == 302
        )  # answered already: a calm note, nothing changes
        assert post(alex, f"{url}/follow-ups/{forms[1]}", {"outcome": "kept"}).status_code == 302
        assert post(sam, f"{url}/follow-ups/{forms[1]}", {"outcome": "kept"}).status_code == 302
    with couple.at(START + timedelta(days=7, minutes=1)) as (alex, sam):
        for who in (alex, sam):
            for follow_up in follow_up_forms(page(who, url)):
                assert (
                    post(who, f"{url}/follow-ups/{follow_up}", {"outcome": "kept"}).status_code
                    == 302
                )
        for who in (alex, sam):
            shown = page(who, url)
            assert "Repaired" in shown and "What you promised each other" in shown
            assert follow_up_forms(shown) == []
        assert "Repaired" in text(page(sam, "/repairs"))


# ---------------------------------------------------------------------------- signposts

SIGNPOST_TRACES = (
    "signpost",
    "Your safety comes first",
    "Quick exit",
    "quick-exit",
    "for=safety",
    "You don't have to do this alone",
    "/repairs/help",
)


def test_danger_in_my_own_words_shows_me_the_safety_card_and_never_my_partner(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        url = f"/repairs/{rid}"
        walk(alex, sam, rid, 2)
        assert signpost.danger_words("you shoved me against the wall")
        sent = post(
            sam,
            f"{url}/steps/hearing",
            {**HEARING, "when": "you shoved me against the wall", "send_anyway": "1"},
        )
        assert sent.status_code == 302
        sams = page(sam, url)
        assert "Your safety comes first" in sams
        assert "data-quick-exit" in sams and "Quick exit" in sams
        assert 'href="/repairs/help?for=safety"' in sams
        assert "Only you see this. Alex does not." in text(sams)
        for shown in (
            page(alex, url),
            page(alex, f"{url}/history"),
            page(alex, f"{url}/pause"),
            page(alex, f"{url}/close"),
        ):
            for trace in SIGNPOST_TRACES:
                assert trace not in html.unescape(shown), trace
        assert alex.get(f"/api/v1/repairs/{rid}").get_json()["signpost"] is None
        assert sam.get(f"/api/v1/repairs/{rid}").get_json()["signpost"]["danger"] is True


def test_a_third_repair_in_a_month_shows_its_opener_where_to_find_a_therapist(couple):
    with couple.at(START) as (alex, sam):
        first = open_repair(alex)
        open_repair(sam, "The phone call", "hurt")
        third = open_repair(alex, "Sunday morning")
        assert "You don't have to do this alone" not in text(page(alex, f"/repairs/{first}"))
        shown = text(page(alex, f"/repairs/{third}"))
        assert "You don't have to do this alone" in shown and "Quick exit" not in shown
        assert "Only you see this note." in shown
        for trace in SIGNPOST_TRACES:
            assert trace not in html.unescape(page(sam, f"/repairs/{third}")), trace


def test_the_help_page_offers_therapy_guidance_and_a_way_out_for_safety(couple):
    with couple.at(START) as (alex, _):
        shown = text(page(alex, "/repairs/help"))
        assert signpost.THERAPY_GUIDANCE.title in shown
        assert signpost.EMERGENCY.title in shown and "Quick exit" in shown
        assert shown.index(signpost.THERAPY_GUIDANCE.title) < shown.index("Quick exit")
        safety = page(alex, "/repairs/help?for=safety")
        read = text(safety)
        assert (
            read.index("Quick exit")
            < read.index(signpost.EMERGENCY.title)
            < read.index(signpost.THERAPY_GUIDANCE.title)
        )
        assert 'href="tel:112"' in safety and 'href="tel:988"' in safety
        assert 'rel="noreferrer" data-quick-exit' in safety


# ---------------------------------------------------------------------------- outsiders


def test_every_repair_url_is_404_outside_the_couple(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(alex, sam, rid)
        with couple.app.app_context():
            olive = make_user(email="olive@example.com", display_name="Olive")
            pat = make_user(email="pat@example.com", display_name="Pat")
            make_couple(olive, pat)
            make_user(email="una@example.com", display_name="Una")
        follow_up = alex.get(f"/api/v1/repairs/{rid}").get_json()["commitments"][0]["follow_ups"][
            0
        ]["id"]
        url = f"/repairs/{rid}"
        gets = [url, f"{url}/history", f"{url}/pause", f"{url}/close"]
        posts = [
            f"{url}/steps/{name}"
            for name in (
                "ready",
                "hearing",
                "reflect",
                "apology",
                "response",
                "plan",
                "reconnect",
            )
        ]
        posts += [f"{url}/pause", f"{url}/resume", f"{url}/close", f"{url}/follow-ups/{follow_up}"]
        for email in ("olive@example.com", "una@example.com"):
            outsider = ApiClient(couple.app).login(email)
            for path in gets:
                assert outsider.client.get(path).status_code == 404, (email, path)
            for path in posts:
                assert post(outsider, path, {"minutes": "20", "note": "hi"}).status_code == 404, (
                    email,
                    path,
                )
        # Within the couple: an unknown repair, step or follow-up is 404 too.
        assert alex.client.get("/repairs/nope").status_code == 404
        assert alex.client.get("/repairs/" + "x" * 40).status_code == 404
        assert post(alex, f"{url}/steps/following_through", {}).status_code == 404
        assert post(alex, f"{url}/follow-ups/nope", {"outcome": "kept"}).status_code == 404
        assert post(alex, "/repairs/nope/pause", {"minutes": "20"}).status_code == 404


# ------------------------------------------------------------------------------ queries


def count_statements(app, who, path) -> int:
    def get():
        assert who.client.get(path).status_code == 200

    get()  # warm
    return len(statements(app, get))


def counts(app, people, rid) -> list[int]:
    """The statements of the repair's page, its history and the list, for each of us."""
    return [
        count_statements(app, who, path)
        for who in people
        for path in (f"/repairs/{rid}", f"/repairs/{rid}/history", "/repairs")
    ]


def test_the_pages_run_the_same_number_of_queries_however_much_there_is(couple):
    with couple.at(START) as (alex, sam):
        short = open_repair(alex)
        walk(alex, sam, short)
        few = counts(couple.app, (alex, sam), short)

        # A long repair: three rounds of apology, pauses, five commitments.
        long = open_repair(alex, "The long one")
        walk(alex, sam, long, steps_to("response"))
        for _ in range(2):
            post(sam, f"/repairs/{long}/pause", {"minutes": "20"})
            post(sam, f"/repairs/{long}/resume", {})
            step(sam, long, "response", {"heard": False, "missing": "More, please."})
            step(alex, long, "apology", APOLOGY)
        step(sam, long, "response", {"heard": True})
        step(
            sam,
            long,
            "plan",
            {
                "my_part": "Mine.",
                "commitments": [
                    {
                        "text": f"Next time, I will try {n}.",
                        "owner": "me",
                        "follow_up_days": [3, 7, 14],
                    }
                    for n in range(5)
                ],
            },
        )
        step(alex, long, "plan", ALEXS_PART)
        step(alex, long, "reconnect", {"choice": CHOICE})
        step(sam, long, "reconnect", {"confirmed": True})
        for n in range(25):  # and many more repairs in the list
            open_repair(alex if n % 2 else sam, f"Repair {n}")
        many = counts(couple.app, (alex, sam), long)
    with couple.at(START + timedelta(days=3, minutes=1)) as (alex, sam):
        url = f"/repairs/{long}"
        for follow_up in follow_up_forms(page(alex, url))[:3]:
            post(alex, f"{url}/follow-ups/{follow_up}", {"outcome": "kept", "note": "Yes."})
        later = counts(couple.app, (alex, sam), long)
    assert few == many == later, (few, many, later)


# ------------------------------------------------------------------- read, or not yet


def test_has_read_shows_only_once_the_partner_has_opened_that_step(couple):
    """The waiting partner is told the other has read their words only once the other
    has opened the repair at that step: not when it is sent, and not again after a "not
    yet" or a revised apology until it has been opened again."""
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        url = f"/repairs/{rid}"
        go = walker(alex, sam, rid)
        go(steps_to("apology"))  # Sam has shared; Alex has not looked since

        sams = text(page(sam, url))
        assert "Alex is writing their apology" in sams
        assert "Alex has read what you shared" not in sams
        assert "What you shared is waiting for Alex." in sams
        page(alex, url)  # Alex opens it
        assert "Alex has read what you shared" in text(page(sam, url))

        go(steps_to("response"))  # Alex's apology is sent; Sam has not opened it
        alexs = text(page(alex, url))
        assert "Your apology is on its way" in alexs
        assert "Sam is reading your apology" not in alexs
        page(sam, url)
        assert "Sam is reading your apology" in text(page(alex, url))

        # "Not yet": news to Alex until Alex opens the repair again.
        step(sam, rid, "response", {"heard": False, "missing": "Why it keeps happening."})
        sams = text(page(sam, url))
        assert "Alex has read what you shared" not in sams
        assert "What you shared is waiting for Alex." in sams
        page(alex, url)
        assert "Alex has read what you shared" in text(page(sam, url))

        # The revised apology is unread until Sam opens it.
        step(alex, rid, "apology", APOLOGY)
        assert "Your apology is on its way" in text(page(alex, url))
        sam.get(f"/api/v1/repairs/{rid}")  # the API counts as opening it too
        assert "Sam is reading your apology" in text(page(alex, url))


def test_follow_up_days_are_checkboxes_to_choose_any_not_chips(couple):
    """The follow-up days are a group of ticked checkboxes under "Check in after
    (choose any)", not chips that look like the single choice above them."""
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        walk(alex, sam, rid, steps_to("plan"))
        markup = page(sam, f"/repairs/{rid}")
        first = markup.split('name="commitments-0-text"')[1].split("</fieldset>")[0]
        assert re.search(
            r"<fieldset class=\"ticks-field\">\s*<legend>Check in after "
            r'<span class="muted">\(choose any\)</span></legend>',
            first,
        )
        days = re.findall(
            r'<label class="(\w+)"><input type="(\w+)" name="commitments-0-days" '
            r'value="(\d+)"( checked)?>',
            first,
        )
        assert days == [
            ("tick", "checkbox", "3", " checked"),
            ("tick", "checkbox", "7", " checked"),
            ("tick", "checkbox", "14", ""),
            ("tick", "checkbox", "30", ""),
        ]
        # Whose it is stays a single choice, as chips.
        assert '<label class="pick"><input type="radio" name="commitments-0-owner"' in first


def test_something_else_lets_the_hurt_partner_say_what_instead(couple):
    with couple.at(START) as (alex, sam):
        rid = open_repair(alex)
        url = f"/repairs/{rid}"
        walk(alex, sam, rid, steps_to("reconnect", "sam"))
        sams = page(sam, url)
        assert '<textarea id="instead" name="instead"' in sams
        assert "Or, what would you like instead? (optional)" in text(sams)
        # Words typed, then "Yes, let's" after all: the yes stands, the words don't apply.
        response = post(
            sam, f"{url}/steps/reconnect", {"confirmed": "no", "instead": "Cook together."}
        )
        assert response.status_code == 302
        alexs = text(page(alex, url))
        assert "Sam would like something else" in alexs
        assert "In Sam's words: Cook together." in alexs
        assert 'name="choice"' in page(alex, url)
        step(alex, rid, "reconnect", {"choice": "Cook together tonight."})
        assert "Sam would like something else" not in text(page(alex, url))
        assert "Sam asked for something else Cook together." in text(page(alex, f"{url}/history"))
        response = post(sam, f"{url}/steps/reconnect", {"confirmed": "yes", "instead": "Other."})
        assert response.status_code == 302
        assert alex.get(f"/api/v1/repairs/{rid}").get_json()["state"] == "following_through"
