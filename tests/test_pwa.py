"""The installable app, server side: the manifest and its icons, the service worker at the
root and what it may keep, the offline page, and logout clearing the site's data."""

import json
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from couples import ROOT
from couples.pwa import CLEAR_SITE_DATA, shell
from tests.factories import PASSWORD, ApiClient, make_user, post_form

STATIC = ROOT / "static"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first one, by the format's rules)."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert head[12:16] == b"IHDR", f"{path} does not start with IHDR"
    return struct.unpack(">II", head[16:24])


def static_file(url: str) -> Path:
    assert url.startswith("/static/"), url
    return STATIC / url.removeprefix("/static/")


@pytest.fixture
def manifest(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    return json.loads(response.get_data(as_text=True))


@pytest.fixture
def worker(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    first_line, _, source = response.get_data(as_text=True).partition("\n")
    assert first_line.startswith("self.SHELL = ") and first_line.endswith(";")
    return response, json.loads(first_line.removeprefix("self.SHELL = ").rstrip(";")), source


def test_the_manifest_describes_a_standalone_app_for_the_whole_site(manifest):
    assert manifest["id"] == "/"
    assert manifest["start_url"] == "/"
    assert manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["name"] == "Couples"
    assert 0 < len(manifest["short_name"]) <= 12  # fits under a home screen icon
    assert manifest["description"].strip()
    assert HEX_COLOUR.match(manifest["theme_color"])
    assert HEX_COLOUR.match(manifest["background_color"])


def test_the_manifest_colours_are_those_of_the_pages(client, manifest):
    page = client.get("/login").get_data(as_text=True)
    light = re.search(
        r'name="theme-color" content="(#[0-9a-f]{6})" '
        r'media="\(prefers-color-scheme: light\)"',
        page,
    ).group(1)
    assert manifest["theme_color"] == light
    assert manifest["background_color"] == light
    assert "--bg: #f7f3ee;" in (STATIC / "css" / "app.css").read_text()


def test_every_icon_is_a_png_of_the_size_it_claims(manifest):
    icons = manifest["icons"] + [
        icon for shortcut in manifest["shortcuts"] for icon in shortcut["icons"]
    ]
    for icon in icons:
        assert icon["type"] == "image/png"
        width, height = (int(n) for n in icon["sizes"].split("x"))
        assert png_size(static_file(icon["src"])) == (width, height), icon["src"]


def test_the_icons_cover_192_512_and_a_maskable_one(manifest):
    by_purpose = {}
    for icon in manifest["icons"]:
        for purpose in icon.get("purpose", "any").split():
            by_purpose.setdefault(purpose, set()).add(icon["sizes"])
    assert {"192x192", "512x512"} <= by_purpose["any"]
    assert "512x512" in by_purpose["maskable"]


def test_the_maskable_icon_keeps_its_mark_inside_the_safe_zone(manifest):
    """Outside the centred circle of 80 % of the width (what every mask keeps), the icon is
    only its opaque background, so no launcher's mask cuts the mark."""
    from PIL import Image as image_module

    [maskable] = [i for i in manifest["icons"] if "maskable" in i["purpose"].split()]
    image = image_module.open(static_file(maskable["src"])).convert("RGBA")
    size = image.width
    background = image.getpixel((0, 0))
    assert background[3] == 255, "a maskable icon fills its whole square"
    radius = 0.4 * size
    pixels = image.load()
    outside = [
        (x, y)
        for y in range(0, size, 2)
        for x in range(0, size, 2)
        if (x + 0.5 - size / 2) ** 2 + (y + 0.5 - size / 2) ** 2 > radius**2
    ]
    assert all(pixels[x, y] == background for x, y in outside)
    inside = {pixels[x, y] for y in range(0, size, 4) for x in range(0, size, 4)}
    assert len(inside) > 2, "the mark is drawn"


def test_the_shortcuts_lead_to_tonights_checkin_and_a_new_appreciation(client, manifest):
    shortcuts = {s["url"]: s for s in manifest["shortcuts"]}
    assert set(shortcuts) == {"/checkin", "/appreciations/new"}
    assert shortcuts["/checkin"]["name"] == "Tonight's check-in"
    assert shortcuts["/appreciations/new"]["name"] == "Send appreciation"
    for url, shortcut in shortcuts.items():
        assert [icon["sizes"] for icon in shortcut["icons"]] == ["96x96"]
        # Real pages (for someone logged out: the way to log in first).
        assert client.get(url).status_code in (200, 302)


def test_every_page_links_the_manifest_and_the_icons(client, manifest):
    page = client.get("/login").get_data(as_text=True)
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    for href in re.findall(r'<link rel="(?:apple-touch-)?icon"[^>]* href="([^"]+)"', page):
        assert static_file(href).exists(), href
    assert 'rel="apple-touch-icon"' in page


def test_the_service_worker_is_served_at_the_root_as_javascript_never_cached(worker):
    response, _config, source = worker
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-store"
    assert "Service-Worker-Allowed" not in response.headers  # at the root, scope / is its own
    for event in (
        "install",
        "activate",
        "fetch",
        "push",
        "notificationclick",
        "pushsubscriptionchange",
    ):
        assert f'addEventListener("{event}"' in source, event


def test_the_precache_holds_only_the_offline_page_and_static_files(worker):
    _response, config, _source = worker
    urls = config["urls"]
    assert config["offline"] == "/offline" and "/offline" in urls
    assert len(urls) == len(set(urls))
    for url in urls:
        assert url == "/offline" or url.startswith("/static/"), url
        assert not url.startswith("/api/")
        if url != "/offline":
            assert static_file(url).is_file(), url
    for shell_file in (
        "/static/css/app.css",
        "/static/js/app.js",
        "/static/js/pwa.js",
        "/static/js/push-target.js",
        "/static/icons/icon-192.png",
    ):
        assert shell_file in urls
    assert "/static/sw.js" not in urls


def test_the_worker_keeps_no_page_and_no_api_answer(worker):
    """Pages are fetched and never put in a cache; /api/ is left to the network."""
    _response, _config, source = worker
    assert source.count("cache.put(") == 1
    put_in = source[source.index("async function fromShell") :]
    assert "cache.put(" in put_in[: put_in.index("\n}\n")]
    assert 'url.pathname.startsWith("/api/")) return;' in source


def test_the_cache_version_changes_when_a_static_file_changes(tmp_path):
    folder = tmp_path / "static"
    shutil.copytree(STATIC, folder)
    worker_source = (folder / "sw.js").read_bytes()
    before = shell(folder, "/static", worker_source)
    assert re.fullmatch(r"[0-9a-f]{16}", before["version"])
    assert shell(folder, "/static", worker_source) == before
    css = folder / "css" / "app.css"
    css.write_text(css.read_text() + "\n/* deploy */\n")
    assert shell(folder, "/static", worker_source)["version"] != before["version"]
    assert shell(folder, "/static", worker_source + b"//")["version"] != before["version"]


def test_the_offline_page_is_the_same_for_everyone(app, client):
    anonymous = client.get("/offline")
    assert anonymous.status_code == 200
    assert anonymous.mimetype == "text/html"
    text = anonymous.get_data(as_text=True)
    assert "offline" in text.lower()
    assert "<script>" not in text and "csrf" not in text.lower()

    with app.app_context():
        make_user(email="alex@example.com", display_name="Alex")
    signed_in = ApiClient(app).login("alex@example.com")
    again = signed_in.get("/offline").get_data(as_text=True)
    assert again == text
    assert "Alex" not in again


def test_logging_out_of_the_api_clears_the_site_data(two_partners):
    alex, _sam = two_partners
    response = alex.post("/api/v1/auth/logout")
    assert response.status_code == 204
    assert response.headers["Clear-Site-Data"] == CLEAR_SITE_DATA == '"cache", "storage"'


def test_deleting_the_account_through_the_api_clears_the_site_data(two_partners):
    alex, _sam = two_partners
    refused = alex.delete("/api/v1/me", json={"password": "not the password"})
    assert refused.status_code == 422
    assert "Clear-Site-Data" not in refused.headers
    response = alex.delete("/api/v1/me", json={"password": PASSWORD})
    assert response.status_code == 204
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert alex.get("/api/v1/me").status_code == 401


def test_logging_out_of_the_pages_clears_the_site_data(two_partners):
    alex, _sam = two_partners
    response = post_form(alex, "/logout", {})
    assert response.status_code in (302, 303)
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert alex.get("/api/v1/me").status_code == 401


def test_the_push_target_unit_tests_pass_in_node():
    node = shutil.which("node")
    assert node, "node is needed for the service worker's unit tests (tests/js/)"
    result = subprocess.run(
        [node, "--test", str(ROOT / "tests" / "js" / "push_target.test.mjs")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"^# pass [1-9]", result.stdout, re.M), result.stdout
    assert re.search(r"^# fail 0$", result.stdout, re.M), result.stdout
