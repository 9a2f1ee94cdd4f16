def test_me_shows_partner_by_name_and_timezone_never_email(two_partners):
    alex, sam = two_partners
    body = alex.get("/api/v1/me").get_json()
    assert body["partner"] == {"display_name": "Sam", "timezone": "Europe/London"}
    assert "sam@example.com" not in alex.get("/api/v1/me").get_data(as_text=True)
    assert body["user"]["email"] == "alex@example.com"
