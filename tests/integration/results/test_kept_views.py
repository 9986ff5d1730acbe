"""A published assessment's results view (``reports.results_view``) and the peer comparison
(``networks.benchmark_view.section``) are built once and kept, keyed by every input they are built
from: a re-publication, another language, another firm, a later run or a new release gets a fresh
one, never a kept one."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

from markupsafe import Markup
from sqlalchemy import text

from ordena.assessments.models import ResultSnapshot
from ordena.assessments.queries import ResultsHead, StoredRun
from ordena.assessments.results import compute_results, result_document
from ordena.db.engine import Database
from ordena.frameworks import services as frameworks_services
from ordena.lib.i18n import use_locale
from ordena.networks import benchmark_view
from ordena.reports import results_view
from ordena.tenancy.models import Role
from tests.factories import PASSWORD, make_firm
from tests.integration.results.helpers import KNOWN_CONSULTANT, KNOWN_SELVES, make_assessment


async def _publish(database: Database, tenant_id: uuid.UUID, assessment_id: uuid.UUID) -> dict[str, Any]:
    async with database.session(tenant_id=tenant_id) as db:  # what publishing stores
        results = await compute_results(db, tenant_id, assessment_id)
        document = result_document(results)
        db.add(ResultSnapshot(tenant_id=tenant_id, assessment_id=assessment_id, overall=results.overall, data=document))
        await db.commit()
    return document


async def test_a_republished_snapshot_and_another_language_each_get_a_fresh_view(
    database: Database, client: Any, monkeypatch: Any
) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    made = await make_assessment(
        database, firm.id, kind="both", status="published", consultant=KNOWN_CONSULTANT, selves=KNOWN_SELVES
    )
    document = await _publish(database, firm.id, made.assessment_id)
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    path = f"/w/{firm.slug}/assessments/{made.assessment_id}/results"
    first = await client.get(path)
    assert first.status_code == 200 and "3.33" in first.text
    kept = len(results_view.VIEWS)
    built: list[object] = []
    monkeypatch.setattr(results_view, "history_of", lambda runs: built.append(runs) or [])
    monkeypatch.setattr(frameworks_services, "_build", lambda *_a: built.append("tree"))
    assert (await client.get(path)).text == first.text
    assert len(results_view.VIEWS) == kept and not built, "the same page again is the kept view, on the kept tree"
    monkeypatch.undo()

    # Published again: a new document (here one dimension's score moved) is a new view.
    for d in document["dimensions"]:
        if d["score"] is not None and Decimal(str(d["score"])) == Decimal("3.33"):
            d["score"] = 4.44
    async with database.session(tenant_id=firm.id) as db:
        await db.execute(
            text("UPDATE result_snapshot SET data = CAST(:d AS jsonb) WHERE tenant_id = :t AND assessment_id = :a"),
            {"d": json.dumps(document), "t": firm.id, "a": made.assessment_id},
        )
        await db.commit()
    again = await client.get(path)
    assert "4.44" in again.text and "3.33" not in again.text.split("results-summary", 1)[1].split("</section>")[0]

    client.client.cookies.set("ordena_lang", "en")
    english = await client.get(path)
    assert "Overall maturity" in english.text and "Madurez general" not in english.text


async def test_a_later_run_of_the_company_adds_its_point_to_the_history(database: Database, client: Any) -> None:
    firm = await make_firm(database, roles=(Role.VIEWER,))
    first = await make_assessment(database, firm.id, kind="consultant", status="published", consultant=KNOWN_CONSULTANT)
    await _publish(database, firm.id, first.assessment_id)
    await client.login(firm.email(Role.VIEWER), PASSWORD)
    path = f"/w/{firm.slug}/assessments/{first.assessment_id}/results"
    assert "chart-lines" not in (await client.get(path)).text  # one run: no history yet
    later = await make_assessment(
        database,
        firm.id,
        kind="consultant",
        status="published",
        consultant=KNOWN_CONSULTANT,
        company_id=first.company_id,
        title="Diagnóstico 2026",
    )
    await _publish(database, firm.id, later.assessment_id)
    assert "chart-lines" in (await client.get(path)).text, "the kept view of the first run is not shown again"


def _head(**changes: Any) -> ResultsHead:
    values: dict[str, Any] = {
        "id": uuid.UUID(int=1),
        "company_id": uuid.UUID(int=2),
        "framework_version_id": uuid.UUID(int=3),
        "title": "Diagnóstico",
        "kind": "both",
        "status": "published",
        "published_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        "created_at": dt.datetime(2025, 12, 1, tzinfo=dt.UTC),
        "company_name": "Textiles",
        "version_status": "published",
        "version_published_at": dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    }
    return ResultsHead(**{**values, **changes})


def _run(data: str = '{"overall": 3.1}', **changes: Any) -> StoredRun:
    values: dict[str, Any] = {
        "id": uuid.UUID(int=1),
        "title": "Diagnóstico",
        "framework_version_id": uuid.UUID(int=3),
        "published_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        "overall": Decimal("3.10"),
        "data": data,
        "stored_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    }
    return StoredRun(**{**values, **changes})


def test_the_view_key_holds_the_firm_the_language_the_document_the_runs_and_the_version() -> None:
    tenant, other = uuid.UUID(int=10), uuid.UUID(int=11)
    key = results_view.view_key(tenant, _head(), [_run()], "es")
    assert key == results_view.view_key(tenant, _head(), [_run()], "es")
    assert key != results_view.view_key(other, _head(), [_run()], "es"), "another firm"
    assert key != results_view.view_key(tenant, _head(), [_run()], "en"), "another language"
    assert key != results_view.view_key(tenant, _head(), [_run('{"overall": 3.2}')], "es"), "published again"
    assert key != results_view.view_key(tenant, _head(), [_run(), _run(id=uuid.UUID(int=9))], "es"), "a later run"
    assert key != results_view.view_key(tenant, _head(title="Otro"), [_run()], "es"), "renamed"
    later = dt.datetime(2026, 2, 1, tzinfo=dt.UTC)
    assert key != results_view.view_key(tenant, _head(version_published_at=later), [_run()], "es"), "another tree"


class _Record(dict[str, Any]):
    """Enough of an asyncpg Record: values by name, and its values when iterated."""

    def __iter__(self) -> Any:
        return iter(self.values())


class _Conn:
    def __init__(self, row: _Record) -> None:
        self.row = row
        self.calls = 0

    async def fetchrow(self, *_args: Any) -> _Record:
        self.calls += 1
        return self.row


def _lookup_row(release: uuid.UUID, p50: float) -> _Record:
    cohort = {
        "scope_kind": "overall",
        "scope_key": "",
        "published": True,
        "reason": None,
        "n_band": "10–19",
        "histogram": [1, 2, 3, 2, 1],
        "mean": 3.0,
        "p10": 1.5,
        "p25": 2.0,
        "p50": p50,
        "p75": 3.5,
        "p90": 4.0,
    }
    return _Record(
        id=uuid.UUID(int=1),
        status="published",
        industry_section="C",
        size_band="mediana",
        country="PE",
        overall=Decimal("3.10"),
        network_id=uuid.UUID(int=5),
        network_slug="red",
        network_name="Red Textil",
        show_to_clients=True,
        dimensions="[]",
        release_id=release,
        number=1,
        as_of=dt.date(2026, 1, 1),
        released_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        cohorts=json.dumps([cohort]),
    )


async def test_the_peer_comparison_is_built_again_for_a_new_release_another_language_or_firm() -> None:
    tenant, other, aid = uuid.UUID(int=10), uuid.UUID(int=11), uuid.UUID(int=1)
    with use_locale("es"):
        first = await benchmark_view.section(_Conn(_lookup_row(uuid.UUID(int=7), 3.0)), tenant, aid, "all")  # type: ignore[arg-type]
        same = await benchmark_view.section(_Conn(_lookup_row(uuid.UUID(int=7), 3.0)), tenant, aid, "all")  # type: ignore[arg-type]
        assert first is same and first is not None
        newer = await benchmark_view.section(_Conn(_lookup_row(uuid.UUID(int=8), 2.5)), tenant, aid, "all")  # type: ignore[arg-type]
        assert newer is not None and newer is not first
        assert newer.benchmark.rows[0].p50 == Decimal("2.500") and newer.benchmark.release_id == uuid.UUID(int=8)
        elsewhere = await benchmark_view.section(_Conn(_lookup_row(uuid.UUID(int=7), 3.0)), other, aid, "all")  # type: ignore[arg-type]
        assert elsewhere is not first
    with use_locale("en"):
        english = await benchmark_view.section(_Conn(_lookup_row(uuid.UUID(int=7), 3.0)), tenant, aid, "all")  # type: ignore[arg-type]
        assert english is not None and english is not first and english.options[0][1] == "The whole network"


def test_a_view_on_a_draft_framework_version_is_not_kept(monkeypatch: Any) -> None:
    """A draft version's tree may still change under the same key: such a view is built, not kept."""
    monkeypatch.setattr(results_view, "results_from_document", lambda *_a: object())
    monkeypatch.setattr(results_view, "charts_of", lambda *_a: None)
    tree: Any = type("Tree", (), {"version_id": uuid.UUID(int=3)})()
    run = _run('{"dimensions": [], "pillars": [], "completeness": 1}')
    results_view.VIEWS.clear()
    draft = _head(version_status="draft", version_published_at=None)
    assert results_view.published_view(uuid.UUID(int=10), draft, [run], tree, "es", lambda *_a: Markup("x"))
    assert len(results_view.VIEWS) == 0
    assert results_view.published_view(uuid.UUID(int=10), _head(), [run], tree, "es", lambda *_a: Markup("x"))
    assert len(results_view.VIEWS) == 1
