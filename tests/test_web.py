"""Details of the pages found in review: static files sent compressed, times on the user's
own clock, the Us page leading to what the Us tab covers, and error pages that say what
to do next."""

import gzip
from datetime import UTC, datetime

from flask import render_template_string
from flask_login import login_user

from couples import ROOT
from couples.accounts import sessions
from couples.extensions import db
from tests.factories import make_user

CSS = ROOT / "static" / "css" / "app.css"


def test_static_text_files_are_sent_gzipped_to_browsers_that_take_it(client):
    response = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip, br"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert gzip.decompress(response.data) == CSS.read_bytes()
    assert int(response.headers["Content-Length"]) == len(response.data) < CSS.stat().st_size
    etag = response.headers["ETag"]
    assert etag.startswith('W/"')  # the same file in either encoding

    again = client.get(
        "/static/css/app.css", headers={"Accept-Encoding": "gzip", "If-None-Match": etag}
    )
    assert again.status_code == 304


def test_static_files_stay_as_they_are_without_gzip_or_when_already_compressed(client):
    plain = client.get("/static/css/app.css")
    assert "Content-Encoding" not in plain.headers
    assert plain.data == CSS.read_bytes()
    assert not plain.headers["ETag"].startswith("W/")
    refused = client.get("/static/css/app.css", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers
    icon = client.get("/static/icons/icon-192.png", headers={"Accept-Encoding": "gzip"})
    assert icon.status_code == 200 and "Content-Encoding" not in icon.headers
    assert (
        client.get("/static/css/nothing.css", headers={"Accept-Encoding": "gzip"}).status_code
        == 404
    )


def test_times_are_shown_on_the_clock_of_the_person_reading(app):
    noon = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
    with app.test_request_context("/"):
        assert render_template_string("{{ t | local_time }}", t=noon) == "15 Jan, 12:00"
        user = make_user(email="ny@example.com", timezone="America/New_York")
        sessions.start(user=user, user_agent=None, now=noon)
        login_user(user)
        assert render_template_string("{{ t | local_time }}", t=noon) == "15 Jan, 07:00"
        db.session.rollback()


def test_the_us_page_leads_to_what_the_us_tab_covers(two_partners):
    alex, _sam = two_partners
    html = alex.get("/couple").get_data(as_text=True)
    for path in ("/insights", "/checkins", "/couple/checkins", "/couple/unlink"):
        assert f'href="{path}"' in html, path


def test_a_page_for_couples_offers_an_unlinked_user_to_link(outsider):
    response = outsider.get("/repairs")
    html = response.get_data(as_text=True)
    assert response.status_code == 404
    assert 'href="/pair"' in html and "Invite or join" in html


def test_a_used_reset_link_offers_a_new_one_and_says_it_once(client):
    response = client.get("/reset/not-a-real-token")
    html = response.get_data(as_text=True)
    assert response.status_code == 410
    assert 'href="/forgot"' in html
    assert html.count("This reset link was used or has expired") == 2  # <title> and <h1>
