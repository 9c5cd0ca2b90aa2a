"""Response documentation shared by routes (so the OpenAPI document lists every status)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, JsonValue

from service.api.errors import HTTP_ERROR_CODES
from service.errors import TiergateError


def _error_codes() -> list[str]:
    """Every `error` the API emits: the codes of service/errors.py's classes, of the HTTP errors
    Starlette raises, and of the fallbacks (service/api/errors.py, the deadline in limits.py).
    tests/api/test_contract.py fails when code somewhere emits one not listed here."""
    classes: list[type[TiergateError]] = [TiergateError]
    for cls in classes:
        classes.extend(cls.__subclasses__())
    codes = {cls.code for cls in classes} | set(HTTP_ERROR_CODES.values())
    return sorted(codes | {"http_error", "internal_error", "invalid_input", "timeout"})


ERROR_CODES = _error_codes()
_ENUM: list[JsonValue] = list(ERROR_CODES)


class ErrorBody(BaseModel):
    error: str = Field(
        description="Stable machine-readable code of the error.",
        json_schema_extra={"enum": _ENUM},
    )
    detail: str
    field: str | None = None
    errors: list[dict[str, str]] | None = None


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Malformed request.",
        401: "Missing or invalid API key.",
        403: "The key's role does not allow this.",
        404: "Not found.",
        409: "Conflicts with stored state.",
        413: "Request body too large.",
        422: "Invalid input; `field` names the offending field.",
        429: "Rate limit exceeded; see Retry-After.",
        503: "A dependency cannot give a trustworthy answer (fail closed); nothing recorded.",
        504: "The request passed its deadline (reads and sizing only); nothing was changed.",
    }
    return {code: {"model": ErrorBody, "description": descriptions[code]} for code in codes}
