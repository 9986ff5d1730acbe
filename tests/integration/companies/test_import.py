"""Importing client companies from a CSV: a background job, a progress bar, a per-row report."""

from __future__ import annotations

import asyncio
import re
from typing import Any
from uuid import UUID

from sqlalchemy import func, select

from ordena.companies.jobs import import_companies
from ordena.companies.models import Company, Contact
from ordena.jobs import progress
from ordena.jobs.models import JobProgress
from ordena.jobs.runtime import close_worker_database
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm

JOB_URL = re.compile(r"/w/[^/]+/jobs/([0-9a-f-]{36})$")

GOOD_AND_BAD = (
    "\ufeffnombre;ruc;pais;seccion_ciiu;division_ciiu;tamano;empleados;contacto;correo_contacto\n"
    "Comercial Andina SAC;20100047218;PE;G;46;pequeña;25;Ana Quispe;ana@example.pe\n"
    "RUC equivocado SA;20100047219;PE;G;;micro;3;;\n"
    ";;PE;C;;micro;;;\n"
    "Sección rara;;PE;Z;;micro;;;\n"
    "Duplicada en el archivo;20100047218;PE;G;;micro;;;\n"
    "\n"
    "Minera del Sur;;Perú;B;07;grande;1200;Luis Rojas;no-es-un-correo\n"
    "Software Andino;;CO;J;62;mediana;40;;\n"
)


async def _login(client: Any, database: Any, role: Role = Role.CONSULTANT) -> Any:
    firm = await make_firm(database, roles=(role,))
    await client.login(firm.email(role), PASSWORD)
    return firm


async def _upload(client: Any, firm: Any, content: bytes, filename: str = "empresas.csv") -> Any:
    await client.get(f"/w/{firm.slug}/companies/import")
    return await client.post(f"/w/{firm.slug}/companies/import", {}, files={"file": (filename, content, "text/csv")})


async def _wait_until_finished(database: Any, tenant_id: UUID, job_id: UUID, seconds: float = 10.0) -> JobProgress:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        async with database.session(tenant_id=tenant_id) as db:
            row = await db.scalar(
                select(JobProgress).where(JobProgress.tenant_id == tenant_id, JobProgress.id == job_id)
            )
        if row is not None and row.status in ("done", "failed"):
            return row
        assert loop.time() < deadline, f"job still {row.status if row else 'missing'} after {seconds} s"
        await asyncio.sleep(0.1)


async def _count(database: Any, tenant_id: UUID, model: Any = Company) -> int:
    async with database.session(tenant_id=tenant_id) as db:
        return int(await db.scalar(select(func.count()).select_from(model).where(model.tenant_id == tenant_id)) or 0)


async def test_a_consultant_imports_a_csv_and_reads_a_report_of_the_rows_that_failed(
    client: Any, database: Any
) -> None:
    firm = await _login(client, database)
    response = await _upload(client, firm, GOOD_AND_BAD.encode("utf-8"))
    assert response.status_code == 303, response.text[:800]
    job_id = UUID(JOB_URL.search(response.headers["location"]).group(1))  # type: ignore[union-attr]

    row = await _wait_until_finished(database, firm.id, job_id)
    assert (row.status, row.total, row.done) == ("done", 7, 7)
    assert row.result["imported"] == 2
    assert "_input" not in row.result  # the uploaded file is not kept once imported
    lines = {e["line"]: e["message"] for e in row.result["errors"]}
    assert sorted(lines) == [3, 4, 5, 6, 8]
    assert "RUC" in lines[3] and "dígito verificador" in lines[3]
    assert "Nombre" in lines[4]
    assert "Sección CIIU" in lines[5]
    assert "Ya tienes una empresa con este RUC" in lines[6]
    assert "Correo del contacto" in lines[8]

    async with database.session(tenant_id=firm.id) as db:
        companies = {c.name: c for c in (await db.scalars(select(Company).where(Company.tenant_id == firm.id))).all()}
        contacts = (await db.scalars(select(Contact).where(Contact.tenant_id == firm.id))).all()
    assert set(companies) == {"Comercial Andina SAC", "Software Andino"}
    assert companies["Comercial Andina SAC"].size_band == "pequena" and companies["Software Andino"].country == "CO"
    assert [(c.name, c.email) for c in contacts] == [("Ana Quispe", "ana@example.pe")]
    assert "Minera del Sur" not in companies  # a bad contact refuses the whole row

    report = await client.get(f"/w/{firm.slug}/jobs/{job_id}")
    assert report.status_code == 200
    assert "2 filas importadas" in report.text and "5 filas con errores" in report.text
    assert "hx-trigger" not in report.text  # finished: the fragment stops polling
    assert f'href="/w/{firm.slug}/companies"' in report.text


async def test_a_comma_separated_csv_with_english_headers_is_imported_too(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    content = "name,ruc,country,industry_section,industry_division,size_band,employees\nUno SAC,,PE,F,41,micro,2\nDos SAC,,PE,F,,grande,\n"
    response = await _upload(client, firm, content.encode())
    job_id = UUID(JOB_URL.search(response.headers["location"]).group(1))  # type: ignore[union-attr]
    row = await _wait_until_finished(database, firm.id, job_id)
    assert row.result["imported"] == 2 and row.result["errors"] == []
    assert await _count(database, firm.id) == 2


async def test_a_windows_1252_csv_from_spanish_excel_keeps_its_enes_and_accents(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    content = "nombre;seccion_ciiu;tamano;pais\nCompañía Ñuñoa SAC;G;micro;Perú\nPanadería Ángeles;C;pequeña;PE\n"
    raw = content.encode("cp1252")
    assert b"Compa\xf1\xeda \xd1u\xf1oa" in raw  # single bytes: not valid UTF-8
    response = await _upload(client, firm, raw)
    assert response.status_code == 303, response.text[:800]
    job_id = UUID(JOB_URL.search(response.headers["location"]).group(1))  # type: ignore[union-attr]
    row = await _wait_until_finished(database, firm.id, job_id)
    assert row.result["imported"] == 2 and row.result["errors"] == []
    async with database.session(tenant_id=firm.id) as db:
        names = set((await db.scalars(select(Company.name).where(Company.tenant_id == firm.id))).all())
    assert names == {"Compañía Ñuñoa SAC", "Panadería Ángeles"}


async def test_the_progress_fragment_polls_every_second_until_the_job_is_done(client: Any, database: Any) -> None:
    firm = await _login(client, database, Role.VIEWER)
    async with database.session(tenant_id=firm.id) as db:
        row = await progress.start(db, firm.id, kind="import_companies", owner_key="test", total=40)
        progress.update(row, status=progress.RUNNING, done=10)
        await db.commit()
    url = f"/w/{firm.slug}/jobs/{row.id}"
    running = await client.get(url, headers={"hx-request": "true"})
    assert running.status_code == 200 and "<html" not in running.text
    assert 'hx-trigger="every 1s"' in running.text and f'hx-get="{url}"' in running.text
    assert '<progress value="10" max="40"' in running.text
    assert running.headers["cache-control"] == "no-store"
    full_page = await client.get(url)
    assert "<html" in full_page.text and "Importación de empresas" in full_page.text and "Actualizar" in full_page.text
    async with database.session(tenant_id=firm.id) as db:
        locked = await progress.lock(db, firm.id, row.id)
        assert locked is not None
        progress.update(locked, status=progress.DONE, done=40, imported=40, errors=[])
        await db.commit()
    done = await client.get(url, headers={"hx-request": "true"})
    assert "hx-trigger" not in done.text and "40 filas importadas" in done.text


async def test_malformed_files_are_refused_next_to_the_file_field_and_nothing_is_imported(
    client: Any, database: Any
) -> None:
    firm = await _login(client, database)
    cases = {
        "empty": (b"", 400, "vacío"),
        "only a header": (b"name,ruc\n", 400, "no tiene filas"),
        "no name column": (b"ruc,pais\n20100047218,PE\n", 400, "Falta la columna"),
        "binary": (b"PK\x03\x04\x00\x00\x00binary\x00", 400, "no es un CSV"),
        "neither utf-8 nor windows-1252": (b"nombre,seccion_ciiu,tamano\nPan\x81\x8d,C,micro\n", 400, "UTF-8"),
        "unclosed quote": (b'name,industry_section\n"Sin cerrar,C\n', 400, "no es un CSV"),
        "too large": (b"name\n" + b"x" * (2 * 1024 * 1024), 413, "2 MB"),
    }
    for label, (content, status, message) in cases.items():
        response = await _upload(client, firm, content)
        assert response.status_code == status, label
        assert 'id="e-file"' in response.text and message in response.text, label
    missing = await client.post(f"/w/{firm.slug}/companies/import", {})
    assert missing.status_code == 400 and 'id="e-file"' in missing.text
    assert await _count(database, firm.id) == 0
    assert await _count(database, firm.id, JobProgress) == 0


async def test_a_viewer_cannot_import(client: Any, database: Any) -> None:
    firm = await _login(client, database, Role.VIEWER)
    assert (await client.get(f"/w/{firm.slug}/companies/import")).status_code == 403
    await client.get(f"/w/{firm.slug}/companies")
    response = await client.post(
        f"/w/{firm.slug}/companies/import", {}, files={"file": ("a.csv", b"name\nX\n", "text/csv")}
    )
    assert response.status_code == 403


async def test_a_job_delivered_twice_imports_each_row_once(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    response = await _upload(client, firm, b"name,industry_section,size_band\nUna,G,micro\nOtra,G,micro\n")
    job_id = UUID(JOB_URL.search(response.headers["location"]).group(1))  # type: ignore[union-attr]
    await _wait_until_finished(database, firm.id, job_id)
    try:
        await import_companies(str(firm.id), str(job_id))  # a redelivered message
    finally:
        await close_worker_database()
    assert await _count(database, firm.id) == 2


async def test_another_firms_job_is_404(client: Any, database: Any) -> None:
    mine = await _login(client, database, Role.OWNER)
    theirs = await make_firm(database, roles=(Role.OWNER,))
    async with database.session(tenant_id=theirs.id) as db:
        row = await progress.start(db, theirs.id, kind="import_companies", owner_key="test")
        await db.commit()
    assert (await client.get(f"/w/{mine.slug}/jobs/{row.id}")).status_code == 404
    assert (await client.get(f"/w/{theirs.slug}/jobs/{row.id}")).status_code == 404


async def _import_form_token(client: Any, firm: Any) -> str:
    page = await client.get(f"/w/{firm.slug}/companies/import")
    match = re.search(r'name="form_token" value="([^"]+)"', page.text)
    assert match is not None, "the import form carries a one-time token"
    return match.group(1)


async def _job_count(database: Any, tenant_id: UUID) -> int:
    return await _count(database, tenant_id, JobProgress)


async def test_submitting_the_same_import_form_twice_imports_the_file_once(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    content = b"name,country,industry_section,size_band\nSin RUC Uno SAC,PE,F,micro\nSin RUC Dos SAC,PE,F,grande\n"
    token = await _import_form_token(client, firm)
    first = await client.post(
        f"/w/{firm.slug}/companies/import", {"form_token": token}, files={"file": ("a.csv", content, "text/csv")}
    )
    assert first.status_code == 303
    await _wait_until_finished(database, firm.id, UUID(JOB_URL.search(first.headers["location"]).group(1)))  # type: ignore[union-attr]
    # The browser sends the same form again (double click, or "resubmit" after going back).
    again = await client.post(
        f"/w/{firm.slug}/companies/import", {"form_token": token}, files={"file": ("a.csv", content, "text/csv")}
    )
    assert again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    page = await client.get(again.headers["location"])
    assert "se envió dos veces" in page.text
    assert await _job_count(database, firm.id) == 1
    assert await _count(database, firm.id) == 2


async def test_an_identical_file_is_not_imported_again_while_its_import_is_still_running(
    client: Any, database: Any
) -> None:
    import hashlib

    firm = await _login(client, database)
    content = b"name,country,industry_section,size_band\nSin RUC Tres SAC,PE,F,micro\n"
    async with database.session(tenant_id=firm.id) as db:
        running = await progress.start(db, firm.id, kind="import_companies", owner_key="test", total=1)
        progress.update(
            running,
            status=progress.RUNNING,
            submission={"form_token": "x" * 22, "sha256": hashlib.sha256(content).hexdigest()},
        )
        await db.commit()
    # Another tab, another form: the same bytes while the first import runs.
    response = await _upload(client, firm, content, filename="copia.csv")
    assert response.status_code == 303
    assert response.headers["location"].endswith(f"/jobs/{running.id}")
    assert await _job_count(database, firm.id) == 1

    # Once that import has finished, importing the file again is a deliberate choice.
    async with database.session(tenant_id=firm.id) as db:
        locked = await progress.lock(db, firm.id, running.id)
        assert locked is not None
        progress.update(locked, status=progress.DONE, done=1, imported=0, errors=[])
        await db.commit()
    later = await _upload(client, firm, content)
    assert later.status_code == 303
    assert not later.headers["location"].endswith(f"/jobs/{running.id}")
    assert await _job_count(database, firm.id) == 2


async def test_a_different_file_imports_even_while_another_import_runs(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    async with database.session(tenant_id=firm.id) as db:
        running = await progress.start(db, firm.id, kind="import_companies", owner_key="test", total=1)
        progress.update(running, status=progress.RUNNING, submission={"form_token": "y" * 22, "sha256": "0" * 64})
        await db.commit()
    response = await _upload(client, firm, b"name,country,industry_section,size_band\nOtra SAC,PE,F,micro\n")
    assert response.status_code == 303
    assert not response.headers["location"].endswith(f"/jobs/{running.id}")


async def test_a_double_click_sending_two_uploads_at_once_starts_one_import(client: Any, database: Any) -> None:
    firm = await _login(client, database)
    content = b"name,country,industry_section,size_band\nSin RUC Cuatro SAC,PE,F,micro\n"
    token = await _import_form_token(client, firm)

    async def send() -> Any:
        return await client.post(
            f"/w/{firm.slug}/companies/import", {"form_token": token}, files={"file": ("b.csv", content, "text/csv")}
        )

    first, second = await asyncio.gather(send(), send())
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    job_id = UUID(JOB_URL.search(first.headers["location"]).group(1))  # type: ignore[union-attr]
    await _wait_until_finished(database, firm.id, job_id)
    assert await _job_count(database, firm.id) == 1
    assert await _count(database, firm.id) == 1
