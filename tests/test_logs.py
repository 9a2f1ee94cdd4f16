"""The log's two formats: plain text lines, or one JSON object a line."""

import json
import logging
import sys

from couples.logs import JsonFormatter, formatter_for


def _record(**extra) -> logging.LogRecord:
    record = logging.makeLogRecord(
        {"name": "couples.audit", "levelname": "INFO", "levelno": 20, "msg": "a=%s", "args": (1,)}
    )
    record.created = 1796500800.25  # 2026-12-05 20:00:00.250 UTC
    for key, value in extra.items():
        setattr(record, key, value)
    return record


def test_a_json_line_holds_the_time_level_logger_message_and_the_events_fields():
    line = JsonFormatter().format(_record(fields={"event": "login", "user": 7, "level": "x"}))
    assert "\n" not in line
    assert json.loads(line) == {
        "time": "2026-12-05T20:00:00.250Z",
        "level": "INFO",  # an event's field never replaces the record's own
        "logger": "couples.audit",
        "message": "a=1",
        "event": "login",
        "user": 7,
    }


def test_an_exception_stays_on_the_objects_one_line():
    try:
        raise ValueError("boom")
    except ValueError:
        line = JsonFormatter().format(_record(exc_info=sys.exc_info()))
    entry = json.loads(line)
    assert "\n" not in line and "ValueError: boom" in entry["exception"]


def test_text_is_the_default_and_json_is_chosen_by_the_setting():
    assert isinstance(formatter_for({"LOG_FORMAT": "json"}), JsonFormatter)
    plain = formatter_for({"LOG_FORMAT": "text"}).format(_record())
    assert plain == "2026-12-05T20:00:00Z INFO couples.audit a=1"
    assert not isinstance(formatter_for({}), JsonFormatter)
