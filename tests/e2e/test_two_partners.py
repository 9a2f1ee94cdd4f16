"""Two partners on two phones, start to finish, only through the pages: Ava in New York
and Ben in London register (each phone's clock picks the time zone), link with Ava's
invite link, answer the same check-in on a 360 px touch screen, wait without seeing a word
of the other's answers, see the reveal side by side, then walk a repair from `ready`
through `hearing`, `reflect`, `apology` and `response` to a `plan` both have written.

Every page either of them meets is audited in light and dark: no serious or critical
axe-core finding, nothing wider than the screen, no error in the browser console, and
each control they tap or type into is at least 44 px tall. Each page is kept as a
whole-page screenshot in the test's folder (and in ``TWO_PARTNERS_SHOTS_DIR`` when set),
numbered in the order the partners met them."""

import os
import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from couples.checkins import rules
from couples.lovelanguages.content import LANGUAGE_LABELS
from tests.e2e.test_pages_accessibility import BLOCKING_IMPACTS, PASSWORD, RUN_AXE
from tests.e2e.test_repair_walk import shoot_whole_page

WIDTH, HEIGHT = 360, 740
MIN_TARGET = 44
SCHEMES = ("light", "dark")
NEW_YORK, LONDON = "America/New_York", "Europe/London"
PHONE = {"is_mobile": True, "has_touch": True}
# Set TWO_PARTNERS_SHOTS_DIR to keep a copy of the screenshots outside the test's folder.
SHOTS_COPY = os.environ.get("TWO_PARTNERS_SHOTS_DIR")

# The widest thing on the page against the phone's screen.
WIDTHS = """() => [Math.max(document.documentElement.scrollWidth, document.body.scrollWidth),
                   document.documentElement.clientWidth]"""

# Words only one partner writes: whether the other can read them is the privacy check.
AVA_MARKER = "lighthouse"
BEN_MARKER = "marmalade"

REPAIR_TITLE = "Friday's phone call"


class Phone:
    """One partner's phone: taps and typing that check the size of what is touched, and
    the errors its console reports."""

    def __init__(self, page: Page, name: str, trip: "Trip"):
        self.page = page
        self.name = name
        self.trip = trip
        self.console: list[str] = []
        page.on(
            "console",
            lambda message: (
                self.console.append(
                    f"console {message.type}: {message.text} at {message.location.get('url')}"
                )
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: self.console.append(f"uncaught: {error}"))

    def _touchable(self, target: Locator, what: str) -> None:
        target.scroll_into_view_if_needed()
        box = target.bounding_box()
        assert box is not None, f"{self.name}: {what} is not on the screen"
        if box["height"] < MIN_TARGET:
            self.trip.problems.append(
                f"{self.name} at {self.page.url}: {what} is {box['height']:.0f} px tall "
                f"(under {MIN_TARGET} px)"
            )

    def tap(self, target: Locator, what: str) -> None:
        expect(target).to_have_count(1)
        self._touchable(target, what)
        target.tap()

    def type_in(self, field: Locator, text: str, what: str) -> None:
        expect(field).to_have_count(1)
        self._touchable(field, what)
        field.tap()
        field.fill(text)

    def tap_choice(self, scope: Page | Locator, words: str) -> None:
        """Tap a chip (a radio or checkbox under its label) by its exact visible words."""
        self.tap(
            scope.locator("label.pick").filter(has_text=re.compile(rf"^\s*{re.escape(words)}\s*$")),
            f"the “{words}” chip",
        )

    def tab(self, name: str) -> None:
        """Tap a section of the bottom bar."""
        self.tap(
            self.page.get_by_role("navigation", name="Main").get_by_role("link", name=name),
            f"the {name} tab",
        )

    def see(self, what: str) -> None:
        self.trip.see(self, what)


class Trip:
    """Audits and keeps a screenshot of every page either partner meets."""

    def __init__(self, folder: Path, axe_source: str):
        self.folder = folder
        self.axe_source = axe_source
        self.count = 0
        self.problems: list[str] = []
        self.shots: list[Path] = []
        self.pages: list[str] = []

    def see(self, phone: Phone, what: str) -> None:
        page = phone.page
        self.count += 1
        label = f"{self.count:02d}-{phone.name.lower()}-{what}"
        self.pages.append(label)
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(self.axe_source)
        for scheme in SCHEMES:
            page.emulate_media(color_scheme=scheme)
            where = f"{label} ({page.url}, {scheme})"
            for finding in page.evaluate(RUN_AXE):
                if finding["impact"] in BLOCKING_IMPACTS:
                    nodes = "; ".join(f"{n['target']}: {n['summary']}" for n in finding["nodes"])
                    self.problems.append(
                        f"{where}: axe {finding['impact']} {finding['id']} "
                        f"({finding['kind']}): {finding['help']}: {nodes}"
                    )
            content_width, screen_width = page.evaluate(WIDTHS)
            if content_width > min(screen_width, WIDTH):
                self.problems.append(
                    f"{where}: scrolls sideways ({content_width} px of "
                    f"content on a {screen_width} px screen)"
                )
            self._shoot(page, self.folder / f"{label}-{scheme}.png")
        page.emulate_media(color_scheme="light")
        self.problems.extend(f"{label} ({page.url}): {line}" for line in phone.console)
        phone.console.clear()

    def _shoot(self, page: Page, path: Path) -> None:
        shoot_whole_page(page, path)
        self.shots.append(path)


@pytest.fixture
def trip(tmp_path, axe_source):
    folder = tmp_path / "two-partners-shots"
    folder.mkdir()
    trip = Trip(folder, axe_source)
    yield trip
    if trip.shots and SHOTS_COPY:
        copy = Path(SHOTS_COPY)
        shutil.rmtree(copy, ignore_errors=True)
        copy.mkdir(parents=True, exist_ok=True)
        for shot in trip.shots:
            shutil.copy2(shot, copy / shot.name)


def register(phone: Phone, email: str, zone: str) -> None:
    """The register form as a person fills it: the time zone is the phone's own."""
    page = phone.page
    expect(page).to_have_url(re.compile(r"/register(\?|$)"))
    expect(page.get_by_label("Your time zone")).to_have_value(zone)
    phone.see("register")
    phone.type_in(page.get_by_label("Your name"), phone.name, "the name field")
    phone.type_in(page.get_by_label("Email"), email, "the email field")
    phone.type_in(page.get_by_label("Password", exact=True), PASSWORD, "the password field")
    phone.tap(page.get_by_role("button", name="Create my account"), "Create my account")
    expect(flash(page)).to_have_text(f"Welcome, {phone.name}.")


def flash(page: Page) -> Locator:
    """The one-line message a page shows after an action (role status)."""
    return page.locator("main > p.flash[role=status]")


def prompt_of(text: str) -> str:
    return re.sub(r"\s*\(optional\)$", "", " ".join(text.split()))


def answer_checkin(phone: Phone, marker: str, picks: dict) -> dict[str, str]:
    """Answer every question of the open check-in form by touch: a number on each scale,
    a chip for each choice and yes/no, some boxes of each multi-select, and words (with
    ``marker`` in them) in each text field. What the reveal should show, by prompt."""
    page = phone.page
    form = page.locator("form.checkin-form")
    expect(form).to_be_visible()
    shown: dict[str, str] = {}
    kinds: set[str] = set()
    deeper = form.locator("details.deeper")
    for number, card in enumerate(form.locator("[data-question]").all(), start=1):
        inside = deeper.count() and card.locator("xpath=ancestor::details").count()
        if inside and deeper.get_attribute("open") is None:  # "Go deeper" is folded at first
            phone.tap(deeper.locator("summary"), "Go deeper")
            expect(deeper).to_have_attribute("open", "")
        textarea = card.locator("textarea")
        if textarea.count():
            prompt = prompt_of(card.locator("label").inner_text())
            key = textarea.get_attribute("name")
            if key in picks["hidden"]:  # asked only after a yes, and the answer was no
                expect(card).to_be_hidden()
                shown[prompt] = "Skipped"
                continue
            if key in picks["skip"]:
                shown[prompt] = "Skipped"
                continue
            words = f"{picks['words'].get(key, 'A few words')}, {marker} {number}."
            phone.type_in(textarea, words, f"the “{prompt}” field")
            shown[prompt] = words
            kinds.add("text")
            continue
        prompt = prompt_of(card.locator("legend").inner_text())
        key = card.locator("input").first.get_attribute("name")
        chips = card.locator("label.pick")
        if card.locator(".scale").count():
            value = picks["scales"][key]
            phone.tap_choice(card, str(value))
            top = chips.last.inner_text().strip()
            shown[prompt] = f"{value} of {top}"
            kinds.add("scale")
        elif card.locator("input[type=checkbox]").count():
            chosen = [LANGUAGE_LABELS[option] for option in picks["multi"][key]]
            for words in chosen:
                phone.tap_choice(card, words)
            shown[prompt] = ", ".join(sorted(chosen, key=_order_of(chips)))
            kinds.add("multi")
        else:
            words = picks["choices"][key]
            phone.tap_choice(card, words)
            shown[prompt] = words
            kinds.add("yesno" if words in ("Yes", "No") else "choice")
    assert kinds == {"text", "scale", "multi", "choice", "yesno"}, kinds
    assert len(shown) >= 11, shown  # every nightly question of the seven modules
    return shown


def _order_of(chips: Locator):
    order = [chip.strip() for chip in chips.all_inner_texts()]
    return order.index


def revealed(page: Page) -> dict[str, tuple[str, ...]]:
    """The reveal as it reads: for each prompt, the partner's answer then mine."""
    rows = page.locator(".reveal .reveal-item").evaluate_all("""items => items.map(item => [
        item.querySelector('dt').innerText,
        ...[...item.querySelectorAll('dd.theirs, dd.mine')].map(dd => {
            const copy = dd.cloneNode(true);  // without the avatar's initials
            copy.querySelectorAll('.avatar').forEach(a => a.remove());
            return [...copy.children].map(c => c.textContent).join(' ');
        })])""")
    return {" ".join(dt.split()): tuple(" ".join(dd.split()) for dd in dds) for dt, *dds in rows}


def expected_reveal(partner: str, theirs: dict, mine: dict) -> dict[str, tuple[str, ...]]:
    """Their answer first, then mine; an empty side is left out, and a question neither
    answered is not shown at all."""
    shown = {}
    for prompt in mine:
        sides = (f"{partner} {theirs[prompt]}", f"You {mine[prompt]}")
        kept = tuple(
            side
            for side, words in zip(sides, (theirs[prompt], mine[prompt]), strict=True)
            if words != "Skipped"
        )
        if kept:
            shown[prompt] = kept
    return shown


def the_date_both_can_answer(now: datetime) -> date:
    """Each partner answers on their own local date (or yesterday's until noon): the latest
    date open in both zones is the couple's evening, New York's tonight."""
    both = set(rules.open_dates(now, NEW_YORK)) & set(rules.open_dates(now, LONDON))
    assert both, "New York and London always share an open date"
    return max(both)


AVA_PICKS = {
    "scales": {"needs_met": 4, "mood": 3, "week_needs_met": 8},
    "choices": {
        "love_language_wish": "Quality time",
        "turned_toward": "Sometimes",
        "on_my_mind": "Yes",
    },
    "multi": {"love_languages_felt": ["time", "words"]},
    "words": {
        "needs_help": "Ten phone-free minutes when I get home",
        "appreciation": "You made my coffee before your early call",
        "felt_seen": "When you asked about my sister",
        "on_my_mind_text": "The phone call on Friday night",
        "question_of_the_day": "Coffee in bed, and you remembering the little things",
    },
    "skip": (),
    "hidden": (),
}
BEN_PICKS = {
    "scales": {"needs_met": 5, "mood": 4, "week_needs_met": 7},
    "choices": {
        "love_language_wish": "Physical touch",
        "turned_toward": "Mostly",
        "on_my_mind": "No",
    },
    "multi": {"love_languages_felt": ["acts", "touch", "gifts"]},
    "words": {
        "needs_help": "A walk together before work",
        "appreciation": "Your voice message at lunch",
        "felt_seen": "Our call at breakfast",
        "question_of_the_day": "When you ask how my day really went",
    },
    "skip": (),
    "hidden": ("on_my_mind_text",),  # nothing on his mind: that box is not asked
}


class _AnyDate:
    def __eq__(self, other) -> bool:
        return bool(re.fullmatch(r"\d{2} [A-Z][a-z]+ \d{4}", other))

    def __repr__(self) -> str:
        return "<a date like 21 November 2026>"


ANY_DATE = _AnyDate()


def facts(page: Page) -> dict[str, str]:
    """The terms and definitions of the page's list of facts."""
    pairs = page.locator("dl.facts").evaluate("""list => [...list.querySelectorAll('dt')]
        .map(dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()])""")
    return dict(pairs)


def stage_of(page: Page) -> Locator:
    return page.locator("ol.stages li[aria-current='step']")


def test_two_partners_link_check_in_see_the_reveal_and_walk_a_repair_to_the_plan(new_context, trip):
    ava = Phone(new_context(timezone_id=NEW_YORK, **PHONE).new_page(), "Ava", trip)
    ben = Phone(new_context(timezone_id=LONDON, **PHONE).new_page(), "Ben", trip)

    # ---------------------------------------------------------------- register and link
    ava.page.goto("/")
    ava.see("welcome")
    ava.tap(ava.page.get_by_role("link", name="Create an account"), "Create an account")
    register(ava, "ava.phones@example.com", NEW_YORK)
    expect(ava.page).to_have_url(re.compile(r"/pair$"))
    ava.see("pair")
    ava.tap(ava.page.get_by_role("button", name="Make an invite"), "Make an invite")
    expect(ava.page.get_by_role("img", name="QR code of the invite link").first).to_be_visible()
    link = ava.page.get_by_label("Invite link", exact=True).input_value()
    # The link names the address Ava opened the app at, so it reaches the same cookies.
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/join/[0-9A-Z]{10}", link), link
    code = link.rsplit("/", 1)[1]
    expect(ava.page.locator(".code")).to_contain_text(f"{code[:5]}-{code[5:]}")
    ava.see("pair-invite")

    # Ben taps the link Ava sent before he has an account: he registers, then links.
    ben.page.goto(link)
    # The sign-up page says who invited him.
    expect(ben.page.get_by_role("heading", name="Ava invited you to Couples")).to_be_visible()
    ben.see("register-invited")
    register(ben, "ben.phones@example.com", LONDON)
    expect(ben.page).to_have_url(re.compile(rf"/join/{code}$"))
    expect(ben.page.get_by_role("heading", name="Ava invited you")).to_be_visible()
    ben.see("join")
    ben.tap(ben.page.get_by_role("button", name="Link with Ava"), "Link with Ava")
    # Linked: he lands on their first check-in, not on a settings page.
    expect(ben.page).to_have_url(re.compile(r"/checkin/\d{4}-\d{2}-\d{2}$"))
    expect(flash(ben.page)).to_have_text(
        "You and Ava are linked. Here's your first check-in together."
    )
    ben.see("linked-checkin")
    ben.tab("Us")
    expect(ben.page.get_by_role("heading", name="You and Ava")).to_be_visible()
    assert facts(ben.page) == {
        "Linked since": ANY_DATE,
        "Ava's time zone": "America/New York",
        "Your time zone": "Europe/London",
    }
    ben.see("couple")

    ava.tab("Us")
    expect(ava.page).to_have_url(re.compile(r"/couple$"))
    expect(ava.page.get_by_role("heading", name="You and Ben")).to_be_visible()
    assert facts(ava.page) == {
        "Linked since": ANY_DATE,
        "Ben's time zone": "Europe/London",
        "Your time zone": "America/New York",
    }
    ava.see("couple")

    # ---------------------------------------------------------------------- the check-in
    # The same date for both, whatever the hour: New York's tonight; in London it is
    # tonight too, or (after midnight there) yesterday's, open until noon.
    now = datetime.now(UTC)
    day = the_date_both_can_answer(now)
    iso = day.isoformat()
    kind = rules.kind_for(day, rules.Schedule())
    tonight = "This week's check-in" if kind == "weekly" else "Tonight's check-in"
    ben_card = tonight if day == rules.local_now(now, LONDON).date() else "Yesterday's check-in"
    assert day == rules.local_now(now, NEW_YORK).date()

    ava.tab("Tonight")
    expect(ava.page).to_have_url(re.compile(rf"/checkin/{iso}$"))
    expect(ava.page.get_by_role("heading", level=1)).to_contain_text(tonight)
    expect(ava.page.get_by_text("Private until Ben answers too.")).to_be_visible()
    ava.see("checkin")
    ava_answers = answer_checkin(ava, AVA_MARKER, AVA_PICKS)
    ava.see("checkin-filled")
    ava.tap(ava.page.get_by_role("button", name="Save my answers"), "Save my answers")
    expect(flash(ava.page)).to_have_text("Saved. Thank you.")
    expect(ava.page.get_by_role("heading", name="Saved")).to_be_visible()
    expect(ava.page.get_by_text("Waiting for Ben.")).to_be_visible()
    expect(ava.page.get_by_role("heading", name="My answers")).to_be_visible()
    ava.see("checkin-waiting")

    # Ben is told that Ava answered, never what.
    ben.tap(ben.page.locator("a.brand"), "the Couples (home) link")
    card = ben.page.get_by_role("region", name=ben_card)
    expect(card).to_contain_text("Ava has answered. Add yours to see each other's.")
    assert AVA_MARKER not in ben.page.content()
    ben.see("home-partner-answered")
    ben.tap(card.get_by_role("link", name="Answer now"), "Answer now")
    expect(ben.page).to_have_url(re.compile(rf"/checkin/{iso}$"))
    expect(ben.page.get_by_role("heading", level=1)).to_contain_text(
        "Check-in" if ben_card == "Yesterday's check-in" and kind == "nightly" else tonight
    )
    expect(
        ben.page.get_by_text("Ava has answered. Add yours and you'll see each other's answers.")
    ).to_be_visible()
    assert AVA_MARKER not in ben.page.content()
    ben.see("checkin")
    ben_answers = answer_checkin(ben, BEN_MARKER, BEN_PICKS)
    ben.see("checkin-filled")

    # Ben's words are typed but not saved: Ava still waits and sees none of them.
    ava.page.reload()
    expect(ava.page.get_by_role("heading", name="Saved")).to_be_visible()
    assert BEN_MARKER not in ava.page.content()
    ava.tap(ava.page.locator("a.brand"), "the Couples (home) link")
    expect(ava.page.get_by_role("region", name=tonight)).to_contain_text(
        "Saved. Waiting for Ben; it'll keep."
    )
    assert BEN_MARKER not in ava.page.content()
    ava.see("home-waiting")

    # Ben saves: the reveal, side by side.
    ben.tap(ben.page.get_by_role("button", name="Save my answers"), "Save my answers")
    expect(flash(ben.page)).to_have_text("You've both answered.")
    expect(ben.page.get_by_text("You both answered. Here you are, side by side.")).to_be_visible()
    assert revealed(ben.page) == expected_reveal("Ava", ava_answers, ben_answers)
    assert "Skipped" not in ben.page.locator(".reveal").inner_text()
    ben.see("reveal")
    # Ben sends a heart on Ava's appreciation: turning toward what she said.
    thanks = ben.page.locator("#answer-appreciation")
    ben.tap(thanks.get_by_role("button", name="Heart"), "the heart on Ava's appreciation")
    expect(ben.page).to_have_url(re.compile(rf"/checkin/{iso}#answer-appreciation$"))
    expect(thanks.get_by_role("button", name="Heart")).to_have_attribute("aria-pressed", "true")

    card = ava.page.get_by_role("region", name=tonight)
    ava.page.reload()
    expect(card).to_contain_text("You've both answered.")
    ava.tap(card.get_by_role("link", name="See each other's answers"), "See each other's answers")
    expect(ava.page).to_have_url(re.compile(rf"/checkin/{iso}$"))
    expect(ava.page.get_by_text("You both answered. Here you are, side by side.")).to_be_visible()
    assert revealed(ava.page) == expected_reveal("Ben", ben_answers, ava_answers)
    heart = ava.page.locator("#answer-appreciation dd.reacted")
    expect(heart).to_contain_text("Ben ♥ sent you a heart New")
    # Ava said something is on her mind: the reveal offers a next step, a repair among them.
    offer = ava.page.get_by_role("region", name="Something to talk about?")
    expect(offer).to_contain_text("One of you has something on your mind.")
    expect(offer.get_by_role("link", name="Start a repair")).to_be_visible()
    ava.see("reveal")

    # -------------------------------------------------------------------------- a repair
    ava.tab("Repair")
    expect(ava.page).to_have_url(re.compile(r"/repairs$"))
    ava.see("repairs")
    ava.tap(ava.page.get_by_role("link", name="Start a repair"), "Start a repair")
    expect(ava.page).to_have_url(re.compile(r"/repairs/new$"))
    ava.see("repair-new")
    ava.type_in(
        ava.page.get_by_label("A short, neutral name for what happened"),
        REPAIR_TITLE,
        "the title field",
    )
    ava.tap_choice(ava.page, "Something hurt me, and I'd like us to repair it")
    ava.tap(ava.page.get_by_role("button", name="Start"), "Start")
    expect(ava.page).to_have_url(re.compile(r"/repairs/[A-Za-z0-9_-]+$"))
    repair_url = ava.page.url
    expect(ava.page.get_by_role("heading", level=1, name=REPAIR_TITLE)).to_be_visible()
    expect(
        ava.page.get_by_text("With Ben · something hurt, and you're mending it together")
    ).to_be_visible()

    # ready: both say they are calm enough.
    expect(stage_of(ava.page)).to_have_text("Ready")
    ava.see("repair-ready")
    ava.tap(
        ava.page.get_by_role("button", name="I'm calm enough to begin"), "I'm calm enough to begin"
    )
    expect(
        ava.page.get_by_text("You're ready. Ben will join when they feel calm too")
    ).to_be_visible()
    expect(ava.page.get_by_role("button", name="I'm calm enough to begin")).to_have_count(0)
    ava.see("repair-ready-waiting")

    ben.tab("Repair")
    entry = ben.page.get_by_role("link", name=re.compile(re.escape(REPAIR_TITLE)))
    expect(entry).to_contain_text("Your turn")
    ben.see("repairs")
    ben.tap(entry, "the repair in the list")
    expect(ben.page).to_have_url(repair_url)
    # No role is handed to Ben: Ben says how Ben sees it first.
    expect(ben.page.get_by_role("heading", name="How do you see it?")).to_be_visible()
    expect(ben.page.get_by_text("you'd like to make this right")).to_have_count(0)
    expect(ben.page.get_by_text("Ava is ready when you are.")).to_be_visible()
    expect(stage_of(ben.page)).to_have_text("Ready")
    ben.see("repair-ready")
    ben.tap(
        ben.page.locator("label.pick", has_text="I want to make it right"),
        "I want to make it right",
    )
    ben.tap(
        ben.page.get_by_role("button", name="I'm calm enough to begin"), "I'm calm enough to begin"
    )
    expect(ben.page.get_by_text("With Ava · you'd like to make this right")).to_be_visible()

    # hearing: Ava's turn; Ben waits.
    expect(stage_of(ben.page)).to_have_text("Hearing")
    expect(ben.page.get_by_role("heading", name="Ava is putting it into words")).to_be_visible()
    expect(ben.page.locator("form[data-i-statement]")).to_have_count(0)
    ben.see("repair-hearing-waiting")
    ben.tab("Repair")
    expect(entry).to_contain_text("Ava's turn")
    ben.see("repairs-ava-s-turn")

    ava.page.reload()
    expect(stage_of(ava.page)).to_have_text("Hearing")
    expect(ava.page.get_by_role("heading", name="What hurt, in your words")).to_be_visible()
    ava.see("repair-hearing")
    ava.tap_choice(ava.page, "let down")
    ava.tap_choice(ava.page, "unimportant")
    expect(ava.page.get_by_label("I feel …")).to_have_value("let down and unimportant")
    ava.type_in(
        ava.page.get_by_label("when …"),
        "you took a work call through the whole of our Friday dinner",
        "when …",
    )
    ava.type_in(
        ava.page.get_by_label("because …"), "I had been looking forward to it all week", "because …"
    )
    ava.type_in(
        ava.page.get_by_label("I need …"), "our dinners to be ours, phones away", "I need …"
    )
    ava.tap(ava.page.locator("label.pick").filter(has_text="Reassurance"), "Reassurance")
    statement = (
        "I feel let down and unimportant when you took a work call through the "
        "whole of our Friday dinner because I had been looking forward to it all "
        "week. I need our dinners to be ours, phones away."
    )
    expect(ava.page.locator("[data-i-statement-text]")).to_have_text(statement)
    ava.see("repair-hearing-filled")
    ava.tap(ava.page.get_by_role("button", name="Share with Ben"), "Share with Ben")

    # listening: before any apology, Ben says back what he heard; Ava confirms.
    expect(stage_of(ava.page)).to_have_text("Listening")
    ava.see("repair-reflect-waiting")
    ben.tap(entry, "the repair in the list")
    expect(stage_of(ben.page)).to_have_text("Listening")
    expect(ben.page.get_by_text(statement)).to_be_visible()
    ben.see("repair-reflect")
    ben.type_in(
        ben.page.get_by_label("What I heard you say"),
        "You felt let down and unimportant when I took that call all through Friday's "
        "dinner, after you'd looked forward to it all week.",
        "What I heard you say",
    )
    ben.tap(ben.page.get_by_role("button", name="Send to Ava"), "Send to Ava")
    expect(ben.page.get_by_role("heading", name="What you heard is on its way")).to_be_visible()
    ava.page.reload()
    expect(ava.page.get_by_text("after you'd looked forward to it all week")).to_be_visible()
    ava.see("repair-reflect-confirm")
    ava.tap_choice(ava.page, "Yes, that's it")
    ava.tap(ava.page.get_by_role("button", name="Send"), "Send")

    # apology: Ben's turn; Ava waits.
    expect(stage_of(ava.page)).to_have_text("Apology")
    expect(ava.page.get_by_role("heading", name="Ben is writing their apology")).to_be_visible()
    ava.see("repair-apology-waiting")

    ben.page.reload()
    expect(stage_of(ben.page)).to_have_text("Apology")
    expect(ben.page.get_by_role("heading", name="What Ava shared")).to_be_visible()
    expect(ben.page.get_by_text(statement)).to_be_visible()
    ben.see("repair-apology")
    ben.type_in(
        ben.page.get_by_label("What I did"),
        "I'm sorry I took that call all through our Friday dinner.",
        "What I did",
    )
    ben.type_in(
        ben.page.get_by_label("How it felt for you"),
        "When I do that, you feel let down and unimportant, as if work comes first.",
        "How it felt for you",
    )
    with ben.page.expect_response(re.compile(r"/api/v1/apology-check$")):
        ben.type_in(
            ben.page.get_by_label("Making it right"),
            "You matter more than any call. I said yes to it out of habit. From now "
            "on my phone stays off at dinner. What do you need from me?",
            "Making it right",
        )
    expect(ben.page.locator(".check-note")).to_have_count(0)
    ben.see("repair-apology-filled")
    ben.tap(ben.page.get_by_role("button", name="Send my apology"), "Send my apology")

    # response: Ava's turn; Ben waits.
    expect(stage_of(ben.page)).to_have_text("Response")
    expect(ben.page.get_by_role("heading", name="Your apology is on its way")).to_be_visible()
    ben.see("repair-response-waiting")

    ava.page.reload()
    expect(stage_of(ava.page)).to_have_text("Response")
    expect(ava.page.get_by_role("heading", name="Ben's apology")).to_be_visible()
    expect(
        ava.page.get_by_text("I'm sorry I took that call all through our Friday dinner.")
    ).to_be_visible()
    ava.see("repair-response")
    ava.tap_choice(ava.page, "Yes, I feel heard")
    ava.tap(ava.page.locator("label[for=forgive]"), "I forgive you")
    expect(ava.page.get_by_label("I forgive you")).to_be_checked()
    ava.see("repair-response-filled")
    ava.tap(ava.page.get_by_role("button", name="Send"), "Send")

    # plan: both write their part; neither sees the other's until both have.
    expect(stage_of(ava.page)).to_have_text("Plan")
    expect(ava.page.get_by_role("heading", name="Your part, and a plan")).to_be_visible()
    ava.see("repair-plan")
    ava.type_in(
        ava.page.get_by_label("My part in it"),
        "I stayed quiet all evening instead of telling you it hurt.",
        "My part in it",
    )
    ava.type_in(
        ava.page.get_by_label("Commitment 1", exact=True),
        "Next time something stings, I will tell you that evening.",
        "Commitment 1",
    )
    ava.tap(ava.page.get_by_role("button", name="Send my part"), "Send my part")
    expect(
        ava.page.get_by_role("heading", name="Your part (you can still change it)")
    ).to_be_visible()
    expect(ava.page.get_by_text("Your part is sent. Ben is writing theirs")).to_be_visible()
    ava.see("repair-plan-sent")

    ben.page.reload()
    expect(stage_of(ben.page)).to_have_text("Plan")
    expect(
        ben.page.get_by_text("Ava has sent their part. You'll see it once you send yours.")
    ).to_be_visible()
    assert "I stayed quiet all evening" not in ben.page.content()
    ben.see("repair-plan")
    ben.type_in(
        ben.page.get_by_label("My part in it"),
        "I treated our dinner as something that could wait.",
        "My part in it",
    )
    ben.type_in(
        ben.page.get_by_label("Commitment 1", exact=True),
        "Next time a call comes at dinner, I will let it ring.",
        "Commitment 1",
    )
    ben.tap(ben.page.get_by_role("button", name="Send my part"), "Send my part")

    # The plan is whole: both parts and both commitments, on to reconnecting.
    for phone, heading in (
        (ben, "A way back to each other"),
        (ava, "Ben is choosing a way to reconnect"),
    ):
        if phone is ava:
            phone.page.reload()
        expect(stage_of(phone.page)).to_have_text("Reconnect")
        expect(phone.page.get_by_role("heading", name=heading)).to_be_visible()
        plan = phone.page.get_by_role("region", name="Your plan")
        for words in (
            "I stayed quiet all evening instead of telling you it hurt.",
            "I treated our dinner as something that could wait.",
            "Next time something stings, I will tell you that evening.",
            "Next time a call comes at dinner, I will let it ring.",
        ):
            expect(plan.get_by_text(words)).to_be_visible()
        phone.see("repair-plan-whole")

    assert not trip.problems, f"{len(trip.problems)} problem(s):\n" + "\n".join(trip.problems)


BROKEN_PAGE = """<!doctype html>
<html lang="en"><head><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Broken</title></head>
<body><main>
  <h1>A broken page</h1>
  <button type="button" style="height: 30px">Small</button>
  <div style="width: 600px">Too wide for a phone</div>
  <p style="color: #dddddd; background: #ffffff">Words too faint to read</p>
  <script>console.error("something broke");</script>
</main></body></html>"""


def test_the_audit_catches_small_targets_overflow_console_errors_and_axe_findings(
    new_context, axe_source, tmp_path
):
    trip = Trip(tmp_path, axe_source)
    pat = Phone(new_context(**PHONE).new_page(), "Pat", trip)
    pat.page.set_content(BROKEN_PAGE)
    pat.tap(pat.page.get_by_role("button", name="Small"), "the small button")
    pat.see("broken")
    found = "\n".join(trip.problems)
    assert "the small button is 30 px tall" in found
    assert "scrolls sideways" in found
    assert "console error: something broke" in found
    assert "axe serious color-contrast" in found
