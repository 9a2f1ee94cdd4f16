"""A repair of broken trust on two 360 px phones: opened as one, help offered to both
from the start, a question asked and answered, and weekly trust check-ins planned."""

import re

from playwright.sync_api import expect

from tests.e2e.test_evening import Fingers, axe_clean, linked
from tests.e2e.test_repair_walk import choose, pick


def test_a_repair_of_trust_brings_questions_and_weekly_check_ins(new_context, axe_source):
    ana, ben = linked(new_context, "Europe/Lisbon", "trust")

    ana.goto("/repairs/new")
    ana.get_by_label("A short, neutral name for what happened").fill("The messages")
    choose(ana, "Something hurt me, and I'd like us to repair it")
    ana.get_by_label("Trust was broken").check()
    ana.get_by_role("button", name="Start").click()
    expect(ana).to_have_url(re.compile(r"/repairs/[\w-]+$"))
    repair = ana.url
    # Help is there from the start, for both.
    expect(ana.get_by_text("Coming back from broken trust")).to_be_visible()
    ana.get_by_role("button", name="I'm calm enough to begin").click()
    ben.goto(repair)
    expect(ben.get_by_text("Coming back from broken trust")).to_be_visible()
    choose(ben, "I want to make it right")
    ben.get_by_role("button", name="I'm calm enough to begin").click()

    ana.reload()
    pick(ana, "hurt")
    ana.get_by_label("when …").fill("I found the messages you had hidden")
    ana.get_by_label("I need …").fill("honest answers, for as long as I need them")
    choose(ana, "Space")
    ana.get_by_role("button", name="Share with Ben").click()

    # The question thread: Ana asks, Ben answers; the push says nothing of the words.
    trust = ana.get_by_role("region", name="Rebuilding trust")
    expect(trust).to_be_visible()
    trust.get_by_label("Ask Ben something").fill("When did it start?")
    Fingers(ana).tap(trust.get_by_role("button", name="Ask"))
    expect(trust).to_contain_text("Waiting for Ben's answer.")
    axe_clean(ana, axe_source)

    ben.reload()
    thread = ben.get_by_role("region", name="Rebuilding trust")
    expect(thread).to_contain_text("When did it start?")
    thread.get_by_label("Your answer").fill("Last spring. I'm sorry I hid it.")
    thread.get_by_role("button", name="Answer").click()
    expect(thread).to_contain_text("You answered")
    axe_clean(ben, axe_source)

    ana.reload()
    trust = ana.get_by_role("region", name="Rebuilding trust")
    expect(trust).to_contain_text("Last spring. I'm sorry I hid it.")
    # Weekly trust check-ins, chosen by Ana.
    trust.locator("label.pick").filter(has_text="8 weeks").click()
    trust.get_by_role("button", name="Plan the check-ins").click()
    trust = ana.get_by_role("region", name="Rebuilding trust")
    expect(trust).to_contain_text("You'll be asked each week, for 8 weeks.")
    axe_clean(ana, axe_source)
    ben.reload()
    expect(ben.get_by_role("region", name="Rebuilding trust")).to_contain_text(
        "Ana will be asked each week, for 8 weeks."
    )
