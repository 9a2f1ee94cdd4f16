"""A safety moment on two phones: words that suggest the writer may not be safe are
held back while the writer sees, privately, where to find help (with the quick exit);
the partner has nothing. Then "Send" delivers them, or "Keep it to myself" keeps them
where only the writer can read them.

The help page is audited in light and dark (no serious or critical axe-core finding,
nothing wider than the 360 px screen) and kept as whole-page screenshots in the test's
folder and in ``/tmp/shots-safety`` (or ``SAFETY_SHOTS_DIR``)."""

import os
import shutil
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.test_pages_accessibility import (
    BLOCKING_IMPACTS,
    FITS_SCREEN,
    RUN_AXE,
    accept_invite,
    make_invite,
    register,
)
from tests.e2e.test_repair_walk import shoot_whole_page

SHOTS_COPY = Path(os.environ.get("SAFETY_SHOTS_DIR", "/tmp/shots-safety"))  # noqa: S108
APPRECIATION = "Thank you for staying with me tonight, even after you pushed me."
BID = "Can we talk about the night you blocked the door so I couldn't leave?"


def audit(page: Page, axe_source: str, folder: Path, name: str) -> list[str]:
    problems = []
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for finding in page.evaluate(RUN_AXE):
            if finding["impact"] in BLOCKING_IMPACTS:
                problems.append(f"{name} {scheme}: {finding['id']}: {finding['help']}")
        scroll_width, inner_width = page.evaluate(FITS_SCREEN)
        if scroll_width > inner_width:
            problems.append(f"{name} {scheme}: {scroll_width} px wide on {inner_width} px")
        shoot_whole_page(page, folder / f"{name}-{scheme}.png")
    page.emulate_media(color_scheme="light")
    return problems


def test_the_writer_sees_help_first_then_sends_or_keeps_the_words(
    new_context, axe_source, tmp_path
):
    folder = tmp_path / "shots-safety"
    folder.mkdir()
    mia = new_context().new_page()
    noa = new_context().new_page()
    register(mia, "Mia", "mia.safety@example.com", timezone="Europe/Dublin")
    register(noa, "Noa", "noa.safety@example.com", timezone="Europe/Dublin")
    accept_invite(noa, make_invite(mia), inviter="Mia")

    # An appreciation: the help comes first, and nothing has reached Noa.
    mia.goto("/appreciations/new")
    mia.get_by_label("What did you appreciate?").fill(APPRECIATION)
    mia.get_by_role("button", name="Send").click()
    expect(mia.get_by_role("heading", name="Before you send this")).to_be_visible()
    expect(mia.get_by_role("link", name="Quick exit")).to_be_visible()
    expect(mia.get_by_role("link", name="112 Emergency services (Europe)")).to_be_visible()
    expect(mia.get_by_label("What you appreciated")).to_have_value(APPRECIATION)
    problems = audit(mia, axe_source, folder, "01-appreciation-help-first")
    noa.goto("/appreciations")
    expect(noa.locator("main")).not_to_contain_text("pushed me")
    noa.goto("/notifications")
    expect(noa.locator("main")).not_to_contain_text("appreciation")

    # "Send to Noa": the words as written reach Noa.
    mia.get_by_role("button", name="Send to Noa").click()
    expect(mia.get_by_text("Sent to Noa.")).to_be_visible()
    noa.goto("/appreciations")
    expect(noa.locator("main")).to_contain_text(APPRECIATION)

    # A bid: help first again; "Keep it to myself" keeps it where only Mia reads it.
    mia.goto("/bids")
    mia.get_by_label("In my own words").fill(BID)
    mia.get_by_role("button", name="Send", exact=True).click()
    expect(mia.get_by_role("heading", name="Before you send this")).to_be_visible()
    problems += audit(mia, axe_source, folder, "02-bid-help-first")
    mia.get_by_role("button", name="Keep it to myself").click()
    expect(mia.get_by_text("Kept for you alone")).to_be_visible()
    mia.goto("/kept")
    expect(mia.locator("main")).to_contain_text(BID)
    problems += audit(mia, axe_source, folder, "03-kept-for-me")
    noa.goto("/bids")
    expect(noa.locator("main")).not_to_contain_text("blocked the door")
    noa.goto("/kept")
    expect(noa.locator("main")).not_to_contain_text("blocked the door")

    shutil.rmtree(SHOTS_COPY, ignore_errors=True)
    SHOTS_COPY.mkdir(parents=True, exist_ok=True)
    for shot in folder.iterdir():
        shutil.copy2(shot, SHOTS_COPY / shot.name)
    assert not problems, "\n".join(problems)


def test_answers_kept_offline_show_help_first_when_they_are_sent(
    new_context, live_server, axe_source, tmp_path
):
    from tests.e2e.test_offline_checkin import KEPT, couple, fill, open_tonight, saved_state

    (eva_context, eva), (_finn_context, finn) = couple(new_context, "Eva", "Finn", "safety")
    day = open_tonight(eva, live_server)
    eva_context.set_offline(True)
    fill(eva, "I'm afraid of what he will do when he's drunk")
    eva.get_by_role("button", name="Save my answers").click()
    expect(saved_state(eva)).to_be_visible()  # written to the phone's store
    assert len(eva.evaluate(KEPT)) == 1

    # Back online: the server holds the words back, and the phone shows the help first.
    eva_context.set_offline(False)
    panel = eva.locator("[data-safety-check]")
    expect(panel).to_be_visible()
    expect(panel.get_by_role("link", name="Quick exit")).to_be_visible()
    expect(panel.get_by_role("link", name="112 Emergency services (Europe)")).to_be_visible()
    expect(panel).to_contain_text("afraid of what he will do")
    [record] = eva.evaluate(KEPT)
    assert record["state"] == "refused"
    folder = tmp_path / "offline"
    folder.mkdir()
    problems = audit(eva, axe_source, folder, "04-offline-help-first")
    finn.goto(f"/checkin/{day}")
    expect(finn.get_by_text("Eva has answered")).to_have_count(0)

    # "Send as written": the answers go, and Finn is told Eva answered.
    panel.get_by_role("button", name="Send as written").click()
    expect(eva.get_by_role("status").filter(has_text="Sent.")).to_be_visible()
    assert eva.evaluate(KEPT) == []
    finn.goto(f"/checkin/{day}")
    expect(finn.get_by_text("Eva has answered")).to_be_visible()
    SHOTS_COPY.mkdir(parents=True, exist_ok=True)
    for shot in folder.iterdir():
        shutil.copy2(shot, SHOTS_COPY / shot.name)
    assert not problems, "\n".join(problems)
