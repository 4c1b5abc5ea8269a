"""Quiet, useful logs (issue 11, defect 11), over real HTTP.

Before the fix a fuzz run of five minutes wrote 26.8 MB of log: client errors at ERROR with a
traceback (a body that is not UTF-8 was an HTTP 500 with a traceback in the log), while client
errors of GraphQL were not logged at all and an unexpected error's log line could not be tied
to the client's "Unexpected error.". Now: the client's mistakes are one INFO line each without
a traceback; unexpected errors an ERROR line with the traceback and the request id, which the
client gets too (``extensions.requestId``); ``ROLEGRAPH_LOG_FORMAT=json`` gives one JSON object
per line; no variable, token or value reaches the log.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from conftest import LiveServer

import graph.boundary
from rolegraph.logs import SERVER_LOGGERS, RequestIdFilter, configure_logging

SECRET_WAGE = 987654.5
SECRET_TEXT = "SECRET-VARIABLE-VALUE-42"


class Records(logging.Handler):
    """Every record of the app's loggers, with the request id the handler would print."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def of(self, request_id: str) -> list[logging.LogRecord]:
        return [r for r in self.records if getattr(r, "request_id", None) == request_id]

    def text(self) -> str:
        return "\n".join(self.format(r) for r in self.records)


@pytest.fixture
def logged() -> Iterator[Records]:
    handler = Records()
    app_logger = logging.getLogger("rolegraph")
    previous = app_logger.level
    app_logger.addHandler(handler)
    app_logger.setLevel(logging.DEBUG)
    yield handler
    app_logger.removeHandler(handler)
    app_logger.setLevel(previous)


def post(client: httpx.Client, query: str, **variables: Any) -> httpx.Response:
    return client.post("/graphql", json={"query": query, "variables": variables})


CLIENT_ERRORS = {
    "NOT_FOUND": ('mutation { updatePosition(id: "P999", input: {title: "x"}) { id } }', {}),
    "BAD_INPUT": ("{ positions(first: 0) { totalCount } }", {}),
    "CONFLICT": ('mutation { createDepartment(input: {id: "D01", name: "x"}) { id } }', {}),
    "INVALID_REQUEST": ("{ posiion { id } }", {}),  # a validation error
    "COST_LIMIT": ("{ departments(first: 100) { edges { node { employees(first: 1000) { id "
                   "competencies { competency { holders { employee { id } } } } } } } } }", {}),
}


@pytest.mark.parametrize("code", list(CLIENT_ERRORS))
def test_client_errors_are_one_info_line_without_traceback(demo_server: LiveServer,
                                                           logged: Records, code: str) -> None:
    query, variables = CLIENT_ERRORS[code]
    response = post(demo_server.client, query, **variables)
    assert response.status_code == 200 and response.json()["errors"]
    records = logged.of(response.headers["x-request-id"])
    assert [(r.levelname, r.exc_info) for r in records] == [("INFO", None)], logged.text()
    assert code in records[0].getMessage()


def test_forbidden_and_unauthenticated_are_info(demo_server: LiveServer,
                                                logged: Records) -> None:
    employee = demo_server.as_("employee", sub="E0001")
    response = post(employee, 'mutation { updatePosition(id: "P001", input: {title: "x"}) '
                              "{ id } }")
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    [record] = logged.of(response.headers["x-request-id"])
    assert (record.levelname, record.exc_info) == ("INFO", None)
    assert "FORBIDDEN" in record.getMessage()

    token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    response = httpx.post(demo_server.url + "/graphql", json={"query": "{ __typename }"},
                          headers={"authorization": f"Bearer {token}"})
    assert response.status_code == 401
    [record] = logged.of(response.headers["x-request-id"])
    assert (record.levelname, record.exc_info) == ("INFO", None)
    assert "UNAUTHENTICATED" in record.getMessage()
    assert token not in logged.text() and "c2lnbmF0dXJl" not in logged.text()


def test_a_bad_body_is_an_info_line_not_a_500_traceback(demo_server: LiveServer,
                                                        logged: Records) -> None:
    response = demo_server.client.post("/graphql", content=b'{"query": "\xff"}',
                                       headers={"content-type": "application/json"})
    assert response.status_code == 400
    records = logged.of(response.headers["x-request-id"])
    assert [(r.levelname, r.exc_info) for r in records] == [("INFO", None)], logged.text()


def test_an_unexpected_error_is_logged_with_the_request_id_the_client_gets(
        demo_server: LiveServer, logged: Records, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("internal detail: MATCH (p:Position) ...")

    monkeypatch.setattr(graph.boundary, "position_spans", broken)
    response = post(demo_server.client, "{ positionSpans { span } }")
    [err] = response.json()["errors"]
    request_id = response.headers["x-request-id"]
    assert err["message"] == "Unexpected error."
    assert err["extensions"] == {"requestId": request_id}
    assert "internal detail" not in response.text
    [record] = [r for r in logged.of(request_id) if r.levelno >= logging.WARNING]
    assert record.levelname == "ERROR"
    assert record.exc_info is not None and "internal detail" in str(record.exc_info[1])


def test_no_variable_value_or_token_reaches_the_log(demo_server: LiveServer,
                                                    logged: Records) -> None:
    """Messages may quote a value (a variable of the wrong type, a bad wage): the log gets the
    code and the path only."""
    responses = [
        post(demo_server.client, 'mutation($w: Float) { updateContract(id: "CT0001", '
                                 "input: {monthlyWage: $w}) { id } }", w=-SECRET_WAGE),
        post(demo_server.client, "query($n: Int!) { positions(first: $n) { totalCount } }",
             n=SECRET_TEXT),
        post(demo_server.client, f'{{ position(id: "{SECRET_TEXT}") {{ title }} }}'),
    ]
    assert all(r.json().get("errors") for r in responses[:2])
    text = logged.text()
    assert logged.records, "the client errors are logged"
    for secret in (str(SECRET_WAGE), "987654", SECRET_TEXT):
        assert secret not in text
    bearer = demo_server.client.headers["authorization"].split()[1]
    assert bearer not in text


# -- the format ---------------------------------------------------------------------------------


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """configure_logging changes the root logger and the server's loggers: put them back."""
    loggers = [logging.getLogger(), *map(logging.getLogger, SERVER_LOGGERS)]
    saved = [(lg, list(lg.handlers), lg.level, lg.propagate) for lg in loggers]
    yield
    for lg, handlers, level, propagate in saved:
        lg.handlers[:] = handlers
        lg.setLevel(level)
        lg.propagate = propagate


def test_json_log_lines(demo_server: LiveServer, restore_logging: None,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    """``ROLEGRAPH_LOG_FORMAT=json``: each line one object with time, level, logger, request
    id and message (and the traceback of an unexpected error), the server's lines too."""
    stream = io.StringIO()
    configure_logging("json", "INFO", stream)

    async def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(graph.boundary, "position_spans", broken)
    client_error = post(demo_server.client, "{ positions(first: 0) { totalCount } }")
    unexpected = post(demo_server.client, "{ positionSpans { span } }")
    logging.getLogger("uvicorn.error").warning("a server line")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert all(set(line) >= {"time", "level", "logger", "request_id", "message"}
               for line in lines)
    by_request = {line["request_id"]: line for line in lines}
    info = by_request[client_error.headers["x-request-id"]]
    assert (info["level"], info["logger"]) == ("INFO", "rolegraph.graphql")
    assert "exception" not in info
    error = by_request[unexpected.headers["x-request-id"]]
    assert error["level"] == "ERROR" and "RuntimeError: boom" in error["exception"]
    assert any(line["message"] == "a server line" and line["request_id"] == "-"
               for line in lines)


def test_text_log_lines_carry_the_request_id(restore_logging: None) -> None:
    stream = io.StringIO()
    configure_logging("text", "INFO", stream)
    logging.getLogger("rolegraph.graphql").info("client error X at y",
                                                extra={"request_id": "abc123"})
    logging.getLogger("rolegraph").debug("not shown at INFO")
    [line] = stream.getvalue().splitlines()
    assert line.endswith("INFO rolegraph.graphql [abc123] client error X at y")
