from datetime import UTC, datetime

import pytest

from couples.db import UTCDateTime


class _Dialect:
    def __init__(self, name):
        self.name = name


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1, 12), _Dialect("postgresql"))


def test_aware_datetimes_are_stored_as_utc_and_read_back_aware():
    from zoneinfo import ZoneInfo

    local = datetime(2026, 7, 1, 21, 0, tzinfo=ZoneInfo("America/New_York"))
    stored = UTCDateTime().process_bind_param(local, _Dialect("sqlite"))
    assert stored == datetime(2026, 7, 2, 1, 0)
    back = UTCDateTime().process_result_value(stored, _Dialect("sqlite"))
    assert back == local and back.tzinfo == UTC
