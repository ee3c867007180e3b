"""The domain errors services raise. Views and the API turn them into messages.

Each carries a message already translated (lazy) into the user's language, and for
field problems the name of the field, so a form can show it next to the input and the
API can put it under ``fields``.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule forbids this change; nothing has been changed."""

    code = "conflict"
    status = 409

    def __init__(self, message, *, field: str | None = None, details=None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.details = details or {}
        # Work to keep although the change is refused (e.g. a log entry); run by
        # ``incubator.transaction.roll_back`` after the rollback, then committed.
        self.after_rollback: list = []


class ValidationFailed(DomainError):
    """A value is not acceptable (422), e.g. a username already taken."""

    code = "validation_error"
    status = 422


class RuleViolation(DomainError):
    """The change is valid in itself but a rule forbids it now (409)."""

    code = "rule_violation"
    status = 409


class StaleRecord(DomainError):
    """Someone else saved the record after this edit began (409)."""

    code = "stale_version"
    status = 409


class NotPermitted(DomainError):
    """The actor may not do this (403)."""

    code = "forbidden"
    status = 403


class TooManyAttempts(DomainError):
    """Login throttled (429); ``retry_at`` says when to try again."""

    code = "too_many_attempts"
    status = 429

    def __init__(self, message, *, retry_at):
        super().__init__(message)
        self.retry_at = retry_at
