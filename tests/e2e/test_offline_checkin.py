"""Check-ins answered while the phone is offline, in Debian's Chromium on 360 px phones: the
answers are kept on the device (IndexedDB) with a visible "saved on this phone" state, sent
when the connection returns and seen in the reveal; a check-in revealed meanwhile is
explained with every word still there; logging out asks first while answers are kept."""

import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.test_pages_accessibility import (
    PASSWORD,
    accept_invite,
    answer_checkin,
    check_page,
    make_invite,
    register,
)
from tests.e2e.test_pwa import controlled_page

SAVED = "Saved on this phone — it will send when you're back online."
HELP = "Something I appreciated about you today"
DAY_URL = re.compile(r"/checkin/(\d{4}-\d{2}-\d{2})$")

# Every answer kept on this device, read the way the page stores them (without creating
# the database when there is none).
KEPT = """async () => {
  const names = (await indexedDB.databases()).map((db) => db.name);
  if (!names.includes("couples-offline")) return [];
  return await new Promise((resolve, reject) => {
    const open = indexedDB.open("couples-offline");
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const db = open.result;
      const request = db.transaction("checkin-answers").objectStore("checkin-answers").getAll();
      request.onsuccess = () => { db.close(); resolve(request.result); };
      request.onerror = () => { db.close(); reject(request.error); };
    };
  });
}"""


def phone(new_context) -> tuple[BrowserContext, Page]:
    context = new_context(timezone_id="UTC")
    return context, context.new_page()


def couple(new_context, first: str, second: str, tag: str):
    """Two partners linked in their own browsers: (context, page) for each."""
    one, two = phone(new_context), phone(new_context)
    register(one[1], first, f"{first.lower()}.{tag}@example.com", timezone="UTC")
    register(two[1], second, f"{second.lower()}.{tag}@example.com", timezone="UTC")
    accept_invite(two[1], make_invite(one[1]), inviter=first)
    return one, two


def log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def open_tonight(page: Page, live_server: str) -> str:
    """Open tonight's check-in form, controlled by the service worker (so that pages
    without a network get the offline page), and wait until its scripts run; the date."""
    controlled_page(page, live_server, "/checkin")
    expect(page).to_have_url(DAY_URL)
    page.wait_for_load_state("load")
    expect(page.get_by_role("button", name="Save my answers")).to_be_visible()
    return DAY_URL.search(page.url).group(1)


def fill(page: Page, words: str) -> None:
    """Every number scale at 4, and a few words (as answer_checkin, without saving)."""
    for scale in page.locator(".scale").all():
        scale.locator("label.pick").nth(3).click()
    page.get_by_label(HELP).fill(words)


def saved_state(page: Page):
    return page.get_by_role("status").filter(has_text=SAVED)


def sent_state(page: Page):
    return page.get_by_role("status").filter(has_text=re.compile(r"^Sent\. "))


def test_answers_given_offline_are_kept_then_sent_and_revealed(
    new_context, live_server, axe_source
):
    (ana_context, ana), (_ben_context, ben) = couple(new_context, "Ana", "Ben", "offline")
    day = open_tonight(ana, live_server)

    ana_context.set_offline(True)
    assert ana.evaluate("() => navigator.onLine") is False
    fill(ana, "A slow breakfast together")
    ana.get_by_role("button", name="Save my answers").click()

    # Kept here, said so, and the form still holds every answer.
    expect(saved_state(ana)).to_be_visible()
    expect(ana).to_have_url(re.compile(rf"/checkin/{day}$"))
    expect(ana.get_by_label(HELP)).to_have_value("A slow breakfast together")
    kept = ana.evaluate(KEPT)
    assert len(kept) == 1, kept
    assert kept[0]["date"] == day and kept[0]["state"] == "waiting"
    assert kept[0]["answers"]["appreciation"] == "A slow breakfast together"
    assert kept[0]["answers"]["needs_met"] == 4 and kept[0]["answers"]["mood"] == 4
    problems = check_page(ana, axe_source, "checkin-saved-on-this-phone")
    assert problems == [], "\n".join(problems)

    # Nothing reached the server while offline: Ben is not told Ana has answered.
    ben.goto(f"/checkin/{day}")
    expect(ben.get_by_role("button", name="Save my answers")).to_be_visible()
    expect(ben.get_by_text("Ana has answered")).to_have_count(0)

    ana_context.set_offline(False)
    expect(sent_state(ana)).to_be_visible()
    assert ana.evaluate(KEPT) == []

    # Ben answers: the reveal shows Ana's words, sent from her phone.
    ben.goto(f"/checkin/{day}")
    expect(ben.get_by_text("Ana has answered")).to_be_visible()
    answer_checkin(ben, "An early night")
    expect(ben.get_by_text("You both answered")).to_be_visible()
    expect(ben.locator(".reveal")).to_contain_text("A slow breakfast together")
    expect(ben.locator(".reveal")).to_contain_text("An early night")

    ana.goto(f"/checkin/{day}")
    expect(ana.get_by_text("You both answered")).to_be_visible()
    expect(ana.locator(".reveal")).to_contain_text("A slow breakfast together")
    expect(ana.locator(".reveal")).to_contain_text("An early night")


def test_a_checkin_revealed_meanwhile_is_explained_and_nothing_is_lost(
    new_context, live_server, axe_source
):
    (cleo_context, cleo), (_dev_context, dev) = couple(new_context, "Cleo", "Dev", "conflict")
    day = open_tonight(cleo, live_server)
    cleo_context.set_offline(True)
    fill(cleo, "Words from the train")
    cleo.get_by_role("button", name="Save my answers").click()
    expect(saved_state(cleo)).to_be_visible()

    # Meanwhile Cleo answers on another device, and Dev too: the check-in is revealed.
    _laptop_context, laptop = phone(new_context)
    log_in(laptop, "cleo.conflict@example.com")
    laptop.goto(f"/checkin/{day}")
    answer_checkin(laptop, "Words from the laptop")
    dev.goto(f"/checkin/{day}")
    answer_checkin(dev, "A long phone call")
    expect(dev.get_by_text("You both answered")).to_be_visible()

    # Back online, the phone's answers are refused: explained, and every word still here.
    cleo_context.set_offline(False)
    explanation = cleo.get_by_role("region", name=re.compile("^Not sent: your answers for"))
    expect(explanation).to_be_visible()
    expect(explanation).to_contain_text("You've both answered this check-in since")
    expect(explanation).to_contain_text("Words from the train")
    expect(explanation).to_contain_text(HELP)
    expect(cleo.get_by_label(HELP)).to_have_value("Words from the train")
    kept = cleo.evaluate(KEPT)
    assert len(kept) == 1, kept
    assert kept[0]["state"] == "refused" and kept[0]["problem"]["status"] == 409
    assert kept[0]["problem"]["type"].endswith("/already-revealed")
    assert kept[0]["answers"]["appreciation"] == "Words from the train"
    problems = check_page(cleo, axe_source, "checkin-not-sent")
    assert problems == [], "\n".join(problems)

    # The server kept what was answered first; the phone's words stay until removed, and
    # are shown again on the next page.
    cleo.goto(f"/checkin/{day}")
    expect(cleo.locator("main > section.card > .reveal")).to_contain_text("Words from the laptop")
    explanation = cleo.get_by_role("region", name=re.compile("^Not sent: your answers for"))
    expect(explanation).to_contain_text("Words from the train")
    cleo.goto("/")
    expect(explanation).to_contain_text("Words from the train")
    assert len(cleo.evaluate(KEPT)) == 1

    # Logging out would wipe them: it asks first, and going ahead clears this phone.
    cleo.get_by_role("button", name="Log out").click()
    warning = cleo.get_by_role("dialog", name="Answers not sent yet")
    expect(warning).to_contain_text(
        "You have answers saved on this phone that haven't been sent. Log out anyway and lose them?"
    )
    warning.get_by_role("button", name="Log out anyway").click()
    expect(cleo).to_have_url(re.compile(r"/login$"))
    assert cleo.evaluate(KEPT) == []


def test_logging_out_with_answers_kept_asks_first_and_cancelling_keeps_them(
    new_context, live_server, axe_source
):
    (eli_context, eli), _partner = couple(new_context, "Eli", "Fay", "logout")
    day = open_tonight(eli, live_server)
    eli_context.set_offline(True)
    fill(eli, "Five quiet minutes")
    eli.get_by_role("button", name="Save my answers").click()
    expect(saved_state(eli)).to_be_visible()

    eli.get_by_role("button", name="Log out").click()
    warning = eli.get_by_role("dialog", name="Answers not sent yet")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Log out anyway and lose them?")
    expect(warning.get_by_role("button", name="Stay logged in")).to_be_focused()
    problems = check_page(eli, axe_source, "logout-warning")
    assert problems == [], "\n".join(problems)
    warning.get_by_role("button", name="Stay logged in").click()
    expect(warning).to_have_count(0)
    expect(eli).to_have_url(re.compile(rf"/checkin/{day}$"))
    kept = eli.evaluate(KEPT)
    assert [(k["date"], k["state"]) for k in kept] == [(day, "waiting")]
    expect(eli.get_by_label(HELP)).to_have_value("Five quiet minutes")

    # Still offline, another page cannot load: the offline page says the answers wait here.
    eli.goto("/connect")
    expect(eli.get_by_role("heading", level=1, name="You're offline for now")).to_be_visible()
    expect(
        eli.get_by_text("Check-in answers you saved on this phone are kept here")
    ).to_be_visible()

    # Back online the page comes back by itself and sends them; then logging out asks nothing.
    eli_context.set_offline(False)
    expect(eli).to_have_url(re.compile(r"/connect$"))
    expect(sent_state(eli)).to_be_visible()
    assert eli.evaluate(KEPT) == []
    eli.get_by_role("button", name="Log out").click()
    expect(eli).to_have_url(re.compile(r"/login$"))


def test_answers_that_cannot_get_through_while_online_are_kept_and_sent_on_a_later_page(
    new_context, live_server
):
    (_gus_context, gus), _partner = couple(new_context, "Gus", "Hal", "flaky")
    day = open_tonight(gus, live_server)
    # The phone believes it is online, but nothing gets through.
    gus.route("**/*", lambda route: route.abort("internetdisconnected"))
    fill(gus, "A hug at the door")
    gus.get_by_role("button", name="Save my answers").click()
    expect(saved_state(gus)).to_be_visible()
    assert gus.evaluate("() => navigator.onLine") is True
    expect(gus).to_have_url(re.compile(rf"/checkin/{day}$"))
    assert [k["answers"]["appreciation"] for k in gus.evaluate(KEPT)] == ["A hug at the door"]

    # The connection works again: the next page sends them.
    gus.unroute("**/*")
    gus.goto("/")
    expect(sent_state(gus)).to_be_visible()
    assert gus.evaluate(KEPT) == []
    gus.goto(f"/checkin/{day}")
    expect(gus.get_by_role("heading", name="Saved")).to_be_visible()
    expect(gus.get_by_text("A hug at the door")).to_be_visible()


def test_kept_answers_that_need_another_look_go_back_into_the_form(new_context, live_server):
    (ivy_context, ivy), _partner = couple(new_context, "Ivy", "Jon", "invalid")
    day = open_tonight(ivy, live_server)
    ivy_context.set_offline(True)
    # Saved without the two answers the check-in needs (the browser's own check is off).
    ivy.locator("form.checkin-form").evaluate("form => { form.noValidate = true; }")
    ivy.get_by_label(HELP).fill("Dinner without phones")
    ivy.get_by_role("button", name="Save my answers").click()
    expect(saved_state(ivy)).to_be_visible()

    ivy_context.set_offline(False)
    explanation = ivy.get_by_role("region", name=re.compile("^Not sent: your answers for"))
    expect(explanation).to_contain_text("Some answers need another look.")
    expect(explanation).to_contain_text("How is your mood tonight?: Please answer this one.")
    expect(explanation).to_contain_text("Dinner without phones")
    kept = ivy.evaluate(KEPT)
    assert [(k["state"], k["problem"]["status"]) for k in kept] == [("refused", 422)]

    # The check-in opens with the kept words back in the form; saved there, they are gone
    # from the phone.
    explanation.get_by_role("link", name="Open the check-in to fix them").click()
    expect(ivy).to_have_url(re.compile(rf"/checkin/{day}\?edit=1$"))
    expect(ivy.get_by_label(HELP)).to_have_value("Dinner without phones")
    answer_checkin(ivy, "Dinner without phones, and a walk")
    expect(ivy.get_by_role("heading", name="Saved")).to_be_visible()
    expect(ivy.get_by_text("Dinner without phones, and a walk")).to_be_visible()
    assert ivy.evaluate(KEPT) == []
