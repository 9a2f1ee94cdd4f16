"""A device's name as a person would say it ("Chrome on Android"), from the User-Agent
its browser sent when it logged in or subscribed to push. Nothing is looked up: a short,
ordered list of patterns, and "A browser" when none fits. Only the name is shown, and a
session keeps only the name, in the language of the moment it is named (the page's)."""

import re

from flask_babel import gettext as _

# Order matters: Edge, Opera and Samsung Internet also say "Chrome"; Chrome says "Safari".
# Browsers and systems go by their own names.
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"\bOPR/|\bOpera\b")),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),  # same in every language
    ("Firefox", re.compile(r"\bFirefox/|\bFxiOS/")),
    ("Chrome", re.compile(r"(?:\b|Headless)Chrome/|\bCriOS/|\bChromium/")),
    ("Safari", re.compile(r"\bSafari/")),
)
_SYSTEMS = (
    ("iPhone", re.compile(r"\biPhone\b")),
    ("iPad", re.compile(r"\biPad\b")),
    ("Android", re.compile(r"\bAndroid\b")),
    ("Chromebook", re.compile(r"\bCrOS\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("Mac", re.compile(r"\bMacintosh\b|\bMac OS X\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def device_name(user_agent: str | None) -> str:
    """ "Safari on iPhone", "Chrome on Android", "Firefox on Windows", "Chrome", "A
    browser on Linux" or "A browser"."""
    agent = user_agent or ""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(agent)), None)
    system = next((name for name, pattern in _SYSTEMS if pattern.search(agent)), None)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    if system:
        return _("A browser on %(system)s", system=system)
    return browser or _("A browser")
