"""Form validation at the edge: errors next to each field, what the user typed kept."""

from __future__ import annotations

from typing import Any

from ordena.lib.errors import FormErrors


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


def form_values(data: Any) -> dict[str, str]:
    """A plain dict of the submitted values, to render back into the form."""
    if hasattr(data, "dict"):
        return {k: v[-1] if isinstance(v, list) and v else v for k, v in data.dict().items()}
    return dict(data or {})
