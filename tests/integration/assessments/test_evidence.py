"""Evidence per question: files with SHA-256 and revisions, links, limits, downloads."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select

from ordena.assessments.models import EvidenceRevision
from tests.integration.assessments.helpers import login, make_world, new_assessment, tree_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


async def _upload(client: Any, url: str, question_id: Any, name: str, content: bytes, **extra: str) -> Any:
    data = {"_csrf": await client.token(), "question_id": str(question_id), **extra}
    return await client.client.post(
        url,
        data=data,
        files={"file": (name, content, "application/octet-stream")},
        headers={"sec-fetch-site": "same-origin"},
        follow_redirects=False,
    )


async def test_consultant_uploads_evidence_keeps_its_sha256_and_every_revision(
    client: Any, database: Any, app: Any
) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    q = (await tree_of(database, world)).questions[0]
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    url = f"/w/{world.slug}/assessments/{a.id}/evidence"
    first = await _upload(client, url, q.id, "politica.pdf", PDF, comment="Política de ventas")
    assert first.status_code == 303, first.text[:400]
    async with database.session(tenant_id=world.tenant_id) as db:
        rev = await db.scalar(select(EvidenceRevision).where(EvidenceRevision.tenant_id == world.tenant_id))
    assert rev is not None and rev.sha256 == hashlib.sha256(PDF).hexdigest() and rev.revision == 1
    stored = app.state.settings.data_dir / "evidence" / str(world.tenant_id) / str(rev.evidence_id) / "1"
    assert stored.read_bytes() == PDF
    v2 = PDF + b"% v2\n"
    assert (
        await _upload(client, url, q.id, "politica-v2.pdf", v2, evidence_id=str(rev.evidence_id))
    ).status_code == 303
    page = await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{q.dimension_key}")
    assert "versión 2" in page.text and "Política de ventas" in page.text
    latest = await client.get(f"/w/{world.slug}/assessments/{a.id}/evidence/{rev.evidence_id}/download")
    assert latest.status_code == 200 and latest.content == v2
    old = await client.get(f"/w/{world.slug}/assessments/{a.id}/evidence/{rev.evidence_id}/download?revision=1")
    assert old.content == PDF


async def test_too_large_or_forbidden_files_are_refused_with_a_clear_message_and_answers_kept(
    client: Any, database: Any
) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    q = (await tree_of(database, world)).questions[0]
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    await client.post(f"/w/{world.slug}/assessments/{a.id}/answers", {"question_id": str(q.id), "level": "4"})
    url = f"/w/{world.slug}/assessments/{a.id}/evidence"
    questionnaire = f"/w/{world.slug}/assessments/{a.id}/q/{q.dimension_key}"

    async def refused(response: Any, message: str) -> None:
        # Back to the questionnaire's address (a reload does not re-send the file), the error shown there.
        assert response.status_code == 303 and response.headers["location"] == f"{questionnaire}#q-{q.id}"
        assert message in (await client.get(questionnaire)).text

    big = await _upload(client, url, q.id, "enorme.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    await refused(big, "10 MB")
    exe = await _upload(client, url, q.id, "factura.pdf", b"MZ\x90\x00 not a pdf")
    await refused(exe, "no permitido")
    wrong_ext = await _upload(client, url, q.id, "script.exe", PDF)
    await refused(wrong_ext, "no permitido")
    page = await client.get(questionnaire)
    assert f'name="level_{q.id}" value="4" checked' in page.text


async def test_evidence_links_must_be_http_or_https(client: Any, database: Any) -> None:
    world = await make_world(database)
    a = await new_assessment(database, world)
    q = (await tree_of(database, world)).questions[0]
    await login(client, world)
    await client.get(f"/w/{world.slug}/assessments/{a.id}")
    url = f"/w/{world.slug}/assessments/{a.id}/evidence"
    bad = await client.client.post(
        url,
        data={"_csrf": await client.token(), "question_id": str(q.id), "url": "javascript:alert(1)"},
        files={"file": ("", b"", "application/octet-stream")},
        headers={"sec-fetch-site": "same-origin"},
        follow_redirects=False,
    )
    assert bad.status_code == 303
    page = await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{q.dimension_key}")
    assert "empiece con http://" in page.text
    ok = await client.client.post(
        url,
        data={"_csrf": await client.token(), "question_id": str(q.id), "url": "https://intranet.example/politica"},
        files={"file": ("", b"", "application/octet-stream")},
        headers={"sec-fetch-site": "same-origin"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    page = await client.get(f"/w/{world.slug}/assessments/{a.id}/q/{q.dimension_key}")
    assert "https://intranet.example/politica" in page.text
