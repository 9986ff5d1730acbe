"""The network admin's area, ``/n/{network}/…``: aggregates of the latest releases, the consent
list and invitations. The guard (``access: network``) admits only that network's admins and
enters no firm, so every tenant table reads as empty here (RLS)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, get, post
from litestar.exceptions import HTTPException, NotFoundException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from ordena.db.driver import driver
from ordena.lib.errors import FormErrors
from ordena.lib.i18n import _, format_date
from ordena.networks import area, export, invitations, queries
from ordena.networks.admin.refresh import RefreshRefused, request_refresh
from ordena.networks.models import HIDE_REASONS, BenchmarkRelease, Network
from ordena.reports.charts import PALETTE, Series, lines
from ordena.reports.level_chart import level_shares
from ordena.web.access import network_of
from ordena.web.deps import DB, CurrentAuth, Form
from ordena.web.forms import FormError
from ordena.web.pages import redirect

NETWORK = {"access": "network"}
Req = Request[Any, Any, Any]


def _slice(raw: str | None) -> tuple[str, str]:
    try:
        return area.parse_slice(raw)
    except area.CohortOutsideLattice as exc:
        raise HTTPException(status_code=400, detail=_("Ese grupo no existe en la red.")) from exc


async def _picker(db: DB, release: BenchmarkRelease | None, kind: str, value: str) -> list[tuple[str, str]]:
    """The slices of the release's lattice; 400 for one it does not hold."""
    slices = await area.release_slices(db, release.id) if release is not None else [area.ALL]
    if (kind, value) not in slices and (kind, value) != area.ALL:
        raise HTTPException(status_code=400, detail=_("Ese grupo no existe en la red."))
    return [(area.slice_param(k, v), area.slice_label(k, v)) for k, v in slices]


def _level_names() -> list[str]:
    return [_("Inicial"), _("Gestionado"), _("Definido"), _("Medido"), _("Optimizado")]


def _note(v: area.CohortView) -> str:
    if not v.published:
        return v.reason_text
    median = f"{float(v.p50):.2f}" if v.p50 is not None else "—"
    return _("Mediana {median} · n {band}").format(median=median, band=v.n_band or "—")


@get("/n/{network:str}", opt=NETWORK, name="network_dashboard")
async def dashboard(request: Req, db: DB, slice: FromQuery[str | None] = None) -> Template:
    """The release's figures read on the driver (benchmarked: ``network_admin``): the latest
    release, its counts and slices in one statement, the chosen slice's cohorts."""
    network = network_of(request)
    kind, value = _slice(slice)
    con = await driver(db)
    release = await queries.latest_release(con, network.id)
    views: list[area.CohortView] = []
    chart = None
    counts = None
    slices = [area.ALL]
    if release is not None:
        counts, slices = area.counts_and_slices(await queries.release_counts(con, release.id))
    if (kind, value) not in slices and (kind, value) != area.ALL:
        raise HTTPException(status_code=400, detail=_("Ese grupo no existe en la red."))
    picker = [(area.slice_param(k, v), area.slice_label(k, v)) for k, v in slices]
    if release is not None:
        tree = await area.network_tree(db, release.framework_id or network.framework_id)
        views = area.sorted_views(tree, await queries.slice_cohorts(con, release.id, kind, value))
        chart = level_shares(
            [v.label for v in views],
            [v.histogram for v in views],
            [_note(v) for v in views],
            _level_names(),
            title=_("Distribución de madurez: {cohort}").format(cohort=area.slice_label(kind, value)),
            hidden_text=_("Oculto"),
        )
    return Template(
        "networks/admin/dashboard.html",
        context={
            "release": release,
            "picker": picker,
            "current": area.slice_param(kind, value),
            "cohort_label": area.slice_label(kind, value),
            "views": views,
            "chart": chart,
            "counts": counts,
            "participation": area.participation(release),
            "tab": "dashboard",
        },
    )


@get("/n/{network:str}/trend", opt=NETWORK)
async def trend_page(request: Req, db: DB, slice: FromQuery[str | None] = None) -> Template:
    network = network_of(request)
    kind, value = _slice(slice)
    release = await area.latest_release(db, network.id)
    picker = await _picker(db, release, kind, value)
    tree = await area.network_tree(db, network.framework_id)
    points = await area.trend(db, network.id, tree, kind, value)
    chart = None
    if points:
        order = area.scope_order(tree)
        scopes = sorted({key for p in points for key in p.views}, key=lambda k: (order.get(k, 999), k))
        series = []
        for i, key in enumerate(scopes):
            name = next(p.views[key].label for p in points if key in p.views)
            values = [p.views[key].p50 if key in p.views else None for p in points]
            series.append(Series(name, values, color=PALETTE[i % len(PALETTE)]))
        chart = lines(
            [(f"#{p.release.number}", format_date(p.release.as_of)) for p in points],
            series,
            title=_("Mediana por publicación: {cohort}").format(cohort=area.slice_label(kind, value)),
        )
    return Template(
        "networks/admin/trend.html",
        context={
            "points": points,
            "chart": chart,
            "picker": picker,
            "current": area.slice_param(kind, value),
            "cohort_label": area.slice_label(kind, value),
            "tab": "trend",
        },
    )


@get("/n/{network:str}/practices", opt=NETWORK)
async def practices_page(request: Req, db: DB, slice: FromQuery[str | None] = None) -> Template:
    network = network_of(request)
    kind, value = _slice(slice)
    release = await area.latest_release(db, network.id)
    picker = await _picker(db, release, kind, value)
    rows: list[area.PracticeView] = []
    if release is not None:
        tree = await area.network_tree(db, release.framework_id or network.framework_id)
        rows = await area.practices(db, release.id, tree, kind, value, limit=20)
    return Template(
        "networks/admin/practices.html",
        context={
            "release": release,
            "rows": rows,
            "picker": picker,
            "current": area.slice_param(kind, value),
            "cohort_label": area.slice_label(kind, value),
            "tab": "practices",
        },
    )


async def _releases_context(db: DB, network: Network) -> dict[str, Any]:
    releases = await area.releases(db, network.id)
    return {
        "releases": releases,
        "counts": await area.release_counts(db, [r.id for r in releases]),
        "reasons": [(r, area.reason_label(r)) for r in HIDE_REASONS],
        "participation": {r.id: area.participation(r) for r in releases},
        "errors": FormErrors(),
        "tab": "releases",
    }


@get("/n/{network:str}/releases", opt=NETWORK)
async def releases_page(request: Req, db: DB) -> Template:
    return Template("networks/admin/releases.html", context=await _releases_context(db, network_of(request)))


async def _firms_context(db: DB, network: Network) -> dict[str, Any]:
    return {
        "roster": await area.roster(db, network.id),
        "invitations": await invitations.invitations_of(db, network.id),
        "values": {},
        "errors": FormErrors(),
        "tab": "firms",
        **area.LABELS,
    }


@get("/n/{network:str}/firms", opt=NETWORK)
async def firms_page(request: Req, db: DB) -> Template:
    return Template("networks/admin/firms.html", context=await _firms_context(db, network_of(request)))


@post("/n/{network:str}/firms/invite", opt=NETWORK)
async def invite_firm(request: Req, db: DB, auth: CurrentAuth, data: Form) -> Redirect:
    network = network_of(request)
    assert auth.user is not None
    email = str(data.get("email", ""))
    try:
        await invitations.invite(db, request.app.state.settings, network, auth.user, email)
    except invitations.InvitationInvalid as exc:
        context = {**await _firms_context(db, network), "values": {"email": email}}
        raise FormError("networks/admin/firms.html", context, exc.errors) from exc
    return redirect(f"/n/{network.slug}/firms", flash=_("Invitación enviada a {email}.").format(email=email.strip()))


@post("/n/{network:str}/invitations/{invitation_id:uuid}/revoke", opt=NETWORK)
async def revoke_invitation(request: Req, db: DB, auth: CurrentAuth, invitation_id: FromPath[UUID]) -> Redirect:
    network = network_of(request)
    assert auth.user is not None
    try:
        email = await invitations.revoke(db, network, auth.user, invitation_id)
    except LookupError as exc:
        raise NotFoundException() from exc
    return redirect(
        f"/n/{network.slug}/firms", flash=_("Invitación a {email} revocada: su enlace ya no sirve.").format(email=email)
    )


@post("/n/{network:str}/refresh", opt=NETWORK)
async def refresh(request: Req, db: DB, auth: CurrentAuth) -> Response[Any]:
    network = network_of(request)
    assert auth.user is not None
    try:
        await request_refresh(db, network, auth.user)
    except RefreshRefused as refused:
        errors = FormErrors()
        errors.add("__all__", refused.message)
        context = await _releases_context(db, network)
        raise FormError("networks/admin/releases.html", context, errors, refused.status_code) from refused
    return redirect(
        f"/n/{network.slug}/releases", flash=_("Publicación pedida: las cifras se calculan en unos minutos.")
    )


@get("/n/{network:str}/export/{table:str}", opt=NETWORK)
async def export_table(
    request: Req, db: DB, table: FromPath[str], format: FromQuery[str] = "csv", slice: FromQuery[str | None] = None
) -> Response[bytes]:
    network = network_of(request)
    if table not in export.TABLES or format not in export.FORMATS:
        raise NotFoundException()
    kind, value = _slice(slice)
    built = await export.build(db, network, table, kind, value)
    filename = f"{network.slug}-{table}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}
    if format == "csv":
        return Response(export.to_csv(built), media_type="text/csv; charset=utf-8", headers=headers)
    return Response(
        export.to_xlsx(built, f"{network.name} · {table}"),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=headers,
    )


@get("/n/{network:str}/events", opt=NETWORK)
async def events_page(request: Req, db: DB) -> Template:
    network = network_of(request)
    return Template(
        "networks/admin/events.html",
        context={"events": await area.events(db, network.id), "tab": "events", **area.LABELS},
    )


ROUTES = [
    dashboard,
    trend_page,
    practices_page,
    releases_page,
    firms_page,
    invite_firm,
    revoke_invitation,
    refresh,
    export_table,
    events_page,
]
