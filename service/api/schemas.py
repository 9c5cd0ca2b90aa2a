"""Response documentation shared by routes (so the OpenAPI document lists every status)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorBody(BaseModel):
    error: str
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
