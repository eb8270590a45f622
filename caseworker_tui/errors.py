"""The errors a use case can raise; each carries a message fit to show a user as it is."""

from __future__ import annotations


class CaseworkerError(Exception):
    """A problem the user can act on; the message says what and where."""


class PolicyError(CaseworkerError):
    """The policy file is unreadable or names a bad value; `problems` lists each, key first."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or [message]


class ConfigError(CaseworkerError):
    """The settings file or environment holds a bad value."""


class InvalidInput(CaseworkerError):
    """Input that cannot be stored; `field` names where it went wrong."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(CaseworkerError):
    """No such case, user or record."""


class PermissionDenied(CaseworkerError):
    """The signed-in user's role may not do this."""


class TransitionNotAllowed(CaseworkerError):
    """The case is not at a stage where this step makes sense."""


class StaleCase(CaseworkerError):
    """Someone else saved the case since it was read; nothing was written."""

    def __init__(self, message: str, changed_by: str | None = None, changed_at=None) -> None:
        super().__init__(message)
        self.changed_by = changed_by
        self.changed_at = changed_at


class SignInFailed(CaseworkerError):
    """Wrong user or passphrase, or the account is locked."""
