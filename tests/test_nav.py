"""The app's navigation: the bottom bar marks the section a page belongs to (each section
covers its sub-pages), the top bar keeps Home, the inbox and the account in reach, and the
reminders opt-in is on the page, every state hidden until the browser decides."""

import re
from html.parser import HTMLParser

import pytest

from tests.accounts.test_pages import register

SECTIONS = ("Tonight", "Connect", "Repair", "Us")


class Links(HTMLParser):
    """The links inside one element (found by tag and class): (text, attributes)."""

    def __init__(self, tag: str, css_class: str):
        super().__init__()
        self.tag, self.css_class = tag, css_class
        self.depth = 0  # > 0 inside the element
        self.current: dict | None = None
        self.links: list[tuple[str, dict]] = []
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += tag == self.tag
            if tag == "a":
                self.current, self._text = attrs, []
        elif tag == self.tag and self.css_class in (attrs.get("class") or "").split():
            self.depth = 1

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "a" and self.current is not None:
            self.links.append((" ".join("".join(self._text).split()), self.current))
            self.current = None
        self.depth -= tag == self.tag

    def handle_data(self, data):
        if self.depth and self.current is not None:
            self._text.append(data)


def links_in(html: str, tag: str, css_class: str) -> list[tuple[str, dict]]:
    parser = Links(tag, css_class)
    parser.feed(html)
    return parser.links


def current_in(html: str, tag: str, css_class: str) -> list[str]:
    return [
        text
        for text, attrs in links_in(html, tag, css_class)
        if attrs.get("aria-current") == "page"
    ]


def page(client, path: str) -> str:
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("path", "section"),
    [
        ("/checkin", "Tonight"),  # redirects to tonight's /checkin/<date>
        ("/checkins", "Tonight"),
        ("/connect", "Connect"),
        ("/appreciations", "Connect"),
        ("/appreciations/new", "Connect"),
        ("/bids", "Connect"),
        ("/love-languages", "Connect"),
        ("/love-languages/quiz", "Connect"),
        ("/love-languages/order", "Connect"),
        ("/repairs", "Repair"),
        ("/repairs/new", "Repair"),
        ("/repairs/help", "Repair"),
        ("/couple", "Us"),
        ("/couple/checkins", "Us"),
        ("/couple/unlink", "Us"),
        ("/insights", "Us"),
        ("/", None),
        ("/account", None),
        ("/notifications", None),
        ("/settings/notifications", None),
    ],
)
def test_the_bottom_bar_marks_the_section_of_each_page(two_partners, path, section):
    alex, _sam = two_partners
    html = page(alex, path)
    bar = links_in(html, "nav", "bottom")
    assert [text for text, _attrs in bar] == list(SECTIONS)
    assert current_in(html, "nav", "bottom") == ([section] if section else [])
    assert [attrs["href"] for _text, attrs in bar] == [
        "/checkin",
        "/connect",
        "/repairs",
        "/couple",
    ]


def test_a_repair_of_the_couple_is_under_repair(two_partners):
    alex, _sam = two_partners
    response = alex.post("/api/v1/repairs", json={"title": "The late train", "role": "apologizing"})
    repair = response.get_json()["id"]
    for path in (
        f"/repairs/{repair}",
        f"/repairs/{repair}/history",
        f"/repairs/{repair}/pause",
        f"/repairs/{repair}/close",
    ):
        assert current_in(page(alex, path), "nav", "bottom") == ["Repair"], path


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/", ["Couples, home"]),
        ("/notifications", ["Inbox"]),
        ("/account", ["Account"]),
        ("/account/delete", ["Account"]),
        ("/settings/notifications", ["Account"]),
        ("/connect", []),
    ],
)
def test_the_top_bar_keeps_home_inbox_and_account_in_reach(two_partners, path, current):
    alex, _sam = two_partners
    html = page(alex, path)
    top = links_in(html, "header", "top")
    assert [(text, attrs["href"]) for text, attrs in top] == [
        ("Couples, home", "/"),
        ("Inbox", "/notifications"),
        ("Account", "/account"),
    ]
    assert current_in(html, "header", "top") == current
    assert re.search(r'<button type="submit" class="link">Log out</button>', html)


def test_logged_out_pages_have_no_bars_of_the_app(client):
    html = page(client, "/login")
    assert links_in(html, "nav", "bottom") == []
    assert [text for text, _attrs in links_in(html, "header", "top")] == ["Couples, home"]
    assert "data-signed-in" not in html


STATES = ("off", "on", "denied", "ios-install", "unsupported", "unavailable")


def _optin(html: str) -> str:
    match = re.search(
        r'<section class="card reminders"[^>]*data-reminders.*?</section>', html, re.S
    )
    assert match, "no reminders opt-in on the page"
    return match.group(0)


def test_the_settings_page_has_the_optin_with_every_state_hidden_until_js_decides(client):
    register(client, "kim@example.com")
    html = page(client, "/settings/notifications")
    optin = _optin(html)
    assert 'data-vapid-url="/api/v1/push/vapid-public-key"' in optin
    for state in STATES:
        assert re.search(rf'<div data-state="{state}" hidden>', optin), state
    assert len(re.findall(r"<div data-state=", optin)) == len(STATES)
    for control in (
        'data-action="enable">Turn on reminders<',
        'data-action="test">Send me a test<',
        'data-action="disable">Turn off on this phone<',
    ):
        assert control in optin, control
    assert "Add to Home Screen" in optin and "Notifications are blocked" in optin
    # Without JavaScript: a calm message instead of buttons that cannot work.
    assert re.search(r"<noscript><p>Reminders need JavaScript\.", optin)
    assert '<p class="status" data-status role="status"></p>' in optin
    # The CSP forbids inline script: only scripts from files.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert " on" + "click=" not in html


def test_the_home_card_offers_reminders_to_a_linked_partner_hidden_until_js_decides(
    two_partners, client
):
    alex, _sam = two_partners
    html = page(alex, "/")
    card = re.search(r'<section class="card notice reminders"[^>]*>', html)
    assert card, "no reminders card on the home page"
    assert " hidden" in card.group(0) and 'data-show-when="off ios-install"' in card.group(0)
    assert "a note when Sam reaches out" in html

    register(client, "kim@example.com")  # not linked: no card
    assert "data-reminders" not in page(client, "/")


def test_connect_gathers_appreciations_bids_and_love_languages(two_partners):
    alex, _sam = two_partners
    html = page(alex, "/connect")
    assert "<h1>Connect</h1>" in html
    for href in (
        "/appreciations/new",
        "/appreciations",
        "/bids",
        "/love-languages",
        "/love-languages/quiz",
    ):
        assert f'href="{href}"' in html, href
    assert "Sam hasn't chosen theirs yet." in html
    assert "A small move for today:" in html


def test_connect_asks_someone_not_linked_to_link_first(client):
    register(client, "kim@example.com")
    html = page(client, "/connect")
    assert "Link with your partner" in html and 'href="/pair"' in html
    assert 'href="/appreciations/new"' not in html
