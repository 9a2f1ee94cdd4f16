"""The installable app: the web app manifest, the service worker at the root of the site and
the offline page it falls back to. Nothing here is personal, so all three are public."""

import hashlib
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for
from flask_babel import force_locale
from flask_babel import gettext as _

from couples.i18n import N_, current_language, offered, translated

bp = Blueprint("pwa", __name__)

NAME = "Couples"
DESCRIPTION = N_("Nightly check-ins, appreciations and real repair for two partners.")
BACKGROUND = "#f7f3ee"  # the light theme's background (base.html's theme-color)
THEME = "#f7f3ee"
OFFLINE_URL = "/offline"
# What the service worker keeps for offline use: the app shell under /static/ (never a
# page of a user, never an answer of the API).
SHELL_SUFFIXES = (".css", ".js", ".mjs", ".png", ".svg", ".webp", ".ico", ".woff2")
SHELL_EXCLUDED = {"sw.js"}  # the worker itself is served at /sw.js
# Sent on logout: the browser drops this site's caches, storage (local storage, IndexedDB,
# service workers and their push subscriptions), so nothing personal stays on the device.
CLEAR_SITE_DATA = '"cache", "storage"'


def _icon(name: str, size: int, purpose: str = "any") -> dict:
    return {
        "src": url_for("static", filename=f"icons/{name}"),
        "sizes": f"{size}x{size}",
        "type": "image/png",
        "purpose": purpose,
    }


def manifest_data() -> dict:
    """The manifest, in the language the browser asks for (a manifest is fetched without
    the session's cookie)."""
    return {
        "id": "/",
        "name": NAME,
        "short_name": NAME,
        "description": translated(DESCRIPTION),
        "lang": current_language(),
        "dir": "ltr",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": BACKGROUND,
        "theme_color": THEME,
        "categories": ["lifestyle", "health"],
        "icons": [
            _icon("icon-192.png", 192),
            _icon("icon-512.png", 512),
            _icon("maskable-512.png", 512, "maskable"),
        ],
        "shortcuts": [
            {
                "name": _("Tonight's check-in"),
                "short_name": _("Check-in"),
                "url": "/checkin",
                "description": _("Answer tonight's questions"),
                "icons": [_icon("shortcut-checkin-96.png", 96)],
            },
            {
                "name": _("Send appreciation"),
                "short_name": _("Appreciate"),
                "url": "/appreciations/new",
                "description": _("Tell your partner what you noticed"),
                "icons": [_icon("shortcut-appreciation-96.png", 96)],
            },
        ],
    }


def shell_files(static_folder: str | Path) -> list[Path]:
    """The static files the service worker precaches, in a stable order."""
    root = Path(static_folder)
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and path.suffix in SHELL_SUFFIXES
        and path.relative_to(root).as_posix() not in SHELL_EXCLUDED
    )


def shell(static_folder: str | Path, static_url: str, worker_source: bytes) -> dict:
    """The worker's cache version and the URLs it precaches. The version is a hash of every
    precached file and of the worker itself, so a deploy that changes any of them changes
    the bytes of /sw.js, and browsers install the new worker and drop the old cache."""
    root = Path(static_folder)
    digest = hashlib.sha256(worker_source)
    urls = [OFFLINE_URL]
    for path in shell_files(root):
        name = path.relative_to(root).as_posix()
        digest.update(name.encode() + b"\0" + path.read_bytes())
        urls.append(f"{static_url.rstrip('/')}/{name}")
    return {"version": digest.hexdigest()[:16], "offline": OFFLINE_URL, "urls": urls}


def generic_words() -> dict[str, str]:
    """What the worker shows for a push that is not the app's own message, in each offered
    language: the worker has no page to ask which one its person reads."""
    words = {}
    for code in offered():
        with force_locale(code):
            words[code] = _("Something new for you")
    return words


@bp.route("/manifest.webmanifest")
def manifest():
    return Response(json.dumps(manifest_data(), indent=1), mimetype="application/manifest+json")


@bp.route("/sw.js")
def service_worker():
    """The worker at the root, so its scope is the whole app; its configuration is written
    in as the first line (a worker file, so the CSP's "no inline script" does not apply)."""
    source = (Path(current_app.static_folder) / "sw.js").read_bytes()
    config = shell(current_app.static_folder, current_app.static_url_path, source)
    config["generic"] = generic_words()
    body = b"self.SHELL = " + json.dumps(config).encode() + b";\n" + source
    # Like every page, it is sent with "Cache-Control: no-store" (couples.security): each
    # update check of the browser reaches the server.
    return Response(body, mimetype="text/javascript")


@bp.route("/offline")
def offline():
    """Shown by the service worker when a page cannot be loaded; the same for everyone."""
    return render_template("offline.html")
