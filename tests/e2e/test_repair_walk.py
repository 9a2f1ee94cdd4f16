"""A whole repair walked by two partners in two browsers on 360 px phones: opening it,
both ready, being heard (the feeling picker and the I-statement as it reads), what was
heard said back and confirmed (once with what was missed), an apology
with its gentle notes as it is typed, a "not yet" round, the answer, a plan with two
commitments, a way to reconnect chosen and confirmed, then the follow-through.

Every page on the way is audited (no serious or critical axe-core finding, nothing wider
than the screen) and kept as a whole-page screenshot in light and dark, in the test's
folder and in ``/tmp/repair-shots`` (or ``REPAIR_SHOTS_DIR``)."""

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_pages_accessibility import (
    BLOCKING_IMPACTS,
    FITS_SCREEN,
    RUN_AXE,
    accept_invite,
    make_invite,
    register,
)

WIDTH, HEIGHT = 360, 740
SCHEMES = ("light", "dark")
SHOTS_COPY = Path(os.environ.get("REPAIR_SHOTS_DIR", "/tmp/repair-shots"))  # noqa: S108

ACKNOWLEDGEMENT = "I'm sorry I read my phone all through our anniversary dinner."
EMPATHY = "When I do that, I think you end up feeling lonely and hurt, like you come second."
RESTITUTION = (
    "You matter far more to me than any message. I let a busy week take over. "
    "From now on my phone stays in my bag when we eat. What do you need from me?"
)


class Walk:
    """Audits and screenshots the pages of the walk, numbered in the order they were seen."""

    def __init__(self, folder: Path, axe_source: str):
        self.folder = folder
        self.axe_source = axe_source
        self.count = 0
        self.problems: list[str] = []
        self.shots: list[Path] = []

    def see(self, page: Page, who: str, name: str) -> None:
        self.count += 1
        label = f"{self.count:02d}-{who}-{name}"
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.axe_source)
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            where = f"{label} ({page.url}), {scheme}"
            for finding in page.evaluate(RUN_AXE):
                if finding["impact"] in BLOCKING_IMPACTS:
                    nodes = "; ".join(f"{n['target']}: {n['summary']}" for n in finding["nodes"])
                    self.problems.append(
                        f"{where}: axe {finding['impact']} {finding['id']} "
                        f"({finding['kind']}): {finding['help']}: {nodes}"
                    )
            scroll_width, inner_width = page.evaluate(FITS_SCREEN)
            if scroll_width > inner_width:
                self.problems.append(
                    f"{where}: scrolls sideways ({scroll_width} px of "
                    f"content on a {inner_width} px screen)"
                )
            self._shoot(page, self.folder / f"{label}-{scheme}.png")
        page.emulate_media(color_scheme="light")

    def _shoot(self, page: Page, path: Path) -> None:
        shoot_whole_page(page, path)
        self.shots.append(path)


def shoot_whole_page(page: Page, path: Path) -> None:
    """A screenshot on a screen as tall as the page (so the fixed bottom bar comes below
    everything), then the phone's screen again."""
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.set_viewport_size({"width": WIDTH, "height": max(HEIGHT, height)})
    page.screenshot(path=path)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})


@pytest.fixture
def walk(tmp_path, axe_source):
    folder = tmp_path / "repair-shots"
    folder.mkdir()
    walk = Walk(folder, axe_source)
    yield walk
    if walk.shots:
        shutil.rmtree(SHOTS_COPY, ignore_errors=True)
        SHOTS_COPY.mkdir(parents=True, exist_ok=True)
        for shot in walk.shots:
            shutil.copy2(shot, SHOTS_COPY / shot.name)


def pick(page: Page, word: str) -> None:
    """Tap a chip of the feeling picker (the checkbox itself is hidden under it)."""
    page.locator("label.pick").filter(has_text=re.compile(rf"^{re.escape(word)}$")).click()


def choose(page: Page, text: str) -> None:
    """Tap a choice (radio or checkbox chip) by its visible words."""
    page.locator("label.pick").filter(has_text=text).first.click()


def test_two_partners_walk_a_whole_repair_on_their_phones(new_context, walk):
    jo = new_context(timezone_id="Europe/Berlin").new_page()
    kai = new_context(timezone_id="Europe/Berlin").new_page()
    register(jo, "Jo", "jo.walk@example.com", timezone="Europe/Berlin")
    register(kai, "Kai", "kai.walk@example.com", timezone="Europe/Berlin")
    accept_invite(kai, make_invite(jo), inviter="Jo")

    # Jo opens a repair: a refused form first, then the real one.
    jo.goto("/repairs")
    expect(jo.get_by_role("heading", name="Your repairs")).to_have_count(0)
    walk.see(jo, "jo", "list-empty")
    jo.get_by_role("link", name="Start a repair").click()
    walk.see(jo, "jo", "new")
    jo.get_by_label("A short, neutral name for what happened").fill("Our anniversary dinner")
    jo.get_by_role("button", name="Start").click()
    expect(jo.locator(".field-error")).to_have_count(1)
    expect(jo.get_by_label("A short, neutral name for what happened")).to_have_value(
        "Our anniversary dinner"
    )
    walk.see(jo, "jo", "new-refused")
    choose(jo, "I want to make this right")
    jo.get_by_role("button", name="Start").click()
    expect(jo).to_have_url(re.compile(r"/repairs/[A-Za-z0-9_-]+$"))
    repair_url = jo.url
    expect(jo.get_by_role("heading", name="Our anniversary dinner")).to_be_visible()

    # Kai finds it in the list.
    kai.goto("/repairs")
    expect(kai.get_by_text("Your turn")).to_be_visible()
    walk.see(kai, "kai", "list")
    kai.get_by_role("link", name="Our anniversary dinner").click()
    expect(kai).to_have_url(repair_url)

    # Ready: both say they are calm enough.
    walk.see(jo, "jo", "ready")
    jo.get_by_role("button", name="I'm calm enough to begin").click()
    expect(jo.get_by_text("You're ready.")).to_be_visible()
    walk.see(jo, "jo", "ready-waiting")
    kai.reload()
    # Kai is given no role: Kai says how Kai sees it first.
    expect(kai.get_by_role("heading", name="How do you see it?")).to_be_visible()
    expect(kai.get_by_text("Jo is ready when you are.")).to_be_visible()
    expect(kai.get_by_text("mending it together")).to_have_count(0)
    walk.see(kai, "kai", "ready")
    choose(kai, "I'm the one who was hurt")
    walk.see(kai, "kai", "ready-view-chosen")
    kai.get_by_role("button", name="I'm calm enough to begin").click()

    # Hearing: Kai was hurt and puts it into words; the sentence builds as Kai types.
    form = kai.locator("form[data-i-statement]")
    expect(form).to_be_visible()
    preview = kai.locator("[data-i-statement-preview]")
    expect(preview).to_be_hidden()
    walk.see(kai, "kai", "hearing")
    pick(kai, "hurt")
    pick(kai, "lonely")
    expect(preview).to_be_visible()
    expect(kai.get_by_label("I feel …")).to_have_value("hurt and lonely")
    kai.get_by_label("when …").fill("you read your phone all through our anniversary dinner")
    kai.get_by_label("because …").fill("that evening was meant to be just ours")
    kai.get_by_label("I need …").fill("phones away when we eat together")
    choose(kai, "Talk")
    expect(kai.locator("[data-i-statement-text]")).to_have_text(
        "I feel hurt and lonely when you read your phone all through our anniversary "
        "dinner because that evening was meant to be just ours. I need phones away when "
        "we eat together."
    )
    walk.see(kai, "kai", "hearing-filled")
    jo.reload()
    expect(jo.get_by_role("heading", name="Kai is putting it into words")).to_be_visible()
    expect(jo.locator("form[data-i-statement]")).to_have_count(0)
    walk.see(jo, "jo", "hearing-waiting")
    kai.get_by_role("button", name="Share with Jo").click()
    # Nobody has read it yet: Kai is not told that Jo has.
    waiting = kai.get_by_role("heading", name="Jo is putting into words what they heard")
    expect(waiting).to_be_visible()
    expect(kai.get_by_text("What you shared is waiting for Jo.")).to_be_visible()
    expect(kai.get_by_text("Jo has read what you shared")).to_have_count(0)
    walk.see(kai, "kai", "reflect-waiting-unread")

    # Listening: before any apology, Jo says back what Jo heard; Kai adds what was missed.
    jo.reload()
    expect(jo.get_by_text("I feel hurt and lonely when you read your phone")).to_be_visible()
    expect(jo.get_by_role("heading", name="Listen before you answer")).to_be_visible()
    walk.see(jo, "jo", "reflect")
    jo.get_by_label("What I heard you say").fill(
        "You felt alone at our anniversary dinner while I was on my phone."
    )
    jo.get_by_role("button", name="Send to Kai").click()
    expect(jo.get_by_role("heading", name="What you heard is on its way")).to_be_visible()
    walk.see(jo, "jo", "reflect-sent")
    kai.reload()
    expect(kai.get_by_text("You felt alone at our anniversary dinner")).to_be_visible()
    walk.see(kai, "kai", "reflect-confirm")
    choose(kai, "Not quite, something was missed")
    kai.get_by_label("What was missed?").fill("That the evening was meant to be just ours.")
    kai.get_by_role("button", name="Send").click()
    jo.reload()
    expect(jo.get_by_role("heading", name="Kai added what was missed")).to_be_visible()
    expect(jo.get_by_label("What I heard you say")).to_have_value(
        "You felt alone at our anniversary dinner while I was on my phone."
    )
    walk.see(jo, "jo", "reflect-again")
    jo.get_by_label("What I heard you say").fill(
        "You felt hurt and alone: that evening was meant to be just ours, and I spent it "
        "on my phone."
    )
    jo.get_by_role("button", name="Send to Kai").click()
    kai.reload()
    choose(kai, "Yes, that's it")
    # Once it is it, "what was missed" has no place.
    expect(kai.get_by_label("What was missed?")).to_be_hidden()
    kai.get_by_role("button", name="Send").click()
    expect(kai.get_by_role("heading", name="Jo is writing their apology")).to_be_visible()
    walk.see(kai, "kai", "apology-waiting-unread")

    # Apology: Jo reads what Kai shared, and the check answers as Jo types.
    jo.reload()
    expect(jo.get_by_text("I feel hurt and lonely when you read your phone")).to_be_visible()
    walk.see(jo, "jo", "apology")
    acknowledgement = jo.get_by_label("What I did")
    notes = jo.locator("#acknowledgement-check .check-note")
    checks = []
    jo.on("request", lambda r: checks.append(r) if "/api/v1/apology-check" in r.url else None)
    with jo.expect_response(re.compile(r"/api/v1/apology-check$")) as checked:
        acknowledgement.press_sequentially("I'm sorry if you felt hurt", delay=15)
    assert checked.value.status == 200
    expect(notes.first).to_contain_text("“if”")
    # The note quotes the words it is about.
    expect(notes.first.locator("q.check-quote")).to_have_text("sorry if")
    assert len(checks) <= 2, f"{len(checks)} checks for one burst of typing (debounced)"
    walk.see(jo, "jo", "apology-gentle-note")
    with jo.expect_response(re.compile(r"/api/v1/apology-check$")):
        acknowledgement.fill(ACKNOWLEDGEMENT)
    expect(notes).to_have_count(0)
    jo.get_by_label("How it felt for you").fill(EMPATHY)
    jo.get_by_label("Making it right").fill(RESTITUTION)
    expect(jo.locator(".check-note")).to_have_count(0)
    walk.see(jo, "jo", "apology-filled")
    kai.reload()
    expect(kai.get_by_role("heading", name="Jo is writing their apology")).to_be_visible()
    expect(kai.get_by_text("Jo has read what you shared")).to_be_visible()
    walk.see(kai, "kai", "apology-waiting")

    # Kai takes a short pause while Jo is writing: Jo's send is held, every word kept.
    kai.get_by_role("link", name="I need a pause").click()
    walk.see(kai, "kai", "pause")
    kai.get_by_role("button", name="Pause the repair").click()
    expect(kai.get_by_role("heading", name=re.compile("^Paused until"))).to_be_visible()
    walk.see(kai, "kai", "paused")
    jo.get_by_role("button", name="Send my apology").click()
    expect(jo.get_by_role("heading", name=re.compile("^Paused until"))).to_be_visible()
    expect(jo.get_by_text("Kai asked for a little space and will come back.")).to_be_visible()
    expect(jo.get_by_text("Your words are kept below.")).to_be_visible()
    expect(jo.get_by_role("button", name="I'm ready to carry on now")).to_have_count(0)
    expect(jo.get_by_label("What I did")).to_have_value(ACKNOWLEDGEMENT)
    expect(jo.get_by_label("Making it right")).to_have_value(RESTITUTION)
    walk.see(jo, "jo", "paused-words-kept")
    kai.get_by_role("button", name="I'm ready to carry on now").click()
    expect(kai.get_by_role("heading", name=re.compile("^Paused"))).to_have_count(0)

    # Jo sends the apology; Kai needs a little more first.
    jo.get_by_role("button", name="Send my apology").click()
    expect(jo.get_by_role("heading", name="Your apology is on its way")).to_be_visible()
    expect(jo.get_by_role("heading", name="Kai is reading your apology")).to_have_count(0)
    walk.see(jo, "jo", "response-waiting-unread")
    kai.reload()
    expect(kai.get_by_text(ACKNOWLEDGEMENT)).to_be_visible()
    walk.see(kai, "kai", "response")
    jo.reload()
    expect(jo.get_by_role("heading", name="Kai is reading your apology")).to_be_visible()
    walk.see(jo, "jo", "response-waiting")
    choose(kai, "Not yet")
    kai.get_by_label(re.compile("what is still missing", re.IGNORECASE)).fill(
        "Why it keeps happening on the evenings that matter."
    )
    kai.get_by_role("button", name="Send").click()
    # "Not yet" is news to Jo: unread until Jo opens the repair again.
    expect(kai.get_by_text("What you shared is waiting for Jo.")).to_be_visible()

    jo.reload()
    expect(jo.get_by_text("Why it keeps happening on the evenings that matter.")).to_be_visible()
    expect(jo.get_by_label("Making it right")).to_have_value(RESTITUTION)
    walk.see(jo, "jo", "apology-again")
    jo.get_by_label("Making it right").fill(
        RESTITUTION + " When work is heavy I hide in my phone, and I will tell you instead."
    )
    jo.get_by_role("button", name="Send my apology").click()
    # The revised apology is unread until Kai opens it.
    expect(jo.get_by_role("heading", name="Your apology is on its way")).to_be_visible()
    kai.reload()
    choose(kai, "Yes, I feel heard")
    kai.get_by_label("I forgive you").check()
    walk.see(kai, "kai", "response-heard")
    kai.get_by_role("button", name="Send").click()

    # The plan: each their own part, two commitments in all.
    expect(kai.get_by_label("My part in it")).to_be_visible()
    walk.see(kai, "kai", "plan")
    kai.get_by_label("My part in it").fill("I went quiet instead of telling you it hurt.")
    kai.get_by_label("Commitment 1", exact=True).fill(
        "Next time something hurts, I will tell you that evening, kindly."
    )
    # The follow-up days are checkboxes to tick (any of them), not chips: 3 and 7 days
    # come ticked, and ticking 14 adds it rather than choosing it alone.
    days = kai.get_by_role("group", name="Check in after (choose any)").first
    expect(days).to_be_visible()
    seven = days.get_by_role("checkbox", name="7 days")
    expect(seven).to_be_checked()
    box = seven.bounding_box()
    assert box and box["width"] >= 20 and box["height"] >= 20, box  # a visible tick box
    fourteen = days.get_by_role("checkbox", name="14 days")
    fourteen.click()
    expect(fourteen).to_be_checked()
    expect(seven).to_be_checked()
    expect(days.get_by_role("checkbox", name="3 days")).to_be_checked()
    walk.see(kai, "kai", "plan-days-ticked")
    fourteen.click()
    expect(fourteen).not_to_be_checked()
    kai.get_by_role("button", name="Send my part").click()
    expect(kai.get_by_role("heading", name=re.compile("Your part"))).to_be_visible()
    walk.see(kai, "kai", "plan-sent")
    jo.reload()
    expect(jo.get_by_text("Kai has sent their part.")).to_be_visible()
    expect(jo.get_by_text("I went quiet instead of telling you it hurt.")).to_have_count(0)
    walk.see(jo, "jo", "plan")
    jo.get_by_label("My part in it").fill("I let work spill into our evening.")
    jo.get_by_label("Commitment 1", exact=True).fill(
        "Next time we eat together, I will leave my phone in my bag."
    )
    jo.get_by_role("button", name="Send my part").click()

    # Reconnect: Jo chooses, Kai confirms.
    expect(jo.get_by_role("heading", name="A way back to each other")).to_be_visible()
    expect(jo.get_by_text("I went quiet instead of telling you it hurt.")).to_be_visible()
    walk.see(jo, "jo", "reconnect")
    kai.reload()
    expect(kai.get_by_role("heading", name="Jo is choosing a way to reconnect")).to_be_visible()
    walk.see(kai, "kai", "reconnect-waiting")
    jo.locator("label.pick").first.click()
    choice = jo.locator('input[name="choice"]').first.get_attribute("value")
    jo.get_by_role("button", name="Suggest this to Kai").click()
    expect(jo.get_by_role("heading", name="You suggested a way to reconnect")).to_be_visible()
    walk.see(jo, "jo", "reconnect-suggested")
    kai.reload()
    expect(kai.get_by_text(choice)).to_be_visible()
    walk.see(kai, "kai", "reconnect-confirm")
    # Kai would like something else, and says what.
    kai.get_by_label(re.compile("what would you like instead")).fill(
        "A slow breakfast together on Sunday, phones off."
    )
    walk.see(kai, "kai", "reconnect-instead")
    kai.get_by_role("button", name="Something else, please").click()
    jo.reload()
    expect(jo.get_by_role("heading", name="Kai would like something else")).to_be_visible()
    expect(jo.get_by_text("A slow breakfast together on Sunday, phones off.")).to_be_visible()
    walk.see(jo, "jo", "reconnect-something-else")
    jo.get_by_label("In your words").fill("Breakfast on Sunday, just us, phones in a drawer.")
    jo.get_by_role("button", name="Suggest this to Kai").click()
    kai.reload()
    expect(kai.get_by_text("Breakfast on Sunday, just us, phones in a drawer.")).to_be_visible()
    kai.get_by_role("button", name="Yes, let's").click()

    # Following through: both see the two commitments and when they'll be asked.
    for page, who in ((kai, "kai"), (jo, "jo")):
        page.goto(repair_url)
        expect(page.get_by_role("heading", name="Following through")).to_be_visible()
        expect(page.locator(".follow-up-list > article")).to_have_count(2)
        expect(page.locator("form[action*='/follow-ups/']")).to_have_count(0)
        walk.see(page, who, "following-through")
    for page, who in ((jo, "jo"), (kai, "kai")):
        page.get_by_role("link", name="Everything so far").click()
        expect(page.get_by_text("version 2")).to_be_visible()
        walk.see(page, who, "history")
    jo.goto("/repairs")
    walk.see(jo, "jo", "list")
    jo.goto(repair_url + "/close")
    walk.see(jo, "jo", "close")

    assert not walk.problems, f"{len(walk.problems)} problem(s):\n" + "\n".join(walk.problems)
