"""The exception hierarchy of the core.

Every error carries a one-line ``message`` (what went wrong) and a ``hint`` (how to fix it), so the CLI and the
GUI can show it in words instead of a traceback.
"""

from __future__ import annotations

from typing import Any


class InspectorError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def describe(self) -> str:
        """The message and the hint as one or two lines for a person."""
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message


class ValidationError(InspectorError, ValueError):
    """Input refused before anything was sent. ``where`` names the argument, item or path at fault."""

    def __init__(self, message: str, *, where: str = "", hint: str = "") -> None:
        super().__init__(f"{where}: {message}" if where else message, hint=hint)
        self.where = where
        self.reason = message


class InsecureUrlError(ValidationError):
    """A base URL that would send a token in clear text, or that is not a URL at all."""


class UnsupportedError(InspectorError):
    """The endpoint does not offer this capability (for example batch publish on the legacy domain)."""


class ApiError(InspectorError):
    """The server answered with an error status or with something that is not the promised JSON."""

    retryable = False

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        server_message: str = "",
        code: str = "",
        hint: str = "",
    ) -> None:
        super().__init__(message, hint=hint)
        self.status = status
        self.server_message = server_message
        self.code = code
        self.body: Any = None  # the error answer's JSON (token scrubbed), for services with structured errors


class AuthError(ApiError):
    """401: the token is missing, wrong or revoked."""


class NotFoundError(ApiError):
    """404: the topic (or path) does not exist for this token and region."""


class BadRequestError(ApiError):
    """400: the server refused the request as invalid."""


class RateLimitedError(ApiError):
    """429: too many requests. ``retry_after`` is the server's wait in seconds, when it gave one."""

    retryable = True

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: object) -> None:
        super().__init__(message, **kwargs)  # type: ignore[arg-type]
        self.retry_after = retry_after


class ServerError(ApiError):
    """5xx: the service failed. A publish that got one may or may not have been stored."""

    retryable = True


class UnexpectedResponseError(ApiError):
    """A 2xx (or error) body that is not the JSON the API promises: an HTML page, truncated JSON, wrong shape."""

    retryable = True


class TransportError(InspectorError):
    """The request did not complete at the network level.

    ``maybe_sent`` is True when the request may have reached the server (a read timeout or a dropped
    connection after sending): a publish in that state has an unknown outcome and must not be retried silently.
    """

    retryable = True

    def __init__(self, message: str, *, maybe_sent: bool, hint: str = "") -> None:
        super().__init__(message, hint=hint)
        self.maybe_sent = maybe_sent


def is_retryable(exc: BaseException) -> bool:
    """Whether repeating the same request later may succeed."""
    return bool(getattr(exc, "retryable", False))


def outcome_unknown(exc: BaseException) -> bool:
    """Whether a failed *publish* may nevertheless have been stored by the server."""
    if isinstance(exc, TransportError):
        return exc.maybe_sent
    return isinstance(exc, ServerError | UnexpectedResponseError)


class PublishInputError(ValidationError):
    """Some items cannot be sent; nothing was sent. ``problems`` lists each bad item's message."""

    def __init__(self, problems: list[ValidationError]) -> None:
        first = problems[0].message
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{first}{more}; nothing was sent", hint=problems[0].hint)
        self.problems = problems
