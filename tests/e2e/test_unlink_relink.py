"""Two partners on two phones unlink and link again, only through the pages: Ava (New
York) and Ben (London) link and answer the same check-in; Ava ends the link from its
confirmation page; each then finds their own words under Account and nothing of the
other's; Ben invites Ava again, and both find their check-in back in "Our check-ins",
side by side, as it was.

Every page met is audited as in the two-partners walk (axe in light and dark, nothing
wider than the screen, no console error, 44 px targets) and kept as a screenshot."""

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.e2e import test_two_partners
from tests.e2e.test_two_partners import (
    AVA_PICKS,
    BEN_PICKS,
    LONDON,
    NEW_YORK,
    PHONE,
    Phone,
    answer_checkin,
    flash,
    register,
    the_date_both_can_answer,
)

trip = test_two_partners.trip  # the audit of every page met, and its screenshots

# Words only one partner writes: whether the other can read them is the privacy check.
AVA_MARKER = "driftwood"
BEN_MARKER = "persimmon"


def invite_link(phone: Phone) -> str:
    page = phone.page
    phone.tap(page.get_by_role("button", name="Make an invite"), "Make an invite")
    return page.get_by_label("Invite link", exact=True).input_value()


def history_shows_both(phone: Phone, day_heading: str) -> None:
    """Our check-ins has the day, and opened, both partners' words side by side."""
    page = phone.page
    page.goto("/checkins")
    expect(page.get_by_role("heading", name="Our check-ins")).to_be_visible()
    card = page.locator("details.card").filter(has_text=day_heading)
    expect(card).to_have_count(1)
    if card.get_attribute("open") is None:
        phone.tap(card.locator("summary"), "the day's summary")
    expect(card.locator(".reveal")).to_contain_text(AVA_MARKER)
    expect(card.locator(".reveal")).to_contain_text(BEN_MARKER)


def test_both_partners_unlink_and_link_again_and_find_their_shared_history(new_context, trip):
    ava = Phone(new_context(timezone_id=NEW_YORK, **PHONE).new_page(), "Ava", trip)
    ben = Phone(new_context(timezone_id=LONDON, **PHONE).new_page(), "Ben", trip)

    # ------------------------------------------------------------- link and check in
    ava.page.goto("/register")
    register(ava, "ava.relink@example.com", NEW_YORK)
    link = invite_link(ava)
    ben.page.goto(link)
    register(ben, "ben.relink@example.com", LONDON)
    ben.tap(ben.page.get_by_role("button", name="Link with Ava"), "Link with Ava")
    expect(flash(ben.page)).to_have_text(
        "You and Ava are linked. Here's your first check-in together."
    )

    day = the_date_both_can_answer(datetime.now(UTC))
    day_heading = day.strftime("%A %-d %B %Y")
    for phone, marker, picks in ((ava, AVA_MARKER, AVA_PICKS), (ben, BEN_MARKER, BEN_PICKS)):
        phone.page.goto(f"/checkin/{day.isoformat()}")
        answer_checkin(phone, marker, picks)
        phone.tap(phone.page.get_by_role("button", name="Save my answers"), "Save my answers")
    expect(flash(ben.page)).to_have_text("You've both answered.")
    history_shows_both(ava, day_heading)

    # ----------------------------------------------------------------- Ava unlinks
    ava.tab("Us")
    ava.tap(ava.page.get_by_role("link", name="End our link…"), "End our link…")
    expect(ava.page.get_by_role("heading", name="End your link with Ben?")).to_be_visible()
    expect(ava.page.get_by_role("link", name="Download my data first…")).to_be_visible()
    erase = ava.page.get_by_label("Erase our shared history now")
    expect(erase).not_to_be_checked()
    ava.see("unlink")
    ava.tap(ava.page.get_by_role("button", name="End the link"), "End the link")
    expect(flash(ava.page)).to_contain_text("Your link has ended.")
    ava.see("home-unlinked")

    # Each finds their own words, and nothing of the other's.
    ava.tap(ava.page.get_by_role("link", name="Account", exact=True), "Account")
    expect(ava.page.get_by_role("heading", name="Account", exact=True)).to_be_visible()
    ava.see("account")
    ava.tap(
        ava.page.get_by_role("link", name="Your words from links that ended"),
        "Your words from links that ended",
    )
    expect(ava.page.get_by_role("heading", name="From your time with Ben")).to_be_visible()
    ava.tap(ava.page.get_by_text(re.compile(r"^Your check-in answers")), "Your check-in answers")
    expect(ava.page.locator("main")).to_contain_text(AVA_MARKER)
    assert BEN_MARKER not in ava.page.content()
    ava.see("words")

    ben.page.goto("/")
    notice = ben.page.get_by_role("region", name="Your link has ended")
    expect(notice).to_contain_text("Ava ended your link")
    assert AVA_MARKER not in ben.page.content()
    ben.see("home-link-ended")
    # The couple's history is not Ben's alone: not found (the browser logs the 404),
    # with the way to his own words.
    assert ben.page.goto("/checkins").status == 404
    ben.console.clear()
    expect(ben.page.get_by_role("link", name="Your words")).to_be_visible()
    ben.see("history-after-unlink")
    ben.tap(ben.page.get_by_role("link", name="Your words"), "Your words")
    ben.tap(ben.page.get_by_text(re.compile(r"^Your check-in answers")), "Your check-in answers")
    expect(ben.page.locator("main")).to_contain_text(BEN_MARKER)
    assert AVA_MARKER not in ben.page.content()
    ben.see("words")
    # Erasing asks once more; Ben looks, and keeps it.
    ben.tap(ben.page.get_by_text("Erase our shared history now…"), "Erase our shared history")
    expect(ben.page.get_by_role("button", name="Erase it for good")).to_be_visible()
    ben.see("words-erase")

    # ------------------------------------------------------ Ben invites Ava again
    ben.page.goto("/pair")
    link = invite_link(ben)
    ava.page.goto(link)
    expect(ava.page.get_by_role("heading", name="Ben invited you")).to_be_visible()
    ava.tap(ava.page.get_by_role("button", name="Link with Ben"), "Link with Ben")
    expect(flash(ava.page)).to_have_text("You and Ben are linked again, with your shared history.")
    ava.see("couple-linked-again")

    history_shows_both(ava, day_heading)
    ava.see("history-back")
    history_shows_both(ben, day_heading)
    ben.see("history-back")

    assert not trip.problems, f"{len(trip.problems)} problem(s):\n" + "\n".join(trip.problems)
