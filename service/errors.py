"""The one error hierarchy of tiergate.

TiergateError(message, status_code, code, field, headers)
├── Unauthorized           401  no API key, or one that is unknown or revoked
├── Forbidden              403  the key's roles do not allow this operation
├── TooManyRequests        429  the key's rate limit is exhausted (Retry-After says when to retry)
├── InvalidBundle          400  an uploaded policy bundle cannot be read or OPA rejects it
├── NotExceptable          400  an exception was asked for a rule the law, not policy, sets
├── InvalidInput           422  the request is well-formed JSON but a field is wrong
├── NotFound               404  a named resource does not exist
├── Conflict               409  the request clashes with stored state (idempotency key reuse)
└── ServiceUnavailable     503  a dependency cannot give a trustworthy answer: fail closed
    ├── PolicyEngineUnavailable   OPA down, slow, undefined result, garbage
    ├── PolicyOutOfSync           OPA runs a policy other than the one on disk
    └── StorageUnavailable        the database cannot persist the record

One handler (service.api.errors) renders each as {"error": code, "detail": message, "field"?}.
"""

from __future__ import annotations


class TiergateError(Exception):
    """Base of every error the API renders; carries its HTTP status and a stable code."""

    status_code: int = 500
    code: str = "internal_error"

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        field: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        if status_code is not None:
            self.status_code = status_code
        if code is not None:
            self.code = code
        self.field = field


class Unauthorized(TiergateError):
    status_code = 401
    code = "unauthorized"


class Forbidden(TiergateError):
    status_code = 403
    code = "forbidden"


class TooManyRequests(TiergateError):
    status_code = 429
    code = "rate_limited"


class InvalidBundle(TiergateError):
    status_code = 400
    code = "invalid_bundle"


class NotExceptable(TiergateError):
    status_code = 400
    code = "not_exceptable"


class InvalidInput(TiergateError):
    status_code = 422
    code = "invalid_input"


class NotFound(TiergateError):
    status_code = 404
    code = "not_found"


class Conflict(TiergateError):
    status_code = 409
    code = "conflict"


class ServiceUnavailable(TiergateError):
    status_code = 503
    code = "service_unavailable"


class PolicyEngineUnavailable(ServiceUnavailable):
    code = "policy_engine_unavailable"


class PolicyOutOfSync(ServiceUnavailable):
    code = "policy_out_of_sync"


class StorageUnavailable(ServiceUnavailable):
    code = "storage_unavailable"
