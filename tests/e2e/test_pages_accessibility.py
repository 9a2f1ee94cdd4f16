"""Every page, as two partners meet it, on 320 px and 360 px wide phones in light and dark:
no serious or critical axe-core finding (violation or "needs review"), a label on every form
control, and nothing wider than the screen.

Set ``E2E_SCREENSHOT_DIR`` to keep a whole-page screenshot of each page at each width, in
light and in dark, in that folder."""

import os
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.optin import FAKE_PUSH, IOS_IN_SAFARI, IPHONE_SAFARI, REFUSE_PERMISSION, reminders

WIDTHS = (320, 360)
HEIGHT = 740
SCHEMES = ("light", "dark")
BLOCKING_IMPACTS = ("serious", "critical")
PASSWORD = "violet harbor pancake 71"
SCREENSHOT_DIR = os.environ.get("E2E_SCREENSHOT_DIR")

# Violations, and what axe could not decide ("needs review"): both name the rule and nodes.
RUN_AXE = """async () => {
  const results = await axe.run(document, {resultTypes: ["violations", "incomplete"]});
  const report = (kind) => (v) => ({
    kind, id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({
      target: n.target.join(" "),
      summary: n.failureSummary
        || [...n.any, ...n.all, ...n.none].map((check) => check.message).join(" "),
    })),
  });
  return [...results.violations.map(report("violation")),
          ...results.incomplete.map(report("needs review"))];
}"""

UNLABELLED_CONTROLS = """() => [...document.querySelectorAll("input, select, textarea")]
  .filter((el) => el.type !== "hidden" && el.getClientRects().length > 0)
  .filter((el) => {
    const labelled = [...(el.labels || [])].some((label) => label.textContent.trim());
    const named = (el.getAttribute("aria-label") || "").trim();
    const by = (el.getAttribute("aria-labelledby") || "").split(/\\s+/)
      .some((id) => id && document.getElementById(id)?.textContent.trim());
    return !(labelled || named || by);
  })
  .map((el) => el.outerHTML.slice(0, 160))"""

FITS_SCREEN = "() => [document.documentElement.scrollWidth, window.innerWidth]"


def check_page(page: Page, axe_source: str, name: str, screenshots: bool = True) -> list[str]:
    """Audit the page as it is now, at each width in each color scheme; what failed."""
    problems = []
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    for width in WIDTHS:
        for scheme in SCHEMES:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            page.emulate_media(color_scheme=scheme)
            where = f"{name} ({page.url}) at {width} px, {scheme}"
            blocking = [v for v in page.evaluate(RUN_AXE) if v["impact"] in BLOCKING_IMPACTS]
            for violation in blocking:
                nodes = "\n".join(
                    f"      {node['target']}: {node['summary']}" for node in violation["nodes"]
                )
                kind = "" if violation["kind"] == "violation" else f" ({violation['kind']})"
                problems.append(
                    f"{where}: axe {violation['impact']} {violation['id']}{kind}: "
                    f"{violation['help']}\n{nodes}"
                )
            for control in page.evaluate(UNLABELLED_CONTROLS):
                problems.append(f"{where}: form control without a label: {control}")
            scroll_width, inner_width = page.evaluate(FITS_SCREEN)
            if scroll_width > inner_width:
                problems.append(
                    f"{where}: scrolls sideways ({scroll_width} px of content "
                    f"on a {inner_width} px screen)"
                )
            if screenshots and SCREENSHOT_DIR:
                _screenshot(page, width, Path(SCREENSHOT_DIR) / f"{name}-{width}-{scheme}.png")
    page.emulate_media(color_scheme="light")
    return problems


def _screenshot(page: Page, width: int, path: Path) -> None:
    """The whole page on a screen as tall as the page, so the fixed bottom bar is drawn
    where a phone shows it: below everything else."""
    path.parent.mkdir(parents=True, exist_ok=True)
    height = page.evaluate("() => document.documentElement.scrollHeight")
    page.set_viewport_size({"width": width, "height": max(HEIGHT, height)})
    page.screenshot(path=path)
    page.set_viewport_size({"width": width, "height": HEIGHT})


def register(page: Page, name: str, email: str, timezone: str | None = None) -> None:
    """Fill the register form as a person would; they land on /pair."""
    page.goto("/register")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    if timezone:
        page.get_by_label("Your time zone").select_option(timezone)
    page.get_by_role("button", name="Create my account").click()
    expect(page).to_have_url(re.compile(r"/pair$"))


def make_invite(page: Page) -> str:
    page.goto("/pair")
    page.get_by_role("button", name="Make an invite").click()
    link = page.get_by_label("Invite link", exact=True).input_value()
    assert re.search(r"/join/[0-9A-Z]{10}$", link), link
    return link


def accept_invite(page: Page, link: str, inviter: str) -> None:
    page.goto(link)
    page.get_by_role("button", name=f"Link with {inviter}").click()
    # Linked: straight to tonight's check-in.
    expect(page).to_have_url(re.compile(r"/checkin/\d{4}-\d{2}-\d{2}$"))


def answer_checkin(page: Page, words: str) -> None:
    """Answer the open check-in: every number scale at 4, and a few words."""
    for scale in page.locator(".scale").all():
        scale.locator("label.pick").nth(3).click()
    page.get_by_label("Something I appreciated about you today").fill(words)
    page.get_by_role("button", name="Save my answers").click()


def test_every_page_passes_axe_and_fits_320_and_360_in_light_and_dark(
    page, new_context, axe_source, live_server
):

    problems: list[str] = []
    audited: list[str] = []

    def visit(who: Page, name: str, path: str | None = None, status: int = 200) -> None:
        if path is not None:
            response = who.goto(path)
            assert response is not None and response.status == status, (
                f"{name}: GET {path} answered {response and response.status}, not {status}"
            )
        audited.append(name)
        problems.extend(check_page(who, axe_source, name))

    # Logged out.
    visitor = page
    visit(visitor, "welcome", "/")
    visit(visitor, "register", "/register")
    visitor.get_by_role("button", name="Create my account").click()
    expect(visitor.locator(".field-error").first).to_be_visible()
    visit(visitor, "register-errors")
    visit(visitor, "login", "/login")
    visit(visitor, "forgot", "/forgot")
    visitor.get_by_label("Email").fill("nobody@example.com")
    visitor.get_by_role("button", name="Send the link").click()
    expect(visitor.get_by_role("heading", name="Check your email")).to_be_visible()
    visit(visitor, "forgot-sent")
    visit(visitor, "reset-invalid", "/reset/not-a-real-token", status=410)
    visit(visitor, "not-found", "/no-such-page", status=404)

    # Partner 1 registers; the time zone select follows the phone's clock.
    alex = new_context(timezone_id="America/New_York").new_page()
    alex.goto("/register")
    expect(alex.get_by_label("Your time zone")).to_have_value("America/New_York")
    register(alex, "Alex", "alex@example.com")
    visit(alex, "pair-welcome")
    visit(alex, "home-unlinked", "/")
    link = make_invite(alex)
    visit(alex, "pair-invite")

    # Partner 2 registers, opens the invite link and accepts.
    sam = new_context(timezone_id="Europe/Paris").new_page()
    register(sam, "Sam", "sam@example.com", timezone="Europe/London")
    sam.goto(link)
    expect(sam.get_by_role("heading", name="Alex invited you")).to_be_visible()
    visit(sam, "join")
    sam.get_by_role("button", name="Link with Alex").click()
    expect(sam).to_have_url(re.compile(r"/checkin/\d{4}-\d{2}-\d{2}$"))
    visit(sam, "couple-linked-flash")

    # Linked.
    visit(alex, "home-linked", "/")
    expect(alex.get_by_text("You and Sam are linked.")).to_be_visible()
    expect(reminders(alex, "/").get_by_role("button", name="Turn on reminders")).to_be_visible()
    visit(alex, "home-reminders-card")
    visit(alex, "couple", "/couple")
    visit(alex, "unlink-confirm", "/couple/unlink")
    visit(alex, "account", "/account")
    visit(alex, "delete-confirm", "/account/delete")
    visit(alex, "export-confirm", "/account/export")
    visit(alex, "inbox-empty", "/notifications")
    expect(alex.get_by_text("Nothing here yet.")).to_be_visible()
    visit(alex, "not-found-logged-in", "/no-such-page", status=404)

    # Tonight's check-in: a refused form, saving, waiting, the reveal, the history.
    alex.goto("/checkin")
    visit(alex, "checkin-form")
    alex.locator("form.checkin-form").evaluate("form => { form.noValidate = true; }")
    alex.get_by_role("button", name="Save my answers").click()
    expect(alex.locator(".field-error").first).to_be_visible()
    visit(alex, "checkin-form-errors")
    answer_checkin(alex, "A walk after dinner")
    expect(alex.get_by_role("heading", name="Saved")).to_be_visible()
    visit(alex, "checkin-waiting")
    visit(sam, "home-partner-answered", "/")
    expect(sam.get_by_text("Alex has answered")).to_be_visible()
    # Through the card, to the date Alex answered: in London it can already be the next
    # day while it is still the evening in New York.
    sam.get_by_role("link", name="Answer now").click()
    answer_checkin(sam, "Tea in bed")
    expect(sam.get_by_text("A walk after dinner")).to_be_visible()
    visit(sam, "checkin-reveal")
    visit(sam, "checkin-history", "/checkins")
    visit(alex, "checkin-settings", "/couple/checkins")

    # Love languages, appreciations, bids, insights.
    visit(alex, "love-languages-empty", "/love-languages")
    alex.goto("/love-languages/quiz")
    visit(alex, "love-quiz")
    for pair in alex.locator("fieldset").all():
        pair.locator("label.pick").first.click()
    alex.get_by_role("button", name="See my love languages").click()
    expect(alex.get_by_role("heading", name="Mine")).to_be_visible()
    visit(alex, "love-languages")
    visit(sam, "love-languages-partner", "/love-languages")
    visit(sam, "love-order", "/love-languages/order")
    visit(sam, "connect", "/connect")
    sam.goto("/appreciations/new")
    visit(sam, "appreciation-new")
    sam.get_by_label("What did you appreciate?").fill("You made dinner when I was tired.")
    sam.get_by_role("button", name="Send").click()
    visit(sam, "appreciation-journal")
    sam.goto("/bids")
    sam.get_by_text("Hug?").click()
    sam.get_by_role("button", name="Send", exact=True).click()
    visit(sam, "bids-sent")
    visit(alex, "bids-to-answer", "/bids")
    visit(alex, "insights", "/insights?days=7")
    visit(alex, "grow", "/grow")
    visit(alex, "promises-empty", "/grow/promises")
    visit(alex, "together-empty", "/grow/together")

    # A repair: each step as the one whose turn it is meets it, and the one who waits.
    visit(alex, "repairs-empty", "/repairs")
    visit(alex, "repair-new", "/repairs/new")
    alex.get_by_role("button", name="Start").click()
    expect(alex.locator(".field-error").first).to_be_visible()
    visit(alex, "repair-new-errors")
    alex.get_by_label("A short, neutral name for what happened").fill("Saturday's dinner")
    alex.locator("label.pick", has_text="I want to make this right").click()
    alex.get_by_role("button", name="Start").click()
    expect(alex).to_have_url(re.compile(r"/repairs/[\w-]+$"))
    repair = alex.url
    visit(alex, "repair-ready")
    alex.get_by_role("button", name="I'm calm enough to begin").click()
    expect(alex.get_by_text("You're ready.")).to_be_visible()
    visit(alex, "repair-ready-waiting")
    sam.goto(repair)
    sam.locator("label.pick", has_text="I'm the one who was hurt").click()
    sam.get_by_role("button", name="I'm calm enough to begin").click()
    expect(sam.get_by_role("heading", name="What hurt, in your words")).to_be_visible()
    visit(sam, "repair-hearing")
    visit(alex, "repair-hearing-waiting", repair)
    sam.get_by_role("button", name="Share with Alex").click()
    expect(sam.locator(".field-error").first).to_be_visible()
    visit(sam, "repair-hearing-errors")
    sam.locator("label.pick").filter(has_text=re.compile("^hurt$")).click()
    sam.get_by_label("when …").fill("you shoved me against the wall")
    sam.get_by_label("I need …").fill("to feel safe with you")
    sam.locator("label.pick", has_text="Space").click()
    sam.get_by_role("button", name="Share with Alex").click()
    # Words of danger: the help comes first, before anything reaches Alex.
    expect(sam.get_by_role("heading", name="Before you send this")).to_be_visible()
    visit(sam, "repair-hearing-help-first")
    sam.get_by_role("button", name="Send to Alex").click()
    expect(sam.get_by_role("heading", name="Your safety comes first")).to_be_visible()
    visit(alex, "repair-reflect", repair)
    visit(sam, "repair-reflect-waiting", repair)
    alex.get_by_role("button", name="Send to Sam").click()
    expect(alex.locator(".field-error").first).to_be_visible()
    visit(alex, "repair-reflect-errors")
    alex.get_by_label("What I heard you say").fill("You were frightened and alone that night.")
    alex.get_by_role("button", name="Send to Sam").click()
    expect(alex.get_by_role("heading", name="What you heard is on its way")).to_be_visible()
    visit(alex, "repair-reflect-sent")
    visit(sam, "repair-reflect-confirm", repair)
    sam.locator("label.pick", has_text="Yes, that's it").click()
    sam.get_by_role("button", name="Send").click()
    expect(sam.get_by_role("heading", name="Alex is writing their apology")).to_be_visible()
    visit(alex, "repair-apology", repair)
    alex.get_by_label("What I did").fill("I'm sorry if you felt hurt")
    expect(alex.locator(".check-note").first).to_be_visible()
    visit(alex, "repair-apology-notes")
    visit(sam, "repair-apology-waiting", repair)
    sam.get_by_role("link", name="I need a pause").click()
    visit(sam, "repair-pause")
    sam.get_by_role("button", name="Pause the repair").click()
    visit(sam, "repair-paused")
    visit(alex, "repair-paused-partner", repair)
    sam.get_by_role("button", name="I'm ready to carry on now").click()
    alex.reload()
    alex.get_by_label("What I did").fill("I'm sorry I pushed you. It was wrong.")
    alex.get_by_label("How it felt for you").fill("You felt scared and hurt.")
    alex.get_by_label("Making it right").fill("It will not happen again. What do you need?")
    alex.get_by_role("button", name="Send my apology").click()
    # "I pushed you": words of harm, so the writer sees where help is before sending.
    expect(alex.get_by_role("heading", name="Before you send this")).to_be_visible()
    alex.get_by_role("button", name="Send to Sam").click()
    expect(alex.get_by_role("heading", name="Your apology is on its way")).to_be_visible()
    visit(alex, "repair-response-waiting")
    visit(sam, "repair-response", repair)
    sam.locator("label.pick", has_text="Not yet").click()
    sam.get_by_label(re.compile("What is still missing")).fill("How you'll stop it.")
    sam.get_by_role("button", name="Send").click()
    visit(alex, "repair-apology-again", repair)
    alex.get_by_role("button", name="Send my apology").click()
    alex.get_by_role("button", name="Send to Sam").click()  # the same words: help first
    expect(alex.get_by_role("heading", name="Your apology is on its way")).to_be_visible()
    sam.reload()
    sam.locator("label.pick", has_text="Yes, I feel heard").click()
    sam.get_by_role("button", name="Send").click()
    expect(sam.get_by_label("My part in it")).to_be_visible()
    visit(sam, "repair-plan")
    sam.get_by_label("My part in it").fill("I stayed when I should have left the room.")
    sam.get_by_label("Commitment 1", exact=True).fill(
        "Next time it gets heated, I will leave the room."
    )
    sam.get_by_role("button", name="Send my part").click()
    visit(sam, "repair-plan-sent")
    visit(alex, "repair-plan-partner-sent", repair)
    alex.get_by_label("My part in it").fill("I lost my temper.")
    alex.get_by_label("Commitment 1", exact=True).fill(
        "Next time I feel angry, I will walk away and call you later."
    )
    alex.get_by_role("button", name="Send my part").click()
    visit(alex, "repair-reconnect")
    visit(sam, "repair-reconnect-waiting", repair)
    alex.locator("label.pick").first.click()
    alex.get_by_role("button", name="Suggest this to Sam").click()
    visit(alex, "repair-reconnect-suggested")
    visit(sam, "repair-reconnect-confirm", repair)
    sam.get_by_role("button", name="Yes, let's").click()
    visit(alex, "repair-following-through", repair)
    visit(alex, "repair-history", repair + "/history")
    visit(sam, "repair-list", "/repairs")
    visit(alex, "repair-close", repair + "/close")
    visit(alex, "repair-help", "/repairs/help")
    visit(sam, "repair-help-safety", "/repairs/help?for=safety")
    alex.goto(repair + "/close")
    alex.get_by_role("button", name="Close the repair").click()
    visit(sam, "repair-closed", repair)

    # Partner 1 ends the link; partner 2's home carries the notice.
    alex.goto("/couple/unlink")
    alex.get_by_role("button", name="End the link").click()
    expect(alex).to_have_url(re.compile(r"/$"))
    visit(alex, "home-after-unlinking")
    visit(alex, "connect-unlinked", "/connect")
    visit(alex, "words-after-unlinking", "/account/words")
    visit(sam, "home-link-ended-notice", "/")
    expect(sam.get_by_role("heading", name="Your link has ended")).to_be_visible()
    visit(sam, "inbox", "/notifications")
    expect(sam.get_by_role("link", name="Your link has ended")).to_be_visible()
    visit(sam, "reminders", "/settings/notifications")
    sam.get_by_label("Remind me of tonight's check-in at").fill("20:30")
    sam.get_by_role("button", name="Save").click()
    expect(sam.get_by_text("Saved.")).to_be_visible()
    visit(sam, "reminders-saved")

    # Reminders on one phone: on (after a test), refused, and Safari on an iPhone in a tab.
    pat_context = new_context()
    pat_context.add_init_script(FAKE_PUSH)
    pat = pat_context.new_page()
    register(pat, "Pat", "pat.a11y@example.com")
    on_this_phone = reminders(pat)
    pat_context.grant_permissions(["notifications"], origin=live_server)
    on_this_phone.get_by_role("button", name="Turn on reminders").click()
    on_this_phone.get_by_role("button", name="Send me a test").click()
    expect(on_this_phone.get_by_role("status")).to_have_text("Sent. It should arrive in a moment.")
    visit(pat, "reminders-on")
    blocked_context = new_context()
    blocked_context.add_init_script(REFUSE_PERMISSION)
    blocked = blocked_context.new_page()
    register(blocked, "Bo", "bo.a11y@example.com")
    reminders(blocked).get_by_role("button", name="Turn on reminders").click()
    expect(blocked.get_by_text("Notifications are blocked")).to_be_visible()
    visit(blocked, "reminders-denied")
    iphone_context = new_context(user_agent=IPHONE_SAFARI)
    iphone_context.add_init_script(IOS_IN_SAFARI)
    iphone = iphone_context.new_page()
    register(iphone, "Ivy", "ivy.a11y@example.com")
    expect(reminders(iphone).get_by_text("Add to Home Screen")).to_be_visible()
    visit(iphone, "reminders-ios")

    assert len(audited) == len(set(audited)) == 90, audited
    assert not problems, f"{len(problems)} problem(s):\n\n" + "\n\n".join(problems)


def test_unlinking_ends_the_link_and_the_partner_sees_a_calm_notice(new_context):
    ana = new_context().new_page()
    ben = new_context().new_page()
    register(ana, "Ana", "ana@example.com", timezone="Europe/Madrid")
    register(ben, "Ben", "ben@example.com", timezone="Asia/Tokyo")
    accept_invite(ben, make_invite(ana), inviter="Ana")
    ana.goto("/")
    expect(ana.get_by_text("You and Ben are linked.")).to_be_visible()

    ana.goto("/couple/unlink")
    expect(ana.get_by_role("heading", name="End your link with Ben?")).to_be_visible()
    ana.get_by_role("button", name="End the link").click()
    expect(ana).to_have_url(re.compile(r"/$"))
    expect(ana.get_by_role("status")).to_have_text(
        "Your link has ended. Your own words are still here, under Account."
    )
    expect(ana.get_by_role("link", name="Invite or join")).to_be_visible()
    ana.goto("/couple")
    expect(ana).to_have_url(re.compile(r"/pair$"))

    # Ben's home: no longer linked, and a quiet card (not an alert) says why.
    ben.goto("/")
    notice = ben.get_by_role("region", name="Your link has ended")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Ana ended your link in Couples.")
    expect(ben.get_by_role("alert")).to_have_count(0)
    expect(ben.get_by_text("You and Ana are linked.")).to_have_count(0)
    expect(ben.get_by_role("link", name="Invite or join")).to_be_visible()
    ben.goto("/couple")
    expect(ben).to_have_url(re.compile(r"/pair$"))

    # Once read, the notice is gone for good.
    ben.goto("/")
    ben.get_by_role("button", name="Okay").click()
    expect(ben).to_have_url(re.compile(r"/$"))
    expect(ben.get_by_role("region", name="Your link has ended")).to_have_count(0)


def test_the_audit_catches_unlabelled_controls_low_contrast_misused_aria_and_overflow(
    page, axe_source
):
    page.set_content(
        '<!doctype html><html lang="en"><head><title>Broken</title>'
        "<style>.faint { color: #999; background: #aaa; } .wide { width: 600px; }</style>"
        '</head><body><main><h1>Broken</h1><input id="nameless">'
        '<p class="faint">Hard to read</p><p aria-label="Code">7K2M-9QX4TB</p>'
        '<div class="wide">Too wide</div></main></body></html>'
    )
    problems = "\n".join(check_page(page, axe_source, "broken", screenshots=False))
    for width in WIDTHS:
        for scheme in SCHEMES:
            where = f"broken (about:blank) at {width} px, {scheme}"
            assert f"{where}: axe critical label" in problems, problems
            assert f"{where}: axe serious color-contrast:" in problems, problems
            assert f"{where}: axe serious aria-prohibited-attr (needs review)" in problems, problems
            assert f"{where}: form control without a label" in problems, problems
            assert f"{where}: scrolls sideways" in problems, problems
