"""Every page starts with a "skip to content" link to its main region and has exactly one
level-one heading, with no heading level skipped below it: the firm's pages, the client
contact's pages, the anonymous ones and the error pages."""

from __future__ import annotations

import itertools
import re
import uuid
from typing import Any
from urllib.parse import urlsplit

from tests.integration.assessments.helpers import link_in, login, make_world, new_assessment, newest_email, tree_of

HEADING = re.compile(r"<h([1-6])[\s>]")
SKIP = re.compile(r'<body[^>]*>\s*<a class="skip-link" href="#main">[^<]+</a>')


def assert_structure(html: str, where: str) -> None:
    assert SKIP.search(html), f"{where}: no skip link first in <body>"
    assert '<main id="main"' in html, f"{where}: the skip link's target is missing"
    levels = [int(level) for level in HEADING.findall(html)]
    assert levels.count(1) == 1, f"{where}: {levels.count(1)} h1"
    assert levels[0] == 1, f"{where}: the first heading is h{levels[0]}"
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"{where}: h{before} followed by h{after}"


async def test_firm_contact_anonymous_and_error_pages_have_a_skip_link_and_one_h1(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world, kind="both")
    tree = await tree_of(database, world)
    for path in ("/login", "/signup"):
        page = await client.get(path)
        assert_structure(page.text, path)
    await login(client, world)
    base = f"/w/{world.slug}"
    firm_pages = [
        base,
        f"{base}/companies",
        f"{base}/companies/new",
        f"{base}/companies/{world.company.id}",
        f"{base}/companies/import",
        f"{base}/assessments",
        f"{base}/assessments/{a.id}",
        f"{base}/assessments/{a.id}/q/{tree.dimensions[0].key}",
        f"{base}/companies/{uuid.uuid4()}",  # the 404 page
    ]
    for path in firm_pages:
        page = await client.get(path)
        assert page.status_code in (200, 404), path
        assert_structure(page.text, path)

    await client.post(f"{base}/assessments/{a.id}/invite", {"contact_ids": [str(world.contacts[0].id)]})
    mail = await newest_email(database, world.contacts[0].email)
    assert mail is not None
    client.client.cookies.clear()
    client.csrf = None
    await client.get(urlsplit(link_in(mail)).path, follow_redirects=False)
    for path in (f"/c/assessments/{a.id}", f"/c/assessments/{a.id}/q/{tree.dimensions[0].key}"):
        page = await client.get(path)
        assert page.status_code == 200, path
        assert_structure(page.text, path)
