"""Turning reminders on for one device, in Debian's Chromium: nothing is asked on load; the
tap on "Turn on reminders" asks, subscribes and the server stores the subscription; a test
push is queued; turning off forgets it; a refused permission, Safari on an iPhone that has
not added Couples to its Home Screen, and a browser without JavaScript each get their own
explanation."""

import json
import re

from playwright.sync_api import BrowserContext, Page, expect

from tests.e2e.optin import (
    COUNT_REQUESTS,
    FAKE_PUSH,
    IOS_FROM_HOME_SCREEN,
    IOS_IN_SAFARI,
    IPHONE_SAFARI,
    REFUSE_PERMISSION,
    SETTINGS,
    reminders,
)
from tests.e2e.test_pages_accessibility import accept_invite, make_invite, register


def devices(page: Page):
    page.goto(SETTINGS)
    return page.get_by_role("region", name="Devices").get_by_role("listitem")


def test_nothing_is_asked_on_load_and_the_tap_turns_reminders_on(
    page: Page, context: BrowserContext, live_server
):
    context.add_init_script(FAKE_PUSH)
    context.add_init_script(COUNT_REQUESTS)
    register(page, "Noor", "noor.optin@example.com")

    region = reminders(page)
    on_this_phone = page.get_by_role("region", name="On this phone")
    expect(on_this_phone.get_by_role("button", name="Turn on reminders")).to_be_visible()
    expect(on_this_phone.get_by_text("Reminders need JavaScript")).to_be_hidden()
    assert region.get_attribute("data-current") == "off"
    # Loading the page asked nothing and subscribed nothing.
    assert page.evaluate("() => Notification.permission") == "default"
    assert page.evaluate("() => globalThis.__permissionRequests") == 0
    assert page.evaluate(
        "async () => (await (await navigator.serviceWorker.ready)"
        ".pushManager.getSubscription()) === null"
    )
    expect(devices(page)).to_have_count(0)

    # The person taps, and allows (the browser answers as if they did).
    reminders(page)
    context.grant_permissions(["notifications"], origin=live_server)
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/push/subscriptions") and r.request.method == "POST"
    ) as posted:
        on_this_phone.get_by_role("button", name="Turn on reminders").click()
    assert posted.value.status == 201
    assert page.evaluate("() => globalThis.__permissionRequests") == 1
    expect(on_this_phone.get_by_role("status")).to_have_text(
        "Done: this phone will get your reminders."
    )
    expect(on_this_phone.get_by_role("button", name="Send me a test")).to_be_focused()
    # Subscribed with the server's VAPID key (65 bytes: an uncompressed P-256 point).
    assert page.evaluate("() => localStorage.getItem('e2e.fake-push.key-length')") == "65"
    endpoint = page.evaluate("() => localStorage.getItem('e2e.fake-push')")
    assert posted.value.request.post_data_json["endpoint"] == endpoint

    # The server has it: the page's list of devices shows it at once, and after a reload.
    expect(page.get_by_role("region", name="Devices").get_by_role("listitem")).to_have_count(1)
    expect(devices(page)).to_have_count(1)
    reminders(page)
    expect(on_this_phone.get_by_text("Reminders are on for this phone.")).to_be_visible()
    expect(on_this_phone.get_by_role("button", name="Turn on reminders")).to_be_hidden()

    # "Send me a test": the API queues one push per device.
    with page.expect_response(lambda r: r.url.endswith("/api/v1/push/test")) as tested:
        on_this_phone.get_by_role("button", name="Send me a test").click()
    assert tested.value.status == 202
    assert tested.value.json() == {"queued": 1}
    expect(on_this_phone.get_by_role("status")).to_have_text("Sent. It should arrive in a moment.")

    # Turned off on this phone: unsubscribed here and forgotten by the server.
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/push/subscriptions") and r.request.method == "DELETE"
    ) as deleted:
        on_this_phone.get_by_role("button", name="Turn off on this phone").click()
    assert deleted.value.status == 204
    assert json.loads(deleted.value.request.post_data) == {"endpoint": endpoint}
    expect(on_this_phone.get_by_role("button", name="Turn on reminders")).to_be_visible()
    assert page.evaluate("() => localStorage.getItem('e2e.fake-push')") is None
    expect(page.get_by_text("No device gets reminders yet.")).to_be_visible()
    expect(devices(page)).to_have_count(0)


def test_a_refused_permission_explains_how_to_allow_it_again(page: Page, context: BrowserContext):
    context.add_init_script(FAKE_PUSH)
    context.add_init_script(REFUSE_PERMISSION)
    register(page, "Ravi", "ravi.optin@example.com")
    reminders(page)
    on_this_phone = page.get_by_role("region", name="On this phone")
    on_this_phone.get_by_role("button", name="Turn on reminders").click()

    expect(
        on_this_phone.get_by_text("Notifications are blocked for Couples in this browser.")
    ).to_be_visible()
    expect(
        on_this_phone.get_by_text(re.compile("Settings → Notifications → Couples"))
    ).to_be_visible()
    expect(on_this_phone.get_by_role("button", name="Turn on reminders")).to_be_hidden()
    expect(devices(page)).to_have_count(0)


def test_blocked_before_the_page_opens_shows_the_explanation_at_once(
    page: Page, context: BrowserContext
):
    context.add_init_script(
        'Object.defineProperty(Notification, "permission", {get: () => "denied"});'
    )
    register(page, "Iris", "iris.optin@example.com")
    region = reminders(page)
    assert region.get_attribute("data-current") == "denied"
    expect(
        page.get_by_text("Notifications are blocked for Couples in this browser.")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Turn on reminders")).to_be_hidden()


def test_safari_on_an_iphone_explains_add_to_home_screen_first(new_context):
    page = new_context(user_agent=IPHONE_SAFARI).new_page()
    page.context.add_init_script(IOS_IN_SAFARI)
    page.context.add_init_script(COUNT_REQUESTS)
    register(page, "Mia", "mia.optin@example.com")
    region = reminders(page)
    assert region.get_attribute("data-current") == "ios-install"
    steps = region.get_by_role("listitem")
    expect(steps.nth(0)).to_contain_text("tap the Share button")
    expect(steps.nth(1)).to_contain_text("Add to Home Screen")
    expect(steps.nth(2)).to_contain_text("Open Couples from your Home Screen")
    expect(region.get_by_role("button", name="Turn on reminders")).to_be_hidden()
    assert page.evaluate("() => globalThis.__permissionRequests") == 0


def test_an_iphone_opened_from_the_home_screen_can_turn_reminders_on(new_context):
    page = new_context(user_agent=IPHONE_SAFARI).new_page()
    page.context.add_init_script(IOS_FROM_HOME_SCREEN)
    register(page, "Leo", "leo.optin@example.com")
    region = reminders(page)
    assert region.get_attribute("data-current") == "off"
    expect(region.get_by_role("button", name="Turn on reminders")).to_be_visible()


def test_without_javascript_a_calm_message_and_no_dead_buttons(new_context, live_server):
    writer = new_context().new_page()
    register(writer, "Ada", "ada.optin@example.com")
    cookies = writer.context.cookies()
    page = new_context(java_script_enabled=False).new_page()
    page.context.add_cookies(cookies)
    page.goto(SETTINGS)
    # Chromium with scripts turned off by the DevTools protocol still parses <noscript> as
    # if scripts ran (so it renders nothing): read the message rather than look for it.
    assert "Reminders need JavaScript." in (
        page.locator("[data-reminders] noscript").text_content()
    )
    expect(page.get_by_role("region", name="On this phone")).to_be_visible()
    expect(page.get_by_role("button", name="Turn on reminders")).to_be_hidden()
    expect(page.get_by_role("button", name="Send me a test")).to_be_hidden()
    # The rest of the page still works.
    page.get_by_label("Remind me of tonight's check-in at").fill("20:15")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.")).to_be_visible()


def test_the_home_card_offers_reminders_once_and_can_be_put_away(new_context, live_server):
    kai_context = new_context()
    kai_context.add_init_script(FAKE_PUSH)
    kai = kai_context.new_page()
    lou = new_context().new_page()
    register(kai, "Kai", "kai.optin@example.com")
    register(lou, "Lou", "lou.optin@example.com")
    accept_invite(lou, make_invite(kai), inviter="Kai")

    # Lou puts the card away: it stays away on this phone.
    card = reminders(lou, "/")
    expect(card).to_be_visible()
    expect(card.get_by_role("heading", name="Reminders on this phone?")).to_be_visible()
    card.get_by_role("button", name="Not now").click()
    expect(card).to_be_hidden()
    reminders(lou, "/")
    expect(lou.get_by_role("region", name="Reminders on this phone?")).to_have_count(0)

    # Kai turns them on from the card.
    card = reminders(kai, "/")
    kai_context.grant_permissions(["notifications"], origin=live_server)
    card.get_by_role("button", name="Turn on reminders").click()
    expect(card.get_by_role("status")).to_have_text("Done: this phone will get your reminders.")
    expect(devices(kai)).to_have_count(1)
    # On: the card no longer shows on the home page.
    reminders(kai, "/")
    expect(kai.get_by_role("region", name="Reminders on this phone?")).to_have_count(0)


def test_a_test_can_be_sent_while_the_list_of_devices_is_still_loading(
    page: Page, context: BrowserContext, live_server
):
    context.add_init_script(FAKE_PUSH)
    register(page, "Ines", "ines.optin@example.com")
    reminders(page)
    on_this_phone = page.get_by_role("region", name="On this phone")
    context.grant_permissions(["notifications"], origin=live_server)
    # The page's own reload of its list of devices (a fetch of the page) is held back
    # until the test push has been answered.
    held = []
    page.route(
        re.compile(r"/settings/notifications$"),
        lambda route: (
            held.append(route) if route.request.resource_type == "fetch" else route.continue_()
        ),
    )
    on_this_phone.get_by_role("button", name="Turn on reminders").click()
    expect(on_this_phone.get_by_role("status")).to_have_text(
        "Done: this phone will get your reminders."
    )
    with page.expect_response(lambda r: r.url.endswith("/api/v1/push/test")) as tested:
        on_this_phone.get_by_role("button", name="Send me a test").click()
    assert tested.value.status == 202
    expect(on_this_phone.get_by_role("status")).to_have_text("Sent. It should arrive in a moment.")
    assert len(held) == 1  # the list was still loading all along
    held[0].continue_()
    expect(page.get_by_role("region", name="Devices").get_by_role("listitem")).to_have_count(1)
