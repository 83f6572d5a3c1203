"""Typed domain errors with a stable ``code``.

Domain and service code raise these; only ``api/errors.py`` maps them to an HTTP status.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the public sees: a stable ``code``, a sentence, the field at fault."""

    code = "error"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class InvalidInput(DomainError):
    """The input is malformed or breaks a rule (400)."""

    code = "invalid"


class Unauthorized(DomainError):
    code = "unauthorized"


class Forbidden(DomainError):
    code = "forbidden"


class NotFound(DomainError):
    code = "not_found"


class Gone(DomainError):
    code = "gone"


class Conflict(DomainError):
    code = "conflict"


class PayloadTooLarge(DomainError):
    code = "payload_too_large"


class UnsupportedMediaType(DomainError):
    code = "unsupported_media_type"


class RateLimited(DomainError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after: int, field: str | None = None):
        super().__init__(message, field=field)
        self.retry_after = retry_after


class UpstreamError(DomainError):
    """A service we depend on (WeChat, Elasticsearch) failed (502)."""

    code = "upstream_error"
