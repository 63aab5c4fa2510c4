"""The refusal every emulator handler raises; each service turns it into its own error shape."""

from __future__ import annotations

from typing import Any


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
