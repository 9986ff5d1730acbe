"""A published assessment's results page, built once per stored snapshot and language.

A published assessment's results never change (its snapshot is written at publication, and only
publishing again writes a new one), so what the results page shows of them — the snapshot
unpacked, the numbers formatted for the language, the radar, gap and history charts, the rows of
its tables — is built once and kept (profiled: unpacking the snapshot, drawing the charts and
writing a few hundred formatted cells per view were most of the page's time).

Kept by every input the page's body reads, so nothing has to be invalidated: the firm, the
language, the framework version's tree (a published version's, which never changes: keyed by
its publication stamp), the assessment's own fields, and each of the company's published runs as
stored — its id, title, version, publication and storage stamps, and a digest of its snapshot's
text (the history chart shows the earlier runs). Publishing again stores a new document (a new
digest), a run published later adds a point, another language or firm is another key.
Bounded: the least recently shown go first.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID

from markupsafe import Markup

from ordena.assessments.published import results_from_document
from ordena.assessments.queries import ResultsHead, StoredRun
from ordena.assessments.results import AssessmentResults, HistoryPoint, history_of
from ordena.frameworks.services import FrameworkStructure
from ordena.lib.kept import Kept, digest
from ordena.reports.charts import ResultsCharts, results_charts

VIEWS_KEPT = 64  # the pages shown lately, across firms (each about 100 KB)


@dataclass(frozen=True, slots=True)
class ResultsView:
    """The results as the page shows them: the unpacked snapshot and its body, rendered."""

    results: AssessmentResults
    body: Markup


Render = Callable[[AssessmentResults, ResultsCharts], Markup]


VIEWS: Kept[ResultsView] = Kept(VIEWS_KEPT)


def view_key(tenant_id: uuid.UUID, head: ResultsHead, runs: Sequence[StoredRun], locale: str) -> tuple[object, ...]:
    """Every input of a published assessment's results body (see the module's docstring)."""
    return (
        tenant_id,
        locale,
        head.id,
        head.status,
        head.kind,
        head.title,
        head.published_at,
        head.created_at,
        head.framework_version_id,
        head.version_status,
        head.version_published_at,
        tuple(
            (r.id, r.title, r.framework_version_id, r.published_at, r.overall, r.stored_at, digest(r.data))
            for r in runs
        ),
    )


class _Run(Protocol):
    """What the history needs of a run: an ``Assessment`` or a page's plain row of one."""

    @property
    def id(self) -> UUID: ...
    @property
    def title(self) -> str: ...
    @property
    def framework_version_id(self) -> UUID: ...
    @property
    def published_at(self) -> dt.datetime | None: ...
    @property
    def created_at(self) -> dt.datetime: ...


def current_point(run: _Run, results: AssessmentResults) -> HistoryPoint:
    """The run shown closes the history line (its live scores, or its snapshot once published)."""
    return HistoryPoint(
        assessment_id=run.id,
        title=run.title,
        version_id=run.framework_version_id,
        published_at=run.published_at or run.created_at,
        overall=results.overall,
        pillars={p.key: p.score for p in results.pillars},
        dimensions={d.key: d.score for d in results.dimensions},
    )


def charts_of(head: ResultsHead, results: AssessmentResults, points: Sequence[HistoryPoint]) -> ResultsCharts:
    """The page's charts: the earlier runs and this one make the history line."""
    earlier = [p for p in points if p.assessment_id != head.id]
    history = [*earlier, current_point(head, results)] if earlier else []
    return results_charts(results, history)


def published_view(
    tenant_id: uuid.UUID,
    head: ResultsHead,
    runs: Sequence[StoredRun],
    tree: FrameworkStructure,
    locale: str,
    render: Render,
) -> ResultsView | None:
    """The published assessment's view, kept or built now; None when its snapshot is not a
    whole document (bulk-generated data): then the results are computed from the answers."""
    if head.status != "published" or tree.version_id != head.framework_version_id:
        return None
    key = view_key(tenant_id, head, runs, locale)
    found = VIEWS.get(key)
    if found is not None:
        return found
    points = history_of(runs)
    stored = next((p for p in points if p.assessment_id == head.id), None)
    if stored is None:
        return None
    results = results_from_document(stored.document, head, tree)
    if results is None:
        return None
    view = ResultsView(results, render(results, charts_of(head, results, points)))
    if head.version_status == "published":  # a draft version's tree may still change under its key
        VIEWS.put(key, view)
    return view
