"""The couple's evening on two 360 px phones: tonight's check-in as four questions on one
screen, answered in a few taps and in well under the two minutes its label promises,
with "go deeper" folded below it."""

import re
import time

from playwright.sync_api import Page, expect

from tests.e2e.test_pages_accessibility import (
    BLOCKING_IMPACTS,
    PASSWORD,
    RUN_AXE,
    accept_invite,
    answer_checkin,
    make_invite,
    register,
)

WIDTH, HEIGHT = 360, 740
# A reader takes in about 200 words a minute; a tap, finding its target first, about
# 1.5 s; typing on a phone about 3 characters a second. The label must hold for the
# slow end of that, not for a test's robot fingers.
WORDS_PER_SECOND = 200 / 60
SECONDS_PER_TAP = 1.5
CHARACTERS_PER_SECOND = 3


class Fingers:
    """Taps and typing on one phone, counted."""

    def __init__(self, page: Page):
        self.page = page
        self.taps = 0
        self.typed = 0

    def tap(self, target) -> None:
        expect(target).to_have_count(1)
        box = target.bounding_box()
        assert box and box["height"] >= 44, f"too small to tap: {box}"
        target.tap()
        self.taps += 1

    def chip(self, scope, words: str) -> None:
        self.tap(
            scope.locator("label.pick").filter(has_text=re.compile(rf"^\s*{re.escape(words)}\s*$"))
        )

    def type(self, field, text: str) -> None:
        self.tap(field)
        field.press_sequentially(text)
        self.typed += len(text)


def axe_clean(page: Page, axe_source: str) -> None:
    page.evaluate(axe_source)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found = [f for f in page.evaluate(RUN_AXE) if f["impact"] in BLOCKING_IMPACTS]
        assert [f["id"] for f in found] == [], (scheme, [(f["id"], f["nodes"]) for f in found])
    page.emulate_media(color_scheme="light")


def phone(new_context, timezone: str) -> Page:
    page = new_context(timezone_id=timezone, has_touch=True).new_page()
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    return page


def linked(new_context, timezone: str, tag: str) -> tuple[Page, Page]:
    """Ana and Ben, each on a phone in ``timezone``, registered and linked."""
    ana, ben = phone(new_context, timezone), phone(new_context, timezone)
    register(ana, "Ana", f"ana.{tag}@example.com", timezone=timezone)
    register(ben, "Ben", f"ben.{tag}@example.com", timezone=timezone)
    accept_invite(ben, make_invite(ana), inviter="Ana")
    return ana, ben


def nightly_only(page: Page) -> None:
    """No weekly check-in, so that tonight is a nightly one whatever the weekday."""
    page.goto("/couple/checkins")
    page.get_by_label("The weekly check-in, instead of the nightly one, on").select_option("")
    page.get_by_role("button", name="Save").last.click()
    expect(page.locator(".flash")).to_contain_text("Your check-in is set.")


def test_tonight_is_four_questions_on_one_screen_in_a_few_taps(new_context, axe_source):
    ana, ben = linked(new_context, "Europe/Paris", "evening")
    nightly_only(ana)

    ana.goto("/checkin")
    expect(ana).to_have_url(re.compile(r"/checkin/\d{4}-\d{2}-\d{2}$"))
    expect(ana.locator("main .hint").first).to_have_text(
        "About two minutes. Private until Ben answers too."
    )
    form = ana.locator("form.checkin-form")
    asked = form.locator("[data-question]:visible")
    expect(asked).to_have_count(4)
    assert [q.get_attribute("data-question") for q in asked.all()] == [
        "needs_met",
        "appreciation",
        "mood",
        "on_my_mind",
    ]
    # The rest waits, folded, under "Go deeper".
    deeper = form.locator("details.deeper")
    expect(deeper).not_to_have_attribute("open", "")
    expect(deeper.locator("summary")).to_have_text(re.compile(r"Go deeper \(optional, \d+ more\)"))
    # The four fit on the phone's screen, above the bottom bar, before any scrolling.
    bar_top = ana.locator("nav.bottom").bounding_box()["y"]
    last = asked.last.bounding_box()
    assert last["y"] + last["height"] <= bar_top, (last, bar_top)
    axe_clean(ana, axe_source)

    words = len(form.inner_text().split())
    fingers = Fingers(ana)
    started = time.monotonic()
    fingers.chip(form.locator("[data-question=needs_met]"), "4")
    fingers.type(form.get_by_label(re.compile("Something I appreciated")), "The soup you made.")
    fingers.chip(form.locator("[data-question=mood]"), "4")
    fingers.chip(form.locator("[data-question=on_my_mind]"), "No")
    fingers.tap(form.get_by_role("button", name="Save my answers"))
    expect(ana.get_by_role("heading", name="Saved")).to_be_visible()
    robot = time.monotonic() - started

    seconds = (
        words / WORDS_PER_SECOND
        + fingers.taps * SECONDS_PER_TAP
        + fingers.typed / CHARACTERS_PER_SECOND
    )
    print(
        f"tonight's core: {words} words to read, {fingers.taps} taps, {fingers.typed} "
        f"characters typed: about {seconds:.0f} s for a person ({robot:.1f} s scripted)"
    )
    assert fingers.taps == 5  # three chips, the words' field and Save
    assert seconds <= 120, "the label says about two minutes"

    # What was answered is kept as answered, and Ben learns only that Ana answered.
    ben.goto("/")
    expect(ben.locator("main")).to_contain_text("Ana has answered.")
    assert "The soup you made." not in ben.content()


def test_go_deeper_opens_and_its_answers_are_kept(new_context):
    ana, ben = linked(new_context, "Asia/Tokyo", "deeper")
    nightly_only(ana)  # tonight's check-in is a nightly one, whatever the weekday in Tokyo

    ana.goto("/checkin")
    form = ana.locator("form.checkin-form")
    form.locator("[data-question=needs_met] label.pick").filter(has_text="3").click()
    form.locator("[data-question=mood] label.pick").filter(has_text="5").click()
    deeper = form.locator("details.deeper")
    deeper.locator("summary").click()
    expect(deeper).to_have_attribute("open", "")
    help_box = form.get_by_label(re.compile("One thing that would help me tomorrow"))
    expect(help_box).to_be_visible()
    help_box.fill("An early night.")
    form.get_by_role("button", name="Save my answers").click()
    expect(ana.get_by_role("heading", name="Saved")).to_be_visible()

    # Changing the answers later: "Go deeper" opens by itself, with the words in it.
    ana.get_by_role("link", name="Change my answers").click()
    expect(deeper).to_have_attribute("open", "")
    expect(help_box).to_have_value("An early night.")


BADGES = """
window.badges = [];
navigator.setAppBadge = (n) => { window.badges.push(n); return Promise.resolve(); };
navigator.clearAppBadge = () => { window.badges.push(0); return Promise.resolve(); };
"""


def test_home_says_what_waits_and_updates_when_shown_again(new_context, axe_source):
    ana, ben = linked(new_context, "Europe/Lisbon", "home")

    ana.add_init_script(BADGES)
    ana.goto("/")
    waiting = ana.get_by_role("region", name="Waiting for you")
    expect(waiting).to_contain_text("Nothing new from Ben right now.")
    ana.wait_for_function("window.badges.length > 0")
    assert ana.evaluate("window.badges") == [0]  # nothing waiting: no badge on the icon
    inbox = ana.locator("[data-inbox-link]")
    expect(inbox.locator("[data-waiting-count]")).to_be_hidden()
    ana.evaluate("window.stillThisPage = true")

    # Ben reaches out while Ana's phone shows her home page.
    ben.goto("/bids")
    ben.locator("label.pick").filter(has_text="Hug?").click()
    ben.get_by_role("button", name="Send").click()
    expect(ben.locator(".flash")).to_be_visible()

    # Ana comes back to the app: the page asks again, without a reload.
    ana.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    item = waiting.locator("[data-waiting-list] li")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Ben: Hug?")
    expect(item).to_contain_text(re.compile(r"(12|11) hours left"))
    expect(waiting.locator("[data-waiting-empty]")).to_be_hidden()
    expect(inbox.locator("[data-n]")).to_have_text("1")
    expect(ana.get_by_role("link", name=re.compile(r"^Inbox ?, 1 waiting$"))).to_be_visible()
    assert ana.evaluate("window.stillThisPage") is True
    assert ana.evaluate("window.badges").pop() == 1
    axe_clean(ana, axe_source)

    # One tap from acting on it.
    Fingers(ana).tap(item.get_by_role("link"))
    expect(ana).to_have_url(re.compile(r"/bids$"))
    ana.get_by_role("button", name="I'm here").click()
    ana.goto("/")
    expect(waiting).to_contain_text("Nothing new from Ben right now.")
    expect(inbox.locator("[data-waiting-count]")).to_be_hidden()


SHARE = """
window.shared = [];
navigator.share = (data) => { window.shared.push(data); return Promise.resolve(); };
"""
NO_SHARE = "delete Navigator.prototype.share; delete navigator.share;"


def test_the_invite_goes_out_through_the_share_sheet_or_is_copied(new_context, axe_source):
    ana = phone(new_context, "Europe/Rome")
    register(ana, "Ana", "ana.share@example.com", timezone="Europe/Rome")
    ana.add_init_script(SHARE)
    ana.goto("/pair")
    ana.get_by_role("button", name="Make an invite").click()
    link = ana.get_by_label("Invite link", exact=True).input_value()
    share = ana.get_by_role("button", name="Share the invite")
    expect(share).to_be_visible()
    expect(ana.get_by_role("button", name="Copy the link")).to_be_hidden()
    axe_clean(ana, axe_source)
    Fingers(ana).tap(share)
    ana.wait_for_function("window.shared.length === 1")
    (sent,) = ana.evaluate("window.shared")
    assert sent == {
        "title": "Join me on Couples",
        "text": "Ana invited you to Couples: a few quiet minutes for the two of us each evening.",
        "url": link,
    }

    # A phone without a share sheet copies the link instead, and says so.
    context = new_context(timezone_id="Europe/Rome", has_touch=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    other = context.new_page()
    other.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    other.add_init_script(NO_SHARE)
    other.goto("/login")
    other.get_by_label("Email").fill("ana.share@example.com")
    other.get_by_label("Password").fill(PASSWORD)
    other.get_by_role("button", name="Log in", exact=True).click()
    other.goto("/pair")
    expect(other.get_by_role("button", name="Share the invite")).to_be_hidden()
    copy = other.get_by_role("button", name="Copy the link")
    expect(copy).to_be_visible()
    Fingers(other).tap(copy)
    expect(other.locator("[data-copy-status]")).to_have_text(
        "The link is copied. Paste it into a message to your partner."
    )
    assert other.evaluate("navigator.clipboard.readText()") == link


def test_the_invited_partner_is_greeted_by_name_and_lands_on_tonight(new_context, axe_source):
    ana = phone(new_context, "Europe/Madrid")
    ben = phone(new_context, "Europe/Madrid")
    register(ana, "Ana", "ana.invite@example.com", timezone="Europe/Madrid")
    link = make_invite(ana)
    ben.goto(link)
    expect(ben).to_have_url(re.compile(r"/register\?next="))
    expect(ben.get_by_role("heading", level=1)).to_have_text("Ana invited you to Couples")
    assert "ana.invite@example.com" not in ben.content()
    axe_clean(ben, axe_source)
    ben.get_by_label("Your name").fill("Ben")
    ben.get_by_label("Email").fill("ben.invite@example.com")
    ben.get_by_label("Password", exact=True).fill(PASSWORD)
    ben.get_by_role("button", name="Create my account").click()
    ben.get_by_role("button", name="Link with Ana").click()
    expect(ben).to_have_url(re.compile(r"/checkin/\d{4}-\d{2}-\d{2}$"))
    expect(ben.locator(".flash")).to_have_text(
        "You and Ana are linked. Here's your first check-in together."
    )


def test_a_form_with_something_missing_says_so_once_at_the_top(new_context, axe_source):
    ana, ben = linked(new_context, "Europe/Berlin", "forms")

    # A repair without saying which side of it you are on.
    ana.goto("/repairs/new")
    ana.get_by_label("A short, neutral name for what happened").fill("The dishes")
    ana.get_by_role("button", name="Start").click()
    summary = ana.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link")).to_have_count(1)
    # Only the group in question is marked, once; its chips are not each turned red.
    expect(ana.locator(".has-error")).to_have_count(1)
    chip = ana.locator(".has-error label.pick span").first
    danger = ana.evaluate("getComputedStyle(document.body).getPropertyValue('--danger').trim()")
    assert chip.evaluate("e => getComputedStyle(e).borderTopColor") != danger
    axe_clean(ana, axe_source)
    # The summary's link takes her to the first choice of the group.
    summary.get_by_role("link").click()
    expect(ana.locator(".has-error input").first).to_be_focused()
    # Choosing one clears the message and the summary, without a reload.
    ana.locator("label.pick").filter(has_text="I want to make this right").click()
    expect(ana.locator(".field-error")).to_have_count(0)
    expect(summary).to_have_count(0)
    expect(ana.locator(".has-error")).to_have_count(0)

    # Tonight's check-in without its two required answers: two lines, each cleared alone.
    nightly_only(ana)
    ana.goto("/checkin")
    ana.get_by_role("button", name="Save my answers").click()
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(summary).to_contain_text("Were your needs met today: Please answer this one.")
    ana.locator("[data-question=needs_met] label.pick").filter(has_text="3").click()
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary).to_contain_text("How is your mood tonight: Please answer this one.")
    ana.locator("[data-question=mood] label.pick").filter(has_text="4").click()
    expect(summary).to_have_count(0)
    ana.get_by_role("button", name="Save my answers").click()
    expect(ana.get_by_role("heading", name="Saved")).to_be_visible()


def test_the_quiz_goes_one_pair_at_a_time_and_the_order_is_tapped(new_context, axe_source):
    ana, _ben = linked(new_context, "Europe/Vienna", "love")
    ana.goto("/love-languages/quiz")
    form = ana.locator("form[data-love-quiz]")
    shown = form.locator("fieldset:visible")
    expect(shown).to_have_count(1)
    said = form.locator("[aria-live=polite]")
    expect(said).to_have_text("Pair 1 of 20")
    axe_clean(ana, axe_source)
    fingers = Fingers(ana)
    # A tap answers and moves on; Back keeps the earlier choice.
    first_choice = shown.locator("label.pick").first
    fingers.tap(first_choice)
    expect(said).to_have_text("Pair 2 of 20")
    fingers.tap(form.get_by_role("button", name="Back"))
    expect(said).to_have_text("Pair 1 of 20")
    expect(shown.locator("input").first).to_be_checked()
    fingers.tap(form.get_by_role("button", name="Next"))
    for n in range(2, 4):
        fingers.tap(shown.locator("label.pick").last)
        expect(said).to_have_text(f"Pair {n + 1} of 20")
    # A reload (or a locked phone) keeps what was chosen, and goes on where it was.
    ana.reload()
    expect(said).to_have_text("Pair 4 of 20")
    expect(form.locator("progress")).to_have_attribute("value", "3")
    for n in range(4, 21):
        fingers.tap(shown.locator("label.pick").first)
        if n < 20:
            expect(said).to_have_text(f"Pair {n + 1} of 20")
    submit = form.get_by_role("button", name="See my love languages")
    expect(submit).to_be_visible()
    fingers.tap(submit)
    expect(ana).to_have_url(re.compile(r"/love-languages$"))
    expect(ana.locator(".flash")).to_contain_text("Here is what matters most to you.")

    # The order, by tapping: each tap is the next place; a second tap takes it out.
    ana.goto("/love-languages/order")
    order = ana.locator("form[data-love-order]")
    expect(order.locator("select")).to_have_count(5)
    expect(order.locator("select").first).to_be_hidden()
    fingers.tap(order.get_by_role("button", name="Start again"))
    save = order.get_by_role("button", name="Save")
    expect(save).to_be_disabled()
    for name in ("Quality time", "Physical touch", "Words of affirmation"):
        fingers.tap(order.locator(".order-pick").filter(has_text=name))
    expect(order.get_by_role("button", name=re.compile(r"^Physical touch ?, 2nd$"))).to_be_visible()
    fingers.tap(order.locator(".order-pick").filter(has_text="Physical touch"))
    expect(
        order.get_by_role("button", name=re.compile(r"^Words of affirmation ?, 2nd$"))
    ).to_be_visible()
    # The keyboard does the rest.
    order.locator(".order-pick").filter(has_text="Acts of service").focus()
    ana.keyboard.press("Enter")
    order.locator(".order-pick").filter(has_text="Physical touch").focus()
    ana.keyboard.press("Space")
    order.locator(".order-pick").filter(has_text="Receiving gifts").focus()
    ana.keyboard.press("Enter")
    expect(order.locator("[aria-live=polite]")).to_have_text("Receiving gifts is now 5th.")
    axe_clean(ana, axe_source)
    expect(save).to_be_enabled()
    fingers.tap(save)
    expect(ana.locator("ol.ranking").first.locator("li")).to_have_text(
        ["Quality time", "Words of affirmation", "Acts of service", "Physical touch",
         "Receiving gifts"]
    )  # fmt: skip


def test_without_javascript_the_quiz_is_one_form_that_still_sends(browser, live_server):
    context = browser.new_context(base_url=live_server, java_script_enabled=False)
    page = context.new_page()
    register(page, "Ida", "ida.nojs@example.com")
    page.goto("/love-languages/quiz")
    pairs = page.locator("form fieldset")
    expect(pairs).to_have_count(20)
    for pair in pairs.all():
        pair.locator("label.pick").first.click()
    page.get_by_role("button", name="See my love languages").click()
    expect(page).to_have_url(re.compile(r"/love-languages$"))
    context.close()


def demo_phone(new_context, email: str, password: str, timezone: str) -> Page:
    page = phone(new_context, timezone)
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login"))
    return page


def api(page: Page, method: str, path: str, body: dict | None = None) -> dict:
    token = page.request.get("/api/v1/auth/csrf").json()["csrf_token"]
    response = page.request.fetch(path, method=method, data=body, headers={"X-CSRF-Token": token})
    assert response.ok, (method, path, response.status, response.text())
    return response.json() if response.status != 204 else {}


def test_weeks_of_evenings_read_plainly_on_a_phone(new_context, demo_password, axe_source):
    maya = demo_phone(new_context, "maya.demo@example.com", demo_password, "Europe/London")
    jonah = demo_phone(new_context, "jonah.demo@example.com", demo_password, "America/New_York")

    # Ninety days: weekly averages, the chart as wide as its card, its axes in words,
    # and the partner's line told apart by its dashes and square points, not its colour.
    maya.goto("/insights?days=90")
    needs = maya.get_by_role("region", name=re.compile(r"^Needs met"))
    expect(needs.get_by_role("heading")).to_have_text("Needs met (weekly average)")
    expect(needs).to_contain_text("Each point is a week's average: 1 is not at all, 5 is fully.")
    chart = needs.locator("svg.chart")
    assert chart.bounding_box()["width"] >= 0.85 * needs.bounding_box()["width"]
    expect(needs.locator(".chart-y").first).to_have_text("5 · Fully")
    expect(needs.locator(".chart-y").last).to_have_text("1 · Not at all")
    points = chart.locator(".dot.me")
    assert 1 <= points.count() <= 14  # a week a point, not ninety days squeezed together
    dashes = "e => getComputedStyle(e).strokeDasharray"
    assert chart.locator(".line.me").evaluate(dashes) == "none"
    assert chart.locator(".line.partner").evaluate(dashes) != "none"
    assert chart.locator(".dot.me").first.evaluate("e => e.tagName") == "circle"
    assert chart.locator(".dot.partner").first.evaluate("e => e.tagName") == "rect"
    # Saying what is on your mind is not counted among the harder moments.
    together = maya.get_by_role("region", name="Together")
    expect(together).to_contain_text("harder ones (bids missed or turned away)")
    expect(together).to_contain_text("Saying it is how it gets talked through.")
    axe_clean(maya, axe_source)

    # Each partner's initials in their own colour, the same on the reveal and the lists.
    latest = api(maya, "GET", "/api/v1/checkins?limit=1")["items"][0]["date"]
    maya.goto(f"/checkin/{latest}")
    initials = maya.locator(".reveal .avatar")
    assert {a.inner_text() for a in initials.all()} == {"M", "J"}
    colour = "e => getComputedStyle(e).backgroundColor"
    mine = maya.locator(".reveal dd.mine .avatar").first.evaluate(colour)
    theirs = maya.locator(".reveal dd.theirs .avatar").first.evaluate(colour)
    assert mine != theirs
    maya.goto("/appreciations")
    bylines = maya.locator("article.note .byline .avatar")
    assert {a.inner_text() for a in bylines.all()} == {"M", "J"}
    jonahs = bylines.filter(has_text="J").first
    assert jonahs.evaluate(colour) == theirs

    # A bid is explained where it first appears, and a bid can be declined kindly.
    api(jonah, "POST", "/api/v1/bids", {"preset": "hug"})
    maya.goto("/bids")
    explain = maya.locator("details.explain")
    expect(explain.get_by_text("A bid is a small reach for each other")).to_be_hidden()
    explain.get_by_text("What's a bid?").click()
    expect(explain.get_by_text("A bid is a small reach for each other")).to_be_visible()
    newest = maya.locator("article.bid").first
    expect(newest.locator(".byline")).to_contain_text("Jonah")
    expect(newest.locator(".byline .avatar")).to_have_text("J")
    expect(newest.get_by_role("button", name="Not right now")).to_be_visible()
    expect(maya.get_by_role("button", name="Leave it")).to_have_count(0)
    axe_clean(maya, axe_source)


def test_the_first_evening_together_is_celebrated_and_still_with_reduced_motion(
    new_context, axe_source
):
    ana, ben = linked(new_context, "America/Chicago", "first")
    nightly_only(ana)
    for page, words in ((ana, "The walk at dusk."), (ben, "Coffee in bed.")):
        page.goto("/checkin")
        answer_checkin(page, words)
    expect(ben.get_by_text("You both answered. Here you are, side by side.")).to_be_visible()
    party = ben.get_by_role("region", name="Your first check-in together")
    expect(party).to_be_visible()
    heart = party.locator(".celebrate-art .heart")
    assert heart.evaluate("e => getComputedStyle(e).animationName") == "beat"
    ben.emulate_media(reduced_motion="reduce")
    assert heart.evaluate("e => getComputedStyle(e).animationName") == "none"
    axe_clean(ben, axe_source)

    # Three bids are not a score: under ten, the plain count, never a percentage.
    ana.goto("/bids")
    ana.locator("label.pick").filter(has_text="Thinking of you").click()
    ana.get_by_role("button", name="Send").click()
    expect(ana.locator(".flash")).to_be_visible()
    ben.goto("/bids")
    ben.get_by_role("button", name="I'm here").click()
    expect(ben.locator("article.bid").first).to_contain_text("Turned toward")
    ana.goto("/insights?days=7")
    turning = ana.get_by_role("region", name="Turning toward")
    expect(turning).to_contain_text("1 of 1 bid was turned toward, now or later.")
    assert "%" not in turning.inner_text()
