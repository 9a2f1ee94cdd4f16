"""Where the logs go and how they read: INFO and up on stderr, times in UTC; plain text
lines by default, or one JSON object a line with ``COUPLES_LOG_FORMAT=json`` (for a log
shipper). An audit event's fields (``couples.audit``) become keys of its object."""

import json
import logging
import time
from datetime import UTC, datetime

# What every record has, that is not a field of the event itself.
_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the exception if any, and
    the event's own fields (``extra={"fields": {...}}``)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update({k: v for k, v in fields.items() if k not in entry})
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def text_formatter() -> logging.Formatter:
    formatter = logging.Formatter(
        "%(asctime)sZ %(levelname)s %(name)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%S"
    )
    formatter.converter = time.gmtime
    return formatter


def formatter_for(config) -> logging.Formatter:
    return JsonFormatter() if config.get("LOG_FORMAT") == "json" else text_formatter()


def configure(config) -> None:
    """Send INFO and up to stderr in the configured format (replacing whatever logging
    was set up before, Alembic's included)."""
    handler = logging.StreamHandler()
    handler.setFormatter(formatter_for(config))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
