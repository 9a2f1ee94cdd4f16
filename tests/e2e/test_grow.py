"""Grow on two 360 px phones: the reflection journal is one partner's alone; a good
memory goes to the other only as an appreciation its writer chose to send; a small
promise is answered by both, each answer seen once both have given theirs."""

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.e2e.test_evening import Fingers, axe_clean, linked


def test_the_journal_is_mine_and_a_memory_becomes_an_appreciation(new_context, axe_source):
    ana, ben = linked(new_context, "Europe/Madrid", "journal")

    # From home, one tap to today's prompt.
    ana.goto("/")
    grow = ana.get_by_role("region", name="Just for you")
    prompt = grow.locator("em").inner_text()
    Fingers(ana).tap(grow.get_by_role("link", name="Write in your journal"))
    expect(ana).to_have_url(re.compile(r"/grow/journal$"))
    form = ana.get_by_role("form", name="Today's prompt")
    expect(form.get_by_label(prompt)).to_be_visible()
    axe_clean(ana, axe_source)

    # Saving nothing is refused gently, with the message at the field.
    form.get_by_role("button", name="Save").click()
    expect(ana.locator(".error-summary")).to_contain_text(
        f"{prompt.rstrip('?')}: Please fill this in."
    )
    field = ana.get_by_label(prompt)
    field.fill("I went quiet at dinner; I was tired, not angry. I could have said so.")
    ana.get_by_role("button", name="Save").click()
    expect(ana.locator(".flash")).to_have_text("Saved in your journal. Only you can read it.")

    # Free writing, marked as a good memory.
    ana.get_by_role("link", name="Write freely instead").click()
    ana.get_by_label("What's on your mind?").fill("Ben dancing badly in the kitchen, on purpose.")
    ana.get_by_label("A good memory of us").check()
    ana.get_by_role("button", name="Save").click()
    entries = ana.get_by_role("list", name="My entries").locator("li")
    expect(entries).to_have_count(2)

    # Search finds words in any case.
    ana.get_by_label("Search my journal").fill("DANCING")
    ana.get_by_role("button", name="Search").click()
    expect(entries).to_have_count(1)
    expect(entries.first).to_contain_text("a good memory")
    axe_clean(ana, axe_source)

    # Ben sees none of it, anywhere he can look.
    for path in ("/", "/grow/journal", "/appreciations", "/notifications"):
        ben.goto(path)
        assert "dancing badly" not in ben.content() and "went quiet" not in ben.content()

    # Ana chooses to send the memory: the appreciation form, filled, to change first.
    ana.get_by_role("link", name="Send to Ben as an appreciation").click()
    expect(ana).to_have_url(re.compile(r"/appreciations/new\?entry="))
    words = ana.get_by_label("What did you appreciate?")
    expect(words).to_have_value("Ben dancing badly in the kitchen, on purpose.")
    words.fill("You dancing badly in the kitchen, on purpose, to make me laugh.")
    ana.get_by_role("button", name="Send").click()
    ben.goto("/appreciations")
    expect(ben.locator("main")).to_contain_text("to make me laugh")
    # The journal keeps its own words.
    ana.goto("/grow/journal")
    expect(entries.first).to_contain_text("Ben dancing badly in the kitchen, on purpose.")


def test_a_hard_day_and_good_news_come_with_a_few_words_on_answering(new_context, axe_source):
    ana, ben = linked(new_context, "Australia/Perth", "guides")

    ana.goto("/bids")
    ana.locator("label.pick").filter(has_text="I'm having a hard day").click()
    ana.get_by_role("button", name="Send").click()
    expect(ana.locator(".flash")).to_be_visible()
    # Ana is not coached on her own bid.
    expect(ana.get_by_role("region", name="Be with them")).to_have_count(0)

    ben.goto("/")
    waiting = ben.get_by_role("region", name="Waiting for you")
    item = waiting.get_by_role("link", name=re.compile("Ana: I'm having a hard day"))
    Fingers(ben).tap(item)
    guide = ben.get_by_role("region", name="Be with them")
    expect(guide).to_contain_text("Listen first. You don't need to fix anything.")
    expect(guide).to_contain_text("Ask what would help")
    axe_clean(ben, axe_source)
    Fingers(ben).tap(ben.get_by_role("button", name="I'm here"))
    expect(ben.locator("article.bid").first).to_contain_text("Turned toward")
    expect(guide).to_have_count(0)

    # Good news, the other way round.
    ben.goto("/bids")
    ben.locator("label.pick").filter(has_text="I have good news").click()
    ben.get_by_role("button", name="Send").click()
    ana.goto("/bids")
    joy = ana.get_by_role("region", name="Share the joy")
    expect(joy).to_contain_text("Ask for the whole story")
    axe_clean(ana, axe_source)


def test_the_self_check_says_where_i_lean_and_is_shared_only_by_choice(new_context, axe_source):
    ana, ben = linked(new_context, "America/Denver", "lean")

    ana.goto("/grow")
    Fingers(ana).tap(ana.get_by_role("link", name="Take the self-check"))
    expect(ana.get_by_text("It isn't a clinical test")).to_be_visible()
    axe_clean(ana, axe_source)
    groups = ana.locator("fieldset.card")
    expect(groups).to_have_count(12)
    ana.get_by_role("button", name="See where I lean").click()
    expect(ana.locator(".error-summary")).to_be_visible()  # nothing chosen yet
    for n in range(12):
        group = groups.nth(n)
        avoidant = n in (3, 4, 5)
        group.locator("label.pick").filter(has_text="5" if avoidant else "2").click()
    ana.get_by_role("button", name="See where I lean").click()
    expect(ana.get_by_role("heading", name="You may lean toward needing room")).to_be_visible()
    practice = ana.get_by_role("region", name="This week's practice")
    practice.locator("label.pick").filter(has_text="Partly").click()
    practice.get_by_role("button", name="Save").click()
    expect(ana.locator(".flash")).to_have_text("Noted, for you alone.")
    axe_clean(ana, axe_source)

    ben.goto("/grow")
    expect(ben.locator("main")).not_to_contain_text("Ana shared")
    ana.get_by_role("button", name="Share where I lean").click()
    ben.goto("/grow")
    shared = ben.get_by_role("region", name="Ana shared their self-check")
    expect(shared).to_contain_text("Ana may need room when feelings run high.")


def test_a_goal_of_my_own_is_shared_only_when_i_tick_the_box(new_context, axe_source):
    ana, ben = linked(new_context, "Asia/Kolkata", "goal")

    ana.goto("/grow")
    goal = ana.get_by_role("form", name="My goal this month")
    goal.get_by_label("This month I want to").fill("Learn ten songs on the ukulele")
    goal.get_by_label("How Ben can back me").fill("Listen to one on Fridays")
    Fingers(ana).tap(goal.get_by_role("button", name="Set my goal"))
    expect(ana.locator(".flash")).to_have_text("Your goal for this month is set.")
    ben.goto("/grow")
    expect(ben.locator("main")).not_to_contain_text("ukulele")

    goal.get_by_label("Share it with Ben").check()
    goal.get_by_role("button", name="Save changes").click()
    ben.goto("/grow")
    shared = ben.get_by_role("region", name="Ana's goal this month")
    expect(shared).to_contain_text("Learn ten songs on the ukulele")
    expect(shared).to_contain_text("How you can back them: Listen to one on Fridays")
    axe_clean(ben, axe_source)
    axe_clean(ana, axe_source)


def _evening_zone() -> str:
    """A zone where it is between 20:00 and 21:00 now (whole-hour Etc zones span UTC-12
    to UTC+14), so that a promise for today is already asked about, whatever the hour."""
    hour = datetime.now(UTC).hour
    offset = (20 - hour + 12) % 24 - 12  # -12..11
    return "Etc/UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc signs are reversed


def test_a_small_promise_is_made_answered_by_both_and_taken_back(new_context, axe_source):
    zone = _evening_zone()
    ana, ben = linked(new_context, zone, "promises")
    assert 20 <= datetime.now(ZoneInfo(zone)).hour <= 21

    ana.goto("/grow")
    card = ana.get_by_role("region", name="Small promises")
    Fingers(ana).tap(card.get_by_role("link", name="Small promises"))
    expect(ana).to_have_url(re.compile(r"/grow/promises$"))
    form = ana.get_by_role("form", name="Make a small promise")
    form.get_by_role("button", name="Make this promise").click()
    expect(ana.locator(".error-summary")).to_contain_text("I promise Ben")
    ana.get_by_label("I promise Ben").fill("Walk to the bakery together")
    # The day is today (already chosen): its evening has come, so we both answer now.
    ana.get_by_role("button", name="Make this promise").click()
    expect(ana.locator(".flash")).to_have_text("Your promise is with Ben.")
    axe_clean(ana, axe_source)

    ben.goto("/grow/promises")
    asked = ben.get_by_role("region", name="How did it go?")
    expect(asked).to_contain_text("Ana promised · today")
    expect(asked).to_contain_text("Walk to the bakery together")
    asked.locator("label.pick").filter(has_text="Kept").click()
    asked.get_by_label("A note").fill("Warm croissants on the bench")
    asked.get_by_role("button", name="Send").click()
    expect(ben.locator(".flash")).to_have_text("Noted. Thank you for saying how it went.")
    axe_clean(ben, axe_source)

    # Ben's answer waits until Ana gives hers.
    ana.reload()
    asked = ana.get_by_role("region", name="How did it go?")
    expect(asked).to_contain_text("Ben has said how it went")
    assert "Warm croissants" not in ana.content()
    asked.locator("label.pick").filter(has_text="Partly").click()
    asked.get_by_role("button", name="Send").click()
    lately = ana.get_by_role("region", name="Lately")
    expect(lately).to_contain_text("You said: Partly")
    expect(lately).to_contain_text("Ben said: Kept. Warm croissants on the bench")

    # A promise for another day can be taken back by the one who made it.
    tomorrow = (datetime.now(ZoneInfo(zone)) + timedelta(days=1)).date()
    ana.get_by_label("I promise Ben").fill("Cook your soup")
    ana.get_by_label("On").fill(tomorrow.isoformat())
    ana.get_by_role("button", name="Make this promise").click()
    coming = ana.get_by_role("region", name="Coming up")
    expect(coming).to_contain_text("Cook your soup")
    ben.goto("/grow/promises")
    expect(ben.get_by_role("region", name="Coming up")).to_contain_text("Cook your soup")
    expect(ben.get_by_role("button", name="Plans changed? Take it back")).to_have_count(0)
    coming.get_by_role("button", name="Plans changed? Take it back").click()
    expect(ana.locator(".flash")).to_have_text("The promise is taken back.")
    expect(ana.get_by_role("region", name="Coming up")).to_have_count(0)


def test_a_plan_together_is_picked_from_the_ideas_and_answered(new_context, axe_source):
    ana, ben = linked(new_context, "America/Chicago", "together")
    tomorrow = (datetime.now(ZoneInfo("America/Chicago")) + timedelta(days=1)).date()

    ana.goto("/grow")
    card = ana.get_by_role("region", name="Plans together")
    Fingers(ana).tap(card.get_by_role("link", name="Plans together"))
    expect(ana).to_have_url(re.compile(r"/grow/together$"))
    ideas = ana.get_by_role("region", name="Ideas")
    ideas.get_by_label("Add an idea").fill("Learn to make dumplings")
    ideas.get_by_role("button", name="Add to our list").click()
    expect(ana.locator(".flash")).to_have_text("On your list.")
    axe_clean(ana, axe_source)

    # "Plan it" brings the idea into the plan, to pick a day and time for.
    ideas.get_by_role("listitem").filter(has_text="Learn to make dumplings").get_by_role(
        "link", name="Plan it"
    ).click()
    form = ana.get_by_role("form", name="Suggest a plan")
    expect(form.get_by_label("What shall we do?")).to_have_value("Learn to make dumplings")
    form.get_by_label("Day").fill(tomorrow.isoformat())
    form.get_by_label("Time").fill("19:30")
    form.get_by_role("button", name="Ask Ben").click()
    expect(ana.locator(".flash")).to_have_text("Your plan is with Ben.")
    coming = ana.get_by_role("region", name="Coming up")
    expect(coming).to_contain_text("Waiting for Ben's answer.")

    ben.goto("/")
    ben.goto("/grow")
    expect(ben.get_by_role("region", name="Plans together")).to_contain_text(
        "Ana has a plan for you two."
    )
    ben.goto("/grow/together")
    asked = ben.get_by_role("region", name="Ana has a plan")
    expect(asked).to_contain_text("Learn to make dumplings")
    expect(asked).to_contain_text("19:30")
    asked.locator("label.pick").filter(has_text="Yes").click()
    asked.get_by_label("A word for Ana").fill("I'll bring the flour")
    asked.get_by_role("button", name="Send").click()
    expect(ben.locator(".flash")).to_have_text("Ana will know you said yes.")
    axe_clean(ben, axe_source)

    ana.reload()
    expect(ana.get_by_role("region", name="Coming up")).to_contain_text(
        "Ben said yes. “I'll bring the flour”"
    )
