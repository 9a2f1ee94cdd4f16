"""Passkeys on a 360 px phone, with Chromium's virtual authenticator (DevTools' WebAuthn
domain) standing in for the phone's screen lock: added from the account page, used to
log in and to confirm an export, refused once removed, refused from another origin, and
refused when a copy of the key with an older sign count shows up.

WebAuthn needs a domain for its relying party, never an IP address: these tests run their
own servers at http://localhost:PORT (the shared live server answers at 127.0.0.1)."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import _free_port, start_server, stop_server
from tests.e2e.test_evening import axe_clean
from tests.e2e.test_pages_accessibility import PASSWORD, register


@pytest.fixture(scope="module")
def passkey_servers(tmp_path_factory):
    """Two servers on one database: ``right`` answers at the origin it is configured
    with; ``wrong`` is configured with that same origin but reached at another port, as
    behind a proxy that forwards a host it should not."""
    folder = tmp_path_factory.mktemp("passkeys")
    right_port, wrong_port = _free_port(), _free_port()
    origin = f"http://localhost:{right_port}"
    processes, bases = [], {}
    try:
        for name, port in (("right", right_port), ("wrong", wrong_port)):
            bases[name] = f"http://localhost:{port}"
            processes.append(
                start_server(
                    folder / "instance",
                    folder / f"{name}.log",
                    port,
                    base=bases[name],
                    BASE_URL=origin,
                    SESSION_COOKIE_SECURE="false",
                    REMEMBER_COOKIE_SECURE="false",
                )
            )
        yield bases
    finally:
        for process in processes:
            stop_server(process)


class Authenticator:
    """The phone's platform authenticator: it keeps discoverable passkeys and verifies
    the person (automatically, as a face or fingerprint would)."""

    def __init__(self, page: Page):
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable", {"enableUI": False})
        self.id = self.cdp.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "ctap2Version": "ctap2_1",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )["authenticatorId"]

    def credentials(self) -> list[dict]:
        return self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"]

    def replace_with_copy(self, credential: dict, sign_count: int) -> None:
        """The same key, as a copy of it made earlier would hold it: an older count."""
        self.cdp.send(
            "WebAuthn.removeCredential",
            {"authenticatorId": self.id, "credentialId": credential["credentialId"]},
        )
        copy = {
            key: credential[key]
            for key in ("credentialId", "isResidentCredential", "rpId", "privateKey", "userHandle")
        }
        self.cdp.send(
            "WebAuthn.addCredential",
            {"authenticatorId": self.id, "credential": {**copy, "signCount": sign_count}},
        )


@pytest.fixture
def ana(browser, passkey_servers):
    """Ana's phone, opening the app at its configured origin."""
    context = browser.new_context(
        base_url=passkey_servers["right"],
        has_touch=True,
        viewport={"width": 360, "height": 740},
        accept_downloads=True,
    )
    yield context.new_page()
    context.close()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))


def log_in_with_passkey(page: Page) -> None:
    page.goto("/login")
    page.get_by_role("button", name="Log in with a passkey").click()


def test_a_passkey_is_added_logs_in_confirms_and_is_refused_when_it_should_be(
    ana, passkey_servers, axe_source
):
    authenticator = Authenticator(ana)
    register(ana, "Ana", "ana.passkeys@example.com", timezone="Europe/Lisbon")

    # Added from the account page, under a name of her choosing.
    ana.goto("/account")
    card = ana.get_by_role("region", name="Passkeys")
    expect(card.get_by_text("This browser cannot make passkeys")).to_be_hidden()
    card.get_by_role("button", name="Add a passkey").click()
    expect(card.locator("[data-status]")).to_contain_text("Give it a name first")
    card.get_by_label("A name for it").fill("Ana's phone")
    card.get_by_role("button", name="Add a passkey").click()
    expect(card.locator("[data-status]")).to_contain_text("Type your password first")
    card.get_by_label("Your password, to confirm").fill("not it at all")
    card.get_by_role("button", name="Add a passkey").click()
    expect(card.locator("[data-status]")).to_contain_text("That is not your password")
    expect(card.get_by_role("listitem")).to_have_count(0)
    assert authenticator.credentials() == []  # nothing was made on the phone
    card.get_by_label("Your password, to confirm").fill(PASSWORD)
    card.get_by_role("button", name="Add a passkey").click()
    expect(card.get_by_role("listitem")).to_have_count(1)
    expect(card.get_by_role("listitem")).to_contain_text("Ana's phone")
    assert len(authenticator.credentials()) == 1
    axe_clean(ana, axe_source)

    # Logs in with no password typed.
    log_out(ana)
    axe_clean(ana, axe_source)
    log_in_with_passkey(ana)
    expect(ana).to_have_url(re.compile(r"/$"))
    ana.goto("/account")
    expect(ana.get_by_role("region", name="Passkeys")).to_contain_text("last used")

    # Confirms an export in place of the password.
    ana.goto("/account/export")
    with ana.expect_download() as download:
        ana.get_by_role("button", name="Download with a passkey instead").click()
    assert download.value.suggested_filename == "couples-export.json"
    exported = download.value.path().read_text()
    assert '"email": "ana.passkeys@example.com"' in exported and "Ana's phone" in exported

    # Reached at an origin it is not configured for, the server refuses the same passkey.
    log_out(ana)
    ana.goto(f"{passkey_servers['wrong']}/login")
    ana.get_by_role("button", name="Log in with a passkey").click()
    status = ana.locator("[data-passkey-login] [data-status]")
    expect(status).to_contain_text("That passkey could not be used here")
    ana.goto(f"{passkey_servers['right']}/login")
    log_in_with_passkey(ana)
    expect(ana).to_have_url(re.compile(r"/$"))

    # A copy of the key with an older count: refused, whoever holds it.
    held = authenticator.credentials()[0]
    assert held["signCount"] >= 3
    log_out(ana)
    authenticator.replace_with_copy(held, sign_count=1)
    log_in_with_passkey(ana)
    expect(status).to_contain_text("That passkey could not be used here")
    expect(ana).to_have_url(re.compile(r"/login$"))

    # Removed from the account, the passkey logs in no more (the phone still holds it).
    ana.get_by_label("Email").fill("ana.passkeys@example.com")
    ana.get_by_label("Password").fill(PASSWORD)
    ana.get_by_role("button", name="Log in", exact=True).click()
    ana.goto("/account")
    card = ana.get_by_role("region", name="Passkeys")
    card.get_by_role("button", name="Remove Ana's phone").click()
    expect(ana.locator(".flash")).to_contain_text("That passkey is removed")
    expect(ana.get_by_role("region", name="Passkeys").get_by_role("listitem")).to_have_count(0)
    log_out(ana)
    authenticator.replace_with_copy(authenticator.credentials()[0], sign_count=100)
    log_in_with_passkey(ana)
    expect(status).to_contain_text("That passkey could not be used here")
    expect(ana).to_have_url(re.compile(r"/login$"))
