"""The server's error answers become typed errors with one-line messages and documented exit codes."""

from __future__ import annotations

import httpx
import pytest
from tessera_client._http import error_for, network_error
from tessera_client.errors import (
    AuthError,
    Conflict,
    ExitCode,
    NetworkError,
    NotFound,
    PermissionDenied,
    ServerError,
    ValidationFailed,
)


def _answer(status: int, body: object) -> httpx.Response:
    return httpx.Response(status, json=body, request=httpx.Request("POST", "http://h/api/x/"))


@pytest.mark.parametrize(
    ("status", "body", "kind", "code", "message"),
    [
        (401, {"detail": "Invalid token."}, AuthError, ExitCode.AUTH, "The server refused your credentials "
         "(Invalid token): sign in again with `tessera login` or set TESSERA_TOKEN."),
        (403, {"detail": "You are a viewer in 'Lab'; this needs editor."}, PermissionDenied, ExitCode.AUTH,
         "You are a viewer in 'Lab'; this needs editor."),
        (404, {"detail": "pipeline 9 does not exist"}, NotFound, ExitCode.NOT_FOUND, "pipeline 9 does not exist"),
        (409, {"detail": "You edited version 1, but version 2 was saved by bob since.", "current_version": {}},
         Conflict, ExitCode.CONFLICT, "You edited version 1, but version 2 was saved by bob since."),
        (400, {"detail": "The pipeline document is malformed.",
               "problems": [{"path": "nodes[0].colour",
                             "message": "Unknown field 'colour' in nodes[0]; allowed: id."}]},
         ValidationFailed, ExitCode.VALIDATION,
         "The pipeline document is malformed: Unknown field 'colour' in nodes[0]; allowed: id."),
        (400, {"detail": "Some fields are invalid.", "fields": {"name": ["This field is required."]}},
         ValidationFailed, ExitCode.VALIDATION, "name: This field is required."),
        (400, {"error": {"code": "bad_request", "message": "Column 'age' is missing.", "details": [{"column": "age"}]}},
         ValidationFailed, ExitCode.VALIDATION, "Column 'age' is missing."),
        (500, {"detail": "boom"}, ServerError, ExitCode.ERROR, "The server failed on POST /api/x/ (HTTP 500): boom"),
    ],
)  # fmt: skip
def test_each_answer_is_its_typed_error_with_one_line(status, body, kind, code, message):
    error = error_for(_answer(status, body), "POST", "/api/x/")

    assert type(error) is kind
    assert error.exit_code == code
    assert str(error) == message
    assert "\n" not in str(error)


def test_several_problems_say_how_many_more_and_keep_the_list():
    body = {"detail": "The pipeline document is malformed.", "problems": [{"message": "a"}, {"message": "b"}]}

    error = error_for(_answer(400, body), "POST", "/api/pipelines/validate/")

    assert str(error) == "The pipeline document is malformed: a (and 1 more)"
    assert [p["message"] for p in error.problems] == ["a", "b"]


def test_network_failures_name_the_server_and_the_request():
    request = httpx.Request("POST", "http://h:1/api/datasets/")

    refused = network_error("http://h:1", "GET", "/api/", httpx.ConnectError("[Errno 111] Connection refused"))
    broken = network_error("http://h:1", "POST", "/api/datasets/", httpx.WriteError("Broken pipe", request=request))

    assert isinstance(refused, NetworkError) and refused.exit_code == ExitCode.NETWORK == 6
    assert str(refused) == "Cannot reach the server at http://h:1: [Errno 111] Connection refused."
    assert str(broken) == "The connection to http://h:1 broke during POST /api/datasets/: Broken pipe."


def test_exit_codes_are_the_documented_numbers():
    assert (ExitCode.ERROR, ExitCode.USAGE, ExitCode.AUTH, ExitCode.NOT_FOUND) == (1, 2, 3, 4)
    assert (ExitCode.VALIDATION, ExitCode.NETWORK, ExitCode.CONFLICT, ExitCode.RUN_FAILED) == (5, 6, 7, 8)
