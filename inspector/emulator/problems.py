"""What every emulator handler shares: the refusal it raises (each service turns it into its own error shape, the
emulator's own being Workato's), and reading a request's bearer token and JSON body."""

from __future__ import annotations

import json
import re
from http import HTTPStatus
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from inspector.core.validation import MAX_BODY_BYTES

NO_BODY: Any = object()  # what ``read_json`` returns for an empty body
_INTEGER = re.compile(r"-?[0-9]{1,18}")


class ApiProblem(Exception):
    """An HTTP error answer. ``details`` carries what a service's shape lists beyond the message (Qala's
    ``errors``, Boomi's ``messages``); the Workato shape ignores it."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str,
        headers: dict[str, str] | None = None,
        *,
        details: list[Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.message, self.code, self.headers = status, message, code, headers or {}
        self.details = details


def json_error(status: int, message: str, code: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The emulator's own error answer, in Workato's shape: for Workato's routes, and where no route answers."""
    return JSONResponse({"message": message, "code": code}, status_code=status, headers=headers)


def workato_error(request: Request, problem: ApiProblem, state: object) -> JSONResponse:
    """``json_error`` as a mount's error shape."""
    return json_error(problem.status, problem.message, problem.code, problem.headers)


def reason_phrase(status: int) -> str:
    """The status's reason phrase ("Not Found"), which the Qala, Boomi and Messaging shapes name."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def integer(text: str) -> int | None:
    """A query parameter's integer (at most 18 digits), or None when it is not one."""
    return int(text) if _INTEGER.fullmatch(text) else None


def bearer(request: Request) -> str:
    """The request's bearer token, or "" when it sends none."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


async def read_body(request: Request, *, too_large: int) -> bytes:
    """The body; over 1 MB is refused with ``too_large`` (Workato's API answers 400, the others 413)."""
    raw = await request.body()
    if len(raw) > MAX_BODY_BYTES:
        raise ApiProblem(
            too_large, f"Payload is {len(raw)} bytes; the maximum is {MAX_BODY_BYTES} bytes (1 MB)", "payload_too_large"
        )
    return raw


async def read_json(request: Request, *, too_large: int) -> Any:
    """The parsed body, or ``NO_BODY`` when there is none; NaN and Infinity are not JSON."""
    raw = await read_body(request, too_large=too_large)
    if not raw.strip():
        return NO_BODY
    try:
        return json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise ApiProblem(400, f"Request body is not valid JSON: {exc}", "invalid_json") from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")
