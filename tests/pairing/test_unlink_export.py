"""After a link ends, each one's export holds their own words and none of the former
partner's (while linked, what was addressed to them is theirs to download too)."""

from tests.repair.helpers import CHOICE, walk


def test_after_unlinking_the_export_holds_no_bid_the_former_partner_wrote(two_partners):
    alex, sam = two_partners
    assert sam.post("/api/v1/bids", json={"text": "sam asks for a walk"}).status_code == 201
    assert "sam asks for a walk" in alex.export().get_data(as_text=True)  # linked: shared
    assert sam.delete("/api/v1/couple").status_code == 204
    assert "sam asks for a walk" not in alex.export().get_data(as_text=True)
    assert "sam asks for a walk" in sam.export().get_data(as_text=True)


def test_the_export_never_holds_the_reconnect_choice_the_partner_wrote(two_partners):
    alex, sam = two_partners
    response = alex.post("/api/v1/repairs", json={"title": "The late train", "role": "apologizing"})
    repair_id = response.get_json()["id"]
    walk(sam, alex, repair_id, "following_through")  # Alex chose, Sam confirmed
    assert alex.delete("/api/v1/couple").status_code == 204
    assert CHOICE["choice"] not in sam.export().get_data(as_text=True)
    assert CHOICE["choice"] in alex.export().get_data(as_text=True)
