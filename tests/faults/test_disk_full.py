"""Disk full under the data folder during an evidence upload: the person reads a clear message,
and neither a file nor a row is left behind. The data folder is a real 256 KiB tmpfs mounted for
the test (root only; elsewhere the case is skipped and says so)."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import asyncpg
import pytest

from ordena.db.engine import Database
from tests.faults.figures import Case, Figures
from tests.faults.stack import Ordena
from tests.faults.work import questionnaire, signed_in

DISK = "256k"


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def pdf(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"0" * (size - 9)


async def test_an_upload_to_a_full_disk_says_so_and_leaves_no_file_or_row(
    ordena: Ordena, database: Database, owner: asyncpg.Pool, figures: Figures, fault_dir: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root; the disk-full case cannot run here")
    disk = fault_dir / "small-disk"
    disk.mkdir(exist_ok=True)
    await asyncio.to_thread(
        subprocess.run, ["mount", "-t", "tmpfs", "-o", f"size={DISK}", "tmpfs", str(disk)], check=True
    )
    try:
        ordena.env["ORDENA_DATA_DIR"] = str(disk)
        ordena.start_web()
        q = await questionnaire(database, questions=1)
        client = await signed_in(ordena.base_url, q.world)
        await client.get(f"/w/{q.world.slug}/assessments/{q.assessment_id}")  # the page's CSRF token
        path = f"/w/{q.world.slug}/assessments/{q.assessment_id}/evidence"
        question = str(q.question_ids[0])

        async def upload(size: int) -> str:
            response = await client.http.post(
                path,
                data={"_csrf": client.csrf or "", "question_id": question, "comment": "acta"},
                files={"file": ("acta.pdf", pdf(size), "application/pdf")},
                headers={"sec-fetch-site": "same-origin", "origin": client.base_url},
            )
            assert response.status_code == 303, (response.status_code, response.text[:300])
            return (await client.get(response.headers["location"])).text

        page = await upload(600 * 1024)  # more than the disk holds
        assert "No hay espacio para guardar el archivo" in page
        assert files_under(disk) == []
        rows_after_failure = await _evidence_rows(owner, q.world.tenant_id, q.assessment_id)
        assert rows_after_failure == 0

        page = await upload(16 * 1024)  # the same form works once there is room
        assert "Evidencia agregada" in page
        assert len(files_under(disk)) == 1
        assert await _evidence_rows(owner, q.world.tenant_id, q.assessment_id) == 2  # evidence + revision
        await client.close()
    finally:
        ordena.stop_all()
        await asyncio.to_thread(subprocess.run, ["umount", str(disk)], check=False)
    figures.add(
        Case(
            "disk full",
            f"evidence upload of 600 KiB to a data folder on a {DISK} tmpfs, then one of 16 KiB",
            operations=2,
            in_flight=1,
            succeeded=1,
            retried=0,
            lost=0,
            doubled=0,
            notes=["the full-disk upload: message «No hay espacio…», no file, no evidence row; the next upload worked"],
        )
    )


async def _evidence_rows(owner: asyncpg.Pool, tenant_id: object, assessment_id: object) -> int:
    return int(
        await owner.fetchval(
            "SELECT (SELECT count(*) FROM evidence WHERE tenant_id = $1 AND assessment_id = $2)"
            " + (SELECT count(*) FROM evidence_revision r JOIN evidence e ON e.tenant_id = r.tenant_id"
            " AND e.id = r.evidence_id WHERE e.tenant_id = $1 AND e.assessment_id = $2)",
            tenant_id,
            assessment_id,
        )
    )
