"""Logging, set up in one place: :func:`configure_logging`, which ``rolegraph serve`` calls with
``ROLEGRAPH_LOG_FORMAT`` and ``ROLEGRAPH_LOG_LEVEL`` before it starts uvicorn (with
``log_config=None``, so that uvicorn keeps it and its own lines go the same way).

Every line carries the id of the request it belongs to (the ``X-Request-Id`` the client gets;
``-`` outside a request), so an "Unexpected error." a client reports with its ``requestId``
leads to its traceback. Two formats:

- ``text``: ``2026-03-02 09:14:07,512 INFO rolegraph.graphql [5f0c2a9e41d7b3c8] client error
  NOT_FOUND at position``
- ``json``: one object per line: ``{"time": "2026-03-02T09:14:07.512+00:00", "level": "INFO",
  "logger": "rolegraph.graphql", "request_id": "5f0c2a9e41d7b3c8", "message": "..."}``, with
  ``"exception"`` holding the traceback of an unexpected error.

What the app logs names codes, paths and ids, never a request's variables, its document's
values or a token (``resolvers/schema.py`` and ``rolegraph/auth.py`` keep to that). Client
errors are INFO lines without a traceback; unexpected errors ERROR lines with one.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Literal, TextIO

#: the id of the request being served (set by the authentication middleware)
REQUEST_ID: ContextVar[str] = ContextVar("rolegraph_request_id", default="-")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
#: loggers of the ASGI server: their lines go through the same handler
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


class RequestIdFilter(logging.Filter):
    """Gives each record the current request id (unless it names one itself)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = REQUEST_ID.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(log_format: Literal["text", "json"]) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure_logging(log_format: Literal["text", "json"] = "text", level: str = "INFO",
                      stream: TextIO | None = None) -> logging.Handler:
    """Send every log record (the app's, the ASGI server's, the driver's) to one handler on
    ``stream`` (stderr) in ``log_format``, at ``level`` and above; replaces the handlers set
    before. Run uvicorn with ``log_config=None`` so that it keeps them."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in SERVER_LOGGERS:
        server_logger = logging.getLogger(name)
        server_logger.handlers.clear()
        server_logger.propagate = True
    return handler
