"""Form validation at the edge: errors next to each field, what the user typed kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


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


class FormError(Exception):
    """Raised by a handler to re-render ``template`` with errors and a 4xx status.

    Raising (rather than returning) makes the request's transaction roll back, so a form that
    fails half-way leaves nothing half-created.
    """

    def __init__(
        self,
        template: str,
        context: dict[str, Any],
        errors: FormErrors,
        status_code: int = 422,
        block: str | None = None,
    ) -> None:
        super().__init__(f"form errors: {sorted(errors.fields)}")
        self.template = template
        self.context = context
        self.errors = errors
        self.status_code = status_code
        self.block = block


class ServiceError(Exception):
    """A business rule refused an action; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str = "__all__", status_code: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status_code = status_code


def form_values(data: Any) -> dict[str, str]:
    """A plain dict of the submitted values, to render back into the form."""
    if hasattr(data, "dict"):
        return {k: v[-1] if isinstance(v, list) and v else v for k, v in data.dict().items()}
    return dict(data or {})
