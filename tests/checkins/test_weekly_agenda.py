"""The weekly check-in's agenda: the week's appreciations, "would help me" and "on my
mind" items; the partner's only from check-ins both answered."""

from datetime import UTC, datetime

SUNDAY = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)


def test_agenda_gathers_the_week_and_keeps_unrevealed_answers_private(couple):
    couple.link()
    with couple.at(datetime(2026, 11, 18, 20, 0, tzinfo=UTC)) as (alex, sam):
        for who, words in ((alex, "alex-help-18"), (sam, "sam-help-18")):
            assert (
                who.put(
                    "/api/v1/checkins/2026-11-18/answers",
                    json={"answers": {"needs_met": 3, "mood": 3, "needs_help": words}},
                ).status_code
                == 200
            )
        assert (
            alex.put(
                "/api/v1/checkins/2026-11-19/answers",
                json={
                    "answers": {
                        "needs_met": 3,
                        "mood": 3,
                        "on_my_mind": True,
                        "on_my_mind_text": "alex-mind-19",
                    }
                },
            ).status_code
            == 409
        )  # not open yet
    with couple.at(datetime(2026, 11, 19, 20, 0, tzinfo=UTC)) as (alex, sam):
        assert (
            alex.put(
                "/api/v1/checkins/2026-11-19/answers",
                json={
                    "answers": {
                        "needs_met": 3,
                        "mood": 3,
                        "on_my_mind": True,
                        "on_my_mind_text": "alex-mind-19",
                    }
                },
            ).status_code
            == 200
        )
        assert sam.post("/api/v1/appreciations", json={"text": "sam-thanks"}).status_code == 201
    with couple.at(SUNDAY) as (alex, sam):
        [item] = sam.get("/api/v1/checkins/today").get_json()["items"]
        assert item["kind"] == "weekly"
        agenda = item["agenda"]
        assert agenda["appreciations"] == [{"who": "me", "text": "sam-thanks"}]
        assert {(a["who"], a["text"]) for a in agenda["would_help"]} == {
            ("me", "sam-help-18"),
            ("partner", "alex-help-18"),
        }
        assert agenda["on_my_mind"] == []  # Alex's 19th is not revealed
        assert "alex-mind-19" not in sam.client.get("/checkin/2026-11-22").get_data(as_text=True)
        alex_agenda = alex.get("/api/v1/checkins/today").get_json()["items"][0]["agenda"]
        assert alex_agenda["on_my_mind"] == [
            {"date": "2026-11-19", "who": "me", "text": "alex-mind-19"}
        ]
        page = alex.client.get("/checkin/2026-11-22").get_data(as_text=True)
        assert "From this week" in page and "alex-mind-19" in page and "sam-thanks" in page
