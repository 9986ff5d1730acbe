"""Schemathesis against the OpenAPI schema the app publishes (issue 14, item 8).

A live server (uvicorn in a thread, the app's own database), a firm signed up through the pages
and a personal API token made on the tokens page; then every operation of the schema with up to
25 generated requests each, as that token, on that firm. Zero server errors, and every answer
(status code, content type, body) as the schema documents it."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ordena.settings import Settings
from tests.e2e.conftest import LiveServer, _free_port

CSRF_RE = re.compile(r'name="_csrf" value="([^"]+)"')
SECRET_RE = re.compile(r"<code>(ord_[A-Za-z0-9_\-]+)</code>")
EXAMPLES = 25
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class Api:
    def __init__(self, server: LiveServer, slug: str, token: str) -> None:
        self.server, self.slug, self.token = server, slug, token


def _form(session: requests.Session, url: str, path: str, data: dict[str, str]) -> requests.Response:
    page = session.get(url + path)
    match = CSRF_RE.search(page.text)
    assert match, page.text[:300]
    return session.post(url + path, data={**data, "_csrf": match.group(1)}, headers={"origin": url})


@pytest.fixture(scope="module")
def api(migrated: Settings) -> Iterator[Api]:
    port = _free_port()
    server = LiveServer(
        replace(migrated, base_url=f"http://127.0.0.1:{port}", port=port, host="127.0.0.1", run_worker_in_process=False)
    )
    server.start()
    try:
        slug = f"st-{uuid.uuid4().hex[:10]}"
        browser = requests.Session()
        signed_up = _form(
            browser,
            server.url,
            "/signup",
            {
                "firm_name": "Firma Schemathesis",
                "slug": slug,
                "name": "Dueña",
                "email": f"owner.{slug}@example.com",
                "password": "correct-horse-battery-9",
            },
        )
        assert signed_up.status_code == 200 and signed_up.url.endswith(f"/w/{slug}"), signed_up.text[:300]
        made = _form(browser, server.url, "/account/tokens", {"name": "schemathesis", "expires_days": "30"})
        token = SECRET_RE.search(made.text)
        assert token, made.text[:300]
        yield Api(server, slug, token.group(1))
    finally:
        server.stop()


@pytest.fixture(scope="module")
def api_schema(api: Api) -> Any:
    return schemathesis.openapi.from_url(api.server.url + "/api/schema/openapi.json")


# One test that walks the operations itself: schemathesis' lazy pytest integration
# (``schemathesis.pytest.from_fixture``) does not run under pytest 9 (it sets ``Function._nodeid``).
def test_the_api_answers_as_its_schema_documents_and_never_with_a_server_error(api_schema: Any, api: Api) -> None:
    failures: list[str] = []
    statuses: dict[int, int] = {}
    operations = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            if "slug" in (case.path_parameters or {}):
                case.path_parameters["slug"] = api.slug  # the firm the token's owner belongs to
            response = case.call_and_validate(
                base_url=api.server.url, headers={"authorization": f"Bearer {api.token}"}, checks=CHECKS
            )
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        try:
            call()
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; failures listed together
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert operations >= 10
    print("schemathesis:", operations, "operations, answers by status:", dict(sorted(statuses.items())))
    assert any(200 <= status < 300 for status in statuses), statuses  # it reached the handlers, not only errors
    assert failures == [], "\n\n".join(failures)
