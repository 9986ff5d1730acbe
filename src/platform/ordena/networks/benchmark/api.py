"""JSON API: one assessment against its peers (DESIGN §11), on the same lookup as the page."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from litestar import get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath, QueryParameter

from ordena.db.driver import driver
from ordena.networks import lookup
from ordena.web.deps import DB, Firm

PREFIX = "/api/v1/w/{slug:str}"


@get(
    PREFIX + "/assessments/{assessment_id:uuid}/benchmark",
    opt={"access": "viewer"},
    operation_id="getAssessmentBenchmark",
    tags=["networks"],
    summary="A published assessment against a cohort of its network's latest release",
    description=(
        "Per scope (overall, then each dimension): the cohort's n band, mean, p10, p25, median, p75, p90 "
        "and the assessment's percentile rank, all from the release's noisy histogram; a hidden cohort "
        "carries only its reason code (k, firms, dominance, complementary). `slice` is one of all, "
        "industry, size, country, industry_size (the company's own); anything else is 422."
    ),
)
async def api_benchmark(
    db: DB,
    firm: Firm,
    assessment_id: FromPath[UUID],
    slice_kind: Annotated[str | None, QueryParameter(name="slice", required=False)] = None,
) -> dict[str, Any]:
    kind = lookup.parse_slice(slice_kind)
    found = await lookup.benchmark(await driver(db), firm.tenant_id, assessment_id, kind)
    if found is None:
        raise NotFoundException("the firm takes part in no network on this assessment's framework")
    return lookup.as_json(found)


ROUTES = [api_benchmark]
