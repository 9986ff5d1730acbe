"""Errors a service raises about its input, free of any web framework.

The web layer turns them into a re-rendered form or a JSON error; jobs and the CLI print them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FormErrors:
    """Field name → translated message; ``__all__`` for errors about the whole form."""

    fields: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.fields.setdefault(name, message)

    def __bool__(self) -> bool:
        return bool(self.fields)

    def get(self, name: str) -> str | None:
        return self.fields.get(name)


class ServiceError(Exception):
    """A business rule refused an action; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str = "__all__", status_code: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status_code = status_code


class NotFound(LookupError):
    """The thing asked for does not exist in this firm (or is not the caller's to see).

    Pages and the API answer 404, the same as for an id that never existed: another firm's
    objects are indistinguishable from missing ones.
    """
