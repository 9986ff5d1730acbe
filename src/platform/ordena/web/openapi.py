"""The OpenAPI document and the API reference page.

Only the JSON API is documented (pages are HTML for browsers, not an API): one pass over the
registered handlers hides every other route from the schema, asks for the bearer token on the
API's, and documents the error bodies the API actually returns (``web.errors``). The reference
page is Swagger UI from the pinned npm package ``swagger-ui-dist`` (copied to ``static/vendor``
by ``make install-static``), served from our own origin under our CSP: no CDN, no inline script.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from typing import Any

from litestar import Request
from litestar.openapi import OpenAPIConfig
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.plugins import OpenAPIRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from ordena.api.schemas import ErrorBody

ERRORS = {
    400: "The request is malformed: a parameter or body the API cannot read",
    401: "No valid bearer token (missing, unknown, expired or revoked)",
    403: "Your role in this firm does not allow this action",
    404: "No such thing in this firm (or not yours to see)",
    409: "The action does not fit the current state (for example an assessment not yet validated)",
    413: "The body is larger than the server accepts",
    422: "Validation errors, one message per field",
    429: "Too many attempts; wait a few minutes",
}


def openapi_config() -> OpenAPIConfig:
    return OpenAPIConfig(
        title="Ordena API",
        version="1.0.0",
        path="/api/schema",
        render_plugins=[SwaggerUIPlugin()],
        # Personal API tokens (made on /account/tokens) go in `Authorization: Bearer ord_…`.
        components=Components(
            security_schemes={
                "bearerAuth": SecurityScheme(
                    type="http",
                    scheme="bearer",
                    bearer_format="ord_…",
                    description="Token personal de API creado en /account/tokens: `Authorization: Bearer ord_…`.",
                )
            }
        ),
    )


def _handlers(item: Any) -> Iterator[Any]:
    """The route handlers of a handler or a Router (whose handlers carry their own responses)."""
    routes = getattr(item, "routes", None)
    if routes is None:
        yield item
        return
    for route in routes:
        yield from getattr(route, "route_handlers", ())


def document_api(route_handlers: list[Any]) -> None:
    """Bearer auth and error bodies on the API's handlers; every other route out of the schema."""
    for item in route_handlers:
        paths = getattr(item, "paths", None) or {getattr(item, "path", "")}
        if not any(str(path).startswith("/api/") for path in paths):
            setattr(item, "include_in_schema", False)  # noqa: B010 - handlers and Routers alike
            continue
        if not getattr(item, "security", None):
            setattr(item, "security", [{"bearerAuth": []}])  # noqa: B010 - handlers and Routers alike
        for handler in _handlers(item):
            own = dict(handler.responses or {})
            handler.responses = {
                **{
                    code: ResponseSpec(data_container=ErrorBody, description=text, generate_examples=False)
                    for code, text in ERRORS.items()
                },
                **own,
            }


PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/static/vendor/swagger-ui/swagger-ui.css">
</head>
<body>
<main><div id="swagger-ui" data-url="{url}"></div></main>
<script src="/static/vendor/swagger-ui/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script>
</body>
</html>
"""


class SwaggerUIPlugin(OpenAPIRenderPlugin):
    """Swagger UI from our own static files (``static/js/api-docs.js`` starts it)."""

    def __init__(self) -> None:
        super().__init__(path="/swagger")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema.get("info", {}).get("title", "API")))
        url = escape(self.get_openapi_json_route(request))
        return PAGE.format(title=title, url=url).encode()
