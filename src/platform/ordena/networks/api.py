"""The network API for network admins' tokens: the published cohorts of the latest release."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get
from litestar.exceptions import NotFoundException

from ordena.networks import area
from ordena.networks.schemas import CohortOut, ReleaseOut
from ordena.web.access import network_of
from ordena.web.deps import DB


@get(
    "/n/{network:str}/releases/latest",
    opt={"access": "network"},
    operation_id="getLatestNetworkRelease",
    summary="The published cohorts of a network's latest release",
)
async def latest_release(request: Request[Any, Any, Any], db: DB) -> ReleaseOut:
    """Only published cohorts, with n as a band; no firm or company identity exists in a release.
    404 when the caller is not an admin of the network, or when it has no release yet."""
    network = network_of(request)
    release = await area.latest_release(db, network.id)
    if release is None:
        raise NotFoundException(detail="no release yet")
    cohorts = await area.published_cohorts(db, release.id)
    return ReleaseOut(
        network=network.slug,
        number=release.number,
        as_of=release.as_of,
        released_at=release.released_at,
        k=release.k,
        min_firms=release.min_firms,
        epsilon=float(release.epsilon),
        cohorts=[
            CohortOut(
                scope_kind=c.scope_kind,
                scope_key=c.scope_key,
                slice_kind=c.slice_kind,
                slice_value=c.slice_value,
                n_band=c.n_band or "",
                histogram=list(c.histogram or []),
                mean=_f(c.mean),
                p10=_f(c.p10),
                p25=_f(c.p25),
                median=_f(c.p50),
                p75=_f(c.p75),
                p90=_f(c.p90),
            )
            for c in cohorts
        ],
    )


def _f(value: Any) -> float | None:
    return None if value is None else float(value)


api = Router(path="/api/v1", route_handlers=[latest_release], tags=["v1"])

ROUTES = [api]
